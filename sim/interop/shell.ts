// Building guest shell commands from values: single-quote everything that is not a plain word.

/** Quotes one argument for POSIX sh (busybox ash in the guest). */
export function shellQuote(value: string | number): string {
  const text = String(value);
  if (/^[A-Za-z0-9_./:=,+@%-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Joins a command and its arguments, quoting each. */
export function shellCommand(...words: (string | number)[]): string {
  return words.map(shellQuote).join(' ');
}
