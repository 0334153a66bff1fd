// One chart of a report, before rendering: an ECharts option (the chart library renders it to SVG
// on the server, with no DOM) and the same data as a table, which the report writes as CSV beside
// the SVG so a chart's numbers can be pasted into a spreadsheet.

/** The ECharts option object, as the library takes it. */
export type ChartOption = Record<string, unknown>;

export interface ChartSpec {
  /** File name stem: `<id>.svg`, `<id>.csv`. Lowercase words and dashes. */
  readonly id: string;
  readonly title: string;
  /** What the chart shows, in one sentence, under it in the report. */
  readonly caption: string;
  readonly option: ChartOption;
  readonly csv: { readonly columns: readonly string[]; readonly rows: readonly (readonly (string | number)[])[] };
  readonly width?: number;
  readonly height?: number;
}

/** Quotes a CSV cell when it needs it (RFC 4180). */
function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(spec: ChartSpec): string {
  return [spec.csv.columns, ...spec.csv.rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}
