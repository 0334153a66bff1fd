// ECN for one connection (RFC 3168, as Linux does it with net.ipv4.tcp_ecn = 2: a node accepts
// ECN when the peer asks, and asks only when its congestion control needs it, DCTCP's
// TCP_CONG_NEEDS_ECN). Negotiation: SYN with ECE|CWR, SYN-ACK with ECE. Then data goes out
// ECN-capable (ECT(0); DCTCP sends every packet ECT, Linux tcp_ecn_send). The receiver echoes a
// CE mark with ECE: RFC 3168 latches it until the sender's CWR; DCTCP (RFC 8257 3.2) echoes the
// CE state of the latest data exactly, with an immediate ACK whenever that state changes
// (Linux dctcp_ece_ack_update). The sender reduces once per window on ECE (tcp-congestion.ts)
// and sets CWR on its next new data.
import { TCP_CWR, TCP_ECE } from './packet.js';

export class TcpEcn {
  /** Negotiated on the handshake. */
  ok = false;
  /** Sender: CWR owed on the next new data segment. */
  cwrPending = false;
  /** This end asks for ECN on its SYN (its congestion control needs it). */
  readonly wanted: boolean;
  /** Echo the CE state exactly (DCTCP) instead of latching it (RFC 3168). */
  readonly #exactEcho: boolean;
  #echo = false;

  constructor(wanted: boolean) {
    this.wanted = wanted;
    this.#exactEcho = wanted;
  }

  /** Flags of our SYN (active open) or SYN-ACK (peerSynFlags: the SYN's flags). */
  synFlags(peerSynFlags: number | null): number {
    if (peerSynFlags === null) return this.wanted ? TCP_ECE | TCP_CWR : 0;
    return this.ok ? TCP_ECE : 0;
  }

  /** A SYN arrived (passive open): accept ECN if it asks (tcp_ecn = 2). */
  onSyn(flags: number): void {
    this.ok = (flags & (TCP_ECE | TCP_CWR)) === (TCP_ECE | TCP_CWR);
  }

  /** The SYN-ACK arrived: ECN is on if we asked and it agreed. */
  onSynAck(flags: number): void {
    this.ok = this.wanted && (flags & (TCP_ECE | TCP_CWR)) === TCP_ECE;
  }

  /** Data arrived: returns true when an ACK must go at once (the echoed state changed). */
  onData(ce: boolean, flags: number): boolean {
    if (!this.ok) return false;
    if (this.#exactEcho) {
      if (ce === this.#echo) return false;
      this.#echo = ce;
      return true;
    }
    if ((flags & TCP_CWR) !== 0) this.#echo = false;
    if (ce && !this.#echo) {
      this.#echo = true;
      return true;
    }
    return false;
  }

  /** ECE on our ACKs. */
  get echo(): boolean {
    return this.ok && this.#echo;
  }
}
