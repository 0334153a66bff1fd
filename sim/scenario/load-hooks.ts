// Module resolution hooks for scenario files (node:module register(), run on Node's loader thread).
// Two rules, so that a scenario file loads the same wherever it sits:
// - `import ... from 'nvmf-sim'` resolves to the entry of the nvmf-sim that is running (data.entryUrl:
//   dist/index.js for the compiled bin, sim/index.ts for the sources). A file outside the repository
//   has no node_modules/nvmf-sim to find, and even one that had would load a second copy whose
//   classes and registries differ from the runner's; one URL means one module instance.
// - A `.ts`/`.tsx` file that Node would treat as CommonJS (no package.json with "type": "module"
//   above it) is loaded as an ES module. Scenario files use `import`/`export`; compiled to CommonJS
//   their `import 'nvmf-sim'` becomes a require() of an ES module that is itself still loading, which
//   Node refuses ("Cannot require() ES Module ... in a cycle"). `.cts` stays CommonJS, and packages
//   under node_modules keep their own format.
import type { InitializeHook, ResolveHook } from 'node:module';

/** What loadScenario passes to register(): the entry module `import 'nvmf-sim'` must reach. */
export interface LoadHooksData {
  readonly entryUrl: string;
}

export const PACKAGE_NAME = 'nvmf-sim';

let entryUrl: string | undefined;

export const initialize: InitializeHook<LoadHooksData> = (data) => {
  entryUrl = data.entryUrl;
};

const TYPESCRIPT_MODULE = /\.tsx?$/;

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  if (specifier === PACKAGE_NAME && entryUrl !== undefined) return { url: entryUrl, format: 'module', shortCircuit: true };
  const resolved = await nextResolve(specifier, context);
  const path = resolved.url.split(/[?#]/, 1)[0] ?? '';
  if (resolved.format === 'commonjs' && path.startsWith('file:') && TYPESCRIPT_MODULE.test(path) && !path.includes('/node_modules/')) {
    return { ...resolved, format: 'module' };
  }
  return resolved;
};
