// Loading a scenario file: a TypeScript (or JavaScript) module whose default export is the
// description. It is imported by absolute file URL through tsx's loader (already active when
// nvmf-sim runs from its sources; registered here, once, when it runs compiled) and the hooks of
// load-hooks.ts, which give the file `import 'nvmf-sim'` wherever it sits and load a `.ts` file as
// an ES module without a package.json beside it. Every way it can fail before running becomes one
// ScenarioError line naming the file: missing, not a file, a syntax or type-stripping error, an
// exception while the module evaluates, no default export, or a bad field.
import { stat } from 'node:fs/promises';
import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FieldPathError, setFieldPath } from './field-path.js';
import type { LoadHooksData } from './load-hooks.js';
import type { ResolvedScenario } from './resolved.js';
import { ScenarioError } from './scenario-error.js';
import { resolveScenario, type ScenarioOverrides } from './validate.js';

/**
 * True when this module runs as TypeScript source: then a TypeScript loader is active already, and
 * `nvmf-sim` is sim/index.ts; compiled, it is dist/index.js beside this file's dist/scenario/.
 */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const EXTENSION = FROM_SOURCES ? 'ts' : 'js';

let loaderReady: Promise<void> | undefined;

/** Registers, once per process, what importing a scenario file needs (see the top of this file). */
function prepareLoader(): Promise<void> {
  loaderReady ??= (async () => {
    // tsx is loaded only here, so commands that load no scenario never pay for it.
    if (!FROM_SOURCES) (await import('tsx/esm/api')).register();
    // Registered after tsx, so these hooks run first and see tsx's answer (the chain is last-in first).
    const data: LoadHooksData = { entryUrl: new URL(`../index.${EXTENSION}`, import.meta.url).href };
    register(new URL(`./load-hooks.${EXTENSION}`, import.meta.url), { data });
  })();
  return loaderReady;
}

/**
 * Imports a user's module (a scenario or a study file) by absolute path, with the loader and
 * hooks above in place. Errors are the import's own; callers turn them into one line.
 */
export async function importUserModule(absolute: string): Promise<{ default?: unknown }> {
  await prepareLoader();
  return (await import(pathToFileURL(absolute).href)) as { default?: unknown };
}

/** One `--set PATH=VALUE`: a field path (field-path.ts) and the value to put there. */
export interface FieldAssignment {
  readonly path: string;
  readonly value: unknown;
}

/**
 * Reads, compiles and checks a scenario file. `file` is kept as typed for messages. `sets` change
 * fields of the file's scenario before it is checked (`nvmf-sim run --set`, study axes); a path that
 * names nothing is a ScenarioError naming it.
 */
export async function loadScenario(
  file: string,
  overrides: ScenarioOverrides = {},
  sets: readonly FieldAssignment[] = [],
): Promise<ResolvedScenario> {
  const absolute = resolve(file);
  try {
    const info = await stat(absolute);
    if (!info.isFile()) throw new ScenarioError(file, '', 'is not a file');
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    throw new ScenarioError(file, '', 'no such file');
  }
  let module: { default?: unknown };
  try {
    module = await importUserModule(absolute);
  } catch (error) {
    throw new ScenarioError(file, '', describeImportFailure(error, absolute));
  }
  if (module.default === undefined) {
    throw new ScenarioError(file, '', 'has no default export (export default defineScenario({ ... }))');
  }
  let scenario: unknown = module.default;
  for (const { path, value } of sets) {
    try {
      scenario = setFieldPath(scenario, path, value);
    } catch (error) {
      if (error instanceof FieldPathError) throw new ScenarioError(file, path, error.message);
      throw error;
    }
  }
  return resolveScenario(scenario, file, overrides);
}

/**
 * One line for a module that failed to load. tsx (esbuild) reports syntax errors as
 * "Transform failed with N error(s):\n/abs/file.ts:L:C: ERROR: message"; Node reports its own
 * SyntaxError for JavaScript. The absolute path is dropped in favour of the line and column.
 */
export function describeImportFailure(error: unknown, absolute: string): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const located = lines.find((line) => line.includes('ERROR:'));
  if (located !== undefined) {
    const match = /:(\d+):(\d+):\s*ERROR:\s*(.*)$/.exec(located);
    if (match !== null) return `does not compile: line ${match[1]}:${match[2]}: ${match[3]}`;
    return `does not compile: ${located.replace(absolute, '').replace(/^[:\s]+/, '')}`;
  }
  const first = (lines[0] ?? 'unknown error').replace(absolute, 'the file');
  if (error instanceof SyntaxError) return `does not compile: ${first}`;
  return `failed to load: ${first}`;
}
