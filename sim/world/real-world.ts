// The real-world environment of one node: wall-clock time, Node timers, immediate CPU and real
// sockets. The simulator builds the same NodeEnv in sim-world.ts.
import { RealClock, RealCpu, SeededRngSource, stderrLogger, type LogLevel, type NodeEnv } from '../core/index.js';
import { RealNetwork } from '../net/index.js';

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
