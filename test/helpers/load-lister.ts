// Runs the real nvmf-sim bin with a module load hook preloaded that lists every module of this
// repository the process loads, in order: to check what a start costs and that nothing loads twice.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, type Run } from './cli-run.js';

const ROOT = new URL('../../', import.meta.url);

/** Writes the hook into `dir` (a temporary directory) and returns the module to --import. */
function writeLoadLister(dir: string): string {
  const hooks = join(dir, 'list-loads-hooks.mjs');
  const preload = join(dir, 'list-loads.mjs');
  writeFileSync(
    hooks,
    `const ROOT = ${JSON.stringify(ROOT.href)};\n` +
      'export async function load(url, context, next) {\n' +
      "  if (url.startsWith(ROOT) && !url.includes('/node_modules/')) process.stderr.write(`loaded ${url}\\n`);\n" +
      '  return next(url, context);\n' +
      '}\n',
  );
  writeFileSync(preload, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  return preload;
}

/** The run, and the file URLs of the repository's modules it loaded (stderr keeps the other lines). */
export function nvmfSimListingLoads(
  dir: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ run: Run; loaded: string[] }> {
  const preload = writeLoadLister(dir);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--import=${pathToFileURL(preload).href}`, BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stderr.split('\n');
      const loaded = lines.filter((line) => line.startsWith('loaded ')).map((line) => line.slice('loaded '.length));
      const rest = lines.filter((line) => !line.startsWith('loaded ')).join('\n');
      resolve({ run: { code, stdout, stderr: rest }, loaded });
    });
  });
}
