// Faults on some flows of a link direction only: each entry pairs a flow selector
// (flow-selector.ts) with a stand-in direction that carries the selected flows' packets, after
// the link's own down and partition checks, with the link's options plus the entry's changes
// merged over them (e.g. loss for the packets of two NVMe/TCP queues' connections, and nothing
// for the others). The stand-in has its own random streams, net/<link>/flows<k>/<feature>, so a
// flow fault never shifts the draws of the link's own faults, and it counts into the link's
// figures. The first entry whose selector matches carries the packet.
import { LinkDirection, type FlowDispatch } from './link.js';
import { type LinkDirectionOptions, type ResolvedLinkOptions, resolveLinkOptions } from './link-options.js';
import type { FlowSelector } from './flow-selector.js';
import type { Packet } from './packet.js';

interface FlowEntry {
  readonly key: string;
  readonly selector: FlowSelector;
  readonly direction: LinkDirection;
  /** What the fault changes, merged over the link's options. */
  changes: LinkDirectionOptions;
}

class FlowFaultList implements FlowDispatch {
  readonly #link: LinkDirection;
  readonly entries: FlowEntry[] = [];

  constructor(link: LinkDirection) {
    this.#link = link;
  }

  directionFor(packet: Packet): LinkDirection | null {
    for (const entry of this.entries) if (entry.selector.matches(packet)) return entry.direction;
    return null;
  }

  rebase(options: ResolvedLinkOptions): void {
    // The link's own partition stays the link's (checked before a flow is looked at).
    for (const entry of this.entries) entry.direction.set({ ...options, partitioned: false, ...entry.changes });
  }

  cut(): void {
    for (const entry of this.entries) entry.direction.cut();
  }

  set(key: string, selector: FlowSelector, changes: LinkDirectionOptions): void {
    // Checked before anything changes, as a link's own set() would.
    resolveLinkOptions(this.#link.options, changes);
    let entry = this.entries.find((candidate) => candidate.key === key);
    if (entry === undefined) {
      const link = this.#link;
      const direction = new LinkDirection(link.context, `${link.name}/flows${this.entries.length}`, link.sender, link.receiver, link);
      entry = { key, selector, direction, changes: {} };
      this.entries.push(entry);
    }
    entry.changes = { ...entry.changes, ...changes };
    entry.direction.set({ ...this.#link.options, partitioned: false, ...entry.changes });
  }
}

/**
 * Changes the options of the flows `selector` matches on `direction` (merged over what earlier
 * changes with the same `key` set). The key names the selection, so that a later heal or setLink
 * of the same flows changes the same entry.
 */
export function setFlowOptions(direction: LinkDirection, key: string, selector: FlowSelector, changes: LinkDirectionOptions): void {
  let list = direction.flows;
  if (!(list instanceof FlowFaultList)) {
    list = new FlowFaultList(direction);
    direction.flows = list;
  }
  (list as FlowFaultList).set(key, selector, changes);
}

/** Ends every flow partition on `direction` (heal without a selector). */
export function healFlows(direction: LinkDirection): void {
  const list = direction.flows;
  if (!(list instanceof FlowFaultList)) return;
  for (const entry of list.entries) if (entry.changes.partitioned === true) list.set(entry.key, entry.selector, { partitioned: false });
}
