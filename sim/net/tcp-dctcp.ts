// DCTCP (RFC 8257), after Linux net/ipv4/tcp_dctcp.c: the sender keeps alpha, a moving average
// of the fraction of its frames the fabric marked CE, updated once per window of data
// (alpha = (1 - g) * alpha + g * F, g = 1/16, scaled by 1024; it starts at 1024, Linux
// dctcp_alpha_on_init), and on an ECN-Echo cuts the window in proportion to it:
// cwnd * (1 - alpha/2) (dctcp_ssthresh), once per window (the CWR state, tcp-congestion.ts). A loss
// still halves the window as Reno does (dctcp_react_to_loss); growth is Reno's.
// Counted in frames, as Linux counts delivered and delivered_ce.
import { type CongestionOps, type CongestionWindow } from './tcp-ca-ops.js';
import { RenoOps } from './tcp-reno.js';

/** Linux DCTCP_MAX_ALPHA: alpha is kept in 1/1024ths. */
export const DCTCP_MAX_ALPHA = 1024;
/** Linux dctcp_shift_g = 4: g = 1/16 (RFC 8257 section 4.2). */
const SHIFT_G = 4;

export class DctcpOps implements CongestionOps {
  readonly name = 'dctcp' as const;
  readonly needsEcn = true;
  /** Fraction of marked frames, in 1/1024ths. */
  alpha = DCTCP_MAX_ALPHA;
  readonly #reno = new RenoOps();
  /** snd_nxt at the start of the observation window (Linux next_seq); -1 before the first ACK. */
  #nextSeq = -1;
  #delivered = 0;
  #deliveredCe = 0;

  /** dctcp_ssthresh: the proportional reduction on an ECN-Echo. */
  ssthresh(window: CongestionWindow): number {
    return Math.max(window.cwnd - ((window.cwnd * this.alpha) >> 11), 2);
  }

  /** dctcp_react_to_loss: a loss halves, as Reno. */
  lossSsthresh(window: CongestionWindow): number {
    return Math.max(window.cwnd >> 1, 2);
  }

  congAvoid(window: CongestionWindow, acked: number): void {
    this.#reno.congAvoid(window, acked);
  }

  onLossState(): void {}
  pktsAcked(): void {}

  /** dctcp_update_alpha: once snd_una passes the window's end, fold its marked fraction in. */
  onAckEvent(_window: CongestionWindow, ackedFrames: number, ece: boolean, ack: number, sndNxt: number): void {
    if (this.#nextSeq < 0) this.#nextSeq = sndNxt;
    this.#delivered += ackedFrames;
    if (ece) this.#deliveredCe += ackedFrames;
    if (ack < this.#nextSeq) return;
    // Linux: alpha -= min_not_zero(alpha, alpha >> g), so a small alpha decays to 0.
    const decay = this.alpha >> SHIFT_G;
    let alpha = this.alpha - (decay === 0 ? this.alpha : decay);
    if (this.#deliveredCe > 0 && this.#delivered > 0) {
      alpha += Math.floor((this.#deliveredCe << (10 - SHIFT_G)) / this.#delivered);
      if (alpha > DCTCP_MAX_ALPHA) alpha = DCTCP_MAX_ALPHA;
    }
    this.alpha = alpha;
    this.#nextSeq = sndNxt;
    this.#delivered = 0;
    this.#deliveredCe = 0;
  }
}
