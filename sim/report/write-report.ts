// Writes a report directory: report.json (the results themselves), report.md, report.html, and
// each chart as <id>.svg with its data as <id>.csv. Returns what it wrote.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv } from './chart-spec.js';
import { reportFio } from './fio-documents.js';
import type { Provenance } from './provenance.js';
import { reportDocument, type ReportSource } from './report-document.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import { renderSvgs } from './render-svg.js';

export interface WrittenReport {
  readonly dir: string;
  readonly html: string;
  readonly markdown: string;
  readonly json: string;
  /** Chart ids, in report order. */
  readonly charts: readonly string[];
  /** The answers, as the report states them first. */
  readonly answers: readonly string[];
}

export async function writeReport(dir: string, source: ReportSource, provenance: Provenance): Promise<WrittenReport> {
  const doc = reportDocument(source, provenance);
  const svgs = await renderSvgs(doc.charts);
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'report.json');
  // The results as saved, then their fio JSON (json+ bins included) per run, or per point and seed.
  const body = { provenance, ...(source.kind === 'run' ? { repeat: source.repeat } : {}), result: source.result, fio: reportFio(source) };
  writeFileSync(json, `${JSON.stringify(body, null, 2)}\n`);
  const markdown = join(dir, 'report.md');
  writeFileSync(markdown, renderMarkdown(doc));
  doc.charts.forEach((chart, i) => {
    writeFileSync(join(dir, `${chart.id}.svg`), svgs[i] ?? '');
    writeFileSync(join(dir, `${chart.id}.csv`), toCsv(chart));
  });
  const html = join(dir, 'report.html');
  writeFileSync(html, renderHtml(doc, svgs));
  return { dir, html, markdown, json, charts: doc.charts.map((chart) => chart.id), answers: doc.answers };
}
