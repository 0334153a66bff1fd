// Building blocks of the scenario schema (zod), each carrying the one-line message the scenario
// format has always given (`must be an integer 1..128, not 129`), so that the schema is both the
// validation and the source of the JSON Schema for editors. A field error becomes a ScenarioError
// through scenarioIssue(): the issue's path is the field path (`hosts[0].connect.nrIoQueues`).
// Only what a field alone can tell is checked here; names that refer to other parts of the
// scenario, and defaults, are the resolvers' (validate.ts).
import { z } from 'zod';
import { parseDurationNs, parseSize, UnitError } from '../../core/index.js';
import { join, show } from '../checker.js';

/** A duration: integer nanoseconds, or a string such as '1s', '200ms', '8us'. */
export type DurationSpec = number | string;
/** A byte size: a number of bytes, or a string such as '4k', '64MiB'. */
export type SizeSpec = number | string;

/** What the error functions get from zod: the raw issue, with the value that failed. */
interface RawIssue {
  readonly code?: string;
  readonly input?: unknown;
}

/** `message`, or 'is required' when the value is missing. */
function orRequired(message: (input: unknown) => string): (issue: RawIssue) => string {
  return (issue) => (issue.input === undefined ? 'is required' : message(issue.input));
}

function range(min: number, max: number): string {
  return max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}..${max}`;
}

/** A safe integer in [min, max]. */
export function int(min: number, max: number = Number.MAX_SAFE_INTEGER): z.ZodNumber {
  const error = orRequired((input) => `must be an integer ${range(min, max)}, not ${show(input)}`);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export interface NumberBounds {
  readonly min: number;
  readonly max?: number;
  /** The lower bound is strict. */
  readonly exclusiveMin?: boolean;
}

/** A finite number with min <= value (<= max); `exclusiveMin` makes the lower bound strict. */
export function num(bounds: NumberBounds): z.ZodNumber {
  const { min, max, exclusiveMin = false } = bounds;
  const low = exclusiveMin ? `> ${min}` : `>= ${min}`;
  const text = max === undefined ? low : exclusiveMin ? `in (${min}, ${max}]` : `in [${min}, ${max}]`;
  const error = orRequired((input) => `must be a number ${text}, not ${show(input)}`);
  const base = exclusiveMin ? z.number({ error }).gt(min, { error }) : z.number({ error }).min(min, { error });
  return max === undefined ? base : base.max(max, { error });
}

/** A non-empty string. */
export function str(): z.ZodString {
  const error = orRequired((input) => `must be a non-empty string, not ${show(input)}`);
  return z.string({ error }).min(1, { error });
}

/** A string with its own wording for anything else (e.g. "must be a string such as '1s'"). */
export function stringSaying(expected: string): z.ZodString {
  return z.string({ error: orRequired((input) => `${expected}, not ${show(input)}`) });
}

export function bool(): z.ZodBoolean {
  return z.boolean({ error: orRequired((input) => `must be true or false, not ${show(input)}`) });
}

/** One of a list of strings. */
export function oneOf<const T extends string>(values: readonly T[]): z.ZodEnum<{ [K in T]: K }> {
  const list = values.map((value) => `'${value}'`).join(', ');
  return z.enum(values as readonly T[] as [T, ...T[]], { error: orRequired((input) => `must be one of ${list}, not ${show(input)}`) });
}

/** The message of a unit parser's error, without the field name it puts in front. */
function unitProblem(parse: (text: string, field: string) => number, text: string): string | undefined {
  try {
    parse(text, '');
    return undefined;
  } catch (error) {
    if (error instanceof UnitError) return error.message.replace(/^: /, '');
    throw error;
  }
}

/** A number of units, or a string a unit parser reads; `what` names it in messages. */
function unitValue(parse: (text: string, field: string) => number, what: string, unit: string): z.ZodType<number | string, number | string> {
  const error = orRequired((input) => {
    if (typeof input === 'number') return `must be an integer >= 0, not ${show(input)}`;
    if (typeof input === 'string') return unitProblem(parse, input) ?? `is not a valid ${what}`;
    return `must be a ${what} such as ${unit}, not ${show(input)}`;
  });
  const text = z.string().check((ctx) => {
    if (unitProblem(parse, ctx.value) !== undefined) ctx.issues.push({ code: 'custom', input: ctx.value, message: '' });
  });
  return z.union([z.number().int().min(0), text], { error });
}

/** A duration: integer nanoseconds, or a string such as '1s', '200ms', '8us'. */
export function duration(): z.ZodType<DurationSpec, DurationSpec> {
  return unitValue(parseDurationNs, 'duration', "'1s' or a number of ns");
}

/** A byte size: a number of bytes, or a string such as '4k', '64MiB'. */
export function size(): z.ZodType<SizeSpec, SizeSpec> {
  return unitValue(parseSize, 'size', "'4k' or a number of bytes");
}

/**
 * An object with exactly these fields (in this order: unknown-field errors list them so). The
 * unknown field's name is added to the path by scenarioIssue().
 */
export function obj<const Shape extends z.core.$ZodLooseShape>(shape: Shape): z.ZodObject<Shape, z.core.$strict> {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue: RawIssue) => {
      if (issue.code === 'unrecognized_keys') return `unknown field (expected one of: ${known})`;
      return issue.input === undefined ? 'is required' : `must be an object, not ${show(issue.input)}`;
    },
  });
}

/** A list; `nonEmpty` asks for at least one entry. */
export function list<T extends z.ZodType>(item: T, options: { readonly nonEmpty?: boolean } = {}): z.ZodArray<T> {
  const array = z.array(item, { error: orRequired((input) => `must be an array, not ${show(input)}`) });
  return options.nonEmpty === true ? array.min(1, { error: 'must list at least one entry' }) : array;
}

/**
 * One of several object shapes told apart by the string field `key` (a fault's `action`, an
 * invariant's `check`). An unknown tag is named at `key`'s path (zod puts it there).
 */
export function tagged<const Options extends readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]]>(
  key: string,
  tags: readonly string[],
  options: Options,
): z.ZodDiscriminatedUnion<Options> {
  const list = tags.map((tag) => `'${tag}'`).join(', ');
  return z.discriminatedUnion(key, options, {
    error: (issue: RawIssue) => {
      const input = issue.input;
      if (typeof input !== 'object' || input === null || Array.isArray(input)) return orRequired((value) => `must be an object, not ${show(value)}`)(issue);
      return `must be one of ${list}, not ${show((input as Record<string, unknown>)[key])}`;
    },
  });
}

/** A field path as the scenario format writes it: `hosts[0].connect.nrIoQueues`. */
export function fieldPath(path: readonly PropertyKey[], base = ''): string {
  let text = base;
  for (const key of path) text = join(text, typeof key === 'number' ? key : String(key));
  return text;
}

/** A field error: where and what, as a ScenarioError prints it. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/** The first issue of a failed parse as a field problem; an unknown field is named in the path. */
export function scenarioIssue(error: z.ZodError, base = ''): FieldProblem {
  const issue = error.issues[0] as z.core.$ZodIssue;
  const path = fieldPath(issue.path, base);
  if (issue.code === 'unrecognized_keys') return { path: join(path, issue.keys[0] ?? ''), message: issue.message };
  return { path, message: issue.message };
}

// ---- Comparing a hand-written type with a schema's inferred one ----

/** Removes readonly, deeply enough for comparing a hand-written type with a zod-inferred one. */
type Mutable<T> = T extends readonly unknown[]
  ? { -readonly [K in keyof T]: Mutable<T[K]> }
  : T extends object
    ? { -readonly [K in keyof T]: Mutable<T[K]> }
    : T;
/** Optional fields as zod infers them (`x?: T | undefined`), for the same comparison. */
type Loose<T> = T extends readonly unknown[] ? { [K in keyof T]: Loose<T[K]> } : T extends object ? { [K in keyof T]: Loose<T[K]> | (undefined extends T[K] ? undefined : never) } : T;

/** True when the hand-written type and the schema's inferred type describe the same values. */
export type SameShape<Written, Inferred> = [Loose<Mutable<Written>>] extends [Inferred]
  ? [Inferred] extends [Loose<Mutable<Written>>]
    ? [keyof Written] extends [keyof Inferred]
      ? [keyof Inferred] extends [keyof Written]
        ? true
        : false
      : false
    : false
  : false;
