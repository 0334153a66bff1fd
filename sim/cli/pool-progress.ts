// A progress line for work on the worker pool (study points, seed sweeps): done of total, the rate,
// and the time left, redrawn in place on a terminal and printed once per quarter otherwise, so
// logs and CI get a few lines rather than thousands.
import type { CliIo } from './command.js';

const BAR_WIDTH = 30;

/** Seconds as a person reads them: 45s, 3m05s, 1h02m. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export interface PoolBar {
  report(done: number, total: number): void;
  finish(): void;
}

/** `what` names the unit: 'runs', 'seeds'. `nowMs` is the wall clock. */
export function poolBar(io: CliIo, what: string, nowMs: () => number): PoolBar {
  const startMs = nowMs();
  let drawn = false;
  let lastQuarter = 0;
  return {
    report(done, total) {
      const fraction = total === 0 ? 1 : done / total;
      const elapsed = (nowMs() - startMs) / 1000;
      const eta = done === 0 ? '?' : formatEta((elapsed / done) * (total - done));
      const filled = Math.round(fraction * BAR_WIDTH);
      const text = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total} ${what}, ${formatEta(elapsed)} elapsed, ETA ${eta}`;
      if (io.errIsTty) {
        io.err(`\r\x1b[K${text}`);
        drawn = true;
      } else if (Math.floor(fraction * 4) > lastQuarter) {
        lastQuarter = Math.floor(fraction * 4);
        io.err(`${text}\n`);
      }
    },
    finish() {
      if (drawn) io.err('\r\x1b[K');
    },
  };
}
