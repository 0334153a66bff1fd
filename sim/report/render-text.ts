// The plain-text rendering of a report, for a terminal: the same document the Markdown and HTML
// renderings draw (report-document.ts), its answers as lines and its tables as aligned columns, so
// a summary printed by `nvmf-sim run` or `study` says what report.md says, digit for digit.
import type { Provenance } from './provenance.js';
import { reportDocument, type ReportDocument, type ReportSource, type ReportTable } from './report-document.js';

/**
 * A terminal shows no provenance (the CLI prints the repeat command itself): the document built
 * for it carries this stand-in, which no text rendering prints.
 */
const NO_PROVENANCE: Provenance = {
  tool: 'nvmf-sim',
  version: '',
  commit: '',
  file: '',
  fileHash: '',
  seeds: [],
  timeBase: 'virtual',
  renderedAt: '',
};

/** The document a terminal summary renders: the report's, without provenance. */
export function summaryDocument(source: ReportSource): ReportDocument {
  return reportDocument(source, NO_PROVENANCE);
}

/** Markdown's **bold** (how answers mark their value) as plain text. */
export function plainText(text: string): string {
  return text.replace(/\*\*(.+?)\*\*/g, '$1');
}

/** A table as lines of left-aligned columns, two spaces apart, indented by two. */
export function textTable(table: Pick<ReportTable, 'columns' | 'rows'>, indent = '  '): string[] {
  const rows = [table.columns, ...table.rows];
  const widths = table.columns.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => `${indent}${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd());
}

/** "answers:" and one indented line per answer (none: no lines). */
export function answerLines(doc: ReportDocument): string[] {
  return doc.answers.length === 0 ? [] : ['answers:', ...doc.answers.map((answer) => `  ${plainText(answer)}`)];
}

/** A table under its title as a heading: "Points (mean ± 95% ...)" becomes "points:". */
export function tableLines(table: ReportTable): string[] {
  const heading = table.title.replace(/\s*\(.*\)$/, '');
  // "Per host" reads "per host:" on a terminal; an acronym ("CPU cost profiles") keeps its case.
  const acronym = /^[A-Z]{2}/.test(heading);
  return [`${acronym ? heading.charAt(0) : heading.charAt(0).toLowerCase()}${heading.slice(1)}:`, ...textTable(table)];
}
