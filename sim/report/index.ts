// The public surface of sim/report: what other folders may import from it.
export { FIO_PERCENTILES, LatencyHistogram, percentileKey } from './latency.js';
export type { LatencySummary } from './latency.js';
export type { TcpResult } from './tcp-result.js';
