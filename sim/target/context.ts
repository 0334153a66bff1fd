// What every part of the target engine shares: the environment seams, the resolved options, the live
// model, the controller registry and the counters. Kept apart from target.ts so the per-concern files
// (queue, controller, command handlers) depend on this small interface and not on each other. The
// controller itself depends only on the parts it uses (controller.ts ControllerEnv), so the registry
// here can hold controllers without an import circle.
import type { Logger, NodeEnv } from '../core/index.js';
import type { ControllerRegistry } from './controller-registry.js';
import type { TargetModel } from './model.js';
import type { ResolvedTargetOptions } from './target-options.js';
import type { TargetStats } from './target-stats.js';

export interface TargetContext {
  readonly env: NodeEnv;
  readonly log: Logger;
  readonly options: ResolvedTargetOptions;
  readonly model: TargetModel;
  readonly controllers: ControllerRegistry;
  readonly stats: TargetStats;
}
