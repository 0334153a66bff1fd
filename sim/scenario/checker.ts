// Field-by-field checks for scenario descriptions. Each check either returns the typed value or
// throws a ScenarioError whose one-line message names the file and the field path
// (`hosts[0].connect.nrIoQueues: must be an integer 1..128`). Scenario files are user input typed
// as `unknown` here: the TypeScript types help authors, but a file may be plain JavaScript, use
// `as any`, or be older than the format.
import { parseDurationNs, parseSize, UnitError } from '../core/index.js';
import { ScenarioError } from './scenario-error.js';

export type Fields = Readonly<Record<string, unknown>>;

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

  /** A plain object whose keys are all in `known`. */
  object(value: unknown, path: string, known: readonly string[]): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, `must be an object, not ${show(value)}`);
    const fields = value as Fields;
    for (const key of Object.keys(fields)) {
      if (!known.includes(key)) this.fail(join(path, key), `unknown field (expected one of: ${known.join(', ')})`);
    }
    return fields;
  }

  array(value: unknown, path: string, options: { readonly nonEmpty?: boolean } = {}): readonly unknown[] {
    if (!Array.isArray(value)) this.fail(path, `must be an array, not ${show(value)}`);
    if (options.nonEmpty === true && value.length === 0) this.fail(path, 'must list at least one entry');
    return value;
  }

  required(fields: Fields, key: string, path: string): unknown {
    const value = fields[key];
    if (value === undefined) this.fail(join(path, key), 'is required');
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string' || value.length === 0) this.fail(path, `must be a non-empty string, not ${show(value)}`);
    return value;
  }

  optionalString(value: unknown, path: string, fallback: string): string {
    return value === undefined ? fallback : this.string(value, path);
  }

  boolean(value: unknown, path: string, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(path, `must be true or false, not ${show(value)}`);
    return value;
  }

  /** An integer in [min, max]; `fallback` when undefined. */
  integer(value: unknown, path: string, min: number, max: number, fallback?: number): number {
    if (value === undefined && fallback !== undefined) return fallback;
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}..${max}`;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      this.fail(path, `must be an integer ${range}, not ${show(value)}`);
    }
    return value;
  }

  /** A finite number with min <= value (<= max); `exclusiveMin` makes the lower bound strict. */
  number(
    value: unknown,
    path: string,
    bounds: { readonly min: number; readonly max?: number; readonly exclusiveMin?: boolean },
    fallback?: number,
  ): number {
    if (value === undefined && fallback !== undefined) return fallback;
    const { min, max, exclusiveMin = false } = bounds;
    const low = exclusiveMin ? `> ${min}` : `>= ${min}`;
    const range = max === undefined ? low : exclusiveMin ? `in (${min}, ${max}]` : `in [${min}, ${max}]`;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (exclusiveMin ? value > min : value >= min) &&
      (max === undefined || value <= max);
    if (!ok) this.fail(path, `must be a number ${range}, not ${show(value)}`);
    return value as number;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[], fallback?: T): T {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(path, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, not ${show(value)}`);
    }
    return value as T;
  }

  /** A duration: integer ns, or a string such as '1s' or '250ms'. */
  duration(value: unknown, path: string): number {
    if (typeof value === 'number') return this.integer(value, path, 0, Number.MAX_SAFE_INTEGER);
    if (typeof value !== 'string') this.fail(path, `must be a duration such as '1s' or a number of ns, not ${show(value)}`);
    return this.#units(path, () => parseDurationNs(value, path));
  }

  /** A byte size: a number of bytes, or a string such as '4k' or '64MiB'. */
  size(value: unknown, path: string): number {
    if (typeof value === 'number') return this.integer(value, path, 0, Number.MAX_SAFE_INTEGER);
    if (typeof value !== 'string') this.fail(path, `must be a size such as '4k' or a number of bytes, not ${show(value)}`);
    return this.#units(path, () => parseSize(value, path));
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
