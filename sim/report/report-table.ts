// A table of a report: a title, column names and rows of cells already formatted as text, so the
// Markdown, HTML and terminal renderings print the same digits.
export interface ReportTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}
