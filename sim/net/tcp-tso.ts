// How many MSS frames one TSO super-segment may carry, as Linux decides it when it builds and
// sends an skb (net/ipv4/tcp.c tcp_xmit_size_goal, net/ipv4/tcp_output.c tcp_tso_autosize,
// tcp_tso_segs): the smaller of sizeGoalFrames and autosizeFrames. The congestion window is
// applied by the caller (tcp_cwnd_test: at most half the window per super-segment, so that at
// least two are in flight).
// Not modelled: tcp_tso_should_defer (waiting for more data or window to build a bigger skb; the
// model sends what it may at once) and BIG TCP (gso_ipv4_max_size above 64 KiB).

/** GSO_LEGACY_MAX_SIZE (include/linux/netdevice.h): the most an IPv4 GSO packet may carry. */
export const GSO_LEGACY_MAX_SIZE = 65536;
/**
 * MAX_TCP_HEADER (include/net/tcp.h) = L1_CACHE_ALIGN(128 + MAX_HEADER), 320 B on x86-64 distro
 * kernels (MAX_HEADER = LL_MAX_HEADER 128 + 48 for tunnels).
 */
export const MAX_TCP_HEADER = 320;
/**
 * sk_gso_max_size: net/core/sock.c sk_setup_caps subtracts MAX_TCP_HEADER + 1 from the device's
 * gso_max_size. tcp_xmit_size_goal rounds it down to whole MSS: 44 frames (64240 B) at MSS 1460.
 */
export const SK_GSO_MAX_SIZE = GSO_LEGACY_MAX_SIZE - (MAX_TCP_HEADER + 1);
/** net.ipv4.tcp_min_tso_segs (default 2): tcp_tso_autosize never goes below it. */
export const TCP_MIN_TSO_SEGS = 2;
/** sk_pacing_shift (default 10): tcp_tso_autosize aims at one super-segment per ~1 ms of pacing rate. */
export const SK_PACING_SHIFT = 10;
/** net.ipv4.tcp_tso_rtt_log (default 9): the RTT allowance halves per 2^9 us of min RTT. */
export const TCP_TSO_RTT_LOG = 9;
/** net.ipv4.tcp_pacing_ss_ratio / tcp_pacing_ca_ratio (200 % and 120 %, tcp_update_pacing_rate). */
export const TCP_PACING_SS_RATIO = 200;
export const TCP_PACING_CA_RATIO = 120;
/** TCP_MSS_DEFAULT (include/net/tcp.h): below it, tcp_bound_to_half_wnd keeps the whole window. */
const TCP_MSS_DEFAULT = 536;

const NS_PER_US = 1000;
const NS_PER_S = 1e9;
/** Bits in sk_gso_max_size (a u32): tcp_tso_autosize adds nothing once the shift reaches it. */
const SIZE_BITS = 32;

/**
 * tcp_xmit_size_goal: sk_gso_max_size bounded to half the largest window the peer advertised
 * (tcp_bound_to_half_wnd; max_window), in whole MSS frames. At least 1.
 */
export function sizeGoalFrames(mss: number, maxWindowBytes: number): number {
  let goal = SK_GSO_MAX_SIZE;
  const cutoff = maxWindowBytes > TCP_MSS_DEFAULT ? maxWindowBytes >> 1 : maxWindowBytes;
  if (cutoff > 0 && goal > cutoff) goal = cutoff;
  const frames = Math.floor(goal / mss);
  return frames > 1 ? frames : 1;
}

/** Below this min RTT tcp_tso_autosize adds all of sk_gso_max_size: it never limits (2^9 us). */
export const TSO_AUTOSIZE_FULL_BELOW_NS = 2 ** TCP_TSO_RTT_LOG * NS_PER_US;

/**
 * tcp_tso_autosize, with the pacing rate of tcp_update_pacing_rate: about 1 ms worth of data at
 * the pacing rate, plus sk_gso_max_size halved per 2^9 us of min RTT, at most sk_gso_max_size,
 * at least tcp_min_tso_segs, in frames. packetsOut is in frames; srttNs is 0 and minRttNs
 * Infinity before the first RTT sample.
 */
export function autosizeFrames(
  mss: number,
  cwnd: number,
  ssthresh: number,
  packetsOut: number,
  srttNs: number,
  minRttNs: number,
): number {
  const full = Math.floor(SK_GSO_MAX_SIZE / mss);
  // Before an RTT sample Linux does not divide by srtt: the rate is effectively unbounded. A
  // close peer (min RTT below 512 us) gets the whole sk_gso_max_size as allowance.
  if (!(srttNs > 0) || minRttNs < TSO_AUTOSIZE_FULL_BELOW_NS) return full;
  const ratio = cwnd < ssthresh / 2 ? TCP_PACING_SS_RATIO : TCP_PACING_CA_RATIO;
  const window = cwnd > packetsOut ? cwnd : packetsOut;
  const pacingBytesPerS = (mss * window * ratio * NS_PER_S) / (100 * srttNs);
  let bytes = pacingBytesPerS / 2 ** SK_PACING_SHIFT;
  const minRttUs = minRttNs === Infinity ? 0 : Math.floor(minRttNs / NS_PER_US);
  const shift = Math.floor(minRttUs / 2 ** TCP_TSO_RTT_LOG);
  if (shift < SIZE_BITS) bytes += Math.floor(SK_GSO_MAX_SIZE / 2 ** shift);
  if (bytes > SK_GSO_MAX_SIZE) bytes = SK_GSO_MAX_SIZE;
  const frames = Math.floor(bytes / mss);
  return frames > TCP_MIN_TSO_SEGS ? frames : TCP_MIN_TSO_SEGS;
}
