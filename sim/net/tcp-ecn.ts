// ECN for one connection (RFC 3168, as Linux does it with net.ipv4.tcp_ecn = 2: a node accepts
// ECN when the peer asks, and asks only when its congestion control needs it, DCTCP's
// TCP_CONG_NEEDS_ECN). Negotiation: SYN with ECE|CWR, SYN-ACK with ECE. Then data goes out
// ECN-capable (ECT(0); DCTCP sends every packet ECT, Linux tcp_ecn_send). The receiver echoes a
// CE mark with ECE: RFC 3168 latches it until the sender's CWR; DCTCP (RFC 8257 3.2) echoes the
// CE state of the latest data exactly, with an immediate ACK whenever that state changes
// (Linux dctcp_ece_ack_update). The sender reduces once per window on ECE (tcp-congestion.ts)
// and sets CWR on its next new data.
// A connection keeps this state as a few bits of one small integer (a fleet has hundreds of
// connections); the functions below take the bits and return the new ones.
import { TCP_CWR, TCP_ECE } from './packet.js';

/** Negotiated on the handshake. */
export const ECN_OK = 1;
/** Sender: CWR owed on the next new data segment. */
export const ECN_CWR_PENDING = 2;
/** This end asks for ECN on its SYN (its congestion control needs it), and echoes CE exactly (DCTCP) instead of latching it (RFC 3168). */
export const ECN_WANTED = 4;
/** Receiver: the CE state it echoes. */
const ECN_ECHO = 8;
/** In ecnOnData's result only: an ACK must go at once (the echoed state changed). */
export const ECN_ACK_NOW = 16;

/** The state of a new connection. */
export function ecnInitial(wanted: boolean): number {
  return wanted ? ECN_WANTED : 0;
}

/** Flags of our SYN (active open) or SYN-ACK (peerSynFlags: the SYN's flags). */
export function ecnSynFlags(state: number, peerSynFlags: number | null): number {
  if (peerSynFlags === null) return (state & ECN_WANTED) !== 0 ? TCP_ECE | TCP_CWR : 0;
  return (state & ECN_OK) !== 0 ? TCP_ECE : 0;
}

/** A SYN arrived (passive open): accept ECN if it asks (tcp_ecn = 2). */
export function ecnOnSyn(state: number, flags: number): number {
  const ok = (flags & (TCP_ECE | TCP_CWR)) === (TCP_ECE | TCP_CWR);
  return ok ? state | ECN_OK : state & ~ECN_OK;
}

/** The SYN-ACK arrived: ECN is on if we asked and it agreed. */
export function ecnOnSynAck(state: number, flags: number): number {
  const ok = (state & ECN_WANTED) !== 0 && (flags & (TCP_ECE | TCP_CWR)) === TCP_ECE;
  return ok ? state | ECN_OK : state & ~ECN_OK;
}

/** Data arrived: the new state, with ECN_ACK_NOW when an ACK must go at once (the echoed state changed). */
export function ecnOnData(state: number, ce: boolean, flags: number): number {
  if ((state & ECN_OK) === 0) return state;
  const echo = (state & ECN_ECHO) !== 0;
  if ((state & ECN_WANTED) !== 0) {
    if (ce === echo) return state;
    return (ce ? state | ECN_ECHO : state & ~ECN_ECHO) | ECN_ACK_NOW;
  }
  let next = state;
  if ((flags & TCP_CWR) !== 0) next &= ~ECN_ECHO;
  if (ce && (next & ECN_ECHO) === 0) return next | ECN_ECHO | ECN_ACK_NOW;
  return next;
}

/** ECE on our ACKs. */
export function ecnEcho(state: number): boolean {
  return (state & (ECN_OK | ECN_ECHO)) === (ECN_OK | ECN_ECHO);
}
