// CUBIC (RFC 9438), Linux's default congestion control, after net/ipv4/tcp_cubic.c: after a
// loss the window follows W(t) = C*(t - K)^3 + Wmax, with C = 0.4, the multiplicative decrease
// beta = 0.7 (717/1024), K = cbrt(Wmax*(1 - beta)/C) seconds, and t counted from the start of the
// congestion-avoidance epoch plus the minimum RTT (bictcp_update). Fast convergence lowers Wmax
// to Wmax*(1 + beta)/2 when a loss comes before the previous Wmax was reached; the TCP-friendly
// region keeps the window at least as large as Reno's with the same decrease would be (Linux
// beta_scale: one frame per 15/8 windows of ACKs). Like Linux, the per-ACK growth step is
// recomputed at most every HZ/32 (31 ms) while cwnd is unchanged, and a first epoch (no loss
// yet) grows by at least one frame per 20 ACKs.
// Simplifications: no HyStart (slow start ends at ssthresh or on loss), and the epoch is not
// shifted over application-idle periods (CA_EVENT_TX_START).
import { NS_PER_S } from '../core/index.js';
import { type CongestionOps, type CongestionWindow, congAvoidAi, slowStart } from './tcp-ca-ops.js';

/** Linux BICTCP_BETA_SCALE and beta: the decrease factor 717/1024 ~ 0.7 (RFC 9438 beta_cubic). */
const BETA_SCALE = 1024;
const BETA = 717;
/** RFC 9438 C (Linux bic_scale 41 / 102.4), in frames per second cubed. */
export const CUBIC_C = 0.4;
/** Linux beta_scale = 8 * (1024 + 717) / 3 / (1024 - 717), integer arithmetic: 15. */
const FRIENDLY_BETA_SCALE = Math.floor(Math.floor((8 * (BETA_SCALE + BETA)) / 3) / (BETA_SCALE - BETA));
/** bictcp_update recomputes cnt at most every HZ/32 while cwnd is unchanged (HZ = 1000). */
const RECOMPUTE_NS = Math.floor(1000 / 32) * 1_000_000;

/** RFC 9438 eq. 1: W_cubic(t) in frames, t seconds into the epoch. */
export function cubicWindow(tSeconds: number, wMax: number, kSeconds: number): number {
  return CUBIC_C * (tSeconds - kSeconds) ** 3 + wMax;
}

/** RFC 9438 eq. 2: K, the seconds until the window is back at wMax from cwndStart. */
export function cubicK(wMax: number, cwndStart: number): number {
  return wMax > cwndStart ? Math.cbrt((wMax - cwndStart) / CUBIC_C) : 0;
}

export class CubicOps implements CongestionOps {
  readonly name = 'cubic' as const;
  readonly needsEcn = false;
  /** Window before the last reduction (Linux last_max_cwnd), in frames; 0 before any loss. */
  lastMaxCwnd = 0;
  /** Start of the current epoch in ns, or -1 (Linux epoch_start 0). */
  epochStartNs = -1;
  /** W(t) origin (bic_origin_point) and K in seconds (bic_K). */
  originPoint = 0;
  kSeconds = 0;
  /** Smallest RTT seen in ns (delay_min). */
  delayMinNs = 0;
  /** Frames acknowledged per +1 frame (ca->cnt). */
  cnt = 0;
  #lastCwnd = 0;
  #lastTimeNs = 0;
  #ackCount = 0;
  /** The Reno-friendly estimate of the window (tcp_cwnd). */
  #tcpCwnd = 0;

  ssthresh(window: CongestionWindow): number {
    this.epochStartNs = -1;
    // Fast convergence (RFC 9438 4.7).
    this.lastMaxCwnd = window.cwnd < this.lastMaxCwnd ? Math.floor((window.cwnd * (BETA_SCALE + BETA)) / (2 * BETA_SCALE)) : window.cwnd;
    return Math.max(Math.floor((window.cwnd * BETA) / BETA_SCALE), 2);
  }

  congAvoid(window: CongestionWindow, acked: number, nowNs: number): void {
    let left = acked;
    if (window.cwnd < window.ssthresh) {
      left = slowStart(window, acked);
      if (left === 0) return;
    }
    this.#update(window.cwnd, left, nowNs);
    congAvoidAi(window, this.cnt, left);
  }

  /** bictcp_reset on entering the Loss state: an RTO forgets Wmax and the epoch. */
  onLossState(): void {
    this.lastMaxCwnd = 0;
    this.epochStartNs = -1;
    this.cnt = 0;
    this.#lastCwnd = 0;
    this.#lastTimeNs = 0;
    this.#ackCount = 0;
    this.#tcpCwnd = 0;
  }

  pktsAcked(_acked: number, rttNs: number): void {
    if (rttNs > 0 && (this.delayMinNs === 0 || rttNs < this.delayMinNs)) this.delayMinNs = rttNs;
  }

  onAckEvent(): void {}

  /** Linux bictcp_update: the number of ACKed frames per +1 frame of cwnd. */
  #update(cwnd: number, acked: number, nowNs: number): void {
    this.#ackCount += acked;
    if (this.#lastCwnd === cwnd && nowNs - this.#lastTimeNs <= RECOMPUTE_NS) return;
    this.#lastCwnd = cwnd;
    this.#lastTimeNs = nowNs;
    if (this.epochStartNs < 0) {
      this.epochStartNs = nowNs;
      this.#ackCount = acked;
      this.#tcpCwnd = cwnd;
      if (this.lastMaxCwnd <= cwnd) {
        this.kSeconds = 0;
        this.originPoint = cwnd;
      } else {
        this.kSeconds = cubicK(this.lastMaxCwnd, cwnd);
        this.originPoint = this.lastMaxCwnd;
      }
    }
    // The target is where W(t) will be one minimum RTT from now.
    const t = (nowNs - this.epochStartNs + this.delayMinNs) / NS_PER_S;
    const target = cubicWindow(t, this.originPoint, this.kSeconds);
    let cnt = target > cwnd ? Math.floor(cwnd / (target - cwnd)) : 100 * cwnd;
    // The first epoch (no loss seen) grows at least 5% per RTT.
    if (this.lastMaxCwnd === 0 && cnt > 20) cnt = 20;
    // TCP-friendly region (RFC 9438 4.3).
    const delta = (cwnd * FRIENDLY_BETA_SCALE) >> 3;
    if (delta > 0) {
      while (this.#ackCount > delta) {
        this.#ackCount -= delta;
        this.#tcpCwnd++;
      }
    }
    if (this.#tcpCwnd > cwnd) {
      const maxCnt = Math.floor(cwnd / (this.#tcpCwnd - cwnd));
      if (cnt > maxCnt) cnt = maxCnt;
    }
    this.cnt = Math.max(cnt, 2);
  }
}
