// Run statistics shared by every layer above: streaming latency histograms (fio's summary) and
// the TCP counters a run reports.
export { FIO_PERCENTILES, LatencyHistogram, percentileKey } from './latency.js';
export type { LatencySummary } from './latency.js';
export type { TcpResult } from './tcp-result.js';
