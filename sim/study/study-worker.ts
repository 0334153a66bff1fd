// The worker side of the study pool: each call runs one task (a point under one seed) in this
// worker process's own simulator. Nothing is shared between tasks but the loaded study module,
// which a pool started ahead of its tasks names in NVMF_SIM_PRELOAD_STUDY so that it is compiled
// while the main process is still checking the points.
import { loadStudy } from './study-module.js';
import { runTask, type TaskInput, type TaskOutcome } from './study-task.js';

const preload = process.env.NVMF_SIM_PRELOAD_STUDY;
// A study that fails to load fails its first task with the same error, where it is reported.
if (preload !== undefined && preload !== '') await loadStudy(preload).catch(() => undefined);

export default function run(input: TaskInput): Promise<TaskOutcome> {
  return runTask(input);
}
