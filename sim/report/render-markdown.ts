// The Markdown rendering of a report: answers first, then tables ready to paste into a document,
// then the charts as images beside the file, then provenance and repeat commands.
import type { ReportDocument, ReportTable } from './report-document.js';
import { provenanceRows } from './provenance.js';

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownTable(table: Pick<ReportTable, 'columns' | 'rows'>): string {
  const lines = [`| ${table.columns.map(escapeCell).join(' | ')} |`, `|${table.columns.map(() => '---').join('|')}|`];
  for (const row of table.rows) lines.push(`| ${row.map(escapeCell).join(' | ')} |`);
  return lines.join('\n');
}

export function renderMarkdown(doc: ReportDocument): string {
  const parts = [`# ${doc.title}`, '', doc.subtitle, '', '## Answers', '', ...doc.answers.map((answer) => `- ${answer}`), ''];
  for (const table of doc.tables) parts.push(`## ${table.title}`, '', markdownTable(table), '');
  const notes = doc.notes ?? [];
  if (doc.charts.length > 0 || notes.length > 0) {
    parts.push('## Charts', '');
    for (const note of notes) parts.push(`> ${note}`, '');
    for (const chart of doc.charts) parts.push(`### ${chart.title}`, '', `![${chart.title}](${chart.id}.svg)`, '', `${chart.caption} Data: [${chart.id}.csv](${chart.id}.csv).`, '');
  }
  parts.push('## Provenance', '', markdownTable({ columns: ['', ''], rows: provenanceRows(doc.provenance) }), '');
  parts.push('## Repeat', '', markdownTable({ columns: ['what', 'command'], rows: doc.repeats.map(([what, command]) => [what, `\`${command}\``]) }), '');
  return `${parts.join('\n')}\n`;
}
