// The congestion window and the loss-recovery state machine, counted in segments as Linux does
// (snd_cwnd, snd_ssthresh, snd_cwnd_cnt; include/net/tcp.h). The window grows only while it is
// actually used (tcp_is_cwnd_limited); how it grows and how far a loss cuts it is the
// algorithm's (tcp-ca-ops.ts: CUBIC by default, Reno, DCTCP). Recovery: NewReno (RFC 6582)
// without SACK, RFC 6675-style with SACK; an RTO enters the Loss state (tcp_enter_loss).
// Everything counted in packets is counted in MSS frames, as Linux counts tcp_skb_pcount: a TSO
// super-segment of n frames takes n of the window, a cumulative ACK covering it grows cwnd by n,
// and the duplicate-ACK threshold and Reno's sacked estimate are in frames too.
// Simplification: on entering recovery cwnd drops straight to ssthresh (Linux uses PRR to get
// there gradually), and no undo of spurious reductions.
import type { CongestionControlName, CongestionOps, CongestionWindow } from './tcp-ca-ops.js';
import { CubicOps } from './tcp-cubic.js';
import { DctcpOps } from './tcp-dctcp.js';
import { RenoOps } from './tcp-reno.js';
import type { RetransmitQueue, SentSegment } from './tcp-rtx-queue.js';

/** A fresh instance of the named algorithm (Linux tcp_assign_congestion_control). */
export function createCongestionOps(name: CongestionControlName): CongestionOps {
  if (name === 'reno') return new RenoOps();
  if (name === 'dctcp') return new DctcpOps();
  return new CubicOps();
}

/** Linux TCP_INFINITE_SSTHRESH. */
const INFINITE_SSTHRESH = 0x7fffffff;

/** Linux tcp_ca_state, reduced to the states this model distinguishes. */
export type CaState = 'open' | 'cwr' | 'recovery' | 'loss';

export class CongestionControl implements CongestionWindow {
  cwnd: number;
  ssthresh = INFINITE_SSTHRESH;
  cwndCount = 0;
  state: CaState = 'open';
  /** snd_nxt when recovery or loss began (Linux high_seq, RFC 6582 "recover"). */
  highSeq = 0;
  dupAcks = 0;
  /** Without SACK, each duplicate ACK counts as one frame that left the network. */
  renoSacked = 0;
  /** Set when sending stopped because the window was full. */
  cwndLimited = false;
  /** SACK in use (set once the handshake has agreed on it). */
  sack: boolean;
  readonly dupThreshold: number;
  readonly ops: CongestionOps;

  constructor(initialCwnd: number, dupThreshold: number, sack: boolean, ops: CongestionOps = new RenoOps()) {
    this.ops = ops;
    this.cwnd = initialCwnd;
    this.dupThreshold = dupThreshold;
    this.sack = sack;
  }

  /** Linux tcp_packets_in_flight(), in frames. */
  inFlight(rtx: RetransmitQueue): number {
    const sacked = this.sack ? rtx.sackedOut : this.renoSacked;
    return rtx.packetsOut - (sacked + rtx.lostOut) + rtx.retransOut;
  }

  /**
   * snd_una advanced by ackedPackets frames. Returns a segment NewReno must retransmit at once
   * (the next hole after a partial ACK, one MSS), if any.
   */
  onNewAck(ack: number, ackedPackets: number, priorInFlight: number, rtx: RetransmitQueue, nowNs = 0): SentSegment | undefined {
    this.dupAcks = 0;
    if (this.state === 'recovery') {
      if (ack >= this.highSeq) {
        // Full ACK: recovery is over (RFC 6582 3.2 step 3; Linux tcp_end_cwnd_reduction).
        this.state = 'open';
        this.renoSacked = 0;
        this.cwnd = this.ssthresh;
        return undefined;
      }
      if (this.sack) return undefined; // The scoreboard marks what is lost.
      // Partial ACK: the next hole is lost too (RFC 6582 3.2 step 4). Each cumulatively acked
      // segment but one had been counted as a dupack (Linux tcp_remove_reno_sacks).
      this.renoSacked = Math.max(0, this.renoSacked - Math.max(0, ackedPackets - 1));
      return rtx.markHeadLost();
    }
    if (this.state === 'cwr') {
      // The ECN reduction lasts one window; the window does not grow meanwhile (RFC 3168 6.1.2).
      this.renoSacked = 0;
      if (ack >= this.highSeq) this.state = 'open';
      return undefined;
    }
    if (this.state === 'loss' && ack >= this.highSeq) this.state = 'open';
    this.renoSacked = 0;
    this.#grow(ackedPackets, priorInFlight, nowNs);
    return undefined;
  }

  /** A duplicate ACK (RFC 5681 definition). */
  onDuplicateAck(rtx: RetransmitQueue): void {
    this.dupAcks++;
    if (this.state === 'loss' || this.sack) return;
    if (this.renoSacked < rtx.packetsOut - 1) this.renoSacked++;
  }

  /** Linux tcp_time_to_recover: enough dupacks, or the SACK scoreboard already marked a loss. */
  shouldRecover(rtx: RetransmitQueue): boolean {
    if (this.state !== 'open' && this.state !== 'cwr') return false;
    return this.dupAcks >= this.dupThreshold || (this.sack && rtx.lostOut > 0);
  }

  /** Fast retransmit: the algorithm's reduction (tcp_init_cwnd_reduction); remember where recovery ends. */
  enterRecovery(sndNxt: number): void {
    this.state = 'recovery';
    this.highSeq = sndNxt;
    this.ssthresh = this.#lossSsthresh();
    this.cwnd = this.ssthresh;
    this.cwndCount = 0;
  }

  /**
   * One reduction without recovery (Linux tcp_init_cwnd_reduction + tcp_end_cwnd_reduction): a
   * tail loss probe repaired a loss.
   */
  reduceOnce(): void {
    this.ssthresh = this.ops.ssthresh(this);
    this.cwnd = this.ssthresh;
    this.cwndCount = 0;
  }

  /**
   * ECN-Echo (RFC 3168 6.1.2, Linux tcp_enter_cwr): one reduction per window of data, by the
   * algorithm's ssthresh (DCTCP's is proportional to its alpha), and the CWR state until the
   * data sent so far is acknowledged. Returns true when it reduced (the next data carries CWR).
   */
  onEcnEcho(sndNxt: number): boolean {
    if (this.state !== 'open') return false;
    this.reduceOnce();
    this.state = 'cwr';
    this.highSeq = sndNxt;
    return true;
  }

  /** RTO (Linux tcp_enter_loss): ssthresh from the last good window, cwnd = 1. */
  onRetransmitTimeout(sndNxt: number): void {
    if (this.state === 'open') this.ssthresh = this.#lossSsthresh();
    this.ops.onLossState();
    this.cwnd = 1;
    this.cwndCount = 0;
    this.state = 'loss';
    this.highSeq = sndNxt;
    this.dupAcks = 0;
    this.renoSacked = 0;
  }

  #lossSsthresh(): number {
    return this.ops.lossSsthresh === undefined ? this.ops.ssthresh(this) : this.ops.lossSsthresh(this);
  }

  #grow(ackedPackets: number, priorInFlight: number, nowNs: number): void {
    const slowStart = this.cwnd < this.ssthresh;
    const limited = this.cwndLimited || (slowStart ? 2 * priorInFlight >= this.cwnd : priorInFlight >= this.cwnd);
    this.cwndLimited = false;
    if (!limited) return;
    this.ops.congAvoid(this, ackedPackets, nowNs);
  }
}
