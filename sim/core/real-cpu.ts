// The real CPU seam: work has already been paid for by the machine that runs it.
import type { Cpu, Work } from './env.js';

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
