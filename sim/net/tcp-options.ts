// Tunables of the TCP model, with Linux defaults. Each default names the Linux constant or sysctl
// it copies (include/net/tcp.h, Documentation/networking/ip-sysctl.rst), so a scenario can match
// a tuned kernel by overriding the same knob.
import { NS_PER_MS, NS_PER_S } from '../core/index.js';
import { CONGESTION_CONTROL_NAMES, type CongestionControlName } from './tcp-ca-ops.js';

export interface TcpOptions {
  /** Initial congestion window in segments. Linux TCP_INIT_CWND = 10 (RFC 6928). */
  readonly initialCwndSegments?: number;
  /** Lower bound of the retransmission timeout in ns. Linux TCP_RTO_MIN = 200 ms. */
  readonly rtoMinNs?: number;
  /** Upper bound of the retransmission timeout in ns. Linux TCP_RTO_MAX = 120 s. */
  readonly rtoMaxNs?: number;
  /** RTO before any RTT sample (SYN, SYN-ACK) in ns. Linux TCP_TIMEOUT_INIT = 1 s (RFC 6298). */
  readonly rtoInitialNs?: number;
  /**
   * net.ipv4.tcp_retries2 (default 15): how many backed-off retransmissions, modelled from
   * TCP_RTO_MIN, before an established connection fails with ETIMEDOUT. 15 gives ~924.6 s.
   */
  readonly retries2?: number;
  /** net.ipv4.tcp_syn_retries (default 6): SYN retransmissions before connect() fails (~127 s). */
  readonly synRetries?: number;
  /** net.ipv4.tcp_synack_retries (default 5): SYN-ACK retransmissions before a half-open drops. */
  readonly synAckRetries?: number;
  /** Delayed-ACK timeout in ns. Linux TCP_DELACK_MIN = 40 ms (the adaptive ato is not modelled). */
  readonly delayedAckNs?: number;
  /** Segments ACKed at once at connection start (quick-ack mode). Linux TCP_MAX_QUICKACKS = 16. */
  readonly quickAckSegments?: number;
  /** Receive buffer in bytes: the most the advertised window can be. Linux tcp_rmem[2] = 6 MiB. */
  readonly receiveBufferBytes?: number;
  /** Send buffer high-water mark in bytes: write() returns false above it. Linux tcp_wmem[2] = 4 MiB. */
  readonly sendBufferBytes?: number;
  /** Duplicate ACKs that trigger fast retransmit. Linux tcp_reordering = 3. */
  readonly dupAckThreshold?: number;
  /** TIME_WAIT length in ns. Linux TCP_TIMEWAIT_LEN = 60 s. */
  readonly timeWaitNs?: number;
  /** Offer and use SACK (RFC 2018). Linux net.ipv4.tcp_sack = 1. Both ends must agree. */
  readonly sack?: boolean;
  /**
   * Congestion control (net.ipv4.tcp_congestion_control): 'cubic' (Linux's default, RFC 9438),
   * 'reno' (NewReno) or 'dctcp' (RFC 8257; asks for ECN on the connections it opens).
   */
  readonly congestionControl?: CongestionControlName;
}

export type ResolvedTcpOptions = Required<TcpOptions>;

export const TCP_OPTION_DEFAULTS: ResolvedTcpOptions = {
  initialCwndSegments: 10,
  rtoMinNs: 200 * NS_PER_MS,
  rtoMaxNs: 120 * NS_PER_S,
  rtoInitialNs: 1 * NS_PER_S,
  retries2: 15,
  synRetries: 6,
  synAckRetries: 5,
  delayedAckNs: 40 * NS_PER_MS,
  quickAckSegments: 16,
  receiveBufferBytes: 6 * 1024 * 1024,
  sendBufferBytes: 4 * 1024 * 1024,
  dupAckThreshold: 3,
  timeWaitNs: 60 * NS_PER_S,
  sack: true,
  congestionControl: 'cubic',
};

export function resolveTcpOptions(options: TcpOptions = {}): ResolvedTcpOptions {
  const resolved = { ...TCP_OPTION_DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (key === 'congestionControl') {
      if (!(CONGESTION_CONTROL_NAMES as readonly unknown[]).includes(value)) {
        throw new RangeError(`tcp option congestionControl must be one of ${CONGESTION_CONTROL_NAMES.join(', ')}`);
      }
      resolved.congestionControl = value as CongestionControlName;
      continue;
    }
    if (key === 'sack') {
      if (typeof value !== 'boolean') throw new RangeError(`tcp option sack must be a boolean`);
      resolved.sack = value;
      continue;
    }
    if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value))) {
      throw new RangeError(`tcp option ${key} must be a finite number >= 0, got ${String(value)}`);
    }
    (resolved as unknown as Record<string, number>)[key] = value;
  }
  if (resolved.initialCwndSegments < 1) throw new RangeError('tcp option initialCwndSegments must be >= 1');
  if (resolved.rtoMinNs <= 0 || resolved.rtoMaxNs < resolved.rtoMinNs) {
    throw new RangeError('tcp options need 0 < rtoMinNs <= rtoMaxNs');
  }
  if (resolved.receiveBufferBytes < 1 || resolved.sendBufferBytes < 1) {
    throw new RangeError('tcp buffer sizes must be >= 1 byte');
  }
  if (resolved.dupAckThreshold < 1) throw new RangeError('tcp option dupAckThreshold must be >= 1');
  return resolved;
}

/**
 * Time after which `boundary` exponentially backed-off retransmissions starting at rtoBaseNs
 * (capped at rtoMaxNs) have expired: Linux net/ipv4/tcp_timer.c tcp_model_timeout(). With
 * boundary 15 and base 200 ms: (2^10 - 1) * 0.2 s + 6 * 120 s = 924.6 s.
 */
export function modelTimeoutNs(boundary: number, rtoBaseNs: number, rtoMaxNs: number): number {
  const linearBackoffThreshold = Math.floor(Math.log2(rtoMaxNs / rtoBaseNs));
  if (boundary <= linearBackoffThreshold) return (2 * 2 ** boundary - 1) * rtoBaseNs;
  return (2 * 2 ** linearBackoffThreshold - 1) * rtoBaseNs + (boundary - linearBackoffThreshold) * rtoMaxNs;
}
