// The soak (`npm run soak`): the library's safety scenarios over many seeds, counting acknowledged
// writes lost and silent corruptions with digests on; both must be zero.
export { SOAK_SCENARIOS } from './soak-scenarios.js';
export type { MismatchKind, SoakScenario } from './soak-scenarios.js';
export { runSoak } from './soak-run.js';
export type { SoakFailure, SoakOptions, SoakResult, SoakRow } from './soak-run.js';
export { soakTable } from './soak-table.js';
export { soakMain } from './soak-main.js';
