// NewReno's window arithmetic (Linux tcp_reno_ssthresh, tcp_reno_cong_avoid; RFC 5681): slow
// start, then one frame per window of ACKs; a loss halves the window.
import { type CongestionOps, type CongestionWindow, congAvoidAi, slowStart } from './tcp-ca-ops.js';

export class RenoOps implements CongestionOps {
  readonly name = 'reno' as const;
  readonly needsEcn = false;

  ssthresh(window: CongestionWindow): number {
    return Math.max(window.cwnd >> 1, 2);
  }

  congAvoid(window: CongestionWindow, acked: number): void {
    let left = acked;
    if (window.cwnd < window.ssthresh) {
      left = slowStart(window, acked);
      if (left === 0) return;
    }
    congAvoidAi(window, window.cwnd, left);
  }

  onLossState(): void {}
  pktsAcked(): void {}
  onAckEvent(): void {}
}
