// Failover timing of one multipath host, from its namespace head's dispatch outcomes
// (MultipathNamespace.onDispatch). A failover event starts when a dispatch on a path ends in
// 'failover' (a path error or a lost transport sent it back to the head, as Linux's
// nvme_failover_req does) and ends with the first successful completion on another path after
// that moment. Its stall runs from the last successful I/O on the failed path to that first
// success elsewhere: the time the I/O caught on the failed path waited, detection (I/O timeout,
// keep-alive, connection reset) included. Further failovers from the same path before the event
// ends belong to it.
import type { MultipathNamespace } from '../host/index.js';
import { round } from './host-result.js';
import type { FailoverResult } from './result.js';

interface OpenEvent {
  readonly fromPath: string;
  readonly lastOkNs: number;
  readonly detectedNs: number;
}

export class FailoverTracker {
  readonly #names: readonly string[];
  readonly #nowNs: () => number;
  readonly #lastOkNs: number[];
  readonly #open: OpenEvent[] = [];
  readonly #done: FailoverResult[] = [];

  /** `names` labels each path (its target), in the head's path order. */
  constructor(head: MultipathNamespace, names: readonly string[], nowNs: () => number) {
    this.#names = names;
    this.#nowNs = nowNs;
    this.#lastOkNs = names.map(() => -1);
    head.onDispatch((_path, index, outcome, status) => this.#dispatched(index, outcome === 'completed' && status === 0, outcome === 'failover'));
  }

  /** Every event that ended, in order, then those still open (no success elsewhere yet: toPath null). */
  result(): FailoverResult[] {
    const open = this.#open.map((event) => ({ fromPath: event.fromPath, toPath: null, atMs: ms(event.lastOkNs), detectedMs: ms(event.detectedNs), stallMs: null }));
    return [...this.#done, ...open];
  }

  #dispatched(index: number, succeeded: boolean, failedOver: boolean): void {
    const now = this.#nowNs();
    const name = this.#names[index] ?? String(index);
    if (failedOver) {
      if (!this.#open.some((event) => event.fromPath === name)) this.#open.push({ fromPath: name, lastOkNs: this.#lastOkNs[index] ?? -1, detectedNs: now });
      return;
    }
    if (!succeeded) return;
    this.#lastOkNs[index] = now;
    for (let at = this.#open.length - 1; at >= 0; at--) {
      const event = this.#open[at] as OpenEvent;
      if (event.fromPath === name) continue;
      this.#open.splice(at, 1);
      const startNs = event.lastOkNs >= 0 ? event.lastOkNs : event.detectedNs;
      this.#done.push({ fromPath: event.fromPath, toPath: name, atMs: ms(startNs), detectedMs: ms(event.detectedNs), stallMs: ms(now - startNs) });
    }
    this.#done.sort((a, b) => a.atMs - b.atMs);
  }
}

function ms(ns: number): number {
  return round(ns / 1e6, 6);
}
