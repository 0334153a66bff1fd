// The retransmission queue: every segment sent and not yet cumulatively acknowledged, in order,
// with the per-segment state Linux keeps on its rtx queue (sent time, SACKED, LOST, RETRANS).
// The counters feed the in-flight estimate of RFC 6675 / Linux tcp_packets_in_flight():
// in_flight = packets_out - (sacked_out + lost_out) + retrans_out.
// Loss marking with SACK uses FACK (a segment more than dupThresh segments' worth below the
// highest SACKed byte is lost; Linux's pre-RACK default) plus a RACK-style check for lost
// retransmissions (a retransmission is lost if something sent after it was delivered).
//
// A segment may be a TSO super-segment of several MSS frames. As in Linux, every counter is in
// frames (tcp_skb_pcount), not in segments, and a super-segment is cut where only part of it
// changes state: a partial cumulative ACK trims its head (tcp_trim_head), a SACK block covering
// part of it splits it at the block's MSS-aligned edges (tcp_match_skb_to_sack + tcp_fragment),
// FACK marks only its frames below the loss limit (tcp_mark_head_lost), NewReno and fast
// retransmit mark one MSS at the head (tcp_newreno_mark_lost), and a retransmission sends only
// as many frames as the window allows (__tcp_retransmit_skb).
import { framesFor } from './packet.js';

export class SentSegment {
  seq: number;
  /** Payload bytes. */
  len: number;
  readonly syn: boolean;
  fin: boolean;
  /** MSS frames it occupies (Linux tcp_skb_pcount): 1 for SYN and a bare FIN. */
  frames: number;
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

  constructor(seq: number, len: number, syn: boolean, fin: boolean, nowNs: number, mss: number) {
    this.seq = seq;
    this.len = len;
    this.syn = syn;
    this.fin = fin;
    this.frames = framesFor(len, mss);
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
  /** Frame size used to count and cut super-segments; set once the handshake fixed the MSS. */
  mss: number;
  #segments: SentSegment[] = [];
  #head = 0;
  /** No lost-and-not-retransmitted segment exists before this index. */
  #lostHint = 0;
  /** FACK: segments before this index have been considered for loss marking. */
  #fackHint = 0;
  #packetsOut = 0;
  sackedOut = 0;
  lostOut = 0;
  retransOut = 0;

  constructor(mss: number) {
    this.mss = mss;
  }

  /** Frames sent and not yet cumulatively acknowledged (Linux packets_out). */
  get packetsOut(): number {
    return this.#packetsOut;
  }

  /** Segments (super-segments count once) on the queue. */
  get segmentCount(): number {
    return this.#segments.length - this.#head;
  }

  first(): SentSegment | undefined {
    return this.#segments[this.#head];
  }

  push(segment: SentSegment): void {
    this.#segments.push(segment);
    this.#packetsOut += segment.frames;
  }

  /**
   * Removes segments wholly below ack; trims a partly acknowledged head (Linux tcp_trim_head).
   * Calls onAcked for each removed segment, in order, with fully = true, and for a trimmed head
   * with fully = false (and `owner`, so that a caller passes a shared function, not a closure).
   * Returns the frames acknowledged, trimmed ones included.
   */
  acknowledge<T>(ack: number, onAcked: (segment: SentSegment, fully: boolean, owner: T) => void, owner: T): number {
    const segments = this.#segments;
    let ackedFrames = 0;
    while (this.#head < segments.length) {
      const segment = segments[this.#head] as SentSegment;
      if (segment.end > ack) {
        if (segment.seq < ack && !segment.syn) {
          const acked = ack - segment.seq;
          segment.seq = ack;
          segment.len -= acked;
          const frames = framesFor(segment.len, this.mss);
          const delta = segment.frames - frames;
          if (delta > 0) {
            this.#adjust(segment, -delta);
            segment.frames = frames;
            ackedFrames += delta;
          }
          onAcked(segment, false, owner);
        }
        break;
      }
      this.#forget(segment);
      ackedFrames += segment.frames;
      segments[this.#head] = PLACEHOLDER;
      this.#head++;
      onAcked(segment, true, owner);
    }
    if (this.#lostHint < this.#head) this.#lostHint = this.#head;
    if (this.#fackHint < this.#head) this.#fackHint = this.#head;
    if (this.#head === segments.length) {
      // Everything sent is acknowledged (the common case at low queue depth): start over with an
      // empty array, so an idle connection keeps no stale slots (a fleet has hundreds of them).
      segments.length = 0;
      this.#lostHint = 0;
      this.#fackHint = 0;
      this.#head = 0;
    } else if (this.#head >= COMPACT_THRESHOLD && this.#head * 2 >= segments.length) {
      this.#segments = segments.slice(this.#head);
      this.#lostHint -= this.#head;
      this.#fackHint -= this.#head;
      this.#head = 0;
    }
    return ackedFrames;
  }

  #forget(segment: SentSegment): void {
    const frames = segment.frames;
    this.#packetsOut -= frames;
    if (segment.sacked) this.sackedOut -= frames;
    if (segment.lost) this.lostOut -= frames;
    if (segment.retransmitting) this.retransOut -= frames;
  }

  /** Changes a segment's frame count by delta in every counter it is in (tcp_adjust_pcount). */
  #adjust(segment: SentSegment, delta: number): void {
    this.#packetsOut += delta;
    if (segment.sacked) this.sackedOut += delta;
    if (segment.lost) this.lostOut += delta;
    if (segment.retransmitting) this.retransOut += delta;
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

  /**
   * Cuts a segment in two after `length` payload bytes (Linux tcp_fragment): the tail keeps the
   * FIN and all the state (SACKED, LOST, RETRANS, send times); counters follow the frame counts.
   * Returns false if there is nothing to cut.
   */
  split(segment: SentSegment, length: number): boolean {
    if (segment.syn || length <= 0 || length >= segment.len) return false;
    const index = this.#lowerBound(segment.seq);
    if (this.#segments[index] !== segment) return false;
    this.#splitAt(index, length);
    return true;
  }

  #splitAt(index: number, length: number): void {
    const segment = this.#segments[index] as SentSegment;
    const mss = this.mss;
    const tail = new SentSegment(segment.seq + length, segment.len - length, false, segment.fin, segment.firstSentAtNs, mss);
    tail.sentAtNs = segment.sentAtNs;
    tail.sacked = segment.sacked;
    tail.lost = segment.lost;
    tail.retransmitting = segment.retransmitting;
    tail.everRetransmitted = segment.everRetransmitted;
    const before = segment.frames;
    segment.len = length;
    segment.fin = false;
    segment.frames = framesFor(length, mss);
    const delta = segment.frames + tail.frames - before;
    if (delta !== 0) this.#adjust(segment, delta);
    this.#segments.splice(index + 1, 0, tail);
    if (this.#lostHint > index) this.#lostHint++;
    if (this.#fackHint > index) this.#fackHint++;
  }

  /**
   * Marks what lies inside [start, end) as SACKed; calls onSacked for each newly marked segment.
   * A super-segment that straddles an edge is cut there first, at a whole number of MSS from its
   * start (Linux tcp_match_skb_to_sack): only whole frames inside the block count as SACKed.
   */
  markSacked(start: number, end: number, onSacked: (segment: SentSegment) => void): void {
    const segments = this.#segments;
    const mss = this.mss;
    let i = this.#lowerBound(start);
    if (i > this.#head && (segments[i - 1] as SentSegment).end > start) i--;
    for (; i < segments.length; i++) {
      const segment = segments[i] as SentSegment;
      if (segment.seq >= end) break;
      if (segment.sacked) continue;
      if (segment.seq < start) {
        // Starts before the block: cut at the first MSS boundary at or after `start`.
        if (segment.frames <= 1 || segment.syn) continue;
        const cut = Math.ceil((start - segment.seq) / mss) * mss;
        if (cut < segment.len) this.#splitAt(i, cut);
        continue; // The tail (if any) is the next segment.
      }
      if (segment.end > end) {
        // Ends after the block: keep only the whole frames inside it.
        if (segment.frames <= 1) break;
        const cut = Math.floor((end - segment.seq) / mss) * mss;
        if (cut <= 0 || cut >= segment.len) break;
        this.#splitAt(i, cut);
      }
      // Linux tcp_sacktag_one: SACKed clears LOST and RETRANS.
      const frames = segment.frames;
      if (segment.lost) {
        segment.lost = false;
        this.lostOut -= frames;
      }
      if (segment.retransmitting) {
        segment.retransmitting = false;
        this.retransOut -= frames;
      }
      segment.sacked = true;
      this.sackedOut += frames;
      onSacked(segment);
    }
  }

  /**
   * FACK: every un-SACKed frame ending at or below seqLimit is lost. A super-segment crossing
   * the limit is cut so that only its frames below it are marked (Linux tcp_mark_head_lost).
   */
  markLostBelow(seqLimit: number): void {
    const segments = this.#segments;
    let i = Math.max(this.#fackHint, this.#head);
    for (; i < segments.length; i++) {
      const segment = segments[i] as SentSegment;
      if (segment.end > seqLimit) {
        if (!segment.sacked && !segment.lost && segment.frames > 1 && !segment.syn) {
          const cut = Math.floor((seqLimit - segment.seq) / this.mss) * this.mss;
          if (cut > 0 && cut < segment.len) {
            this.#splitAt(i, cut);
            this.#markLost(segment, i);
            i++;
          }
        }
        break;
      }
      if (!segment.sacked && !segment.lost) this.#markLost(segment, i);
    }
    this.#fackHint = i;
  }

  #markLost(segment: SentSegment, index: number): void {
    segment.lost = true;
    this.lostOut += segment.frames;
    if (index < this.#lostHint) this.#lostHint = index;
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
      remaining -= segment.frames;
      if (segment.sentAtNs + reorderWindowNs < deliveredSentAtNs) {
        segment.retransmitting = false;
        this.retransOut -= segment.frames;
        if (i < this.#lostHint) this.#lostHint = i;
      }
    }
  }

  /**
   * RACK (RFC 8985 6.2, Linux tcp_rack_detect_loss): every un-SACKed segment sent before the
   * segment RACK last saw delivered (at rackSentAtNs, ending at rackEndSeq: a tie in time is broken
   * by sequence) and more than waitNs ago (RACK's RTT plus the reordering window) is lost; a lost
   * retransmission must go out again. Returns the ns until the next segment becomes due (0: none).
   */
  rackDetectLoss(rackSentAtNs: number, rackEndSeq: number, waitNs: number, nowNs: number): number {
    const segments = this.#segments;
    let next = 0;
    for (let i = this.#head; i < segments.length; i++) {
      const segment = segments[i] as SentSegment;
      if (segment.sacked || (segment.lost && !segment.retransmitting)) continue;
      if (segment.sentAtNs > rackSentAtNs || (segment.sentAtNs === rackSentAtNs && segment.end >= rackEndSeq)) continue;
      const remaining = segment.sentAtNs + waitNs - nowNs;
      if (remaining > 0) {
        if (next === 0 || remaining < next) next = remaining;
        continue;
      }
      if (segment.retransmitting) {
        segment.retransmitting = false;
        this.retransOut -= segment.frames;
      }
      if (!segment.lost) {
        segment.lost = true;
        this.lostOut += segment.frames;
      }
      if (i < this.#lostHint) this.#lostHint = i;
    }
    return next;
  }

  /** The last segment sent (highest sequence), if any. */
  last(): SentSegment | undefined {
    return this.#head < this.#segments.length ? this.#segments[this.#segments.length - 1] : undefined;
  }

  /**
   * Marks the first MSS of the first unacknowledged segment lost (fast retransmit, NewReno
   * partial ACK; Linux tcp_newreno_mark_lost cuts a super-segment to one MSS first).
   */
  markHeadLost(): SentSegment | undefined {
    const head = this.first();
    if (head === undefined || head.sacked) return undefined;
    if (head.frames > 1) this.#splitAt(this.#head, this.mss);
    if (!head.lost) {
      head.lost = true;
      this.lostOut += head.frames;
    }
    if (head.retransmitting) {
      // Lost again after its retransmission: it must go out once more.
      head.retransmitting = false;
      this.retransOut -= head.frames;
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
      lost += segment.frames;
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
      this.retransOut += segment.frames;
    }
    segment.everRetransmitted = true;
    segment.sentAtNs = nowNs;
  }

  clear(): void {
    this.#segments = [];
    this.#head = 0;
    this.#lostHint = 0;
    this.#fackHint = 0;
    this.#packetsOut = 0;
    this.sackedOut = 0;
    this.lostOut = 0;
    this.retransOut = 0;
  }
}

const PLACEHOLDER = new SentSegment(0, 0, false, false, 0, 1);
