// The files generated from the scenario package's own definitions: the fault and invariant tables
// of scenarios/README.md (from the fault-verb records and invariants.ts) and scenarios/scenario.schema.json (from the
// zod schema, for editors). Tests check both are current; `--write` rewrites them:
//   node --import=tsx sim/scenario/generated-docs.ts --write
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { faultVerbTable } from './fault-verbs/index.js';
import { invariantTable } from './invariants.js';
import { scenarioJsonSchema } from './schema/scenario.js';

const README = fileURLToPath(new URL('../../scenarios/README.md', import.meta.url));
const JSON_SCHEMA = fileURLToPath(new URL('../../scenarios/scenario.schema.json', import.meta.url));

/** Replaces what sits between `<!-- name: ... -->` and `<!-- /name -->` with `content`. */
function replaceSection(text: string, name: string, content: string): string {
  const begin = new RegExp(`<!-- ${name}:[^>]*-->\n`).exec(text);
  const end = text.indexOf(`<!-- /${name} -->`);
  if (begin === null || end < 0) throw new Error(`scenarios/README.md has no ${name} markers`);
  const start = begin.index + begin[0].length;
  return `${text.slice(0, start)}${content}\n${text.slice(end)}`;
}

/** The README with its generated tables as the definitions render them. */
export function readmeWithTables(readme: string): string {
  return replaceSection(replaceSection(readme, 'fault-verbs', faultVerbTable()), 'invariants', invariantTable());
}

/** Each generated file: where, what it holds now, and what it should hold. */
export function generatedFiles(): { readonly path: string; readonly current: string; readonly expected: string }[] {
  const readme = readFileSync(README, 'utf8');
  const read = (path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  return [
    { path: README, current: readme, expected: readmeWithTables(readme) },
    { path: JSON_SCHEMA, current: read(JSON_SCHEMA), expected: `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n` },
  ];
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const write = process.argv.includes('--write');
  let stale = 0;
  for (const file of generatedFiles()) {
    if (file.current === file.expected) continue;
    stale++;
    if (write) writeFileSync(file.path, file.expected);
    process.stdout.write(`${write ? 'wrote' : 'stale'}: ${file.path}\n`);
  }
  process.exitCode = stale > 0 && !write ? 1 : 0;
}
