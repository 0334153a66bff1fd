// Loading a study file and its base scenario, in the main thread and in each worker. Both are
// TypeScript modules imported by file URL; a loaded study is kept per file, so a worker that runs
// many points of one study loads it once.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeImportFailure, importUserModule } from '../scenario/index.js';
import type { Scenario } from '../scenario/index.js';
import type { Study } from './define-study.js';
import { StudyError } from './study-error.js';
import { baseScenarioPath, checkStudy, displayPath } from './study-plan.js';

export interface LoadedStudy {
  readonly study: Study;
  /** The study file as the user named it, for messages. */
  readonly file: string;
  /** The base scenario when the study names it by path. */
  readonly base: Scenario | undefined;
  /** The base scenario's path as a user would type it, when by path. */
  readonly basePath: string | undefined;
}

const loaded = new Map<string, Promise<LoadedStudy>>();

async function importDefault(file: string, shown: string): Promise<unknown> {
  const absolute = resolve(file);
  try {
    if (!(await stat(absolute)).isFile()) throw new StudyError(shown, 'is not a file');
  } catch (error) {
    if (error instanceof StudyError) throw error;
    throw new StudyError(shown, 'no such file');
  }
  let module: { default?: unknown };
  try {
    module = await importUserModule(absolute);
  } catch (error) {
    throw new StudyError(shown, describeImportFailure(error, absolute));
  }
  if (module.default === undefined) throw new StudyError(shown, 'has no default export');
  return module.default;
}

async function load(file: string): Promise<LoadedStudy> {
  const study = checkStudy(await importDefault(file, file), file);
  const path = baseScenarioPath(study, file);
  const base = path === undefined ? undefined : ((await importDefault(path, displayPath(path))) as Scenario);
  return { study, file, base, basePath: path === undefined ? undefined : displayPath(path) };
}

/** Loads (once per file and thread) and checks a study file. */
export function loadStudy(file: string): Promise<LoadedStudy> {
  const key = resolve(file);
  let entry = loaded.get(key);
  if (entry === undefined) {
    entry = load(file);
    loaded.set(key, entry);
    // A failed load is not cached: the next call reports the error again.
    entry.catch(() => loaded.delete(key));
  }
  return entry;
}
