// Reports people read, from run and study results: Markdown, self-contained HTML, and each chart as
// SVG (Apache ECharts, rendered on the server) with its data as CSV; and the terminal summaries of
// run, study and seed sweeps, rendered from the same documents.
export type { ChartSpec } from './chart-spec.js';
export type { Provenance } from './provenance.js';
export { reportDocument } from './report-document.js';
export type { ReportDocument, ReportSource, ReportTable } from './report-document.js';
export { writeReport } from './write-report.js';
export type { WrittenReport } from './write-report.js';
export { formatRunSummary, formatTcp } from './run-summary.js';
export { formatStudySummary, studyAnswerLines } from './study-summary.js';
export { formatSweepSummary } from './sweep-summary.js';
