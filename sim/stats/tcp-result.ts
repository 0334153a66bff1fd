// TCP counters as a run reports them, in Linux's vocabulary: filled from the simulated TCP model
// (sim/net TcpCounters) or from a Linux guest's /proc/net/snmp and /proc/net/netstat.
/**
 * TCP counters (sim/net/net-context.ts TcpCounters). Segments are counted in MSS frames, as Linux
 * counts segs_out / segs_in / total_retrans, so a TSO super-segment of n frames counts n.
 */
export interface TcpResult {
  readonly segmentsSent: number;
  readonly segmentsReceived: number;
  /** Frames retransmitted for any reason (fast recovery, RTO, SYN retries). */
  readonly retransmits: number;
  /** Entries into fast recovery. */
  readonly fastRetransmits: number;
  /** Retransmission timeouts (SYN timeouts included). */
  readonly rtoCount: number;
  readonly dupAcks: number;
  /** Data packets that arrived beyond rcv_nxt. */
  readonly outOfOrderSegments: number;
  readonly zeroWindowProbes: number;
  /** Connections that reached ESTABLISHED (each end counts its own). */
  readonly connectionsOpened: number;
  /** Connections ended by a RST from the peer (refused connects included). */
  readonly connectionsReset: number;
  /** Connections that failed with ETIMEDOUT (retransmissions, SYNs or zero-window probes unanswered). */
  readonly timeouts: number;
}
