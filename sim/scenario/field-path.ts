// Field paths into a scenario, as study axes and `nvmf-sim run --set` name them:
// `hosts[*].connect.nrIoQueues`, `links[0].options.lossRate`, `nodes[1].cpuProfile`. A segment is
// a field name, an index `[n]`, or `[*]` for every element of an array. Setting a path returns a
// copy of the scenario (the input is never changed); the copy is then validated as any scenario
// is, so a field the format does not know is refused there, naming the path.

export type FieldPathSegment =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'every' };

/** A path that does not parse, or names nothing in the scenario. */
export class FieldPathError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.name = 'FieldPathError';
    this.path = path;
  }
}

const SEGMENT = /^(?:\.?([A-Za-z_$][\w$]*)|\[(\d+)\]|\[\*\])/;

/** Parses `a.b[0].c[*].d`. */
export function parseFieldPath(path: string): readonly FieldPathSegment[] {
  const segments: FieldPathSegment[] = [];
  let rest = path.trim();
  if (rest === '') throw new FieldPathError(path, 'is empty');
  while (rest !== '') {
    const match = SEGMENT.exec(rest);
    if (match === null || (segments.length === 0 && rest.startsWith('.'))) {
      throw new FieldPathError(path, `does not parse at '${rest}' (expected name, [n] or [*], e.g. hosts[*].workload.iodepth)`);
    }
    if (match[1] !== undefined) segments.push({ kind: 'field', name: match[1] });
    else if (match[2] !== undefined) segments.push({ kind: 'index', index: Number(match[2]) });
    else segments.push({ kind: 'every' });
    rest = rest.slice(match[0].length);
  }
  return segments;
}

/** The path's text for one concrete element (`hosts[*].x` at host 1 is `hosts[1].x`). */
function show(segments: readonly FieldPathSegment[], upTo: number): string {
  let text = '';
  for (const segment of segments.slice(0, upTo)) {
    if (segment.kind === 'field') text += text === '' ? segment.name : `.${segment.name}`;
    else if (segment.kind === 'index') text += `[${segment.index}]`;
    else text += '[*]';
  }
  return text;
}

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of `root` with `value` at `path`. Missing objects on the way are created (an optional
 * `options` object, say); indices must exist, and `[*]` needs an array with at least one element.
 */
export function setFieldPath(root: unknown, path: string, value: unknown): unknown {
  const segments = parseFieldPath(path);
  const visit = (node: unknown, at: number): unknown => {
    if (at === segments.length) return value;
    const segment = segments[at] as FieldPathSegment;
    if (segment.kind === 'field') {
      if (node !== undefined && !isPlainObject(node)) {
        throw new FieldPathError(path, `${show(segments, at) || 'the scenario'} is not an object, so it has no field '${segment.name}'`);
      }
      const object: Plain = node === undefined ? {} : node;
      return { ...object, [segment.name]: visit(object[segment.name], at + 1) };
    }
    if (!Array.isArray(node)) throw new FieldPathError(path, `${show(segments, at)} is not a list`);
    if (segment.kind === 'index') {
      if (segment.index >= node.length) {
        throw new FieldPathError(path, `${show(segments, at)} has ${node.length} element(s), so [${segment.index}] names nothing`);
      }
      return node.map((element, index) => (index === segment.index ? visit(element, at + 1) : element));
    }
    if (node.length === 0) throw new FieldPathError(path, `${show(segments, at)} is empty, so [*] names nothing`);
    return node.map((element) => visit(element, at + 1));
  };
  return visit(root, 0);
}

/** The value at a path with no `[*]` (undefined when absent). */
export function getFieldPath(root: unknown, path: string): unknown {
  let node = root;
  for (const segment of parseFieldPath(path)) {
    if (segment.kind === 'every') throw new FieldPathError(path, '[*] names several values; read one element');
    if (segment.kind === 'field') node = isPlainObject(node) ? node[segment.name] : undefined;
    else node = Array.isArray(node) ? (node[segment.index] as unknown) : undefined;
  }
  return node;
}

/**
 * The value of `--set PATH=VALUE` as typed: JSON when it parses (numbers, booleans, quoted
 * strings, objects), otherwise the text itself (`1ms`, `tcp`, `4KiB`).
 */
export function parseSetValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Splits `PATH=VALUE` (the first `=`); null when there is none. */
export function splitAssignment(text: string): { readonly path: string; readonly value: unknown; readonly text: string } | null {
  const at = text.indexOf('=');
  if (at <= 0) return null;
  return { path: text.slice(0, at), value: parseSetValue(text.slice(at + 1)), text: text.slice(at + 1) };
}
