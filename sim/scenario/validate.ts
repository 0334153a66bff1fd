// Scenario validation: turns a scenario description (types.ts) into a ResolvedScenario, or throws a
// ScenarioError naming the file and the first bad field. Each field's type and range is the
// schema's (schema/scenario.ts, with the fault verbs' own fields in fault-verbs/); what is checked
// here is what a field alone cannot tell: names that refer to other parts of the scenario,
// duplicates, sizes against the namespace, and the defaults. Checks mirror the limits the
// components enforce (nvme connect options from Linux fabrics.c, link options from sim/net,
// backend specs from sim/storage), so a scenario fails here, with a field path, rather than mid-run.
import { DEFAULT_IOPOLICY } from '../host/index.js';
import type { LinkDirectionOptions } from '../net/index.js';
import type { LinkOptions } from '../net/index.js';
import { parseBackendSpec } from '../storage/index.js';
import { JobError, resolveJob, type JobFieldNames, type JobSpec } from '../workload/index.js';
import { Checker, join, show } from './checker.js';
import { FAULT_TIMING_FIELDS } from './fault-timing.js';
import { fioJobWorkload } from './fio-workload.js';
import { HEALING_ACTIONS, verbOf, type DeviceSelector, type FaultVerb } from './fault-verbs/index.js';
import { checkRealScenario, isRealNode } from './real-validate.js';
import { faultSchema } from './schema/fault.js';
import type { ScenarioSteps } from './steps.js';
import { scenarioIssue } from './schema/kit.js';
import { DURATION_MAX_NS, IO_QUEUES_MAX, scenarioSchema } from './schema/scenario.js';
import { checkTargetConfig, SCENARIO_PORT_ID } from './target-config.js';
import type {
  FaultTrigger,
  ResolvedConnect,
  ResolvedFabric,
  ResolvedFault,
  ResolvedHost,
  ResolvedInvariant,
  ResolvedLink,
  ResolvedNamespace,
  ResolvedAnaGroup,
  ResolvedNode,
  ResolvedPath,
  ResolvedScenario,
  ResolvedSteps,
  ResolvedSubsystem,
  ResolvedSwitch,
  ResolvedTarget,
  ResolvedTargetPort,
  ResolvedWorkload,
} from './resolved.js';
import type {
  FaultCondition,
  HostStateName,
  Scenario,
  ScenarioConnect,
  ScenarioFabric,
  ScenarioFault,
  ScenarioHost,
  ScenarioInvariant,
  ScenarioLink,
  ScenarioNamespace,
  ScenarioNode,
  ScenarioSubsystem,
  ScenarioSwitch,
  ScenarioAnaGroup,
  ScenarioTarget,
  ScenarioTargetPort,
  ScenarioWorkload,
} from './types.js';

/** Values given on the command line, which win over the file's. */
export interface ScenarioOverrides {
  readonly seed?: string;
  readonly durationNs?: number;
}

const NS_PER_S = 1e9;
/** Slack on top of reconnect delay + KATO for the default io-resumes bound. */
const RESUME_SLACK_NS = 5 * NS_PER_S;
const CONDITION_KINDS = ['iosCompleted', 'hostState', 'afterFault'] as const;

/** Checks a scenario description; `source` names it in errors (the file as the user typed it). */
export function resolveScenario(value: unknown, source: string, overrides: ScenarioOverrides = {}): ResolvedScenario {
  const check = new Checker(source);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    check.fail('default export', `must be a scenario object (export default defineScenario({ ... })), not ${show(value)}`);
  }
  const parsed = scenarioSchema.safeParse(value);
  if (!parsed.success) {
    const problem = scenarioIssue(parsed.error);
    check.fail(problem.path, problem.message);
  }
  // The description as written (the parse output would reorder keys and drop none): every field
  // of it is now known to have its type and range.
  const top = value as Scenario;
  const seed = overrides.seed ?? (top.seed === undefined ? '1' : String(top.seed));
  // The file's own duration bounds its timeline; a shorter --duration just cuts the run short.
  const fileDurationNs = resolveDuration(check, top);
  const durationNs = overrides.durationNs ?? fileDurationNs;
  if (!(fileDurationNs > 0 && fileDurationNs <= DURATION_MAX_NS)) check.fail('duration', 'must be more than 0 and at most 30 days');
  if (!(durationNs > 0 && durationNs <= DURATION_MAX_NS)) check.fail('duration', 'must be more than 0 and at most 30 days (--duration)');

  const nodes = top.nodes.map((node, index) => resolveNode(node, index));
  unique(check, nodes.map((node) => node.name), (i) => `nodes[${i}].name`, 'node name');
  unique(check, nodes.map((node) => node.ip), (i) => `nodes[${i}].nic.ip`, 'IP address');
  const nodeNames = new Set(nodes.map((node) => node.name));

  const fabricLeaves = top.fabric === undefined ? undefined : fabricLeafNames(check, top, nodeNames);
  const sw = top.switch === undefined && fabricLeaves === undefined ? undefined : resolveSwitch(check, top.switch ?? {}, nodeNames);
  const targetNodes = new Set(top.targets.map((target) => target.node));
  const leafOf = (node: string): string | undefined => (fabricLeaves === undefined ? sw?.name : targetNodes.has(node) ? fabricLeaves[1] : fabricLeaves[0]);
  const links = resolveLinks(check, top.links ?? [], nodes, sw, sw === undefined ? [] : (fabricLeaves ?? [sw.name]), leafOf);
  const fabric = fabricLeaves === undefined || sw === undefined ? undefined : resolveFabric(check, top, fabricLeaves, sw);
  const world: WorldNames = {
    nodes: nodeNames,
    cores: new Map(nodes.map((node) => [node.name, node.cores])),
    switchNames: fabricLeaves ?? (sw === undefined ? [] : [sw.name]),
    links,
    fabric,
  };

  const nicCount = new Map<string, number>();
  const targets = top.targets.map((target, index) => resolveTarget(check, target, index, nodes, sw?.name, nicCount));
  unique(check, targets.map((target) => target.name), (i) => `targets[${i}].name`, 'target name');
  checkPortAddresses(check, top.targets, targets, nodes);
  targets.forEach((target, index) => checkTargetConfig(target, index, source, top.targets[index]?.ports !== undefined));
  if (sw !== undefined) links.push(...portLinks(targets, top.targets, sw, fabricLeaves?.[1] ?? sw.name));

  const hosts = top.hosts.map((host, index) => resolveHost(check, host, index, world, targets, fileDurationNs));
  unique(check, hosts.map((host) => host.name), (i) => `hosts[${i}].name`, 'host name');

  const faultList = top.faults ?? [];
  const faults = faultList.map((fault, index) => resolveFault(check, fault, index, world, targets, hosts, faultList.length, fileDurationNs));
  checkFaultChains(check, faults);
  // A timed fault after a shorter --duration is dropped; a conditional one is kept, as whether it
  // fires in time is decided as the run goes.
  const ordered = faults.filter((fault) => fault.trigger.kind === 'when' || fault.trigger.atNs <= durationNs).sort(compareFaults);
  const invariants = resolveInvariants(check, top.invariants, hosts, ordered);
  // Scenarios with a real Linux peer: only what the real runtime can do (real-validate.ts).
  checkRealScenario(check, { nodes, links, explicitLinks: top.links?.length ?? 0, switch: sw, targets, hosts, faults: ordered });
  const steps = top.steps === undefined ? undefined : resolveSteps(check, top, nodes, world, targets, hosts);
  const drainNs =
    top.drain === undefined ? 2 * Math.max(...hosts.map((host) => host.connect.ioTimeoutS)) * NS_PER_S : check.duration(top.drain, 'drain');

  return {
    source,
    name: top.name,
    description: top.description ?? '',
    seed,
    durationNs,
    drainNs,
    nodes,
    links,
    switch: fabric === undefined ? sw : undefined,
    fabric,
    targets,
    hosts,
    faults: ordered,
    invariants,
    ...(steps === undefined ? {} : { steps }),
  };
}

function resolveDuration(check: Checker, top: Scenario): number {
  if (top.duration !== undefined && top.durationNs !== undefined) check.fail('duration', 'give duration or durationNs, not both');
  if (top.durationNs !== undefined) return top.durationNs;
  if (top.duration === undefined) check.fail('duration', "is required (e.g. duration: '1s')");
  return check.duration(top.duration, 'duration');
}

function unique(check: Checker, values: readonly string[], path: (index: number) => string, what: string): void {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (seen.has(value)) check.fail(path(index), `duplicate ${what} '${value}'`);
    seen.add(value);
  });
}

// ---- Nodes, switch, links ----

function defaultIp(index: number): string {
  const n = index + 1;
  return `10.${(n >> 16) & 0xff}.${(n >> 8) & 0xff}.${n & 0xff}`;
}

function resolveNode(node: ScenarioNode, index: number): ResolvedNode {
  return {
    name: node.name,
    index,
    cores: node.cores ?? 8,
    cpuProfile: node.cpuProfile ?? 'tcp',
    ip: node.nic?.ip ?? defaultIp(index),
    bandwidthBps: node.nic?.bandwidthBps,
    mtuBytes: node.nic?.mtuBytes,
    congestionControl: node.tcp?.congestionControl ?? 'cubic',
    runtime: node.runtime ?? 'sim',
  };
}

function resolveSwitch(check: Checker, sw: ScenarioSwitch, nodeNames: ReadonlySet<string>): ResolvedSwitch & { linkOptions: LinkOptions } {
  const name = sw.name ?? 'switch';
  if (nodeNames.has(name)) check.fail('switch.name', `'${name}' is also a node name`);
  return {
    name,
    portBufferBytes: sw.portBufferBytes,
    portSpeedBps: sw.portSpeedBps,
    forwardingLatencyNs: sw.forwardingLatencyNs,
    ecnMarkThresholdBytes: sw.ecnMarkThresholdBytes,
    linkOptions: sw.linkOptions === undefined ? {} : linkOptions(sw.linkOptions),
  };
}

function resolveLinks(
  check: Checker,
  entries: readonly ScenarioLink[],
  nodes: readonly ResolvedNode[],
  sw: (ResolvedSwitch & { linkOptions: LinkOptions }) | undefined,
  switchNames: readonly string[],
  leafOf: (node: string) => string | undefined,
): ResolvedLink[] {
  const ends = new Set(nodes.map((node) => node.name));
  for (const name of switchNames) ends.add(name);
  const linked = new Map<string, number>();
  const links = entries.map((entry, index): ResolvedLink => {
    const path = `links[${index}]`;
    const { a, b } = entry;
    for (const [key, end] of [['a', a], ['b', b]] as const) {
      if (!ends.has(end)) check.fail(join(path, key), `no node${sw === undefined ? '' : ' or switch'} named '${end}'`);
      // Each node has one NIC, so it takes part in at most one link.
      const previous = linked.get(end);
      if (!switchNames.includes(end) && previous !== undefined) check.fail(join(path, key), `node '${end}' is already linked by links[${previous}] (one NIC per node)`);
      linked.set(end, index);
    }
    if (a === b) check.fail(join(path, 'b'), 'a link needs two different ends');
    return { a, b, options: entry.options === undefined ? {} : linkOptions(entry.options) };
  });
  if (sw !== undefined) {
    // Every node not wired explicitly hangs off the switch.
    for (const node of nodes) if (!linked.has(node.name)) links.push({ a: node.name, b: leafOf(node.name) ?? sw.name, options: sw.linkOptions });
  }
  return links;
}

/** The fabric's two leaves: not node names, not the same, and the switch keeps no name of its own. */
function fabricLeafNames(check: Checker, top: Scenario, nodeNames: ReadonlySet<string>): [string, string] {
  const fabric = top.fabric as ScenarioFabric;
  if (top.switch?.name !== undefined) check.fail('switch.name', 'with fabric the switches are its leaves (name them fabric.hostLeaf and fabric.targetLeaf)');
  const hostLeaf = fabric.hostLeaf ?? 'leaf1';
  const targetLeaf = fabric.targetLeaf ?? 'leaf2';
  if (nodeNames.has(hostLeaf)) check.fail('fabric.hostLeaf', `'${hostLeaf}' is also a node name`);
  if (nodeNames.has(targetLeaf)) check.fail('fabric.targetLeaf', `'${targetLeaf}' is also a node name`);
  if (hostLeaf === targetLeaf) check.fail('fabric.targetLeaf', `must differ from hostLeaf '${hostLeaf}'`);
  if (top.nodes.some((node) => node.runtime !== undefined && node.runtime !== 'sim')) {
    check.fail('fabric', 'runs only in simulation (a real-runtime node reaches the hosts over loopback)');
  }
  return [hostLeaf, targetLeaf];
}

function resolveFabric(check: Checker, top: Scenario, leaves: readonly [string, string], sw: ResolvedSwitch): ResolvedFabric {
  const fabric = top.fabric as ScenarioFabric;
  const paths = fabric.paths.map((path, index) => ({
    name: path.name ?? `path${index + 1}`,
    options: path.options === undefined ? {} : linkOptions(path.options),
  }));
  unique(check, paths.map((path) => path.name), (i) => `fabric.paths[${i}].name`, 'path name');
  paths.forEach((path, index) => {
    if (leaves.includes(path.name)) check.fail(`fabric.paths[${index}].name`, `'${path.name}' is also a leaf's name`);
  });
  const { name: _name, ...leaf } = sw;
  return { hostLeaf: leaves[0], targetLeaf: leaves[1], leaf, paths };
}

/** Link options as sim/net takes them: fields given as undefined are left out (the defaults hold). */
function linkOptions(options: LinkOptions): LinkOptions {
  const { aToB, bToA } = options;
  return {
    ...directionOptions(options, true),
    ...(aToB === undefined ? {} : { aToB: directionOptions(aToB, false) }),
    ...(bToA === undefined ? {} : { bToA: directionOptions(bToA, false) }),
  };
}

function directionOptions(options: LinkDirectionOptions | LinkOptions, skipNested: boolean): LinkDirectionOptions {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (skipNested && (key === 'aToB' || key === 'bToA')) continue;
    if (value !== undefined) result[key] = value;
  }
  return result as LinkDirectionOptions;
}

/** Direct via a link, or via the switch: whether two nodes can exchange packets. */
interface WorldNames {
  readonly nodes: ReadonlySet<string>;
  /** Cores per node name (the default I/O queue count of a host on it). */
  readonly cores: ReadonlyMap<string, number>;
  /** The switch, or the fabric's two leaves (joined by its paths). */
  readonly switchNames: readonly string[];
  readonly links: readonly ResolvedLink[];
  readonly fabric: ResolvedFabric | undefined;
}

function linkBetween(world: WorldNames, x: string, y: string): ResolvedLink | undefined {
  return world.links.find((link) => (link.a === x && link.b === y) || (link.a === y && link.b === x));
}

function reachable(world: WorldNames, x: string, y: string): boolean {
  if (linkBetween(world, x, y) !== undefined) return true;
  const linked = (node: string): boolean => world.switchNames.some((sw) => linkBetween(world, node, sw) !== undefined);
  return linked(x) && linked(y);
}

// ---- Targets ----

function resolveTarget(
  check: Checker,
  target: ScenarioTarget,
  index: number,
  nodes: readonly ResolvedNode[],
  switchName: string | undefined,
  nicCount: Map<string, number>,
): ResolvedTarget {
  const path = `targets[${index}]`;
  const node = target.node;
  const host = nodes.find((candidate) => candidate.name === node);
  if (host === undefined) check.fail(join(path, 'node'), `no node named '${node}'`);
  const subsystems = target.subsystems.map((sub, at) => resolveSubsystem(check, sub, `${path}.subsystems[${at}]`));
  unique(check, subsystems.map((sub) => sub.nqn), (at) => `${path}.subsystems[${at}].nqn`, 'subsystem NQN');
  const tcpPort = target.port ?? 4420;
  let ports: ResolvedTargetPort[];
  if (target.ports === undefined) {
    ports = [{ id: SCENARIO_PORT_ID, port: tcpPort, ip: host.ip, nic: undefined, anaGroups: resolveAnaGroups(check, target.anaGroups ?? [], `${path}.anaGroups`) }];
  } else {
    if (target.anaGroups !== undefined) check.fail(join(path, 'anaGroups'), 'give each port its own anaGroups (ports[].anaGroups) when the target lists ports');
    ports = target.ports.map((port, at) => resolvePort(check, port, `${path}.ports[${at}]`, { index, at, tcpPort, host, switchName, nicCount }));
    unique(check, ports.map((port) => String(port.id)), (at) => `${path}.ports[${at}].id`, 'port ID');
  }
  const first = ports[0] as ResolvedTargetPort;
  const name = target.name ?? node;
  // nvmet checks a namespace's group against the groups any port has (nvmet_ana_group_enabled).
  const groups = [...new Set(ports.flatMap((port) => port.anaGroups.map((group) => group.grpid)))].sort((a, b) => a - b);
  subsystems.forEach((sub, s) => {
    sub.namespaces.forEach((ns, n) => {
      if (!groups.includes(ns.anaGroupId)) {
        check.fail(`${path}.subsystems[${s}].namespaces[${n}].anaGroupId`, `target '${name}' has no ANA group ${ns.anaGroupId} (groups: ${groups.join(', ')}; list it in anaGroups)`);
      }
    });
  });
  return { name, node, port: first.port, subsystems, anaGroups: first.anaGroups, ports };
}

function resolveAnaGroups(check: Checker, listed: readonly ScenarioAnaGroup[], path: string): ResolvedAnaGroup[] {
  unique(check, listed.map((group) => String(group.grpid)), (at) => `${path}[${at}].grpid`, 'ANA group');
  // Every nvmet port has group 1 (NVMET_DEFAULT_ANA_GRPID); other groups exist when listed.
  const anaGroups = [...listed.map((group) => ({ grpid: group.grpid, state: group.state ?? ('optimized' as const) }))];
  if (!anaGroups.some((group) => group.grpid === 1)) anaGroups.push({ grpid: 1, state: 'optimized' });
  return anaGroups.sort((a, b) => a.grpid - b.grpid);
}

interface PortPlace {
  /** The target's and the port's positions (the default IP of a port NIC). */
  readonly index: number;
  readonly at: number;
  readonly tcpPort: number;
  readonly host: ResolvedNode;
  readonly switchName: string | undefined;
  /** NICs handed out so far per node (eth0 is the node's own). */
  readonly nicCount: Map<string, number>;
}

function resolvePort(check: Checker, port: ScenarioTargetPort, path: string, place: PortPlace): ResolvedTargetPort {
  const anaGroups = resolveAnaGroups(check, port.anaGroups ?? [], join(path, 'anaGroups'));
  if (port.nic === undefined) {
    if (port.link !== undefined) check.fail(join(path, 'link'), "needs nic (a port on the node's NIC uses the node's link)");
    return { id: port.id, port: port.port ?? place.tcpPort, ip: place.host.ip, nic: undefined, anaGroups };
  }
  if (place.switchName === undefined) check.fail(join(path, 'nic'), 'a port with a NIC of its own is linked to the switch: add a switch to the scenario');
  const node = place.host.name;
  const count = (place.nicCount.get(node) ?? 0) + 1;
  place.nicCount.set(node, count);
  const nic = {
    name: `eth${count}`,
    ip: port.nic.ip ?? `10.255.${place.index & 0xff}.${(place.at + 1) & 0xff}`,
    bandwidthBps: port.nic.bandwidthBps ?? place.host.bandwidthBps,
    mtuBytes: port.nic.mtuBytes ?? place.host.mtuBytes,
  };
  return { id: port.id, port: port.port ?? place.tcpPort, ip: nic.ip, nic, anaGroups };
}

/** Every address is one NIC's, and every listener on the node's NIC one node and TCP port's. */
function checkPortAddresses(check: Checker, written: readonly ScenarioTarget[], targets: readonly ResolvedTarget[], nodes: readonly ResolvedNode[]): void {
  const owners = new Map(nodes.map((node, i) => [node.ip, `nodes[${i}]`]));
  const listeners = new Set<string>();
  targets.forEach((target, index) => {
    target.ports.forEach((port, at) => {
      const portPath = written[index]?.ports === undefined ? `targets[${index}]` : `targets[${index}].ports[${at}]`;
      if (port.nic !== undefined) {
        const owner = owners.get(port.ip);
        if (owner !== undefined) check.fail(`${portPath}.nic.ip`, `duplicate IP address '${port.ip}' (${owner} has it)`);
        owners.set(port.ip, portPath);
        return;
      }
      const key = `${target.node}:${port.port}`;
      if (listeners.has(key)) check.fail(`${portPath}.port`, `duplicate node and port '${key}'`);
      listeners.add(key);
    });
  });
}

/** Each port NIC hangs off the switch (the target leaf in a fabric), with its port's link options or the switch's. */
function portLinks(targets: readonly ResolvedTarget[], written: readonly ScenarioTarget[], sw: ResolvedSwitch & { linkOptions: LinkOptions }, switchName: string): ResolvedLink[] {
  return targets.flatMap((target, index) =>
    target.ports.flatMap((port, at): ResolvedLink[] => {
      if (port.nic === undefined) return [];
      const options = written[index]?.ports?.[at]?.link;
      return [{ a: `${target.node}/${port.nic.name}`, b: switchName, options: options === undefined ? sw.linkOptions : linkOptions(options) }];
    }),
  );
}

function resolveSubsystem(check: Checker, subsystem: ScenarioSubsystem, path: string): ResolvedSubsystem {
  const namespaces = subsystem.namespaces.map((ns, at) => resolveNamespace(check, ns, `${path}.namespaces[${at}]`, at));
  unique(check, namespaces.map((ns) => String(ns.nsid)), (at) => `${path}.namespaces[${at}].nsid`, 'nsid');
  return { nqn: subsystem.nqn, namespaces };
}

function resolveNamespace(check: Checker, namespace: ScenarioNamespace, path: string, position: number): ResolvedNamespace {
  const blockSize = namespace.blockSize ?? 512;
  const backendPath = join(path, 'backend');
  const backend = namespace.backend;
  let spec;
  try {
    spec = parseBackendSpec(backend, backendPath, { blockSize });
  } catch (error) {
    check.rethrow(error, backendPath);
  }
  // A file backend does real, asynchronous disk I/O: its timing would make a run unrepeatable.
  if (spec.kind === 'file') check.fail(backendPath, "file backends do not run in simulation (use 'ssd:SIZE', 'ram:SIZE' or 'null:SIZE')");
  return { nsid: namespace.nsid ?? position + 1, backend, spec, blockSize, anaGroupId: namespace.anaGroupId ?? 1 };
}

// ---- Hosts ----

function resolveHost(
  check: Checker,
  host: ScenarioHost,
  index: number,
  world: WorldNames,
  targets: readonly ResolvedTarget[],
  durationNs: number,
): ResolvedHost {
  const path = `hosts[${index}]`;
  const node = host.node;
  if (!world.nodes.has(node)) check.fail(join(path, 'node'), `no node named '${node}'`);
  const connect = resolveConnect(check, host.connect, join(path, 'connect'), targets, world.cores.get(node) ?? 1);
  connect.paths.forEach((route, at) => {
    const target = targets.find((t) => t.name === route.target) as ResolvedTarget;
    const port = target.ports.find((candidate) => candidate.id === route.port) as ResolvedTargetPort;
    const field = at === 0 ? 'connect.target' : `connect.paths[${at - 1}].target`;
    if (target.node === node) check.fail(join(path, 'node'), `is the target's node '${node}' (a host needs its own node)`);
    // A port NIC hangs off the switch; the node's NIC is wherever the node is linked.
    const linked = port.nic === undefined ? reachable(world, node, target.node) : world.switchNames.some((sw) => linkBetween(world, node, sw) !== undefined);
    if (!linked) {
      const to = port.nic === undefined ? `target node '${target.node}'` : `port ${port.id} of target '${target.name}' (its NIC is on the switch)`;
      check.fail(join(path, field), `node '${node}' has no link to ${to} (add a link or a switch)`);
    }
  });
  const target = targets.find((t) => t.name === connect.target) as ResolvedTarget;
  const subsystem = target.subsystems.find((sub) => sub.nqn === connect.nqn) as ResolvedSubsystem;
  const namespace = subsystem.namespaces.find((ns) => ns.nsid === connect.nsid) as ResolvedNamespace;
  const workload = host.workload === undefined ? undefined : resolveWorkload(check, host.workload, join(path, 'workload'), connect, namespace, durationNs);
  return { name: host.name ?? node, index, node, connect, workload };
}

/** A path to one of the target's ports (its first when `port` is not given). */
function resolvePath(check: Checker, target: ResolvedTarget, port: number | undefined, field: string): ResolvedPath {
  const chosen = port === undefined ? target.ports[0] : target.ports.find((candidate) => candidate.id === port);
  if (chosen === undefined) check.fail(field, `target '${target.name}' has no port ${String(port)} (ports: ${target.ports.map((p) => p.id).join(', ')})`);
  return { target: target.name, port: chosen.id, label: target.ports.length === 1 ? target.name : `${target.name}/${chosen.id}` };
}

/**
 * `nvme connect` defaults. nr_io_queues defaults to the host's online CPUs, as Linux's
 * nvme-fabrics does (drivers/nvme/host/fabrics.c, nvmf_parse_options: num_online_cpus()), capped
 * at the scenario format's 128.
 */
function resolveConnect(check: Checker, connect: ScenarioConnect, path: string, targets: readonly ResolvedTarget[], hostCores: number): ResolvedConnect {
  const targetName = connect.target;
  const target = targets.find((t) => t.name === targetName);
  if (target === undefined) check.fail(join(path, 'target'), `no target named '${targetName}' (targets: ${targets.map((t) => t.name).join(', ')})`);
  const nqn = connect.nqn ?? (target.subsystems[0] as ResolvedSubsystem).nqn;
  const subsystem = target.subsystems.find((sub) => sub.nqn === nqn);
  if (subsystem === undefined) check.fail(join(path, 'nqn'), `target '${targetName}' has no subsystem '${nqn}'`);
  const nsid = connect.nsid ?? 1;
  if (!subsystem.namespaces.some((ns) => ns.nsid === nsid)) check.fail(join(path, 'nsid'), `subsystem '${nqn}' has no namespace ${nsid}`);
  // Every further path is another controller of the same subsystem (one namespace head spans one NQN).
  const paths = [resolvePath(check, target, connect.port, join(path, 'port'))];
  (connect.paths ?? []).forEach((extra, at) => {
    const field = join(path, `paths[${at}].target`);
    const other = targets.find((t) => t.name === extra.target);
    if (other === undefined) check.fail(field, `no target named '${extra.target}' (targets: ${targets.map((t) => t.name).join(', ')})`);
    const route = resolvePath(check, other, extra.port, join(path, `paths[${at}].port`));
    if (paths.some((known) => known.target === route.target && known.port === route.port)) {
      const where = other.ports.length === 1 ? `target '${extra.target}'` : `port ${route.port} of target '${extra.target}'`;
      check.fail(extra.port === undefined ? field : join(path, `paths[${at}].port`), `repeats the path to ${where}`);
    }
    const sub = other.subsystems.find((candidate) => candidate.nqn === nqn);
    if (sub === undefined) check.fail(field, `target '${extra.target}' has no subsystem '${nqn}' (every path must reach the host's subsystem)`);
    if (!sub.namespaces.some((ns) => ns.nsid === nsid)) check.fail(field, `subsystem '${nqn}' on target '${extra.target}' has no namespace ${nsid}`);
    paths.push(route);
  });
  return {
    target: targetName,
    paths,
    iopolicy: connect.iopolicy ?? DEFAULT_IOPOLICY,
    fastIoFailTmoS: connect.fastIoFailTmoS,
    nqn,
    nsid,
    nrIoQueues: connect.nrIoQueues ?? Math.min(hostCores, IO_QUEUES_MAX),
    queueSize: connect.queueSize ?? 128,
    hdrDigest: connect.hdrDigest ?? false,
    dataDigest: connect.dataDigest ?? false,
    keepAliveTmoS: connect.keepAliveTmoS ?? 5,
    reconnectDelayS: connect.reconnectDelayS ?? 10,
    ctrlLossTmoS: connect.ctrlLossTmoS ?? 600,
    ioTimeoutS: connect.ioTimeoutS ?? 30,
  };
}

function resolveWorkload(
  check: Checker,
  workload: ScenarioWorkload,
  path: string,
  connect: ResolvedConnect,
  namespace: ResolvedNamespace,
  durationNs: number,
): ResolvedWorkload {
  const fio = workload.fioJob === undefined ? undefined : fioJobWorkload(check, workload.fioJob, join(path, 'fioJob'));
  const rw = workload.rw ?? fio?.spec.rw;
  if (rw === undefined) check.fail(join(path, 'rw'), 'is required (or give fioJob)');
  const job: { -readonly [K in keyof JobSpec]: JobSpec[K] } = { ...fio?.spec, rw, stopOnError: workload.stopOnError ?? fio?.spec.stopOnError ?? false };
  if (workload.bs !== undefined) job.bs = positiveSize(check, workload.bs, join(path, 'bs'));
  if (workload.bsrange !== undefined) {
    const at = join(path, 'bsrange');
    const text = workload.bsrange;
    const match = /^([^-]+)-([^-]+)$/.exec(text);
    if (match === null) check.fail(at, `must be MIN-MAX such as '4k-128k', not ${show(text)}`);
    job.bsrange = { min: positiveSize(check, match[1], at), max: positiveSize(check, match[2], at) };
  }
  if (workload.iodepth !== undefined) job.iodepth = workload.iodepth;
  if (workload.rwmixread !== undefined) job.rwmixread = workload.rwmixread;
  if (workload.rateIops !== undefined) job.rateIops = workload.rateIops;
  if (workload.rateProcess !== undefined) job.rateProcess = workload.rateProcess;
  if (workload.offset !== undefined) job.offsetBytes = check.size(workload.offset, join(path, 'offset'));
  if (workload.size !== undefined) job.sizeBytes = positiveSize(check, workload.size, join(path, 'size'));
  if (workload.verify !== undefined) {
    job.verify = workload.verify;
    if (job.verify && (rw === 'read' || rw === 'randread')) check.fail(join(path, 'verify'), `needs a mode that writes (write, randwrite or randrw), not '${rw}'`);
  }
  job.queues = connect.nrIoQueues;
  const startAtNs = (workload.startAt === undefined ? 0 : check.duration(workload.startAt, join(path, 'startAt'))) + (fio?.startDelayNs ?? 0);
  if (startAtNs >= durationNs) check.fail(join(path, 'startAt'), 'must be before the end of the run');
  // Sizes against the namespace: the same checks the engine makes, reported with scenario paths.
  const geometry = { blockSize: namespace.blockSize, sizeBytes: namespaceBytes(namespace) };
  // A job file's size beyond the namespace is capped to it, as nvmf-sim io does.
  if (fio !== undefined && job.sizeBytes !== undefined && workload.size === undefined) {
    job.sizeBytes = Math.min(job.sizeBytes, Math.max(0, geometry.sizeBytes - (job.offsetBytes ?? 0)));
  }
  try {
    resolveJob({ ...job, runtimeNs: durationNs - startAtNs }, geometry, workloadFieldNames(path));
  } catch (error) {
    if (error instanceof JobError) check.fail(error.field, error.message.slice(error.field.length + 2));
    throw error;
  }
  return { job, startAtNs };
}

function namespaceBytes(namespace: ResolvedNamespace): number {
  const spec = namespace.spec;
  return spec.kind === 'file' ? (spec.sizeBytes ?? 0) : spec.sizeBytes;
}

function workloadFieldNames(path: string): JobFieldNames {
  return {
    rw: join(path, 'rw'),
    rwmixread: join(path, 'rwmixread'),
    bs: join(path, 'bs'),
    bsrange: join(path, 'bsrange'),
    iodepth: join(path, 'iodepth'),
    queues: join(path, 'iodepth'),
    offsetBytes: join(path, 'offset'),
    sizeBytes: join(path, 'size'),
    ioSizeBytes: join(path, 'size'),
    runtimeNs: join(path, 'startAt'),
    verify: join(path, 'verify'),
    rateIops: join(path, 'rateIops'),
    rateProcess: join(path, 'rateProcess'),
  };
}

function positiveSize(check: Checker, value: unknown, path: string): number {
  const bytes = check.size(value, path);
  if (bytes <= 0) check.fail(path, 'must be more than 0 bytes');
  return bytes;
}

// ---- Faults ----

function resolveFault(
  check: Checker,
  fault: ScenarioFault,
  index: number,
  world: WorldNames,
  targets: readonly ResolvedTarget[],
  hosts: readonly ResolvedHost[],
  faultCount: number,
  durationNs: number,
): ResolvedFault {
  const path = `faults[${index}]`;
  if (fault.at !== undefined && fault.atNs !== undefined) check.fail(join(path, 'at'), 'give at or atNs, not both');
  if (fault.when !== undefined && (fault.at !== undefined || fault.atNs !== undefined)) {
    check.fail(join(path, 'when'), `give ${fault.at !== undefined ? 'at' : 'atNs'} or when, not both`);
  }
  if (fault.delay !== undefined && fault.when === undefined) check.fail(join(path, 'delay'), 'needs when (with at, add the delay to the time)');
  const trigger = resolveTrigger(check, fault, path, index, hosts, faultCount, durationNs);
  // The verb keeps only its own fields: when it fires is the trigger's alone.
  const verb = Object.fromEntries(Object.entries(fault).filter(([key]) => !(FAULT_TIMING_FIELDS as readonly string[]).includes(key))) as unknown as FaultVerb;
  checkVerb(check, verb, path, world, targets, hosts);
  return { index, trigger, fault: verb };
}

/** A verb's own fields against the world (names, links, paths, devices, ports), as faults[] entries and steps' faults are checked. */
function checkVerb(check: Checker, verb: FaultVerb, path: string, world: WorldNames, targets: readonly ResolvedTarget[], hosts: readonly ResolvedHost[]): void {
  verbOf(verb.action).check(verb, path, {
    fail: (at, message) => check.fail(at, message),
    hasNode: (name) => world.nodes.has(name),
    hasLink: (x, y) => linkBetween(world, x, y) !== undefined,
    fabricPath: (name) => {
      const fabric = world.fabric;
      return fabric?.paths.some((entry) => entry.name === name) === true ? ([fabric.hostLeaf, fabric.targetLeaf] as const) : undefined;
    },
    fabricPathNames: () => world.fabric?.paths.map((entry) => entry.name) ?? [],
    hostQueues: (name) => hosts.find((host) => host.name === name)?.connect.nrIoQueues,
    checkDevice: (selector, at) => checkDevice(check, selector, at, targets),
    targetPorts: (name) => {
      const target = targets.find((candidate) => candidate.name === name);
      return target?.ports.map((port) => ({ portid: port.id, anaGroups: port.anaGroups.map((group) => group.grpid) }));
    },
  });
}

/**
 * A scenario's steps, and the check their faults get when they apply one: the same as a faults[]
 * entry's (schema, then the verb's fields against the world), with the path `steps.fault[N]`.
 * Steps run in virtual time only (their timers are the simulated clock's).
 */
function resolveSteps(
  check: Checker,
  top: Scenario,
  nodes: readonly ResolvedNode[],
  world: WorldNames,
  targets: readonly ResolvedTarget[],
  hosts: readonly ResolvedHost[],
): ResolvedSteps {
  if (nodes.some(isRealNode)) check.fail('steps', 'run only in simulation (their timers run in virtual time): drop steps or the real-runtime node');
  const run = top.steps as ScenarioSteps;
  const checkFault = (record: unknown, index: number): FaultVerb => {
    const path = `steps.fault[${index}]`;
    if (typeof record !== 'object' || record === null || Array.isArray(record)) check.fail(path, `must be a fault record such as { action: 'heal' }, not ${show(record)}`);
    const timing = Object.keys(record).find((key) => (FAULT_TIMING_FIELDS as readonly string[]).includes(key));
    if (timing !== undefined) check.fail(join(path, timing), "a step's fault applies now: leave out at, atNs, when and delay (await a timer or world.until() first)");
    const parsed = faultSchema.safeParse(record);
    if (!parsed.success) {
      const problem = scenarioIssue(parsed.error, path);
      check.fail(problem.path, problem.message);
    }
    const verb = record as FaultVerb;
    checkVerb(check, verb, path, world, targets, hosts);
    return verb;
  };
  return { run, checkFault };
}

/** A fault's at or atNs (within the file's duration), or its when and delay (normalised to ns). */
function resolveTrigger(
  check: Checker,
  fault: ScenarioFault,
  path: string,
  index: number,
  hosts: readonly ResolvedHost[],
  faultCount: number,
  durationNs: number,
): FaultTrigger {
  if (fault.when !== undefined) {
    const condition = resolveCondition(check, fault.when, join(path, 'when'), index, hosts, faultCount);
    const delayNs = fault.delay === undefined ? 0 : check.duration(fault.delay, join(path, 'delay'));
    if (delayNs > durationNs) check.fail(join(path, 'delay'), 'is longer than the run');
    return { kind: 'when', condition, delayNs };
  }
  let atNs: number;
  if (fault.atNs !== undefined) atNs = fault.atNs;
  else if (fault.at !== undefined) atNs = check.duration(fault.at, join(path, 'at'));
  else check.fail(join(path, 'at'), "is required (e.g. at: '1s'), or give when (e.g. when: { iosCompleted: 1000 })");
  if (atNs > durationNs) check.fail(join(path, fault.atNs !== undefined ? 'atNs' : 'at'), 'is after the end of the run');
  return { kind: 'at', atNs };
}

/** Timed faults by time, then conditional ones; ties keep their order in the file. */
function compareFaults(x: ResolvedFault, y: ResolvedFault): number {
  const [a, b] = [x.trigger, y.trigger];
  if (a.kind === 'at' && b.kind === 'at' && a.atNs !== b.atNs) return a.atNs < b.atNs ? -1 : 1;
  if (a.kind !== b.kind) return a.kind === 'at' ? -1 : 1;
  return x.index - y.index;
}

/** The condition as the schema lets it through: every kind optional (exactly one is checked here). */
interface WrittenCondition {
  readonly iosCompleted?: number;
  readonly hostState?: HostStateName;
  readonly afterFault?: number;
  readonly host?: string;
}

/** A fault's `when`: exactly one condition kind, with the names and positions it refers to checked. */
function resolveCondition(
  check: Checker,
  value: FaultCondition,
  path: string,
  index: number,
  hosts: readonly ResolvedHost[],
  faultCount: number,
): FaultCondition {
  const fields = value as WrittenCondition;
  const kinds = CONDITION_KINDS.filter((kind) => fields[kind] !== undefined);
  if (kinds.length !== 1) {
    const given = kinds.length === 0 ? 'none' : kinds.join(' and ');
    check.fail(path, `must give exactly one of iosCompleted, hostState or afterFault, not ${given}`);
  }
  const hostPath = join(path, 'host');
  const hostName = (name: string): string => {
    if (!hosts.some((host) => host.name === name)) check.fail(hostPath, `no host named '${name}' (hosts: ${hosts.map((h) => h.name).join(', ')})`);
    return name;
  };
  if (fields.iosCompleted !== undefined) {
    const count = fields.iosCompleted;
    return fields.host === undefined ? { iosCompleted: count } : { iosCompleted: count, host: hostName(fields.host) };
  }
  if (fields.hostState !== undefined) {
    if (fields.host === undefined) check.fail(hostPath, 'is required with hostState');
    return { hostState: fields.hostState, host: hostName(fields.host) };
  }
  if (fields.host !== undefined) check.fail(hostPath, 'only goes with iosCompleted or hostState');
  const other = fields.afterFault as number;
  const last = Math.max(0, faultCount - 1);
  if (other > last) check.fail(join(path, 'afterFault'), `must be an integer 0..${last}, not ${other}`);
  if (other === index) check.fail(join(path, 'afterFault'), 'must name another fault, not itself');
  return { afterFault: other };
}

/** Chains of afterFault must end at a fault with a time or another condition: no cycles. */
function checkFaultChains(check: Checker, faults: readonly ResolvedFault[]): void {
  const after = ({ trigger }: ResolvedFault): number | undefined =>
    trigger.kind === 'when' && 'afterFault' in trigger.condition ? trigger.condition.afterFault : undefined;
  for (const start of faults) {
    const seen = [start.index];
    for (let next = after(start); next !== undefined; next = after(faults[next] as ResolvedFault)) {
      if (next === start.index) {
        check.fail(`faults[${start.index}].when.afterFault`, `forms a cycle (${[...seen, next].map((i) => `faults[${i}]`).join(' -> ')})`);
      }
      if (seen.includes(next)) break; // A cycle further down the chain: reported from its own start.
      seen.push(next);
    }
  }
}

function checkDevice(check: Checker, selector: DeviceSelector, path: string, targets: readonly ResolvedTarget[]): void {
  const name = selector.target;
  const target = targets.find((t) => t.name === name);
  if (target === undefined) check.fail(join(path, 'target'), `no target named '${name}'`);
  const nqn = selector.nqn ?? (target.subsystems[0] as ResolvedSubsystem).nqn;
  const subsystem = target.subsystems.find((sub) => sub.nqn === nqn);
  if (subsystem === undefined) check.fail(join(path, 'nqn'), `target '${name}' has no subsystem '${nqn}'`);
  const nsid = selector.nsid ?? 1;
  if (!subsystem.namespaces.some((ns) => ns.nsid === nsid)) check.fail(join(path, 'nsid'), `subsystem '${nqn}' has no namespace ${nsid}`);
}

// ---- Invariants ----

function resolveInvariants(
  check: Checker,
  list: readonly ScenarioInvariant[] | undefined,
  hosts: readonly ResolvedHost[],
  faults: readonly ResolvedFault[],
): ResolvedInvariant[] {
  const defaultWithinNs = Math.max(...hosts.map((host) => (host.connect.reconnectDelayS + host.connect.keepAliveTmoS) * NS_PER_S)) + RESUME_SLACK_NS;
  if (list === undefined) {
    const defaults: ResolvedInvariant[] = [
      { check: 'workload-progress', withinNs: 0 },
      { check: 'ios-accounted', withinNs: 0 },
      { check: 'no-verify-mismatch', withinNs: 0 },
    ];
    if (faults.some((fault) => HEALING_ACTIONS.includes(fault.fault.action))) defaults.push({ check: 'io-resumes', withinNs: defaultWithinNs });
    return defaults;
  }
  const resolved = list.map((entry, index): ResolvedInvariant => {
    if (entry.check !== 'io-resumes') return { check: entry.check, withinNs: 0 };
    return { check: entry.check, withinNs: entry.within === undefined ? defaultWithinNs : check.duration(entry.within, `invariants[${index}].within`) };
  });
  unique(check, resolved.map((inv) => inv.check), (i) => `invariants[${i}].check`, 'invariant');
  return resolved;
}
