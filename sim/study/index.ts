// Studies: a scenario swept over axes and seeds on a pool of worker processes, with answers to the
// study's questions, sharding over machines and merging of the shards' results.
export { axisName, defineStudy, pointText, questionLabel } from './define-study.js';
export type { KneeQuestion, LargestQuestion, RatioQuestion, Study, StudyAxis, StudyPoint, StudyQuestion, StudyValue } from './define-study.js';
export { asStudyResult, mergeStudies } from './merge-studies.js';
export type { NamedStudyResult } from './merge-studies.js';
export { METRIC_NAMES, pointMetrics } from './point-metrics.js';
export type { PointMetrics } from './point-metrics.js';
export { pointRepeatCommand, runStudy } from './run-study.js';
export type { StudyRunOptions } from './run-study.js';
export { spreadOf } from './seed-spread.js';
export type { Spread } from './seed-spread.js';
export { inShard, parseShard } from './shard.js';
export type { Shard } from './shard.js';
export { StudyError } from './study-error.js';
export { expectText, ratioAnswerText } from './study-questions.js';
export type { QuestionAnswer, RatioAnswer, SeriesAnswer } from './study-questions.js';
export type { PointFailure, PointResult, SeedRecord, StudyIdentity, StudyResult } from './study-result.js';
export type { ScenarioTaskInput, TaskIntegrity, TaskOutcome } from './study-task.js';
export { defaultJobs, runOnPool } from './worker-pool.js';
export type { PoolProgress } from './worker-pool.js';
export { parseSeedList, sweepSeeds, SWEEP_MAX_SEEDS } from './seed-sweep.js';
export type { SweepOptions, SweepResult, SweepSeed } from './seed-sweep.js';
export { seriesAlong } from './series.js';
export type { StudySeries } from './series.js';
