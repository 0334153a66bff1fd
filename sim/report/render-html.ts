// The HTML rendering of a report: one self-contained file (inline SVG charts and CSS, no script,
// no font, no request of any kind), so it opens from file:// anywhere and can be mailed as is.
import type { ReportDocument, ReportTable } from './report-document.js';
import { provenanceRows } from './provenance.js';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Markdown's **bold** in answers, as <strong>. */
function inline(text: string): string {
  return escape(text).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
}

function table(t: Pick<ReportTable, 'columns' | 'rows'>, className = ''): string {
  const head = `<tr>${t.columns.map((c) => `<th>${escape(c)}</th>`).join('')}</tr>`;
  const body = t.rows.map((row) => `<tr>${row.map((cell) => `<td>${escape(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<table${className === '' ? '' : ` class="${className}"`}><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #111827; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #e5e7eb; padding-bottom: .2rem; }
.subtitle { color: #4b5563; }
.answers { background: #eff6ff; border-left: 4px solid #2563eb; padding: .6rem 1rem; }
.answers li { margin: .25rem 0; } .answers strong { color: #1d4ed8; font-size: 1.05em; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #e5e7eb; padding: .25rem .6rem; text-align: right; } th { background: #f9fafb; }
td:first-child, th:first-child { text-align: left; }
figure { margin: 1rem 0 2rem; } figcaption { color: #4b5563; font-size: .9rem; }
.note { color: #92400e; background: #fffbeb; border-left: 4px solid #f59e0b; padding: .4rem .8rem; }
code { font-size: .85em; background: #f3f4f6; padding: .1rem .25rem; border-radius: 3px; }
`;

/** `svgs[i]` is the rendered `doc.charts[i]`. */
export function renderHtml(doc: ReportDocument, svgs: readonly string[]): string {
  const charts = doc.charts
    .map(
      (chart, i) =>
        `<figure class="chart" data-chart="${escape(chart.id)}">${svgs[i] ?? ''}<figcaption>${escape(chart.caption)} ` +
        `Data: <a href="${escape(chart.id)}.csv">${escape(chart.id)}.csv</a>, <a href="${escape(chart.id)}.svg">${escape(chart.id)}.svg</a>.</figcaption></figure>`,
    )
    .join('\n');
  const notes = (doc.notes ?? []).map((note) => `<p class="note">${inline(note)}</p>`).join('\n');
  const repeats = doc.repeats.map(([what, command]) => `<tr><td>${escape(what)}</td><td><code>${escape(command)}</code></td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escape(doc.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escape(doc.title)}</h1>
<p class="subtitle">${escape(doc.subtitle)}</p>
<section class="answers"><h2>Answers</h2><ul>${doc.answers.map((answer) => `<li>${inline(answer)}</li>`).join('')}</ul></section>
${doc.tables.map((t) => `<h2>${escape(t.title)}</h2>${table(t)}`).join('\n')}
${doc.charts.length > 0 || notes !== '' ? `<h2>Charts</h2>\n${notes}${charts}` : ''}
<h2>Provenance</h2>${table({ columns: ['', ''], rows: provenanceRows(doc.provenance) })}
<h2>Repeat</h2><table><thead><tr><th>what</th><th>command</th></tr></thead><tbody>${repeats}</tbody></table>
</body></html>
`;
}
