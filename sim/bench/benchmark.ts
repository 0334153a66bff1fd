// One named benchmark of `npm run bench`: it returns a fragment of the printed JSON object.
export interface BenchOptions {
  /** Measured seconds for time-based benchmarks. */
  readonly seconds: number;
  readonly note: (message: string) => void;
}

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(options: BenchOptions): Promise<Record<string, unknown>>;
}
