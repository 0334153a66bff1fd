// One-off codemod: every import that crosses a folder of sim/ goes through that folder's index.ts.
import ts from 'typescript';
import fs from 'node:fs';
import path from 'node:path';

const root = process.cwd();
const files = [];
function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.push(path.relative(root, p));
  }
}
walk('sim');
walk('scenarios');
const folderOf = (f) => (f.startsWith('sim/') ? f.split('/').slice(0, 2).join('/') : 'scenarios');
const needs = new Map(); // folder -> Map(file -> {values:Set, types:Set})
const edits = new Map(); // file -> [{start,end,text}]
for (const f of files) {
  const src = fs.readFileSync(f, 'utf8');
  const sf = ts.createSourceFile(f, src, ts.ScriptTarget.Latest, true);
  const from = folderOf(f);
  for (const st of sf.statements) {
    if (!(ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) || !st.moduleSpecifier) continue;
    const spec = st.moduleSpecifier.text;
    if (!spec.startsWith('.')) continue;
    const target = path.normalize(path.join(path.dirname(f), spec)).replace(/\.js$/, '.ts');
    if (!target.startsWith('sim/')) continue;
    const to = folderOf(target);
    if (to === from || target === `${to}/index.ts`) continue;
    const rec = needs.get(to) ?? new Map();
    needs.set(to, rec);
    const entry = rec.get(target) ?? { values: new Set(), types: new Set() };
    rec.set(target, entry);
    const add = (name, isType) => (isType ? entry.types : entry.values).add(name);
    if (ts.isImportDeclaration(st)) {
      const clause = st.importClause;
      if (!clause) throw new Error(`${f}: side-effect import of ${spec}`);
      if (clause.name) throw new Error(`${f}: default import of ${spec}`);
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) throw new Error(`${f}: namespace import of ${spec}`);
      for (const el of nb?.elements ?? []) add((el.propertyName ?? el.name).text, clause.isTypeOnly || el.isTypeOnly);
    } else {
      const ec = st.exportClause;
      if (!ec || !ts.isNamedExports(ec)) throw new Error(`${f}: export * of ${spec}`);
      for (const el of ec.elements) add((el.propertyName ?? el.name).text, st.isTypeOnly || el.isTypeOnly);
    }
    let rel = path.relative(path.dirname(f), `${to}/index.js`);
    if (!rel.startsWith('.')) rel = `./${rel}`;
    const list = edits.get(f) ?? [];
    edits.set(f, list);
    list.push({ start: st.moduleSpecifier.getStart(sf), end: st.moduleSpecifier.getEnd(), text: `'${rel}'` });
  }
}
// Names the existing index files already export.
for (const [folder, rec] of needs) {
  const idx = `${folder}/index.ts`;
  let text = fs.existsSync(idx) ? fs.readFileSync(idx, 'utf8') : `// The public surface of ${folder}: what other folders may import from it.\n`;
  const sf = ts.createSourceFile(idx, text, ts.ScriptTarget.Latest, true);
  const have = new Set();
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause))
      for (const el of st.exportClause.elements) have.add(el.name.text);
  }
  const owner = new Map();
  let add = '';
  for (const [file, { values, types }] of [...rec].sort((a, b) => a[0].localeCompare(b[0]))) {
    const rel = `./${path.basename(file).replace(/\.ts$/, '.js')}`;
    const v = [...values].filter((n) => !have.has(n)).sort();
    const t = [...types].filter((n) => !have.has(n) && !values.has(n)).sort();
    for (const n of [...v, ...t]) {
      if (owner.has(n) && owner.get(n) !== file) { console.warn(`${folder}: ${n} from ${owner.get(n)} and ${file}`); }
      owner.set(n, file);
    }
    if (v.length) add += `export { ${v.join(', ')} } from '${rel}';\n`;
    if (t.length) add += `export type { ${t.join(', ')} } from '${rel}';\n`;
  }
  if (add) fs.writeFileSync(idx, text.trimEnd() + '\n' + add);
}
for (const [f, list] of edits) {
  let s = fs.readFileSync(f, 'utf8');
  for (const e of list.sort((a, b) => b.start - a.start)) s = s.slice(0, e.start) + e.text + s.slice(e.end);
  fs.writeFileSync(f, s);
}
console.log(`rewrote ${[...edits.values()].reduce((a, l) => a + l.length, 0)} imports in ${edits.size} files; indices: ${[...needs.keys()].join(' ')}`);
