// Round-trip time estimation and the retransmission timeout, RFC 6298 with Linux's floor:
// Linux keeps rttvar >= TCP_RTO_MIN (net/ipv4/tcp_input.c tcp_rtt_estimator, tcp_set_rto), so
// RTO = SRTT + max(4 * RTTVAR, rto_min), clamped to [rto_min, rto_max]. On a LAN the RTO is thus
// about 200 ms however small the RTT. Linux's mdev_max windowing (the deviation is a max over
// the last RTT) is simplified to the plain RFC 6298 smoothing.

export class RtoEstimator {
  /** Smoothed RTT in ns (0 before the first sample). */
  srttNs = 0;
  /** RTT variation in ns. */
  rttvarNs = 0;
  /** Current RTO in ns, before backoff. */
  rtoNs: number;
  samples = 0;
  /** Smallest RTT seen, in ns (Infinity before the first sample); RACK's reordering window. */
  minRttNs = Infinity;
  readonly #minNs: number;
  readonly #maxNs: number;

  constructor(initialNs: number, minNs: number, maxNs: number) {
    this.rtoNs = initialNs;
    this.#minNs = minNs;
    this.#maxNs = maxNs;
  }

  /** Feeds one RTT measurement (Karn: never from a retransmitted segment). */
  sample(rttNs: number): void {
    const rtt = rttNs > 0 ? rttNs : 1;
    if (rtt < this.minRttNs) this.minRttNs = rtt;
    if (this.samples === 0) {
      this.srttNs = rtt;
      this.rttvarNs = rtt / 2;
    } else {
      // RFC 6298 2.3: alpha = 1/8, beta = 1/4, RTTVAR updated with the old SRTT.
      this.rttvarNs = 0.75 * this.rttvarNs + 0.25 * Math.abs(this.srttNs - rtt);
      this.srttNs = 0.875 * this.srttNs + 0.125 * rtt;
    }
    this.samples++;
    const variation = 4 * this.rttvarNs > this.#minNs ? 4 * this.rttvarNs : this.#minNs;
    this.rtoNs = Math.min(this.#maxNs, Math.max(this.#minNs, Math.ceil(this.srttNs + variation)));
  }
}
