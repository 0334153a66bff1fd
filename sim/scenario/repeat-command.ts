// The one command that repeats a run: the same file, seed, duration and `--set` changes. Every run
// and every point of a study or seed sweep prints it, so a failure found anywhere replays with one
// paste. Words are quoted for a POSIX shell only when they need it (field paths have brackets).
import type { FieldAssignment } from './load.js';

/** The shortest exact spelling of a duration: 1s, 250ms, 1500us, 7ns. */
export function formatDuration(ns: number): string {
  const units: readonly [string, number][] = [
    ['s', 1e9],
    ['ms', 1e6],
    ['us', 1e3],
  ];
  for (const [unit, scale] of units) if (ns % scale === 0) return `${ns / scale}${unit}`;
  return `${ns}ns`;
}

/** A word as a POSIX shell reads it back: bare when safe, else in single quotes. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A `--set` value as typed: numbers and booleans as they are; strings quoted only if JSON would misread them. */
export function setValueText(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  try {
    JSON.parse(value);
    return JSON.stringify(value);
  } catch {
    return value;
  }
}

export function repeatCommand(file: string, seed: string, durationNs: number, sets: readonly FieldAssignment[] = []): string {
  const words = ['npx', 'nvmf-sim', 'run', file, '--seed', seed, '--duration', formatDuration(durationNs)];
  for (const { path, value } of sets) words.push('--set', `${path}=${setValueText(value)}`);
  return words.map(shellWord).join(' ');
}
