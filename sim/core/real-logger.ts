// Log lines to stderr with a level threshold: the real-world Logger seam.
import type { Logger, LogLevel } from './env.js';
import { LOG_LEVEL_RANK } from './env.js';

/** A stderr logger with a level threshold. */
export function stderrLogger(level: LogLevel = 'warn', prefix = ''): Logger {
  const threshold = LOG_LEVEL_RANK[level];
  const emit = (at: LogLevel, message: string): void => {
    if (LOG_LEVEL_RANK[at] >= threshold) process.stderr.write(`${prefix}${at}: ${message}\n`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
  };
}
