// Numbers as reports and summaries print them: thousands separators and a fixed number of
// decimals (1,234,567 IOPS; 745.5 µs), the same in the terminal, Markdown and HTML.
export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
