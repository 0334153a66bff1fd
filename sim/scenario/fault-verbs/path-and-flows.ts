// The two finer targets of network faults: one ECMP `path` of the fabric (a link between its
// leaves, named by the scenario's fabric.paths), and `flows`, a selection of TCP connections (a
// host's queues, some of them by qid, or a seeded fraction of flows) whose packets alone the
// fault strikes (sim/net flow-faults.ts). Shared by setLink, partition and heal, with their
// fields' schema and checks; a selector that names nothing is refused at its field.
import { healFlows, setFlowOptions, type Link, type LinkDirection, type LinkDirectionOptions } from '../../net/index.js';
import { show } from '../checker.js';
import { int, list, num, obj, str } from '../schema/kit.js';
import type { FlowSelectorFields, SimFaultWorld, TargetPortSelector, VerbCheckContext } from './verb.js';

export type { FlowSelectorFields } from './verb.js';

/** The fields a network fault may add: a fabric path, and a flow selection. */
export interface PathAndFlows {
  /** One ECMP path of the fabric, by name (instead of between). */
  readonly path?: string;
  /** Only the packets of these flows (on between, path, or the host's own link). */
  readonly flows?: FlowSelectorFields;
}

/** NVMe queue IDs: the admin queue is 0, I/O queues 1..128 (NVMET_NR_QUEUES). */
const QID_MAX = 128;

export const PATH_AND_FLOWS_FIELDS = {
  path: str().optional(),
  flows: obj({
    host: str().optional(),
    qids: list(int(0, QID_MAX), { nonEmpty: true }).optional(),
    fraction: num({ min: 0, max: 1, exclusiveMin: true }).optional(),
  }).optional(),
};

interface Selected extends PathAndFlows {
  readonly between?: readonly [string, string];
  readonly targetPort?: TargetPortSelector;
  readonly node?: string;
  readonly from?: string;
}

/** Checks path and flows against the scenario (between, node and from are the caller's). */
export function checkPathAndFlows(fault: Selected, path: string, context: VerbCheckContext): void {
  if (fault.path !== undefined) {
    if (fault.between !== undefined) context.fail(`${path}.path`, 'give between or path, not both');
    if (fault.node !== undefined) context.fail(`${path}.path`, 'give node or path, not both');
    if (fault.targetPort !== undefined) context.fail(`${path}.path`, 'give targetPort or path, not both');
    const leaves = context.fabricPath(fault.path);
    if (leaves === undefined) {
      const names = context.fabricPathNames();
      context.fail(`${path}.path`, names.length === 0 ? `names no path: the scenario has no fabric` : `no fabric path named ${show(fault.path)} (paths: ${names.join(', ')})`);
    }
    if (fault.from !== undefined && !leaves.includes(fault.from)) {
      context.fail(`${path}.from`, `must be one of the path's leaves '${leaves[0]}' or '${leaves[1]}', not '${fault.from}'`);
    }
  }
  const flows = fault.flows;
  if (flows === undefined) return;
  if (fault.from !== undefined && fault.between === undefined && fault.path === undefined) context.fail(`${path}.from`, 'needs between or path');
  const at = `${path}.flows`;
  if (fault.node !== undefined) context.fail(at, 'goes with between, path or a host, not node');
  if (flows.host === undefined && flows.qids === undefined && flows.fraction === undefined) context.fail(at, 'names no flow: give host, qids or fraction');
  if (flows.qids !== undefined && flows.host === undefined) context.fail(`${at}.qids`, 'needs host (whose queues)');
  if (flows.host !== undefined) {
    const queues = context.hostQueues(flows.host);
    if (queues === undefined) context.fail(`${at}.host`, `no host named '${flows.host}'`);
    flows.qids?.forEach((qid, index) => {
      if (qid > queues) context.fail(`${at}.qids[${index}]`, `host '${flows.host}' has no queue ${qid} (qids 0..${queues}: 0 is the admin queue)`);
    });
  }
  if (fault.between === undefined && fault.path === undefined && fault.targetPort === undefined && flows.host === undefined) {
    context.fail(`${path}.between`, 'is required with flows but no host (between, path, or targetPort)');
  }
}

/**
 * The link a fault acts on: a target port's link, the fabric path, between's link, or the flows'
 * host's own link.
 */
export function targetLink(fault: Selected, world: SimFaultWorld): { readonly link: Link; readonly label: string } {
  if (fault.targetPort !== undefined) return world.portLink(fault.targetPort.target, fault.targetPort.port);
  if (fault.path !== undefined) return { link: world.fabricPath(fault.path), label: `path ${fault.path}` };
  if (fault.between !== undefined) {
    const [a, b] = fault.between;
    return { link: world.network.linkBetween(a, b), label: `link ${a} <-> ${b}` };
  }
  const node = world.hostNode(fault.flows?.host as string);
  const link = world.network.node(node).nics[0]?.link;
  if (link === null || link === undefined) throw new RangeError(`node ${node} has no link`);
  return { link, label: `the link of ${node}` };
}

/** The link's directions a fault touches: both, or what `from` sends. */
export function directions(link: Link, from: string | undefined): LinkDirection[] {
  return from === undefined ? [link.aToB, link.bToA] : [link.from(from)];
}

/** A name for a flow selection: setLink, partition and heal of the same flows act on one entry. */
export function flowsKey(flows: FlowSelectorFields): string {
  return [flows.host === undefined ? '' : `host=${flows.host}`, flows.qids === undefined ? '' : `qids=${flows.qids.join(',')}`, flows.fraction === undefined ? '' : `fraction=${flows.fraction}`]
    .filter((part) => part !== '')
    .join(' ');
}

/** Applies options to the selected flows on the link's direction(s); returns the report's words. */
export function setFlows(fault: Selected & { readonly flows: FlowSelectorFields }, world: SimFaultWorld, options: LinkDirectionOptions): string {
  const { link, label } = targetLink(fault, world);
  const key = flowsKey(fault.flows);
  const selector = world.flowSelector(fault.flows, key);
  for (const direction of directions(link, fault.from)) setFlowOptions(direction, key, selector, options);
  return `${label}${fault.from === undefined ? '' : ` (from ${fault.from})`}, flows ${key}`;
}

/** Heals every flow partition on these links. */
export function healAllFlows(links: readonly Link[]): void {
  for (const link of links) {
    healFlows(link.aToB);
    healFlows(link.bToA);
  }
}
