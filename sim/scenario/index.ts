// The scenario package: the format (types.ts), loading and validation, and the runner.
export { defineScenario, FAULT_ACTIONS, INVARIANT_NAMES } from './types.js';
export type {
  CpuProfileName,
  DurationSpec,
  FaultAction,
  InvariantName,
  Scenario,
  ScenarioConnect,
  ScenarioFault,
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
  SizeSpec,
} from './types.js';
export type { ScenarioSteps, StepFault, StepHost, StepLogEntry, StepsResult, StepStats, StepWorld, UntilOptions } from './steps.js';
export { ScenarioError } from './scenario-error.js';
export { loadScenario } from './load.js';
export { resolveScenario } from './validate.js';
export type { ScenarioOverrides } from './validate.js';
export type { ResolvedScenario } from './resolved.js';
export { runScenario } from './runner.js';
export type { RunOptions, RunProgress } from './runner.js';
export { FAILURE_EXIT_STATUS, worstFailure } from './result.js';
export type { FailureClass, FailoverResult, InvariantResult, LatencyUs, PathResult, QueueCount, DirectionTotals, HostResult, ScenarioResult } from './result.js';
export type { TcpResult } from './result.js';
export { HostIoStats, TrackedDevice } from './tracked-device.js';
export { describeImportFailure, importUserModule } from './load.js';
export type { FieldAssignment } from './load.js';
export { FieldPathError, getFieldPath, parseFieldPath, parseSetValue, setFieldPath, splitAssignment } from './field-path.js';
export type { FieldPathSegment } from './field-path.js';
export { formatDuration, repeatCommand, setValueText, shellWord } from './repeat-command.js';
export type { Bottleneck, BottleneckResource, ResourceLoad } from './bottleneck.js';
