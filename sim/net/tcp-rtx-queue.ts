// The retransmission queue: every segment sent and not yet cumulatively acknowledged, in order,
// with the per-segment state Linux keeps on its rtx queue (sent time, SACKED, LOST, RETRANS).
// The counters feed the in-flight estimate of RFC 6675 / Linux tcp_packets_in_flight():
// in_flight = packets_out - (sacked_out + lost_out) + retrans_out.
// Loss marking with SACK uses FACK (a segment more than dupThresh segments' worth below the
// highest SACKed byte is lost; Linux's pre-RACK default) plus a RACK-style check for lost
// retransmissions (a retransmission is lost if something sent after it was delivered).

export class SentSegment {
  seq: number;
  /** Payload bytes. */
  len: number;
  readonly syn: boolean;
  readonly fin: boolean;
  /** Time of the latest transmission. */
  sentAtNs: number;
  /** Time of the first transmission (Linux retrans_stamp is taken from it). */
  readonly firstSentAtNs: number;
  /** Reported by the receiver in a SACK block. */
  sacked = false;
  /** Marked lost (LOST) and not acknowledged or SACKed since. */
  lost = false;
  /** Retransmitted since it was marked lost (RETRANS). */
  retransmitting = false;
  /** Ever retransmitted: Karn's rule forbids RTT samples from it. */
  everRetransmitted = false;

  constructor(seq: number, len: number, syn: boolean, fin: boolean, nowNs: number) {
    this.seq = seq;
    this.len = len;
    this.syn = syn;
    this.fin = fin;
    this.sentAtNs = nowNs;
    this.firstSentAtNs = nowNs;
  }

  /** Sequence number after this segment (SYN and FIN each take one). */
  get end(): number {
    return this.seq + this.len + (this.syn ? 1 : 0) + (this.fin ? 1 : 0);
  }
}

const COMPACT_THRESHOLD = 1024;

export class RetransmitQueue {
  #segments: SentSegment[] = [];
  #head = 0;
  /** No lost-and-not-retransmitted segment exists before this index. */
  #lostHint = 0;
  /** FACK: segments before this index have been considered for loss marking. */
  #fackHint = 0;
  sackedOut = 0;
  lostOut = 0;
  retransOut = 0;

  get packetsOut(): number {
    return this.#segments.length - this.#head;
  }

  first(): SentSegment | undefined {
    return this.#segments[this.#head];
  }

  push(segment: SentSegment): void {
    this.#segments.push(segment);
  }

  /**
   * Removes segments wholly below ack; trims a partly acknowledged head. Calls onAcked for each
   * removed segment, in order.
   */
  acknowledge(ack: number, onAcked: (segment: SentSegment) => void): void {
    const segments = this.#segments;
    while (this.#head < segments.length) {
      const segment = segments[this.#head] as SentSegment;
      if (segment.end > ack) {
        if (segment.seq < ack && !segment.syn) {
          const acked = ack - segment.seq;
          segment.seq = ack;
          segment.len -= acked;
        }
        break;
      }
      this.#forget(segment);
      segments[this.#head] = PLACEHOLDER;
      this.#head++;
      onAcked(segment);
    }
    if (this.#lostHint < this.#head) this.#lostHint = this.#head;
    if (this.#fackHint < this.#head) this.#fackHint = this.#head;
    if (this.#head >= COMPACT_THRESHOLD && this.#head * 2 >= segments.length) {
      this.#segments = segments.slice(this.#head);
      this.#lostHint -= this.#head;
      this.#fackHint -= this.#head;
      this.#head = 0;
    }
  }

  #forget(segment: SentSegment): void {
    if (segment.sacked) this.sackedOut--;
    if (segment.lost) this.lostOut--;
    if (segment.retransmitting) this.retransOut--;
  }

  /** Index of the first segment with seq >= seq (binary search). */
  #lowerBound(seq: number): number {
    let low = this.#head;
    let high = this.#segments.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.#segments[middle] as SentSegment).seq < seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Marks segments wholly inside [start, end) as SACKed; calls onSacked for each newly marked. */
  markSacked(start: number, end: number, onSacked: (segment: SentSegment) => void): void {
    const segments = this.#segments;
    for (let i = this.#lowerBound(start); i < segments.length; i++) {
      const segment = segments[i] as SentSegment;
      if (segment.end > end) break;
      if (segment.sacked) continue;
      // Linux tcp_sacktag_one: SACKed clears LOST and RETRANS.
      if (segment.lost) {
        segment.lost = false;
        this.lostOut--;
      }
      if (segment.retransmitting) {
        segment.retransmitting = false;
        this.retransOut--;
      }
      segment.sacked = true;
      this.sackedOut++;
      onSacked(segment);
    }
  }

  /** FACK: every un-SACKed segment ending at or below seqLimit is lost. */
  markLostBelow(seqLimit: number): void {
    const segments = this.#segments;
    let i = Math.max(this.#fackHint, this.#head);
    for (; i < segments.length; i++) {
      const segment = segments[i] as SentSegment;
      if (segment.end > seqLimit) break;
      if (!segment.sacked && !segment.lost) {
        segment.lost = true;
        this.lostOut++;
        if (i < this.#lostHint) this.#lostHint = i;
      }
    }
    this.#fackHint = i;
  }

  /**
   * RACK-style: a retransmission is lost again if a segment sent more than reorderWindowNs after
   * it has been delivered (cumulatively ACKed or SACKed at deliveredSentAtNs).
   */
  detectLostRetransmissions(deliveredSentAtNs: number, reorderWindowNs: number): void {
    let remaining = this.retransOut;
    const segments = this.#segments;
    for (let i = this.#head; i < segments.length && remaining > 0; i++) {
      const segment = segments[i] as SentSegment;
      if (!segment.retransmitting) continue;
      remaining--;
      if (segment.sentAtNs + reorderWindowNs < deliveredSentAtNs) {
        segment.retransmitting = false;
        this.retransOut--;
        if (i < this.#lostHint) this.#lostHint = i;
      }
    }
  }

  /** Marks the first unacknowledged segment lost (fast retransmit, NewReno partial ACK). */
  markHeadLost(): SentSegment | undefined {
    const head = this.first();
    if (head === undefined || head.sacked) return undefined;
    if (!head.lost) {
      head.lost = true;
      this.lostOut++;
    }
    if (head.retransmitting) {
      // Lost again after its retransmission: it must go out once more.
      head.retransmitting = false;
      this.retransOut--;
    }
    this.#lostHint = this.#head;
    return head;
  }

  /** RTO: every outstanding un-SACKed segment is presumed lost (Linux tcp_timeout_mark_lost). */
  markAllLost(): void {
    let lost = 0;
    for (let i = this.#head; i < this.#segments.length; i++) {
      const segment = this.#segments[i] as SentSegment;
      segment.retransmitting = false;
      if (segment.sacked) continue;
      segment.lost = true;
      lost++;
    }
    this.lostOut = lost;
    this.retransOut = 0;
    this.#lostHint = this.#head;
  }

  /** The first segment marked lost and not yet retransmitted, if any. */
  nextLost(): SentSegment | undefined {
    if (this.lostOut === this.retransOut) return undefined;
    const segments = this.#segments;
    for (let i = Math.max(this.#lostHint, this.#head); i < segments.length; i++) {
      const segment = segments[i] as SentSegment;
      if (segment.lost && !segment.retransmitting) {
        this.#lostHint = i;
        return segment;
      }
    }
    this.#lostHint = segments.length;
    return undefined;
  }

  /** Records that a segment was retransmitted. */
  noteRetransmitted(segment: SentSegment, nowNs: number): void {
    if (segment.lost && !segment.retransmitting) {
      segment.retransmitting = true;
      this.retransOut++;
    }
    segment.everRetransmitted = true;
    segment.sentAtNs = nowNs;
  }

  clear(): void {
    this.#segments = [];
    this.#head = 0;
    this.#lostHint = 0;
    this.#fackHint = 0;
    this.sackedOut = 0;
    this.lostOut = 0;
    this.retransOut = 0;
  }
}

const PLACEHOLDER = new SentSegment(0, 0, false, false, 0);
