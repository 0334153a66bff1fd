// Failover timing of one multipath host, from its namespace head's dispatch outcomes
// (MultipathNamespace.onDispatch) and its no-path moments (onNoPath). A failover event starts when
// a dispatch on a path ends in 'failover' (a path error or a lost transport sent it back to the
// head, as Linux's nvme_failover_req does) and ends with the first successful completion on
// another path after that moment. Its stall runs from the last successful I/O on the failed path
// to that first success elsewhere: the time the I/O caught on the failed path waited, detection
// (I/O timeout, keep-alive, connection reset) included. Further failovers from the same path
// before the event ends belong to it.
//
// When the head finds no usable path at all (nvme_ns_head_submit_bio queues the I/O, or fails it
// once no path can come back: nvme_available_path), the open events are marked with that moment
// (noPathMs), or an event opens for it from the path that last succeeded. Such an event ends with
// the first success on any path, the failed one come back included, or with its failure
// (failedMs): I/O failed for want of a path, toPath and stallMs null.
import type { MultipathNamespace } from '../host/index.js';
import { round } from './host-result.js';
import type { FailoverResult } from './result.js';

interface OpenEvent {
  readonly fromPath: string;
  readonly lastOkNs: number;
  readonly detectedNs: number;
  /** When I/O first found no usable path during the event; -1: not yet. */
  noPathNs: number;
}

export class FailoverTracker {
  readonly #names: readonly string[];
  readonly #nowNs: () => number;
  readonly #lastOkNs: number[];
  readonly #open: OpenEvent[] = [];
  readonly #done: FailoverResult[] = [];
  /** The path of the last success (-1: none yet). */
  #lastOkIndex = -1;
  /** I/O failed for want of a path since the last success: later failures belong to that event. */
  #failedSinceOk = false;

  /** `names` labels each path (its target, or target/port), in the head's path order. */
  constructor(head: MultipathNamespace, names: readonly string[], nowNs: () => number) {
    this.#names = names;
    this.#nowNs = nowNs;
    this.#lastOkNs = names.map(() => -1);
    head.onDispatch((_path, index, outcome, status) => this.#dispatched(index, outcome === 'completed' && status === 0, outcome === 'failover'));
    head.onNoPath((outcome) => this.#noPath(outcome === 'failed'));
  }

  /** Every event that ended, in order, then those still open (no success elsewhere yet: toPath null). */
  result(): FailoverResult[] {
    const open = this.#open.map((event) => ({ ...base(event), toPath: null, stallMs: null }));
    return [...this.#done, ...open];
  }

  #name(index: number): string {
    return this.#names[index] ?? String(index);
  }

  #dispatched(index: number, succeeded: boolean, failedOver: boolean): void {
    const now = this.#nowNs();
    const name = this.#name(index);
    if (failedOver) {
      if (!this.#open.some((event) => event.fromPath === name)) this.#open.push({ fromPath: name, lastOkNs: this.#lastOkNs[index] ?? -1, detectedNs: now, noPathNs: -1 });
      return;
    }
    if (!succeeded) return;
    this.#lastOkNs[index] = now;
    this.#lastOkIndex = index;
    this.#failedSinceOk = false;
    for (let at = this.#open.length - 1; at >= 0; at--) {
      const event = this.#open[at] as OpenEvent;
      // A path's own success ends its event only once no path was usable (the path came back).
      if (event.fromPath === name && event.noPathNs < 0) continue;
      this.#open.splice(at, 1);
      const startNs = start(event);
      this.#done.push({ ...base(event), toPath: name, stallMs: ms(now - startNs) });
    }
    this.#done.sort((a, b) => a.atMs - b.atMs);
  }

  #noPath(failed: boolean): void {
    const now = this.#nowNs();
    if (failed && this.#failedSinceOk) return;
    if (this.#open.length === 0) {
      const index = Math.max(0, this.#lastOkIndex);
      this.#open.push({ fromPath: this.#name(index), lastOkNs: this.#lastOkNs[index] ?? -1, detectedNs: now, noPathNs: now });
    }
    for (const event of this.#open) if (event.noPathNs < 0) event.noPathNs = now;
    if (!failed) return;
    this.#failedSinceOk = true;
    for (const event of this.#open.splice(0)) this.#done.push({ ...base(event), toPath: null, stallMs: null, failedMs: ms(now) });
    this.#done.sort((a, b) => a.atMs - b.atMs);
  }
}

function start(event: OpenEvent): number {
  return event.lastOkNs >= 0 ? event.lastOkNs : event.detectedNs;
}

function base(event: OpenEvent): Omit<FailoverResult, 'toPath' | 'stallMs'> {
  return {
    fromPath: event.fromPath,
    atMs: ms(start(event)),
    detectedMs: ms(event.detectedNs),
    ...(event.noPathNs < 0 ? {} : { noPathMs: ms(event.noPathNs) }),
  };
}

function ms(ns: number): number {
  return round(ns / 1e6, 6);
}
