// The NVMe/TCP target's public surface. Everything else under sim/target is internal to the engine.
export { NvmeTarget } from './target.js';
export type { BoundPort, ControllerInfo } from './target.js';
export type { BackendFactory, NvmeTargetOptions } from './target-options.js';
export type { TargetStats } from './target-stats.js';
export { ConfigError } from './config-error.js';
export { normalizeTargetConfig, versionToVs } from './config.js';
export type { NormalizeOptions } from './config.js';
export type {
  AnaGroupConfig,
  AnaStateName,
  HostConfig,
  NamespaceConfig,
  PortConfig,
  ReferralConfig,
  SubsystemConfig,
  TargetConfig,
  TargetEntries,
  TreqName,
} from './config.js';
export { TargetModel } from './model.js';
export type { LiveNamespace, LivePort, LiveSubsystem, ModelChange, SubsystemAttributes } from './model.js';
export { formatNvmetcliConfig, nvmetcliToEntries, parseNvmetcliConfig } from './nvmetcli.js';
export { reconcileTarget, ReconcileError } from './reconcile.js';
export type { ReconcileResult } from './reconcile.js';
