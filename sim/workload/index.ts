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
export { readFioJobFile, FioJobFileError } from './fio-job-file.js';
export type { FioJobFileText, FioJobSection, FioOptionLine } from './fio-job-file.js';
export { planFioJobs, FIO_IGNORED_OPTIONS, FIO_SUPPORTED_OPTIONS } from './fio-job-options.js';
export type { FioJobPlan } from './fio-job-options.js';
export { resolveFioJobs, FioJobFileRun, fioReportEntries, fioJobFileOutput } from './fio-job-run.js';
export type { FioJobInstance, FioReportEntry, FioResolveOptions } from './fio-job-run.js';
export type { BlockSizeShare } from './block-size-split.js';
export type { RandomDistributionSpec } from './random-distribution.js';
