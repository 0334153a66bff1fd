// How long a connection spent sending, and what held it back: Linux's tcp_chrono
// (net/ipv4/tcp_output.c, tcp_chrono_start/tcp_chrono_stop; reported as tcpi_busy_time,
// tcpi_rwnd_limited and tcpi_sndbuf_limited). One state at a time; the time since the last change
// is charged to the state when it changes, so the cost is a comparison per send pass and an
// addition per transition. States: idle (nothing unacknowledged or unsent), busy (sending, not
// held back), cwnd-limited (data waits because the congestion window is full; Linux counts this as
// busy) and rwnd-limited (data waits for the peer's receive window). The send buffer here is
// unbounded, so there is no sndbuf-limited state.

export const CHRONO_IDLE = 0;
export const CHRONO_BUSY = 1;
export const CHRONO_CWND_LIMITED = 2;
export const CHRONO_RWND_LIMITED = 3;
export type ChronoState = typeof CHRONO_IDLE | typeof CHRONO_BUSY | typeof CHRONO_CWND_LIMITED | typeof CHRONO_RWND_LIMITED;

/** Time per state, in ns. busyNs counts the time not held back (Linux's busy minus the limited parts). */
export interface ChronoTotals {
  readonly busyNs: number;
  readonly cwndLimitedNs: number;
  readonly rwndLimitedNs: number;
}

export class TcpChrono {
  #state: ChronoState = CHRONO_IDLE;
  #sinceNs = 0;
  #busyNs = 0;
  #cwndNs = 0;
  #rwndNs = 0;

  get state(): ChronoState {
    return this.#state;
  }

  /** The connection is now in `state` (tcp_chrono_start / tcp_chrono_stop). */
  set(state: ChronoState, nowNs: number): void {
    if (state === this.#state) return;
    this.#charge(nowNs);
    this.#state = state;
  }

  /** The totals up to `nowNs`, the current state's running time included. */
  totals(nowNs: number): ChronoTotals {
    const running = nowNs - this.#sinceNs;
    const state = this.#state;
    return {
      busyNs: this.#busyNs + (state === CHRONO_BUSY ? running : 0),
      cwndLimitedNs: this.#cwndNs + (state === CHRONO_CWND_LIMITED ? running : 0),
      rwndLimitedNs: this.#rwndNs + (state === CHRONO_RWND_LIMITED ? running : 0),
    };
  }

  #charge(nowNs: number): void {
    const elapsed = nowNs - this.#sinceNs;
    this.#sinceNs = nowNs;
    if (this.#state === CHRONO_BUSY) this.#busyNs += elapsed;
    else if (this.#state === CHRONO_CWND_LIMITED) this.#cwndNs += elapsed;
    else if (this.#state === CHRONO_RWND_LIMITED) this.#rwndNs += elapsed;
  }
}
