// The real-world environment: wall-clock time, Node timers, immediate CPU and real sockets.
// This is the only place outside sim/net/real-*, sim/interop and sim/cli where the target and
// host meet the real world; the simulator provides the same NodeEnv from sim/core.
import type { Clock, Cpu, Logger, NodeEnv, Timer, Work } from './env.js';
import { RealNetwork } from '../net/real-network.js';
import { SeededRngSource } from './rng.js';

/** process.hrtime-based clock with Node timers. */
export class RealClock implements Clock {
  #timers = new Map<number, NodeJS.Timeout>();
  #nextId = 1;
  readonly #originNs = process.hrtime.bigint();

  nowNs(): number {
    return Number(process.hrtime.bigint() - this.#originNs);
  }

  setTimer(delayNs: number, callback: () => void): Timer {
    const id = this.#nextId++;
    const handle = setTimeout(() => {
      this.#timers.delete(id);
      callback();
    }, Math.max(0, Math.ceil(delayNs / 1e6)));
    this.#timers.set(id, handle);
    return { id };
  }

  clearTimer(timer: Timer): void {
    const handle = this.#timers.get(timer.id);
    if (handle !== undefined) {
      clearTimeout(handle);
      this.#timers.delete(timer.id);
    }
  }

  /** Cancels every pending timer (used on shutdown so the process can exit). */
  clearAll(): void {
    for (const handle of this.#timers.values()) clearTimeout(handle);
    this.#timers.clear();
  }
}

/** Real CPU: the work has already been paid for by the machine, so run it now. */
export class RealCpu implements Cpu {
  readonly cores: number;
  constructor(cores = 1) {
    this.cores = cores;
  }
  run(_core: number, _work: Work, fn: () => void): void {
    fn();
  }
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** A stderr logger with a level threshold. */
export function stderrLogger(level: LogLevel = 'warn', prefix = ''): Logger {
  const threshold = LEVELS[level];
  const emit = (at: LogLevel, message: string): void => {
    if (LEVELS[at] >= threshold) process.stderr.write(`${prefix}${at}: ${message}\n`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
  };
}

export interface RealEnvOptions {
  readonly seed?: string;
  readonly logLevel?: LogLevel;
  readonly logPrefix?: string;
}

/** Builds a NodeEnv on real sockets and wall time. */
export function realEnv(options: RealEnvOptions = {}): NodeEnv & { clock: RealClock } {
  return {
    network: new RealNetwork(),
    clock: new RealClock(),
    cpu: new RealCpu(),
    rng: new SeededRngSource(options.seed ?? 'real'),
    log: stderrLogger(options.logLevel ?? 'warn', options.logPrefix ?? ''),
  };
}
