// Checks the layering (.dependency-cruiser.cjs) with dependency-cruiser. Fails on any violation
// that is not in the config's `exceptions`, and on any exception that no violation needs any more
// (as TigerBeetle's tidy.zig keeps its allow-lists honest).
// Usage: node tools/check-layers.mjs [--root DIR] [--json]; exit 1 on failure.
import { createRequire } from 'node:module';
import path from 'node:path';
import { cruise } from 'dependency-cruiser';

const args = process.argv.slice(2);
const rootIndex = args.indexOf('--root');
const root = path.resolve(rootIndex >= 0 ? (args[rootIndex + 1] ?? '.') : '.');
const require = createRequire(import.meta.url);
const config = require(path.join(root, '.dependency-cruiser.cjs'));

/** An exception matches a violation of its rule whose from (and to, when given) start with its paths. */
const matches = (exception, violation) =>
  exception.rule === violation.rule.name &&
  violation.from.startsWith(exception.from) &&
  (exception.to === undefined || violation.to.startsWith(exception.to));

const previous = process.cwd();
process.chdir(root);
let result;
try {
  const roots = ['sim', 'scenarios'].filter((d) => require('node:fs').existsSync(d));
  result = await cruise(roots, {
    validate: true,
    ruleSet: { forbidden: config.forbidden },
    ...config.options,
  });
} finally {
  process.chdir(previous);
}
const violations = result.output.summary.violations;
const exceptions = config.exceptions ?? [];
const unexpected = violations.filter((v) => !exceptions.some((e) => matches(e, v)));
const stale = exceptions.filter((e) => !violations.some((v) => matches(e, v)));
const describe = (v) =>
  v.rule.name === 'no-circular' ? `${v.rule.name}: ${[v.from, ...(v.cycle ?? []).map((c) => c.name ?? c)].join(' -> ')}` : `${v.rule.name}: ${v.from} -> ${v.to}`;
if (args.includes('--json')) {
  console.log(JSON.stringify({ modules: result.output.summary.totalCruised, unexpected: unexpected.map(describe), stale }, null, 2));
} else {
  for (const v of unexpected) console.error(`layering: ${describe(v)}`);
  for (const e of stale) console.error(`layering: exception no longer needed, remove it: ${JSON.stringify(e)}`);
  if (unexpected.length === 0 && stale.length === 0)
    console.log(`layering: ${result.output.summary.totalCruised} modules, no violations (${exceptions.length} exception(s))`);
}
process.exit(unexpected.length === 0 && stale.length === 0 ? 0 : 1);
