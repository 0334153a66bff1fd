// Run statistics shared by every layer above: streaming latency histograms (fio's summary) and
// the TCP counters a run reports.
export { FIO_PERCENTILES, LatencyHistogram, percentileKey } from './latency.js';
export type { LatencyHistogramOptions, LatencySummary } from './latency.js';
export type { TcpResult } from './tcp-result.js';
export { IntervalSeries } from './interval-series.js';
export type { IntervalRow } from './interval-series.js';
export { formatNumber } from './format-number.js';
