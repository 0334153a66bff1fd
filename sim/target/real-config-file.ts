// Reading and writing an nvmetcli config.json on the real file system (`nvmetcli restore` / `save`).
// Kept out of nvmetcli.ts, which only turns text into a configuration and back, so nothing under
// sim/target needs the file system except this file. Failures are one-line ConfigErrors naming the file.
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { TargetEntries } from './config.js';
import { ConfigError } from './config-error.js';
import { formatNvmetcliConfig, parseNvmetcliConfig } from './nvmetcli.js';

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}

/** Reads and checks a config.json. Errors name the path, e.g. `/etc/nvmet/config.json: cannot read: ENOENT: ...`. */
export async function loadNvmetcliFile(path: string): Promise<TargetEntries> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, '', `cannot read: ${oneLine(error)}`);
  }
  return parseNvmetcliConfig(text, path);
}

/** Writes a config.json the way nvmetcli save does: to `<path>.temp`, then renamed over `path`. */
export async function saveNvmetcliFile(path: string, entries: TargetEntries): Promise<void> {
  const temporary = `${path}.temp`;
  try {
    await writeFile(temporary, formatNvmetcliConfig(entries), { mode: 0o600 });
    await rename(temporary, path);
  } catch (error) {
    throw new ConfigError(path, '', `cannot write: ${oneLine(error)}`);
  }
}
