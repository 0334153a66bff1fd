// The repository stands alone: the design document's dependency graph matches the imports, every
// pointer into docs/ (`docs/x.md, "Heading"` in a comment, a Markdown link between pages) names a
// file and a heading that exist, and nothing points at files outside the repository.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = process.cwd();
/** Where pointers into docs/ may appear. */
const SOURCES = ['sim', 'test', 'scenarios', 'tools', 'images', 'docs', 'README.md', '.dependency-cruiser.cjs', 'eslint.config.js'];
const EXTENSIONS = /\.(ts|mts|mjs|cjs|js|md|sh)$/;

function files(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [entry];
  const out: string[] = [];
  for (const child of fs.readdirSync(full, { withFileTypes: true })) {
    if (child.name === 'node_modules' || child.name === 'build' || child.name.startsWith('.')) continue;
    const rel = path.join(entry, child.name);
    if (child.isDirectory()) out.push(...files(rel));
    else if (EXTENSIONS.test(child.name)) out.push(rel);
  }
  return out;
}

/** A page's headings, as written after the #s. */
function headings(page: string): Set<string> {
  const text = fs.readFileSync(path.join(ROOT, 'docs', page), 'utf8');
  return new Set([...text.matchAll(/^#{1,6} +(.+?) *$/gm)].map((m) => m[1] ?? ''));
}

interface Pointer {
  readonly where: string;
  readonly page: string;
  readonly heading: string | undefined;
}

/**
 * Pointers in a file: `docs/page.md` optionally followed by `, "Heading"` (a comment may wrap
 * between the two), and in docs/ pages also Markdown links `](page.md)` with the same tail.
 */
function pointers(file: string): Pointer[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const tail = String.raw`(?:,\s*(?:(?:\/\/|\*|#)\s*)?"([^"\n]+)")?`;
  // Pages link to each other relatively; a `docs/...` path inside a page names another project's file.
  const patterns = file.startsWith(`docs${path.sep}`)
    ? [new RegExp(String.raw`\]\(([\w.-]+\.md)\)` + tail, 'g')]
    : [new RegExp(String.raw`(?<![\w/.-])docs\/([\w.-]+\.md)` + tail, 'g')];
  const out: Pointer[] = [];
  for (const pattern of patterns) {
    for (const m of text.matchAll(pattern)) {
      const line = text.slice(0, m.index).split('\n').length;
      out.push({ where: `${file}:${line}`, page: m[1] ?? '', heading: m[2] });
    }
  }
  return out;
}

test('docs: the dependency graph in docs/DESIGN.md matches the imports', (t) => {
  const output = execFileSync(process.execPath, ['tools/render-graph.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
  t.regex(output, /up to date/);
});

test('docs: every pointer into docs/ names a page and a heading that exist', (t) => {
  const all = SOURCES.flatMap(files)
    .filter((file) => file !== path.join('test', 'docs.test.ts'))
    .flatMap(pointers);
  t.true(all.length > 0);
  const broken: string[] = [];
  for (const pointer of all) {
    if (!fs.existsSync(path.join(ROOT, 'docs', pointer.page))) broken.push(`${pointer.where}: docs/${pointer.page} does not exist`);
    else if (pointer.heading !== undefined && !headings(pointer.page).has(pointer.heading)) {
      broken.push(`${pointer.where}: docs/${pointer.page} has no heading "${pointer.heading}"`);
    }
  }
  t.deepEqual(broken, []);
});

test('docs: nothing points at files outside the repository', (t) => {
  const outside = /\.\.\/shared\/|\/work\//;
  const hits: string[] = [];
  for (const file of SOURCES.flatMap(files)) {
    if (file === path.join('test', 'docs.test.ts')) continue;
    fs.readFileSync(path.join(ROOT, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (outside.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  t.deepEqual(hits, []);
});
