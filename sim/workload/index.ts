// The workload engine's public surface: fio-like jobs on a WorkloadDevice, with fio-shaped output.
export type { WorkloadDevice, WorkloadIo, WorkloadIoCallback } from './device.js';
export { JobError, resolveJob, RW_MODES, RATE_PROCESSES, DEFAULT_FIELD_NAMES, VERIFY_MAX_UNITS } from './job.js';
export type { JobSpec, ResolvedJob, RwMode, RateProcess, JobFieldNames } from './job.js';
export { WorkloadRun, runWorkload } from './engine.js';
export type { WorkloadEnv, WorkloadOptions } from './engine.js';
export { latencyPointsUs } from './stats.js';
export type {
  LatencyPointsUs,
  DirectionResult,
  IoFailure,
  QueueResult,
  VerifyResult,
  WorkloadProgress,
  WorkloadResult,
} from './stats.js';
export { fioOutput, fioJob, fioBins, fioPlatIndex, fioPlatValue, FIO_VERSION } from './fio-json.js';
export type { FioOutput, FioJob, FioDirection, FioLatency } from './fio-json.js';
export { formatFioText } from './fio-text.js';
export { MemoryDevice } from './memory-device.js';
export { shortNumber } from './fio-text.js';
