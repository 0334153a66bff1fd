// RACK-TLP loss detection (RFC 8985) as Linux runs it by default (net.ipv4.tcp_recovery = 1,
// tcp_early_retrans = 3; net/ipv4/tcp_recovery.c, tcp_output.c tcp_schedule_loss_probe).
// RACK: a segment is lost once a segment sent after it has been delivered and more than the
// delivered one's RTT plus a reordering window has passed since it was sent. The window is a
// quarter of the minimum RTT (capped at SRTT), or 0 once in recovery or with dupThresh frames
// SACKed (Linux tcp_rack_reo_wnd; no reordering is ever seen here, there is no D-SACK). A segment
// not yet due arms the reorder timer for when it will be.
// TLP: when no ACK has come for PTO = 2*SRTT, the sender sends new data, or else resends its
// last segment, so that a tail loss gets a SACK and RACK repairs it without an RTO. Linux adds
// TCP_TIMEOUT_MIN (2 ms, two jiffies) to the PTO, or TCP_RTO_MIN (200 ms, RFC 8985's delayed-ACK
// allowance) when one frame only is in flight, and never probes later than the RTO would fire: a
// lone lost frame therefore still waits about 200 ms, as on Linux. One probe is outstanding at a
// time (tlp_high_seq); when the ACK that passes it shows that the probe repaired a loss, the
// window is reduced once (tcp_process_tlp_ack).
import { NS_PER_MS } from '../core/index.js';

/** Linux TCP_TIMEOUT_MIN: two jiffies at HZ = 1000. */
export const TLP_TIMEOUT_MIN_NS = 2 * NS_PER_MS;

/**
 * Linux tcp_schedule_loss_probe: the probe timeout in ns. rtoLeftNs is when the RTO would fire
 * (from now); the probe never comes later.
 */
export function probeTimeoutNs(srttNs: number, packetsOut: number, rtoMinNs: number, rtoInitialNs: number, rtoLeftNs: number): number {
  let timeout = srttNs > 0 ? 2 * srttNs + (packetsOut === 1 ? rtoMinNs : TLP_TIMEOUT_MIN_NS) : rtoInitialNs;
  if (rtoLeftNs > 0 && rtoLeftNs < timeout) timeout = rtoLeftNs;
  return Math.ceil(timeout);
}

/**
 * tcp_rack_sent_after: a delivered segment sent at sentAtNs, ending at endSeq, is more recent
 * than RACK's (sent later, or at the same instant and further in sequence). RACK's state (Linux
 * tp->rack: the send time, end and RTT of the most recently sent delivered segment) lives in the
 * connection, as three fields.
 */
export function rackSentAfter(sentAtNs: number, endSeq: number, rackSentAtNs: number, rackEndSeq: number): boolean {
  return sentAtNs > rackSentAtNs || (sentAtNs === rackSentAtNs && endSeq > rackEndSeq);
}

/** tcp_rack_reo_wnd, in ns. */
export function rackReorderWindowNs(recovering: boolean, sackedOut: number, dupThreshold: number, minRttNs: number, srttNs: number): number {
  if (recovering || sackedOut >= dupThreshold || minRttNs === Infinity) return 0;
  const quarter = minRttNs / 4;
  return quarter < srttNs ? quarter : srttNs;
}

/** One outstanding tail loss probe (Linux tlp_high_seq, tlp_retrans). */
export class LossProbe {
  /** snd_nxt when the probe went out; 0 when none is outstanding. */
  highSeq = 0;
  /** The probe resent old data (else it sent new data). */
  retransmitted = false;

  /**
   * tcp_process_tlp_ack. Returns true when the probe repaired a loss (the ACK passes it and it
   * was a retransmission): the caller reduces the window once.
   */
  onAck(ack: number, advanced: boolean, pureDuplicate: boolean): boolean {
    if (this.highSeq === 0 || ack < this.highSeq) return false;
    if (!this.retransmitted) {
      this.highSeq = 0;
      return false;
    }
    if (ack > this.highSeq) {
      this.highSeq = 0;
      return true;
    }
    // Both the original and the probe arrived (Linux also sees it by D-SACK): no loss.
    if (!advanced && pureDuplicate) this.highSeq = 0;
    return false;
  }
}
