// The charts of a single run's report: latency per queue (the head-of-line view: one slow queue
// stands out) and CPU utilisation per core of each node.
import type { ScenarioResult } from '../scenario/index.js';
import type { ChartSpec } from './chart-spec.js';

export function runCharts(result: ScenarioResult): ChartSpec[] {
  const specs: ChartSpec[] = [];
  const queues = result.perQueue.filter((queue) => queue.latencyUs !== undefined);
  if (queues.length > 0) {
    const labels = queues.map((queue) => `${queue.host} q${queue.qid}`);
    const points = ['p50', 'p99', 'p999'] as const;
    specs.push({
      id: 'latency-per-queue',
      title: 'Latency per queue',
      caption: 'p50, p99 and p99.9 of each I/O queue (NVMe qid); a queue whose tail stands out is blocked behind something.',
      option: {
        title: { text: 'Latency per queue', left: 'center', textStyle: { fontSize: 15 } },
        legend: { bottom: 0 },
        grid: { left: 80, right: 30, top: 50, bottom: 80 },
        xAxis: { type: 'category', data: labels, axisLabel: { rotate: labels.length > 12 ? 45 : 0 } },
        yAxis: { type: 'log', name: 'latency (µs)', nameLocation: 'middle', nameGap: 60 },
        series: points.map((point) => ({ name: point === 'p999' ? 'p99.9' : point, type: 'bar', data: queues.map((queue) => queue.latencyUs?.[point] ?? 0) })),
      },
      csv: {
        columns: ['host', 'qid', 'ios', 'p50_us', 'p99_us', 'p999_us', 'max_us'],
        rows: queues.map((queue) => [queue.host, queue.qid, queue.ios, queue.latencyUs?.p50 ?? 0, queue.latencyUs?.p99 ?? 0, queue.latencyUs?.p999 ?? 0, queue.latencyUs?.max ?? 0]),
      },
    });
  }
  if (result.cpu.length > 0) {
    const cores = Math.max(...result.cpu.map((node) => node.utilisation.length));
    specs.push({
      id: 'cpu-per-core',
      title: 'CPU utilisation per core',
      caption: 'Busy fraction of each core of each node over the run.',
      option: {
        title: { text: 'CPU utilisation per core', left: 'center', textStyle: { fontSize: 15 } },
        legend: { bottom: 0 },
        grid: { left: 70, right: 30, top: 50, bottom: 70 },
        xAxis: { type: 'category', name: 'core', nameLocation: 'middle', nameGap: 26, data: Array.from({ length: cores }, (_, i) => String(i)) },
        yAxis: { type: 'value', max: 100, name: 'busy %', nameLocation: 'middle', nameGap: 45 },
        series: result.cpu.map((node) => ({ name: `${node.node} (${node.profile})`, type: 'bar', data: node.utilisation.map((u) => Math.round(u * 1000) / 10) })),
      },
      csv: {
        columns: ['node', 'profile', 'core', 'utilisation'],
        rows: result.cpu.flatMap((node) => node.utilisation.map((u, core) => [node.node, node.profile, core, u])),
      },
    });
  }
  return specs;
}
