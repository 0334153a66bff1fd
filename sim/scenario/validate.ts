// Scenario validation: turns a scenario description (types.ts) into a ResolvedScenario, or throws a
// ScenarioError naming the file and the first bad field. Checks mirror the limits the components
// enforce (nvme connect options from Linux fabrics.c, link options from sim/net, backend specs
// from sim/storage), so a scenario fails here, with a field path, rather than mid-run.
import { DISTRIBUTION_NAMES } from '../core/index.js';
import { LINK_OPTION_DEFAULTS } from '../net/index.js';
import type { LinkDirectionOptions } from '../net/index.js';
import type { LinkOptions } from '../net/index.js';
import { parseBackendSpec } from '../storage/index.js';
import { JobError, RW_MODES, resolveJob, type JobFieldNames, type JobSpec } from '../workload/index.js';
import { Checker, join, show, type Fields } from './checker.js';
import { checkRealScenario, checkRuntime } from './real-validate.js';
import { checkTargetConfig } from './target-config.js';
import { FAULT_TIMING_FIELDS } from './fault-timing.js';
import { HEALING_ACTIONS, verbOf, type DeviceSelector, type FaultVerb } from './fault-verbs/index.js';
import { faultSchema } from './schema/fault.js';
import { scenarioIssue } from './schema/kit.js';
import type {
  FaultTrigger,
  ResolvedConnect,
  ResolvedFault,
  ResolvedHost,
  ResolvedInvariant,
  ResolvedLink,
  ResolvedNamespace,
  ResolvedNode,
  ResolvedScenario,
  ResolvedSubsystem,
  ResolvedSwitch,
  ResolvedTarget,
  ResolvedWorkload,
} from './resolved.js';
import { HOST_STATE_NAMES, INVARIANT_NAMES, type FaultCondition } from './types.js';

/** Values given on the command line, which win over the file's. */
export interface ScenarioOverrides {
  readonly seed?: string;
  readonly durationNs?: number;
}

const NS_PER_S = 1e9;
/** The clock is exact to the nanosecond up to 2^53 ns (104 days); keep well inside it. */
const DURATION_MAX_NS = 30 * 24 * 3600 * NS_PER_S;
/** NVMET_NR_QUEUES: the most I/O queues a Linux target offers (and our target's qidMax bound). */
const IO_QUEUES_MAX = 128;
/** fabrics.h NVMF_MIN_QUEUE_SIZE / NVMF_MAX_QUEUE_SIZE. */
const QUEUE_SIZE_MIN = 16;
const QUEUE_SIZE_MAX = 1024;
/** NVMe NQNs are at most 223 bytes (NVMe Base Specification 2.0, section 4.5). */
const NQN_MAX_BYTES = 223;
const NSID_MAX = 0xfffffffe;
const INT32_MAX = 2 ** 31 - 1;
/** Slack on top of reconnect delay + KATO for the default io-resumes bound. */
const RESUME_SLACK_NS = 5 * NS_PER_S;

const SCENARIO_FIELDS = [
  'name',
  'description',
  'seed',
  'duration',
  'durationNs',
  'drain',
  'nodes',
  'links',
  'switch',
  'targets',
  'hosts',
  'faults',
  'invariants',
];
const NODE_FIELDS = ['name', 'cores', 'cpuProfile', 'nic', 'runtime'];
const NIC_FIELDS = ['bandwidthBps', 'mtuBytes', 'ip'];
const LINK_FIELDS = ['a', 'b', 'options'];
const SWITCH_FIELDS = ['name', 'portBufferBytes', 'portSpeedBps', 'forwardingLatencyNs', 'linkOptions'];
const TARGET_FIELDS = ['name', 'node', 'port', 'subsystems'];
const SUBSYSTEM_FIELDS = ['nqn', 'namespaces'];
const NAMESPACE_FIELDS = ['nsid', 'backend', 'blockSize'];
const HOST_FIELDS = ['name', 'node', 'connect', 'workload'];
const CONNECT_FIELDS = [
  'target',
  'nqn',
  'nsid',
  'nrIoQueues',
  'queueSize',
  'hdrDigest',
  'dataDigest',
  'keepAliveTmoS',
  'reconnectDelayS',
  'ctrlLossTmoS',
  'ioTimeoutS',
];
const WORKLOAD_FIELDS = ['rw', 'bs', 'bsrange', 'iodepth', 'rwmixread', 'offset', 'size', 'verify', 'stopOnError', 'startAt'];
const LINK_DIRECTION_FIELDS = Object.keys(LINK_OPTION_DEFAULTS);
const LINK_OPTION_FIELDS = [...LINK_DIRECTION_FIELDS, 'aToB', 'bToA'];
const CONDITION_FIELDS = ['iosCompleted', 'hostState', 'afterFault', 'host'];
const CONDITION_KINDS = ['iosCompleted', 'hostState', 'afterFault'] as const;
/** Checks a scenario description; `source` names it in errors (the file as the user typed it). */
export function resolveScenario(value: unknown, source: string, overrides: ScenarioOverrides = {}): ResolvedScenario {
  const check = new Checker(source);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    check.fail('default export', `must be a scenario object (export default defineScenario({ ... })), not ${show(value)}`);
  }
  const top = check.object(value, '', SCENARIO_FIELDS);
  const name = check.string(check.required(top, 'name', ''), 'name');
  const description = top.description === undefined ? '' : check.string(top.description, 'description');
  const seed = overrides.seed ?? seedText(check, top.seed);
  // The file's own duration bounds its timeline; a shorter --duration just cuts the run short.
  const fileDurationNs = resolveDuration(check, top);
  const durationNs = overrides.durationNs ?? fileDurationNs;
  if (!(fileDurationNs > 0 && fileDurationNs <= DURATION_MAX_NS)) check.fail('duration', 'must be more than 0 and at most 30 days');
  if (!(durationNs > 0 && durationNs <= DURATION_MAX_NS)) check.fail('duration', 'must be more than 0 and at most 30 days (--duration)');

  const nodes = check
    .array(check.required(top, 'nodes', ''), 'nodes', { nonEmpty: true })
    .map((node, index) => resolveNode(check, node, index));
  unique(check, nodes.map((node) => node.name), (i) => `nodes[${i}].name`, 'node name');
  unique(check, nodes.map((node) => node.ip), (i) => `nodes[${i}].nic.ip`, 'IP address');
  const nodeNames = new Set(nodes.map((node) => node.name));

  const sw = top.switch === undefined ? undefined : resolveSwitch(check, top.switch, nodeNames);
  const links = resolveLinks(check, top.links, nodes, sw);
  const world: WorldNames = { nodes: nodeNames, switchName: sw?.name, links };

  const targets = check
    .array(check.required(top, 'targets', ''), 'targets', { nonEmpty: true })
    .map((target, index) => resolveTarget(check, target, index, nodeNames));
  unique(check, targets.map((target) => target.name), (i) => `targets[${i}].name`, 'target name');
  targets.forEach((target, index) => {
    const ip = (nodes.find((node) => node.name === target.node) as ResolvedNode).ip;
    checkTargetConfig(target, index, ip, source);
  });
  unique(check, targets.map((target) => `${target.node}:${target.port}`), (i) => `targets[${i}].port`, 'node and port');

  const hosts = check
    .array(check.required(top, 'hosts', ''), 'hosts', { nonEmpty: true })
    .map((host, index) => resolveHost(check, host, index, world, targets, fileDurationNs));
  unique(check, hosts.map((host) => host.name), (i) => `hosts[${i}].name`, 'host name');

  const faultList = top.faults === undefined ? [] : check.array(top.faults, 'faults');
  const faults = faultList.map((fault, index) => resolveFault(check, fault, index, world, targets, hosts, faultList.length, fileDurationNs));
  checkFaultChains(check, faults);
  // A timed fault after a shorter --duration is dropped; a conditional one is kept, as whether it
  // fires in time is decided as the run goes.
  const ordered = faults.filter((fault) => fault.trigger.kind === 'when' || fault.trigger.atNs <= durationNs).sort(compareFaults);
  const invariants = resolveInvariants(check, top.invariants, hosts, ordered);
  // Scenarios with a real Linux peer: only what the real runtime can do (real-validate.ts).
  const explicitLinks = top.links === undefined ? 0 : check.array(top.links, 'links').length;
  checkRealScenario(check, { nodes, links, explicitLinks, switch: sw, targets, hosts, faults: ordered });
  const drainNs =
    top.drain === undefined
      ? 2 * Math.max(...hosts.map((host) => host.connect.ioTimeoutS)) * NS_PER_S
      : check.duration(top.drain, 'drain');

  return {
    source,
    name,
    description,
    seed,
    durationNs,
    drainNs,
    nodes,
    links,
    switch: sw,
    targets,
    hosts,
    faults: ordered,
    invariants,
  };
}

function seedText(check: Checker, value: unknown): string {
  if (value === undefined) return '1';
  if (typeof value === 'number') return String(check.integer(value, 'seed', 0, Number.MAX_SAFE_INTEGER));
  return check.string(value, 'seed');
}

function resolveDuration(check: Checker, top: Fields): number {
  if (top.duration !== undefined && top.durationNs !== undefined) check.fail('duration', 'give duration or durationNs, not both');
  if (top.durationNs !== undefined) return check.integer(top.durationNs, 'durationNs', 1, DURATION_MAX_NS);
  if (top.duration === undefined) check.fail('duration', "is required (e.g. duration: '1s')");
  if (typeof top.duration !== 'string') check.fail('duration', `must be a string such as '1s', not ${show(top.duration)}`);
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

function resolveNode(check: Checker, value: unknown, index: number): ResolvedNode {
  const path = `nodes[${index}]`;
  const fields = check.object(value, path, NODE_FIELDS);
  const name = checkName(check, check.required(fields, 'name', path), join(path, 'name'));
  const nic = fields.nic === undefined ? {} : check.object(fields.nic, join(path, 'nic'), NIC_FIELDS);
  const nicPath = join(path, 'nic');
  const ip = nic.ip === undefined ? defaultIp(index) : check.string(nic.ip, join(nicPath, 'ip'));
  if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(ip) || ip.split('.').some((part) => Number(part) > 255)) {
    check.fail(join(nicPath, 'ip'), `must be an IPv4 address such as '10.0.0.1', not ${show(ip)}`);
  }
  return {
    name,
    index,
    cores: check.integer(fields.cores, join(path, 'cores'), 1, 1024, 8),
    cpuProfile: check.oneOf(fields.cpuProfile, join(path, 'cpuProfile'), ['tcp', 'rdma', 'free'], 'tcp'),
    ip,
    bandwidthBps:
      nic.bandwidthBps === undefined ? undefined : check.number(nic.bandwidthBps, join(nicPath, 'bandwidthBps'), { min: 0, exclusiveMin: true }),
    mtuBytes: nic.mtuBytes === undefined ? undefined : check.integer(nic.mtuBytes, join(nicPath, 'mtuBytes'), 576, 9216),
    runtime: checkRuntime(check, fields.runtime, join(path, 'runtime')),
  };
}

function checkName(check: Checker, value: unknown, path: string): string {
  const name = check.string(value, path);
  if (/[/>~\s]/.test(name)) check.fail(path, `must not contain '/', '>', '~' or spaces, not ${show(name)}`);
  return name;
}

function resolveSwitch(check: Checker, value: unknown, nodeNames: ReadonlySet<string>): ResolvedSwitch & { linkOptions: LinkOptions } {
  const fields = check.object(value, 'switch', SWITCH_FIELDS);
  const name = fields.name === undefined ? 'switch' : checkName(check, fields.name, 'switch.name');
  if (nodeNames.has(name)) check.fail('switch.name', `'${name}' is also a node name`);
  return {
    name,
    portBufferBytes:
      fields.portBufferBytes === undefined ? undefined : check.integer(fields.portBufferBytes, 'switch.portBufferBytes', 1, Number.MAX_SAFE_INTEGER),
    portSpeedBps: fields.portSpeedBps === undefined ? undefined : check.number(fields.portSpeedBps, 'switch.portSpeedBps', { min: 0 }),
    forwardingLatencyNs:
      fields.forwardingLatencyNs === undefined ? undefined : check.number(fields.forwardingLatencyNs, 'switch.forwardingLatencyNs', { min: 0 }),
    linkOptions: fields.linkOptions === undefined ? {} : linkOptions(check, fields.linkOptions, 'switch.linkOptions'),
  };
}

function resolveLinks(
  check: Checker,
  value: unknown,
  nodes: readonly ResolvedNode[],
  sw: (ResolvedSwitch & { linkOptions: LinkOptions }) | undefined,
): ResolvedLink[] {
  const entries = value === undefined ? [] : check.array(value, 'links');
  const ends = new Set(nodes.map((node) => node.name));
  if (sw !== undefined) ends.add(sw.name);
  const linked = new Map<string, number>();
  const links = entries.map((entry, index): ResolvedLink => {
    const path = `links[${index}]`;
    const fields = check.object(entry, path, LINK_FIELDS);
    const a = check.string(check.required(fields, 'a', path), join(path, 'a'));
    const b = check.string(check.required(fields, 'b', path), join(path, 'b'));
    for (const [key, end] of [['a', a], ['b', b]] as const) {
      if (!ends.has(end)) check.fail(join(path, key), `no node${sw === undefined ? '' : ' or switch'} named '${end}'`);
      // Each node has one NIC, so it takes part in at most one link.
      const previous = linked.get(end);
      if (end !== sw?.name && previous !== undefined) check.fail(join(path, key), `node '${end}' is already linked by links[${previous}] (one NIC per node)`);
      linked.set(end, index);
    }
    if (a === b) check.fail(join(path, 'b'), 'a link needs two different ends');
    const options = fields.options === undefined ? {} : linkOptions(check, fields.options, join(path, 'options'));
    return { a, b, options };
  });
  if (sw !== undefined) {
    // Every node not wired explicitly hangs off the switch.
    for (const node of nodes) if (!linked.has(node.name)) links.push({ a: node.name, b: sw.name, options: sw.linkOptions });
  }
  return links;
}

/** Link options: the sim/net vocabulary, with range checks that name the field. */
function linkOptions(check: Checker, value: unknown, path: string): LinkOptions {
  const fields = check.object(value, path, LINK_OPTION_FIELDS);
  const both = directionOptions(check, fields, path, true);
  const aToB = fields.aToB === undefined ? undefined : directionOptions(check, check.object(fields.aToB, join(path, 'aToB'), LINK_DIRECTION_FIELDS), join(path, 'aToB'), false);
  const bToA = fields.bToA === undefined ? undefined : directionOptions(check, check.object(fields.bToA, join(path, 'bToA'), LINK_DIRECTION_FIELDS), join(path, 'bToA'), false);
  return { ...both, ...(aToB === undefined ? {} : { aToB }), ...(bToA === undefined ? {} : { bToA }) };
}

function directionOptions(check: Checker, fields: Fields, path: string, skipNested: boolean): LinkDirectionOptions {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (skipNested && (key === 'aToB' || key === 'bToA')) continue;
    if (value === undefined) continue;
    const at = join(path, key);
    if (key === 'latencyDistribution') result[key] = check.oneOf(value, at, DISTRIBUTION_NAMES);
    else if (key === 'partitioned') result[key] = check.boolean(value, at, false);
    else if (key === 'paretoShape') result[key] = check.number(value, at, { min: 1, exclusiveMin: true });
    else if (key.endsWith('Rate') || key.startsWith('geLossRate')) result[key] = check.number(value, at, { min: 0, max: 1 });
    else result[key] = check.number(value, at, { min: 0 });
  }
  return result as LinkDirectionOptions;
}

/** Direct via a link, or via the switch: whether two nodes can exchange packets. */
interface WorldNames {
  readonly nodes: ReadonlySet<string>;
  readonly switchName: string | undefined;
  readonly links: readonly ResolvedLink[];
}

function linkBetween(world: WorldNames, x: string, y: string): ResolvedLink | undefined {
  return world.links.find((link) => (link.a === x && link.b === y) || (link.a === y && link.b === x));
}

function reachable(world: WorldNames, x: string, y: string): boolean {
  if (linkBetween(world, x, y) !== undefined) return true;
  const sw = world.switchName;
  return sw !== undefined && linkBetween(world, x, sw) !== undefined && linkBetween(world, y, sw) !== undefined;
}

// ---- Targets ----

function resolveTarget(check: Checker, value: unknown, index: number, nodeNames: ReadonlySet<string>): ResolvedTarget {
  const path = `targets[${index}]`;
  const fields = check.object(value, path, TARGET_FIELDS);
  const node = check.string(check.required(fields, 'node', path), join(path, 'node'));
  if (!nodeNames.has(node)) check.fail(join(path, 'node'), `no node named '${node}'`);
  const name = fields.name === undefined ? node : checkName(check, fields.name, join(path, 'name'));
  const port = check.integer(fields.port, join(path, 'port'), 1, 65535, 4420);
  const subsystems = check
    .array(check.required(fields, 'subsystems', path), join(path, 'subsystems'), { nonEmpty: true })
    .map((sub, at) => resolveSubsystem(check, sub, `${path}.subsystems[${at}]`));
  unique(check, subsystems.map((sub) => sub.nqn), (at) => `${path}.subsystems[${at}].nqn`, 'subsystem NQN');
  return { name, node, port, subsystems };
}

function resolveSubsystem(check: Checker, value: unknown, path: string): ResolvedSubsystem {
  const fields = check.object(value, path, SUBSYSTEM_FIELDS);
  const nqn = checkNqn(check, check.required(fields, 'nqn', path), join(path, 'nqn'));
  const namespaces = check
    .array(check.required(fields, 'namespaces', path), join(path, 'namespaces'), { nonEmpty: true })
    .map((ns, at) => resolveNamespace(check, ns, `${path}.namespaces[${at}]`, at));
  unique(check, namespaces.map((ns) => String(ns.nsid)), (at) => `${path}.namespaces[${at}].nsid`, 'nsid');
  return { nqn, namespaces };
}

function checkNqn(check: Checker, value: unknown, path: string): string {
  const nqn = check.string(value, path);
  if (new TextEncoder().encode(nqn).length > NQN_MAX_BYTES) check.fail(path, `must be at most ${NQN_MAX_BYTES} bytes`);
  return nqn;
}

function resolveNamespace(check: Checker, value: unknown, path: string, position: number): ResolvedNamespace {
  const fields = check.object(value, path, NAMESPACE_FIELDS);
  const nsid = check.integer(fields.nsid, join(path, 'nsid'), 1, NSID_MAX, position + 1);
  const blockSize = fields.blockSize === undefined ? 512 : check.oneOf(String(fields.blockSize), join(path, 'blockSize'), ['512', '4096']) === '512' ? 512 : 4096;
  const backendPath = join(path, 'backend');
  const backend = check.string(check.required(fields, 'backend', path), backendPath);
  let spec;
  try {
    spec = parseBackendSpec(backend, backendPath, { blockSize });
  } catch (error) {
    check.rethrow(error, backendPath);
  }
  // A file backend does real, asynchronous disk I/O: its timing would make a run unrepeatable.
  if (spec.kind === 'file') check.fail(backendPath, "file backends do not run in simulation (use 'ssd:SIZE', 'ram:SIZE' or 'null:SIZE')");
  return { nsid, backend, spec, blockSize };
}

// ---- Hosts ----

function resolveHost(
  check: Checker,
  value: unknown,
  index: number,
  world: WorldNames,
  targets: readonly ResolvedTarget[],
  durationNs: number,
): ResolvedHost {
  const path = `hosts[${index}]`;
  const fields = check.object(value, path, HOST_FIELDS);
  const node = check.string(check.required(fields, 'node', path), join(path, 'node'));
  if (!world.nodes.has(node)) check.fail(join(path, 'node'), `no node named '${node}'`);
  const name = fields.name === undefined ? node : checkName(check, fields.name, join(path, 'name'));
  const connect = resolveConnect(check, check.required(fields, 'connect', path), join(path, 'connect'), targets);
  const target = targets.find((t) => t.name === connect.target) as ResolvedTarget;
  if (target.node === node) check.fail(join(path, 'node'), `is the target's node '${node}' (a host needs its own node)`);
  if (!reachable(world, node, target.node)) {
    check.fail(join(path, 'connect.target'), `node '${node}' has no link to target node '${target.node}' (add a link or a switch)`);
  }
  const subsystem = target.subsystems.find((sub) => sub.nqn === connect.nqn) as ResolvedSubsystem;
  const namespace = subsystem.namespaces.find((ns) => ns.nsid === connect.nsid) as ResolvedNamespace;
  const workload =
    fields.workload === undefined ? undefined : resolveWorkload(check, fields.workload, join(path, 'workload'), connect, namespace, durationNs);
  return { name, index, node, connect, workload };
}

function resolveConnect(check: Checker, value: unknown, path: string, targets: readonly ResolvedTarget[]): ResolvedConnect {
  const fields = check.object(value, path, CONNECT_FIELDS);
  const targetName = check.string(check.required(fields, 'target', path), join(path, 'target'));
  const target = targets.find((t) => t.name === targetName);
  if (target === undefined) check.fail(join(path, 'target'), `no target named '${targetName}' (targets: ${targets.map((t) => t.name).join(', ')})`);
  const firstNqn = (target.subsystems[0] as ResolvedSubsystem).nqn;
  const nqn = fields.nqn === undefined ? firstNqn : check.string(fields.nqn, join(path, 'nqn'));
  const subsystem = target.subsystems.find((sub) => sub.nqn === nqn);
  if (subsystem === undefined) check.fail(join(path, 'nqn'), `target '${targetName}' has no subsystem '${nqn}'`);
  const nsid = check.integer(fields.nsid, join(path, 'nsid'), 1, NSID_MAX, 1);
  if (!subsystem.namespaces.some((ns) => ns.nsid === nsid)) check.fail(join(path, 'nsid'), `subsystem '${nqn}' has no namespace ${nsid}`);
  return {
    target: targetName,
    nqn,
    nsid,
    nrIoQueues: check.integer(fields.nrIoQueues, join(path, 'nrIoQueues'), 1, IO_QUEUES_MAX, 4),
    queueSize: check.integer(fields.queueSize, join(path, 'queueSize'), QUEUE_SIZE_MIN, QUEUE_SIZE_MAX, 128),
    hdrDigest: check.boolean(fields.hdrDigest, join(path, 'hdrDigest'), false),
    dataDigest: check.boolean(fields.dataDigest, join(path, 'dataDigest'), false),
    keepAliveTmoS: check.integer(fields.keepAliveTmoS, join(path, 'keepAliveTmoS'), 0, 65535, 5),
    reconnectDelayS: check.integer(fields.reconnectDelayS, join(path, 'reconnectDelayS'), 1, INT32_MAX, 10),
    ctrlLossTmoS: check.integer(fields.ctrlLossTmoS, join(path, 'ctrlLossTmoS'), -1, INT32_MAX, 600),
    ioTimeoutS: check.number(fields.ioTimeoutS, join(path, 'ioTimeoutS'), { min: 0, exclusiveMin: true }, 30),
  };
}

function resolveWorkload(
  check: Checker,
  value: unknown,
  path: string,
  connect: ResolvedConnect,
  namespace: ResolvedNamespace,
  durationNs: number,
): ResolvedWorkload {
  const fields = check.object(value, path, WORKLOAD_FIELDS);
  const rw = check.oneOf(check.required(fields, 'rw', path), join(path, 'rw'), RW_MODES);
  const job: { -readonly [K in keyof JobSpec]: JobSpec[K] } = { rw, stopOnError: check.boolean(fields.stopOnError, join(path, 'stopOnError'), false) };
  if (fields.bs !== undefined) job.bs = positiveSize(check, fields.bs, join(path, 'bs'));
  if (fields.bsrange !== undefined) {
    const at = join(path, 'bsrange');
    const text = check.string(fields.bsrange, at);
    const match = /^([^-]+)-([^-]+)$/.exec(text);
    if (match === null) check.fail(at, `must be MIN-MAX such as '4k-128k', not ${show(text)}`);
    job.bsrange = { min: positiveSize(check, match[1], at), max: positiveSize(check, match[2], at) };
  }
  if (fields.iodepth !== undefined) job.iodepth = check.integer(fields.iodepth, join(path, 'iodepth'), 1, 65536);
  if (fields.rwmixread !== undefined) job.rwmixread = check.number(fields.rwmixread, join(path, 'rwmixread'), { min: 0, max: 100 });
  if (fields.offset !== undefined) job.offsetBytes = check.size(fields.offset, join(path, 'offset'));
  if (fields.size !== undefined) job.sizeBytes = positiveSize(check, fields.size, join(path, 'size'));
  if (fields.verify !== undefined) {
    job.verify = check.boolean(fields.verify, join(path, 'verify'), false);
    if (job.verify && (rw === 'read' || rw === 'randread')) check.fail(join(path, 'verify'), `needs a mode that writes (write, randwrite or randrw), not '${rw}'`);
  }
  job.queues = connect.nrIoQueues;
  const startAtNs = fields.startAt === undefined ? 0 : check.duration(fields.startAt, join(path, 'startAt'));
  if (startAtNs >= durationNs) check.fail(join(path, 'startAt'), 'must be before the end of the run');
  // Sizes against the namespace: the same checks the engine makes, reported with scenario paths.
  const geometry = { blockSize: namespace.blockSize, sizeBytes: namespaceBytes(namespace) };
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
  value: unknown,
  index: number,
  world: WorldNames,
  targets: readonly ResolvedTarget[],
  hosts: readonly ResolvedHost[],
  faultCount: number,
  durationNs: number,
): ResolvedFault {
  const path = `faults[${index}]`;
  // Types and ranges of the verb's fields are its record's schema (fault-verbs/).
  const parsed = faultSchema.safeParse(value);
  if (!parsed.success) {
    const problem = scenarioIssue(parsed.error, path);
    check.fail(problem.path, problem.message);
  }
  const fields = value as Fields;
  if (fields.at !== undefined && fields.atNs !== undefined) check.fail(join(path, 'at'), 'give at or atNs, not both');
  if (fields.when !== undefined && (fields.at !== undefined || fields.atNs !== undefined)) {
    check.fail(join(path, 'when'), `give ${fields.at !== undefined ? 'at' : 'atNs'} or when, not both`);
  }
  if (fields.delay !== undefined && fields.when === undefined) check.fail(join(path, 'delay'), 'needs when (with at, add the delay to the time)');
  const trigger = resolveTrigger(check, fields, path, index, hosts, faultCount, durationNs);
  // The verb keeps only its own fields: when it fires is the trigger's alone.
  const verb = Object.fromEntries(Object.entries(fields).filter(([key]) => !(FAULT_TIMING_FIELDS as readonly string[]).includes(key))) as unknown as FaultVerb;
  verbOf(verb.action).check(verb, path, {
    fail: (at, message) => check.fail(at, message),
    hasNode: (name) => world.nodes.has(name),
    hasLink: (x, y) => linkBetween(world, x, y) !== undefined,
    checkDevice: (selector, at) => checkDevice(check, selector, at, targets),
  });
  return { index, trigger, fault: verb };
}

/** A fault's at or atNs (within the file's duration), or its when and delay (normalised to ns). */
function resolveTrigger(
  check: Checker,
  fields: Fields,
  path: string,
  index: number,
  hosts: readonly ResolvedHost[],
  faultCount: number,
  durationNs: number,
): FaultTrigger {
  if (fields.when !== undefined) {
    const condition = resolveCondition(check, fields.when, join(path, 'when'), index, hosts, faultCount);
    const delayNs = fields.delay === undefined ? 0 : check.duration(fields.delay, join(path, 'delay'));
    if (delayNs > durationNs) check.fail(join(path, 'delay'), 'is longer than the run');
    return { kind: 'when', condition, delayNs };
  }
  let atNs: number;
  if (fields.atNs !== undefined) atNs = check.integer(fields.atNs, join(path, 'atNs'), 0, Number.MAX_SAFE_INTEGER);
  else if (fields.at !== undefined) atNs = check.duration(fields.at, join(path, 'at'));
  else check.fail(join(path, 'at'), "is required (e.g. at: '1s'), or give when (e.g. when: { iosCompleted: 1000 })");
  if (atNs > durationNs) check.fail(join(path, fields.atNs !== undefined ? 'atNs' : 'at'), 'is after the end of the run');
  return { kind: 'at', atNs };
}

/** Timed faults by time, then conditional ones; ties keep their order in the file. */
function compareFaults(x: ResolvedFault, y: ResolvedFault): number {
  const [a, b] = [x.trigger, y.trigger];
  if (a.kind === 'at' && b.kind === 'at' && a.atNs !== b.atNs) return a.atNs < b.atNs ? -1 : 1;
  if (a.kind !== b.kind) return a.kind === 'at' ? -1 : 1;
  return x.index - y.index;
}

/** A fault's `when`: exactly one condition kind, with the names and positions it refers to checked. */
function resolveCondition(
  check: Checker,
  value: unknown,
  path: string,
  index: number,
  hosts: readonly ResolvedHost[],
  faultCount: number,
): FaultCondition {
  const fields = check.object(value, path, CONDITION_FIELDS);
  const kinds = CONDITION_KINDS.filter((kind) => fields[kind] !== undefined);
  if (kinds.length !== 1) {
    const given = kinds.length === 0 ? 'none' : kinds.join(' and ');
    check.fail(path, `must give exactly one of iosCompleted, hostState or afterFault, not ${given}`);
  }
  const hostPath = join(path, 'host');
  const hostName = (): string => {
    const name = check.string(fields.host, hostPath);
    if (!hosts.some((host) => host.name === name)) check.fail(hostPath, `no host named '${name}' (hosts: ${hosts.map((h) => h.name).join(', ')})`);
    return name;
  };
  switch (kinds[0]) {
    case 'iosCompleted': {
      const count = check.integer(fields.iosCompleted, join(path, 'iosCompleted'), 1, Number.MAX_SAFE_INTEGER);
      return fields.host === undefined ? { iosCompleted: count } : { iosCompleted: count, host: hostName() };
    }
    case 'hostState': {
      const state = check.oneOf(fields.hostState, join(path, 'hostState'), HOST_STATE_NAMES);
      if (fields.host === undefined) check.fail(hostPath, 'is required with hostState');
      return { hostState: state, host: hostName() };
    }
    default: {
      if (fields.host !== undefined) check.fail(hostPath, 'only goes with iosCompleted or hostState');
      const other = check.integer(fields.afterFault, join(path, 'afterFault'), 0, Math.max(0, faultCount - 1));
      if (other === index) check.fail(join(path, 'afterFault'), 'must name another fault, not itself');
      return { afterFault: other };
    }
  }
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
  value: unknown,
  hosts: readonly ResolvedHost[],
  faults: readonly ResolvedFault[],
): ResolvedInvariant[] {
  const defaultWithinNs = Math.max(...hosts.map((host) => (host.connect.reconnectDelayS + host.connect.keepAliveTmoS) * NS_PER_S)) + RESUME_SLACK_NS;
  if (value === undefined) {
    const defaults: ResolvedInvariant[] = [
      { check: 'ios-accounted', withinNs: 0 },
      { check: 'no-verify-mismatch', withinNs: 0 },
    ];
    if (faults.some((fault) => HEALING_ACTIONS.includes(fault.fault.action))) defaults.push({ check: 'io-resumes', withinNs: defaultWithinNs });
    return defaults;
  }
  const list = check.array(value, 'invariants').map((entry, index): ResolvedInvariant => {
    const path = `invariants[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) check.fail(path, `must be an object, not ${show(entry)}`);
    const name = check.oneOf((entry as Fields).check, join(path, 'check'), INVARIANT_NAMES);
    const fields = check.object(entry, path, name === 'io-resumes' ? ['check', 'within'] : ['check']);
    const withinNs = name === 'io-resumes' && fields.within !== undefined ? check.duration(fields.within, join(path, 'within')) : defaultWithinNs;
    return { check: name, withinNs: name === 'io-resumes' ? withinNs : 0 };
  });
  unique(check, list.map((inv) => inv.check), (i) => `invariants[${i}].check`, 'invariant');
  return list;
}
