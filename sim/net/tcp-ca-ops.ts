// The pluggable congestion-control algorithm, after Linux's struct tcp_congestion_ops
// (include/net/tcp.h): the loss-recovery state machine (tcp-congestion.ts) owns cwnd and the
// recovery states, and asks the algorithm only what Linux asks it: the window after a loss
// (ssthresh), how to grow on ACKs (cong_avoid), and it tells it of state changes, RTT samples
// and ACKs carrying ECN-Echo (set_state, pkts_acked, in_ack_event).

/** Algorithms a node may run (Linux net.ipv4.tcp_congestion_control; 'cubic' by default). */
export const CONGESTION_CONTROL_NAMES = ['cubic', 'reno', 'dctcp'] as const;
export type CongestionControlName = (typeof CONGESTION_CONTROL_NAMES)[number];

/** The window fields an algorithm reads and writes, counted in MSS frames (snd_cwnd, snd_ssthresh, snd_cwnd_cnt). */
export interface CongestionWindow {
  cwnd: number;
  ssthresh: number;
  cwndCount: number;
}

export interface CongestionOps {
  readonly name: CongestionControlName;
  /** ssthresh(): the slow-start threshold after a loss, from the current window. */
  ssthresh(window: CongestionWindow): number;
  /**
   * The window after a packet loss, when it differs from ssthresh() (DCTCP halves on loss but
   * cuts in proportion to alpha on an ECN-Echo; Linux dctcp_react_to_loss).
   */
  lossSsthresh?(window: CongestionWindow): number;
  /** cong_avoid(): grow after `acked` frames were acknowledged while cwnd-limited. */
  congAvoid(window: CongestionWindow, acked: number, nowNs: number): void;
  /** set_state(TCP_CA_Loss): an RTO collapsed the window. */
  onLossState(): void;
  /** pkts_acked(): an ACK for `acked` frames, with an RTT sample in ns (0: none). */
  pktsAcked(acked: number, rttNs: number, nowNs: number): void;
  /**
   * in_ack_event(): an ACK moved snd_una to `ack` (delivering `ackedFrames` frames, 0 for a
   * duplicate), `ece` whether it echoed a congestion mark; `sndNxt` is the send edge.
   */
  onAckEvent(window: CongestionWindow, ackedFrames: number, ece: boolean, ack: number, sndNxt: number): void;
  /** Whether this algorithm needs ECN negotiated (Linux TCP_CONG_NEEDS_ECN). */
  readonly needsEcn: boolean;
}

/**
 * Linux tcp_slow_start(): cwnd grows by one per acknowledged frame up to ssthresh; returns the
 * frames left over for congestion avoidance.
 */
export function slowStart(window: CongestionWindow, acked: number): number {
  const next = Math.min(window.cwnd + acked, window.ssthresh);
  const left = acked - (next - window.cwnd);
  window.cwnd = next;
  return left > 0 ? left : 0;
}

/**
 * Linux tcp_cong_avoid_ai(): +1 frame per `w` acknowledged frames; credit earned at a larger `w`
 * is applied gently (one frame) when `w` shrinks.
 */
export function congAvoidAi(window: CongestionWindow, w: number, acked: number): void {
  if (window.cwndCount >= w) {
    window.cwndCount = 0;
    window.cwnd++;
  }
  window.cwndCount += acked;
  if (window.cwndCount >= w) {
    const increase = Math.floor(window.cwndCount / w);
    window.cwndCount -= increase * w;
    window.cwnd += increase;
  }
}
