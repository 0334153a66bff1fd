// The files generated from the scenario package's own definitions: the fault table of
// scenarios/README.md (from the fault-verb records) and scenarios/scenario.schema.json (from the
// zod schema, for editors). Tests check both are current; `--write` rewrites them:
//   node --import=tsx sim/scenario/generated-docs.ts --write
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { faultVerbTable } from './fault-verbs/index.js';

const README = fileURLToPath(new URL('../../scenarios/README.md', import.meta.url));
const BEGIN = /<!-- fault-verbs:[^>]*-->\n/;
const END = '<!-- /fault-verbs -->';

/** The README with its fault table as the records render it. */
export function readmeWithFaultTable(readme: string): string {
  const begin = BEGIN.exec(readme);
  const end = readme.indexOf(END);
  if (begin === null || end < 0) throw new Error('scenarios/README.md has no fault-verbs markers');
  const start = begin.index + begin[0].length;
  return `${readme.slice(0, start)}${faultVerbTable()}\n${readme.slice(end)}`;
}

/** Each generated file: where, what it holds now, and what it should hold. */
export function generatedFiles(): { readonly path: string; readonly current: string; readonly expected: string }[] {
  const readme = readFileSync(README, 'utf8');
  return [{ path: README, current: readme, expected: readmeWithFaultTable(readme) }];
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
