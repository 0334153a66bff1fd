// The worker side of the study pool: each call runs one task (a point under one seed) in this
// worker process's own simulator. Nothing is shared between tasks but the loaded study module.
import { runTask, type TaskInput, type TaskOutcome } from './study-task.js';

export default function run(input: TaskInput): Promise<TaskOutcome> {
  return runTask(input);
}
