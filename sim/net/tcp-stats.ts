// What TCP counts for one connection, live. A connection keeps its own (tcp-connection.ts); its
// stack folds them into the node's TcpCounters when it closes (net-context.ts). Kept apart from
// both so that counters and connections need not import each other.

/**
 * Counters per connection, updated live. Segments are counted in MSS frames, like Linux's
 * segs_out / segs_in / total_retrans (a super-segment of n frames counts n).
 */
export interface TcpStats {
  segmentsSent: number;
  segmentsReceived: number;
  /** Payload bytes put on the wire, retransmissions included. */
  payloadBytesSent: number;
  /** Bytes acknowledged by the peer. */
  bytesAcked: number;
  /** Bytes handed to the application's data handler. */
  bytesDelivered: number;
  /** Frames retransmitted for any reason. */
  retransmits: number;
  /** Fast retransmits (entries into recovery after duplicate ACKs). */
  fastRetransmits: number;
  /** Retransmission timeouts. */
  rtoCount: number;
  /** Duplicate ACKs received. */
  dupAcks: number;
  /** Data packets (a super-segment or a piece of one counts once) that arrived beyond rcv_nxt. */
  outOfOrderSegments: number;
  /** Zero-window probes sent. */
  zeroWindowProbes: number;
  /** Tail loss probes sent (RFC 8985 TLP; Linux TCPLossProbes). */
  lossProbes: number;
  /** Losses a tail loss probe repaired (Linux TCPLossProbeRecovery). */
  lossProbeRecoveries: number;
}
