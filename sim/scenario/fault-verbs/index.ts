// The fault verbs of the scenario timeline, one record each (verb.ts says what a record holds).
// Adding a verb: a file next to these, its line here, and its test. The order here is the order
// of FAULT_ACTIONS, of error messages and of the README's fault table.
import { crash } from './crash.js';
import { failDevice } from './fail-device.js';
import { heal } from './heal.js';
import { partition } from './partition.js';
import { pause } from './pause.js';
import { repairDevice } from './repair-device.js';
import { restart } from './restart.js';
import { setAnaState } from './set-ana-state.js';
import { resume } from './resume.js';
import { setLink } from './set-link.js';
import { slowDevice } from './slow-device.js';
import type { FaultVerbRecord, RealSupport } from './verb.js';

export const FAULT_VERBS = [partition, heal, setLink, crash, restart, pause, resume, slowDevice, failDevice, repairDevice, setAnaState] as const;

/** The fields of a verb's record (its fault type without timing). */
type FieldsOf<R> = R extends FaultVerbRecord<infer F> ? F : never;

/** A fault's action and that action's fields, without its timing. */
export type FaultVerb = FieldsOf<(typeof FAULT_VERBS)[number]>;

export type FaultAction = FaultVerb['action'];

export const FAULT_ACTIONS: readonly FaultAction[] = FAULT_VERBS.map((verb) => verb.action);

const BY_ACTION = new Map<string, FaultVerbRecord<FaultVerb>>(FAULT_VERBS.map((verb) => [verb.action, verb as unknown as FaultVerbRecord<FaultVerb>]));

/**
 * The record of a fault's verb. One cast, here: TypeScript cannot correlate a union of faults with
 * a union of records, so each record is typed against every fault and trusted to get its own.
 */
export function verbOf(action: FaultAction): FaultVerbRecord<FaultVerb> {
  return BY_ACTION.get(action) as FaultVerbRecord<FaultVerb>;
}

/** The actions after which liveness is judged (io-resumes). */
export const HEALING_ACTIONS: readonly FaultAction[] = FAULT_VERBS.filter((verb) => verb.heals).map((verb) => verb.action);

/** The fault table of scenarios/README.md, generated from the records. */
export function faultVerbTable(): string {
  const rows = FAULT_VERBS.map((verb) => {
    const real: RealSupport<never> = verb.real;
    const onReal = 'refused' in real ? `refused: ${real.refused}` : real.doc;
    return `| \`${verb.action}\` | ${verb.doc.fields} | ${verb.doc.effect} | ${verb.heals ? 'yes' : ''} | ${onReal} |`;
  });
  return ['| action | fields | effect | heals | in a real-time run |', '|---|---|---|---|---|', ...rows].join('\n');
}

export type { CrashFault } from './crash.js';
export type { FailDeviceFault } from './fail-device.js';
export type { HealFault } from './heal.js';
export type { PartitionFault } from './partition.js';
export type { PauseFault } from './pause.js';
export type { RepairDeviceFault } from './repair-device.js';
export type { RestartFault } from './restart.js';
export type { ResumeFault } from './resume.js';
export type { SetLinkFault } from './set-link.js';
export type { SetAnaStateFault } from './set-ana-state.js';
export { ANA_STATE_NAMES } from './set-ana-state.js';
export type { SlowDeviceFault } from './slow-device.js';
export type { DeviceSelector, LinkSelector } from './selectors.js';
export type {
  FaultVerbRecord,
  FlowSelectorFields,
  RealCheckContext,
  RealFaultWorld,
  RealPeerControl,
  SimFaultOutcome,
  SimFaultWorld,
  TargetPortInfo,
  VerbCheckContext,
  VerbDoc,
  VerbFields,
} from './verb.js';
