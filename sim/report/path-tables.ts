// The multipath view of a run: each path of each multipath host (its target, state, ANA state, I/Os,
// errors, failovers and latency) and each failover with its stall, from the last success on the
// failed path to the first success on another. Single-path runs have neither table.
import { formatNumber as number } from '../stats/index.js';
import type { ScenarioResult } from '../scenario/index.js';
import type { ReportTable } from './report-table.js';

export function pathTables(result: ScenarioResult): ReportTable[] {
  const hosts = result.perHost.filter((host) => host.paths !== undefined && host.paths.length > 0);
  if (hosts.length === 0) return [];
  const paths: ReportTable = {
    title: 'Per path (multipath hosts)',
    columns: ['host', 'path', 'target', 'state', 'ANA', 'I/Os', 'errors', 'failovers', 'p50 µs', 'p99 µs', 'max µs'],
    rows: hosts.flatMap((host) =>
      (host.paths ?? []).map((path, i, all) => [
        i === 0 ? host.host : '',
        path.name,
        // Paths to two ports of one target are told apart by the port, as failovers name them.
        all.filter((other) => other.target === path.target).length > 1 ? `${path.target}/${path.port}` : path.target,
        path.state,
        path.anaState,
        number(path.completed),
        number(path.errors),
        number(path.failovers),
        number(path.latencyUs.p50, 1),
        number(path.latencyUs.p99, 1),
        number(path.latencyUs.max, 1),
      ]),
    ),
  };
  const events = hosts.flatMap((host) => (host.failovers ?? []).map((failover) => ({ host: host.host, failover })));
  const failovers: ReportTable = {
    title: 'Failovers (stall: last success on the failed path to the first on another)',
    columns: ['host', 'from', 'to', 'last success ms', 'detected ms', 'stall ms'],
    rows: events.map(({ host, failover }) => [
      host,
      failover.fromPath,
      `${failover.toPath ?? 'none'}${failover.noPathMs === undefined ? '' : ` (no usable path from ${number(failover.noPathMs, 2)} ms)`}`,
      number(failover.atMs, 2),
      number(failover.detectedMs, 2),
      failover.failedMs !== undefined ? `I/O failed at ${number(failover.failedMs, 2)}` : failover.stallMs === null ? 'no recovery' : number(failover.stallMs, 2),
    ]),
  };
  return events.length === 0 ? [paths] : [paths, failovers];
}
