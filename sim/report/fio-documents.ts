// The fio JSON of a report (report.json's `fio`): what `nvmf-sim io --output-format json` prints,
// one document per run with a job per host, json+ latency bins included, so that fio's own tools
// (fio_jsonplus_clat2csv, fio-plot, ...) read a simulated run as they read fio's. A study has one
// document per point and seed. The jobs are the hosts' own (result.perHost[].fio).
import type { ScenarioResult } from '../scenario/index.js';
import type { StudyResult } from '../study/index.js';
import { FIO_VERSION, type FioOutput } from '../workload/index.js';

export interface RunFio {
  readonly kind: 'run';
  readonly output: FioOutput;
}

export interface StudyFio {
  readonly kind: 'study';
  readonly points: readonly {
    readonly index: number;
    readonly point: Readonly<Record<string, unknown>>;
    readonly seed: string;
    readonly output: FioOutput;
  }[];
}

export function runFio(result: ScenarioResult): FioOutput {
  return { 'fio version': FIO_VERSION, jobs: result.perHost.flatMap((host) => (host.fio === undefined ? [] : [host.fio])) };
}

export function reportFio(source: { readonly kind: 'run'; readonly result: ScenarioResult } | { readonly kind: 'study'; readonly result: StudyResult }): RunFio | StudyFio {
  if (source.kind === 'run') return { kind: 'run', output: runFio(source.result) };
  return {
    kind: 'study',
    points: source.result.points.flatMap((point) =>
      point.seeds.map((seed) => ({ index: point.index, point: point.point, seed: seed.seed, output: runFio(seed.result) })),
    ),
  };
}
