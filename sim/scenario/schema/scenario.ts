// The scenario format's schema, written once: every field with its type, range and the message a
// bad value gets. validate.ts parses a scenario with it (a bad field is a ScenarioError naming its
// path), scenarios/scenario.schema.json is generated from it for editors, and the hand-written
// types of types.ts (which carry the documentation authors see in completion) are checked
// against it at compile time below, so the two cannot drift. What a field alone cannot tell
// (names that refer to other parts, duplicates, defaults, sizes against a namespace) is
// validate.ts's.
import { z } from 'zod';
import { CONGESTION_CONTROL_NAMES } from '../../net/index.js';
import { IO_POLICIES } from '../../host/index.js';
import { RATE_PROCESSES, RW_MODES } from '../../workload/index.js';
import { show } from '../checker.js';
import { timingShape, type FaultTiming } from '../fault-timing.js';
import { ANA_STATE_NAMES, CPU_PROFILE_NAMES, INVARIANT_NAMES, RUNTIME_NAMES } from '../types.js';
import type {
  Scenario,
  ScenarioAnaGroup,
  ScenarioConnect,
  ScenarioFabric,
  ScenarioFabricPath,
  ScenarioHost,
  ScenarioInvariant,
  ScenarioLink,
  ScenarioNamespace,
  ScenarioNic,
  ScenarioNode,
  ScenarioPath,
  ScenarioSubsystem,
  ScenarioSwitch,
  ScenarioTarget,
  ScenarioTargetPort,
  ScenarioWorkload,
} from '../types.js';
import { faultSchema } from './fault.js';
import { bool, duration, int, list, num, obj, oneOf, size, str, stringSaying, tagged, type SameShape } from './kit.js';
import { linkOptionsSchema } from './link-options.js';
import type { ScenarioSteps } from '../steps.js';

const NS_PER_S = 1e9;
/** The clock is exact to the nanosecond up to 2^53 ns (104 days); keep well inside it. */
export const DURATION_MAX_NS = 30 * 24 * 3600 * NS_PER_S;
/** NVMET_NR_QUEUES: the most I/O queues a Linux target offers (and our target's qidMax bound). */
export const IO_QUEUES_MAX = 128;
/** fabrics.h NVMF_MIN_QUEUE_SIZE / NVMF_MAX_QUEUE_SIZE. */
const QUEUE_SIZE_MIN = 16;
const QUEUE_SIZE_MAX = 1024;
/** NVMe NQNs are at most 223 bytes (NVMe Base Specification 2.0, section 4.5). */
const NQN_MAX_BYTES = 223;
const NSID_MAX = 0xfffffffe;
const INT32_MAX = 2 ** 31 - 1;


/** A string refined by `problem` (undefined when the value is fine). */
function refined(base: z.ZodString, problem: (value: string) => string | undefined): z.ZodString {
  return base.check((ctx) => {
    const message = problem(ctx.value);
    if (message !== undefined) ctx.issues.push({ code: 'custom', input: ctx.value, message });
  });
}

/** A name others refer to: no '/', '>', '~' or spaces (they separate names in traces and streams). */
const name = (): z.ZodString => refined(str(), (value) => (/[/>~\s]/.test(value) ? `must not contain '/', '>', '~' or spaces, not ${show(value)}` : undefined));

const ipv4 = (): z.ZodString =>
  refined(str(), (value) =>
    !/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(value) || value.split('.').some((part) => Number(part) > 255)
      ? `must be an IPv4 address such as '10.0.0.1', not ${show(value)}`
      : undefined,
  );

const nqn = (): z.ZodString =>
  refined(str(), (value) => (new TextEncoder().encode(value).length > NQN_MAX_BYTES ? `must be at most ${NQN_MAX_BYTES} bytes` : undefined));

/** 512 or 4096; named as strings in the message, as the format has always said it. */
const blockSize = (): z.ZodUnion<[z.ZodLiteral<512>, z.ZodLiteral<4096>]> =>
  z.union([z.literal(512), z.literal(4096)], { error: (issue) => `must be one of '512', '4096', not ${show(String(issue.input))}` });

export const nicSchema = obj({
  bandwidthBps: num({ min: 0, exclusiveMin: true }).optional(),
  mtuBytes: int(576, 9216).optional(),
  ip: ipv4().optional(),
});

export const nodeSchema = obj({
  name: name(),
  cores: int(1, 1024).optional(),
  cpuProfile: oneOf(CPU_PROFILE_NAMES).optional(),
  nic: nicSchema.optional(),
  tcp: obj({ congestionControl: oneOf(CONGESTION_CONTROL_NAMES).optional() }).optional(),
  runtime: oneOf(RUNTIME_NAMES).optional(),
});

export const linkSchema = obj({ a: str(), b: str(), options: linkOptionsSchema().optional() });

export const switchSchema = obj({
  name: name().optional(),
  portBufferBytes: int(1).optional(),
  portSpeedBps: num({ min: 0 }).optional(),
  forwardingLatencyNs: num({ min: 0 }).optional(),
  ecnMarkThresholdBytes: int(0).optional(),
  linkOptions: linkOptionsSchema().optional(),
});

/** The most equal-cost paths a fabric has (switch ECMP groups are commonly 64 wide). */
export const FABRIC_PATHS_MAX = 64;

export const fabricPathSchema = obj({ name: name().optional(), options: linkOptionsSchema().optional() });

export const fabricSchema = obj({
  paths: list(fabricPathSchema, { nonEmpty: true }).max(FABRIC_PATHS_MAX, { error: `must list at most ${FABRIC_PATHS_MAX} paths` }),
  hostLeaf: name().optional(),
  targetLeaf: name().optional(),
});

/** NVMET_MAX_ANAGRPS. */
const ANA_GROUP_MAX = 128;

export const namespaceSchema = obj({
  nsid: int(1, NSID_MAX).optional(),
  backend: str(),
  blockSize: blockSize().optional(),
  anaGroupId: int(1, ANA_GROUP_MAX).optional(),
});

export const anaGroupSchema = obj({ grpid: int(1, ANA_GROUP_MAX), state: oneOf(ANA_STATE_NAMES).optional() });

export const subsystemSchema = obj({ nqn: nqn(), namespaces: list(namespaceSchema, { nonEmpty: true }) });

export const targetPortSchema = obj({
  id: int(1, 65535),
  port: int(1, 65535).optional(),
  nic: nicSchema.optional(),
  link: linkOptionsSchema().optional(),
  anaGroups: list(anaGroupSchema).optional(),
});

export const targetSchema = obj({
  name: name().optional(),
  node: str(),
  port: int(1, 65535).optional(),
  subsystems: list(subsystemSchema, { nonEmpty: true }),
  anaGroups: list(anaGroupSchema).optional(),
  ports: list(targetPortSchema, { nonEmpty: true }).optional(),
});

export const pathSchema = obj({ target: str(), port: int(1, 65535).optional() });

export const connectSchema = obj({
  target: str(),
  nqn: str().optional(),
  nsid: int(1, NSID_MAX).optional(),
  nrIoQueues: int(1, IO_QUEUES_MAX).optional(),
  queueSize: int(QUEUE_SIZE_MIN, QUEUE_SIZE_MAX).optional(),
  hdrDigest: bool().optional(),
  dataDigest: bool().optional(),
  keepAliveTmoS: int(0, 65535).optional(),
  reconnectDelayS: int(1, INT32_MAX).optional(),
  ctrlLossTmoS: int(-1, INT32_MAX).optional(),
  ioTimeoutS: num({ min: 0, exclusiveMin: true }).optional(),
  fastIoFailTmoS: int(-1, INT32_MAX).optional(),
  paths: list(pathSchema).optional(),
  iopolicy: oneOf(IO_POLICIES).optional(),
  port: int(1, 65535).optional(),
});

export const workloadSchema = obj({
  fioJob: str().optional(),
  rw: oneOf(RW_MODES).optional(),
  bs: size().optional(),
  bsrange: str().optional(),
  iodepth: int(1, 65536).optional(),
  rwmixread: num({ min: 0, max: 100 }).optional(),
  offset: size().optional(),
  size: size().optional(),
  verify: bool().optional(),
  stopOnError: bool().optional(),
  rateIops: num({ min: 0 }).optional(),
  rateProcess: oneOf(RATE_PROCESSES).optional(),
  startAt: duration().optional(),
});

export const hostSchema = obj({ name: name().optional(), node: str(), connect: connectSchema, workload: workloadSchema.optional() });

export const invariantSchema = tagged('check', INVARIANT_NAMES, [
  obj({ check: z.literal('workload-progress') }),
  obj({ check: z.literal('ios-accounted') }),
  obj({ check: z.literal('no-verify-mismatch') }),
  obj({ check: z.literal('no-io-errors') }),
  obj({ check: z.literal('no-app-errors-with-a-path') }),
  obj({ check: z.literal('io-resumes'), within: duration().optional() }),
]);

/** A seed: a non-negative integer, or any non-empty string. */
const seed = (): z.ZodType<number | string, number | string> =>
  z.union([int(0), str()], {
    error: (issue) =>
      typeof issue.input === 'number' ? `must be an integer >= 0, not ${show(issue.input)}` : `must be a non-empty string, not ${show(issue.input)}`,
  });

/**
 * Steps: a function, which JSON cannot hold. The JSON Schema says so in words (an editor sees any
 * value allowed there); validation checks it is a function.
 */
const stepsSchema = (): z.ZodType<ScenarioSteps, ScenarioSteps> =>
  z
    .custom<ScenarioSteps>((value) => typeof value === 'function', { error: (issue) => `must be an async function (world) => { ... }, not ${show(issue.input)}` })
    .meta({ description: 'async (world) => { ... }: imperative steps in virtual time (scenarios/README.md, Steps). A function: not expressible in JSON.' });

export const scenarioSchema = obj({
  name: str(),
  description: str().optional(),
  seed: seed().optional(),
  duration: stringSaying("must be a string such as '1s'").optional(),
  durationNs: int(1, DURATION_MAX_NS).optional(),
  drain: duration().optional(),
  nodes: list(nodeSchema, { nonEmpty: true }),
  links: list(linkSchema).optional(),
  switch: switchSchema.optional(),
  fabric: fabricSchema.optional(),
  targets: list(targetSchema, { nonEmpty: true }),
  hosts: list(hostSchema, { nonEmpty: true }),
  faults: list(faultSchema).optional(),
  invariants: list(invariantSchema).optional(),
  steps: stepsSchema().optional(),
});

/** The JSON Schema of a scenario (scenarios/scenario.schema.json), for editors. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'nvmf-sim scenario',
    description: "A scenario's description: nodes, links, targets, hosts, faults and invariants (scenarios/README.md).",
  };
}

// ---- The hand-written types agree with the schema (a mismatch does not compile) ----

/** Compiles only when `T` is `true`. */
type Agree<T extends true> = T;
type In<S extends z.ZodType> = z.input<S>;

export type SchemaAgreement = [
  Agree<SameShape<ScenarioNic, In<typeof nicSchema>>>,
  Agree<SameShape<ScenarioNode, In<typeof nodeSchema>>>,
  Agree<SameShape<ScenarioLink, In<typeof linkSchema>>>,
  Agree<SameShape<ScenarioSwitch, In<typeof switchSchema>>>,
  Agree<SameShape<ScenarioFabric, In<typeof fabricSchema>>>,
  Agree<SameShape<ScenarioFabricPath, In<typeof fabricPathSchema>>>,
  Agree<SameShape<ScenarioNamespace, In<typeof namespaceSchema>>>,
  Agree<SameShape<ScenarioAnaGroup, In<typeof anaGroupSchema>>>,
  Agree<SameShape<ScenarioSubsystem, In<typeof subsystemSchema>>>,
  Agree<SameShape<ScenarioTargetPort, In<typeof targetPortSchema>>>,
  Agree<SameShape<ScenarioTarget, In<typeof targetSchema>>>,
  Agree<SameShape<ScenarioPath, In<typeof pathSchema>>>,
  Agree<SameShape<ScenarioConnect, In<typeof connectSchema>>>,
  Agree<SameShape<ScenarioWorkload, In<typeof workloadSchema>>>,
  Agree<SameShape<ScenarioHost, In<typeof hostSchema>>>,
  Agree<SameShape<ScenarioInvariant, In<typeof invariantSchema>>>,
  // `when` is looser in the schema (every kind optional): validate.ts says "exactly one".
  Agree<SameShape<Omit<FaultTiming, 'when'>, Omit<In<z.ZodObject<typeof timingShape>>, 'when'>>>,
  // `steps` is a function (a mapped type would lose its call signature): stepsSchema's type is ScenarioSteps itself.
  Agree<SameShape<Omit<Scenario, 'faults' | 'steps'>, Omit<In<typeof scenarioSchema>, 'faults' | 'steps'>>>,
];
