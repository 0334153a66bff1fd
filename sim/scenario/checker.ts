// What validation does beyond the schema (schema/scenario.ts): fail with a ScenarioError whose
// one-line message names the file and the field path (`hosts[0].connect.nrIoQueues: must be an
// integer 1..128`), and turn durations and sizes the schema let through into numbers.
import { parseDurationNs, parseSize, UnitError } from '../core/index.js';
import { ScenarioError } from './scenario-error.js';

/** Formats a value for a message without dumping whole objects. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

export class Checker {
  readonly source: string;

  constructor(source: string) {
    this.source = source;
  }

  fail(path: string, message: string): never {
    throw new ScenarioError(this.source, path, message);
  }

  /** A duration: integer ns, or a string such as '1s' or '250ms'. */
  duration(value: unknown, path: string): number {
    if (typeof value === 'number') return this.#whole(value, path);
    if (typeof value !== 'string') this.fail(path, `must be a duration such as '1s' or a number of ns, not ${show(value)}`);
    return this.#units(path, () => parseDurationNs(value, path));
  }

  /** A byte size: a number of bytes, or a string such as '4k' or '64MiB'. */
  size(value: unknown, path: string): number {
    if (typeof value === 'number') return this.#whole(value, path);
    if (typeof value !== 'string') this.fail(path, `must be a size such as '4k' or a number of bytes, not ${show(value)}`);
    return this.#units(path, () => parseSize(value, path));
  }

  #whole(value: number, path: string): number {
    if (!Number.isSafeInteger(value) || value < 0) this.fail(path, `must be an integer >= 0, not ${show(value)}`);
    return value;
  }

  /** Runs a parser that throws UnitError(field = path), turning its message into ours. */
  #units<T>(path: string, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof UnitError) this.fail(path, stripField(error.message, path));
      throw error;
    }
  }

  /** Converts a UnitError (or RangeError) raised by a helper that was given `path` as its field. */
  rethrow(error: unknown, path: string): never {
    if (error instanceof UnitError || error instanceof RangeError) this.fail(path, stripField(error.message, path));
    throw error;
  }
}

/** `a.b` / `a[0]` path joining; an empty base gives the bare key. */
export function join(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

function stripField(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}
