// Validation of scenarios with a real Linux peer (runtime 'qemu'): only what real-nodes.ts can do in
// real time is accepted, and everything else is a one-line ScenarioError naming the field.
// - A real node is a target (hosts are ours, on real sockets); every target is then on a real node.
// - Namespaces: 'null:SIZE' (null_blk) or 'ram:SIZE' (tmpfs file, blockSize 4096); no 'ssd:'.
// - Links: only the real node's link can be shaped, with what tc-netem applies on the guest's
//   egress (sim/interop/netem.ts); a direction into the real node cannot be shaped (no ifb).
// - Faults: each verb's record (fault-verbs/) says what it can do on a real node, or why not.
import { NETEM_FIELDS, netemProblem, type NetemOptions } from '../interop/index.js';
import type { LinkDirectionOptions } from '../net/index.js';
import type { LinkOptions } from '../net/index.js';
import { join, type Checker } from './checker.js';
import { verbOf, type RealCheckContext } from './fault-verbs/index.js';
import { linuxNamespace, namespaceMiB } from './real-target.js';
import type { ResolvedFault, ResolvedHost, ResolvedLink, ResolvedNode, ResolvedSwitch, ResolvedTarget } from './resolved.js';

/** Guest memory the namespaces of one real node may take (the VM gets this plus its own needs). */
export const REAL_NODE_NAMESPACE_MAX_MIB = 2048;

/** The parts of a resolved scenario the real-runtime checks look at. */
export interface RealScenarioParts {
  readonly nodes: readonly ResolvedNode[];
  /** Explicit links first (links[i]), then the switch's automatic ones. */
  readonly links: readonly ResolvedLink[];
  readonly explicitLinks: number;
  readonly switch: ResolvedSwitch | undefined;
  readonly targets: readonly ResolvedTarget[];
  readonly hosts: readonly ResolvedHost[];
  readonly faults: readonly ResolvedFault[];
}

export function isRealNode(node: ResolvedNode): boolean {
  return node.runtime !== 'sim';
}

/** The direction of a link that leaves the real node: what netem on the guest's egress shapes. */
export function egressOptions(link: ResolvedLink, realEnd: string): NetemOptions {
  const { aToB, bToA, ...both } = link.options;
  const out = link.a === realEnd ? aToB : bToA;
  return { ...both, ...(out ?? {}) } as NetemOptions;
}

/** The end of the link that is a real node, if any. */
export function realEndOf(link: ResolvedLink, real: ReadonlySet<string>): string | undefined {
  if (real.has(link.a)) return link.a;
  if (real.has(link.b)) return link.b;
  return undefined;
}

export function checkRealScenario(check: Checker, parts: RealScenarioParts): void {
  const real = new Set(parts.nodes.filter(isRealNode).map((node) => node.name));
  if (real.size === 0) return;
  const runtimeOf = (name: string): string => parts.nodes.find((node) => node.name === name)?.runtime ?? 'sim';

  parts.nodes.forEach((node, index) => {
    if (!isRealNode(node)) return;
    const nic = `nodes[${index}].nic`;
    const hint = `a ${node.runtime} node's NIC is QEMU's user network; shape it with its link's options (tc-netem)`;
    if (node.bandwidthBps !== undefined) check.fail(join(nic, 'bandwidthBps'), hint);
    if (node.mtuBytes !== undefined) check.fail(join(nic, 'mtuBytes'), hint);
  });
  parts.hosts.forEach((host, index) => {
    if (real.has(host.node)) {
      check.fail(`hosts[${index}].node`, `'${host.node}' runs on ${runtimeOf(host.node)}: a real-runtime node can only be a target for now`);
    }
    if (host.connect.paths.length > 1) check.fail(`hosts[${index}].connect.paths`, 'multipath hosts run only in simulation for now');
  });
  parts.targets.forEach((target, index) => checkTarget(check, target, index, real));
  checkSwitch(check, parts.switch);
  checkLinks(check, parts, real);
  checkFaults(check, parts, real);
}

function checkTarget(check: Checker, target: ResolvedTarget, index: number, real: ReadonlySet<string>): void {
  const path = `targets[${index}]`;
  if (!real.has(target.node)) {
    check.fail(
      join(path, 'node'),
      `'${target.node}' is simulated, but a scenario with a real-runtime node runs in real time: put every target on a real-runtime node`,
    );
  }
  target.subsystems.forEach((sub, s) => {
    sub.namespaces.forEach((ns, n) => {
      const linux = linuxNamespace(ns);
      if ('problem' in linux) check.fail(`${path}.subsystems[${s}].namespaces[${n}].backend`, linux.problem);
    });
  });
  if (target.ports.length > 1 || target.ports.some((port) => port.nic !== undefined || port.id !== 1)) {
    check.fail(join(path, 'ports'), 'a real target has one port (ID 1, on the guest\'s NIC) for now: several ports run only in simulation');
  }
  const mib = namespaceMiB(target);
  if (mib > REAL_NODE_NAMESPACE_MAX_MIB) {
    check.fail(join(path, 'subsystems'), `namespaces of ${mib} MiB do not fit a real target's memory (at most ${REAL_NODE_NAMESPACE_MAX_MIB} MiB)`);
  }
}

function checkSwitch(check: Checker, sw: ResolvedSwitch | undefined): void {
  if (sw === undefined) return;
  const modelled: readonly (keyof ResolvedSwitch)[] = ['portBufferBytes', 'portSpeedBps', 'forwardingLatencyNs', 'ecnMarkThresholdBytes'];
  for (const key of modelled) {
    if (sw[key] !== undefined) check.fail(`switch.${key}`, 'the switch is not modelled in a real-time run (hosts reach the real node over loopback)');
  }
}

function linkPath(parts: RealScenarioParts, index: number): string {
  return index < parts.explicitLinks ? `links[${index}].options` : 'switch.linkOptions';
}

function hasOptions(options: LinkOptions | LinkDirectionOptions | undefined): boolean {
  return options !== undefined && Object.values(options).some((value) => value !== undefined);
}

function checkLinks(check: Checker, parts: RealScenarioParts, real: ReadonlySet<string>): void {
  parts.links.forEach((link, index) => {
    const path = linkPath(parts, index);
    const realEnd = realEndOf(link, real);
    if (realEnd === undefined) {
      if (hasOptions(link.options)) {
        check.fail(path, 'in a real-time run only the link of a real-runtime node can be shaped (this one carries loopback traffic)');
      }
      return;
    }
    const inbound = link.a === realEnd ? 'bToA' : 'aToB';
    if (hasOptions(link.options[inbound])) {
      check.fail(join(path, inbound), `shapes traffic into '${realEnd}'; tc-netem shapes only the guest's egress (use ${inbound === 'aToB' ? 'bToA' : 'aToB'} or top-level options)`);
    }
    checkNetemFields(check, link.options, path);
    const outbound = link.a === realEnd ? link.options.aToB : link.options.bToA;
    if (outbound !== undefined) checkNetemFields(check, outbound, join(path, inbound === 'aToB' ? 'bToA' : 'aToB'));
    const problem = netemProblem(egressOptions(link, realEnd));
    if (problem !== undefined) check.fail(path, problem);
  });
}

/** Every field set must be one tc-netem applies. */
function checkNetemFields(check: Checker, options: LinkOptions | LinkDirectionOptions, path: string): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || key === 'aToB' || key === 'bToA') continue;
    if (!(NETEM_FIELDS as readonly string[]).includes(key)) {
      check.fail(join(path, key), `has no tc-netem equivalent on a link to a real node (netem applies: ${NETEM_FIELDS.join(', ')})`);
    }
  }
}

function checkFaults(check: Checker, parts: RealScenarioParts, real: ReadonlySet<string>): void {
  // Each real link's egress options as setLink changes them, to check every state netem must take.
  const egress = new Map<ResolvedLink, NetemOptions>();
  for (const link of parts.links) {
    const end = realEndOf(link, real);
    if (end !== undefined) egress.set(link, egressOptions(link, end));
  }
  const linkOf = (x: string, y: string): ResolvedLink | undefined =>
    parts.links.find((link) => (link.a === x && link.b === y) || (link.a === y && link.b === x));
  const context: RealCheckContext = {
    realNodes: real,
    realTargets: new Set(parts.targets.filter((target) => real.has(target.node)).map((target) => target.name)),
    fail: (path, message) => check.fail(path, message),
    checkNetemFields: (options, path) => checkNetemFields(check, options, path),
    changeEgress: (x, y, options, path) => {
      const link = linkOf(x, y);
      const current = link === undefined ? undefined : egress.get(link);
      if (link === undefined || current === undefined) return;
      const next = { ...current, ...options } as NetemOptions;
      const problem = netemProblem(next);
      if (problem !== undefined) check.fail(path, problem);
      egress.set(link, next);
    },
  };
  for (const resolved of parts.faults) {
    const path = `faults[${resolved.index}]`;
    const fault = resolved.fault;
    if (resolved.trigger.kind === 'when') check.fail(join(path, 'when'), 'conditional faults are simulated only for now; give at in a real-time run');
    const real = verbOf(fault.action).real;
    if ('refused' in real) check.fail(join(path, 'action'), `'${fault.action}' ${real.refused}`);
    real.check(fault, path, context);
  }
}
