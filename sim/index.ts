// The package's public entry, `import { defineScenario, runScenario } from 'nvmf-sim'`: the
// scenario API (format, loading, validation, runner and results). package.json `exports` points
// here under the "source" condition (tests, typecheck) and at its compiled copy in dist/ otherwise.
// Re-export whole folder surfaces, so what a folder's index.ts adds is public without a second list.
export * from './scenario/index.js';
export * from './study/index.js';
