// The package version, read from package.json beside sim/ (and dist/): --version prints it, and
// study results carry it, since it is part of every run's content key.
import { readFileSync } from 'node:fs';

/** The package version, from package.json next to sim/. */
export function version(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const parsed = JSON.parse(text) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}
