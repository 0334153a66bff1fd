// What fault verbs select: a link (by its ends, or a target port's) or a node for network faults, a
// namespace's device for device faults. Shared by the verbs that take them, with their fields' schema and checks.
import { z } from 'zod';
import type { Link, SimNetwork } from '../../net/index.js';
import { show } from '../checker.js';
import { int, obj, str } from '../schema/kit.js';
import type { LinkSelector, RealCheckContext, SimFaultWorld, TargetPortSelector, VerbCheckContext } from './verb.js';

export type { DeviceSelector, LinkSelector, TargetPortSelector } from './verb.js';

const NSID_MAX = 0xfffffffe;

/** Two ends of a link. */
export function pair(): z.ZodTuple<[z.ZodString, z.ZodString], null> {
  return z.tuple([str(), str()], {
    error: (issue) => {
      const input = issue.input;
      if (input === undefined) return 'is required';
      if (Array.isArray(input)) return `must name two ends, e.g. ['host', 'target'], not ${input.length}`;
      return `must be an array, not ${show(input)}`;
    },
  });
}

export const DEVICE_FIELDS = { target: str(), nqn: str().optional(), nsid: int(1, NSID_MAX).optional() };

const TARGET_PORT = obj({ target: str(), port: int(1, 65535) });

/** A target port's fields: the target's name and the port's ID. */
export function targetPortField(): typeof TARGET_PORT {
  return TARGET_PORT;
}

/** A network fault's selector: between, node or targetPort (or, for heal, none), and from only with between. */
export function checkLinkSelector(fault: LinkSelector & { readonly from?: string }, path: string, context: VerbCheckContext, required: boolean): void {
  const given = (['between', 'node', 'targetPort'] as const).filter((key) => fault[key] !== undefined);
  if (given.length > 1) context.fail(`${path}.${given[1] as string}`, `give one of between, node or targetPort, not ${given.join(' and ')}`);
  if (fault.targetPort !== undefined) {
    if (fault.from !== undefined) context.fail(`${path}.from`, 'needs between');
    checkTargetPort(fault.targetPort, `${path}.targetPort`, context);
    return;
  }
  if (fault.between !== undefined) {
    checkBetween(fault.between, `${path}.between`, context);
    checkFrom(fault.from, `${path}.from`, fault.between, context);
    return;
  }
  if (fault.from !== undefined) context.fail(`${path}.from`, 'needs between');
  if (fault.node !== undefined) {
    checkNode(fault.node, `${path}.node`, context);
    return;
  }
  if (required) context.fail(`${path}.between`, "is required (between: ['a', 'b'], or node: 'a')");
}

export function checkTargetPort(selector: TargetPortSelector, path: string, context: VerbCheckContext): void {
  const ports = context.targetPorts(selector.target);
  if (ports === undefined) context.fail(`${path}.target`, `no target named '${selector.target}'`);
  if (!ports.some((port) => port.portid === selector.port)) {
    context.fail(`${path}.port`, `target '${selector.target}' has no port ${selector.port} (ports: ${ports.map((port) => port.portid).join(', ')})`);
  }
}

/** The link a selector names: by its ends, or a target port's. */
export function selectedLink(fault: LinkSelector, world: SimFaultWorld): { readonly link: Link; readonly label: string } | undefined {
  if (fault.targetPort !== undefined) return world.portLink(fault.targetPort.target, fault.targetPort.port);
  if (fault.between === undefined) return undefined;
  const [a, b] = fault.between;
  return { link: world.network.linkBetween(a, b), label: `link ${a} <-> ${b}` };
}

export function checkBetween(between: readonly [string, string], path: string, context: VerbCheckContext): void {
  const [x, y] = between;
  if (!context.hasLink(x, y)) context.fail(path, `no link between '${x}' and '${y}'`);
}

export function checkFrom(from: string | undefined, path: string, between: readonly [string, string], context: VerbCheckContext): void {
  if (from === undefined) return;
  if (!between.includes(from)) context.fail(path, `must be one of the link's ends '${between[0]}' or '${between[1]}', not '${from}'`);
}

export function checkNode(node: string, path: string, context: VerbCheckContext): void {
  if (!context.hasNode(node)) context.fail(path, `no node named '${node}'`);
}

/** The link's direction(s) a verb touches: both, or only what `from` sends. */
export function side(link: Link, from: string | undefined): 'both' | 'a-to-b' | 'b-to-a' {
  if (from === undefined) return 'both';
  return link.from(from) === link.aToB ? 'a-to-b' : 'b-to-a';
}

export function otherNodes(network: SimNetwork, node: string): string[] {
  return [...network.nodes.keys()].filter((name) => name !== node);
}

/**
 * A network fault in a real-time run: only a real node's link can be cut or changed, and netem
 * shapes only the real node's egress, so `from` must be the real node.
 */
export function checkRealLinkFault(fault: LinkSelector & { readonly from?: string }, path: string, context: RealCheckContext): void {
  const real = context.realNodes;
  if (fault.targetPort !== undefined) context.fail(`${path}.targetPort`, 'a target port\'s own link has no real-time equivalent yet (use between or node)');
  if (fault.node !== undefined && !real.has(fault.node)) {
    context.fail(
      `${path}.node`,
      `'${fault.node}' is not a real-runtime node; in a real-time run only a real node's link can be cut (node: the real node, or between)`,
    );
  }
  if (fault.between === undefined) return;
  const [x, y] = fault.between;
  if (!real.has(x) && !real.has(y)) {
    context.fail(`${path}.between`, `in a real-time run only the link of a real-runtime node can be changed, not '${x}'-'${y}'`);
  }
  if (fault.from !== undefined && !real.has(fault.from)) {
    context.fail(`${path}.from`, `tc-netem shapes only the real node's egress: from must be the real-runtime node, not '${fault.from}'`);
  }
}

/** Node life-cycle verbs in a real-time run: only a real-runtime target can crash and restart. */
export function checkRealNode(action: string, node: string, path: string, context: RealCheckContext): void {
  if (!context.realNodes.has(node)) {
    context.fail(`${path}.node`, `${action} of simulated node '${node}' has no real-time equivalent (only a real-runtime target can crash and restart)`);
  }
}
