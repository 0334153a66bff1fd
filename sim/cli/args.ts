// Hand-written argv parsing in the style of nvme-cli's getopt_long: `--long value`, `--long=value`,
// `-s value`, `-svalue`, and bundled short flags (`-gG`). Each command declares its options; the
// parser knows nothing else. Every user mistake becomes a UsageError whose one-line message names
// the flag, which main.ts prints as `nvmf-sim: <message>` with exit status 2.

/** A mistake in what the user typed (flags, values, files they named). Exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** Long name without dashes, e.g. 'traddr'. */
  readonly long: string;
  /** Single-letter short name, e.g. 'a'. */
  readonly short?: string;
  /** flag: no value; value: last one wins; list: may repeat, values collect in order. */
  readonly kind: 'flag' | 'value' | 'list';
  /** Placeholder in help, e.g. 'ADDR'. */
  readonly valueName?: string;
  readonly help: string;
}

export interface ParsedArgs {
  /** Values by long name: true for flags, the last string for values, all strings for lists. */
  readonly values: ReadonlyMap<string, true | string | readonly string[]>;
  readonly positionals: readonly string[];
}

/** How an option is written in messages: `--traddr (-a)`. */
export function optionName(spec: OptionSpec): string {
  return spec.short === undefined ? `--${spec.long}` : `--${spec.long} (-${spec.short})`;
}

/** Parses `argv` (after the command name) against `specs`; `command` appears in error messages. */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const byLong = new Map(specs.map((spec) => [spec.long, spec]));
  const byShort = new Map(specs.flatMap((spec) => (spec.short === undefined ? [] : [[spec.short, spec] as const])));
  const values = new Map<string, true | string | string[]>();
  const positionals: string[] = [];
  const hint = command === '' ? 'nvmf-sim --help' : `nvmf-sim ${command} --help`;

  const store = (spec: OptionSpec, value: string | undefined): void => {
    if (spec.kind === 'flag') {
      if (value !== undefined) throw new UsageError(`${optionName(spec)} takes no value (got '${value}')`);
      values.set(spec.long, true);
      return;
    }
    if (value === undefined) throw new UsageError(`${optionName(spec)} needs a value${spec.valueName === undefined ? '' : ` (${spec.valueName})`}`);
    if (spec.kind === 'list') {
      const list = values.get(spec.long);
      if (Array.isArray(list)) list.push(value);
      else values.set(spec.long, [value]);
    } else {
      values.set(spec.long, value);
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const equals = arg.indexOf('=');
      const name = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
      const spec = byLong.get(name);
      if (spec === undefined) throw new UsageError(`unknown option '--${name}'${command === '' ? '' : ` for '${command}'`} (see ${hint})`);
      if (equals >= 0) store(spec, arg.slice(equals + 1));
      else if (spec.kind === 'flag') store(spec, undefined);
      else store(spec, takeValue(argv, ++i, spec));
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      // A run of short options: flags may bundle (-gG); a value option takes the rest or the next arg.
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j] ?? '';
        const spec = byShort.get(letter);
        if (spec === undefined) throw new UsageError(`unknown option '-${letter}'${command === '' ? '' : ` for '${command}'`} (see ${hint})`);
        if (spec.kind === 'flag') {
          store(spec, undefined);
          continue;
        }
        const rest = arg.slice(j + 1);
        store(spec, rest !== '' ? rest.replace(/^=/, '') : takeValue(argv, ++i, spec));
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { values, positionals };
}

function takeValue(argv: readonly string[], index: number, spec: OptionSpec): string {
  const value = argv[index];
  if (value === undefined) throw new UsageError(`${optionName(spec)} needs a value${spec.valueName === undefined ? '' : ` (${spec.valueName})`}`);
  return value;
}

/** Typed access to parsed values, with errors that name the flag. */
export class ArgReader {
  readonly #args: ParsedArgs;
  readonly #specs: Map<string, OptionSpec>;

  constructor(args: ParsedArgs, specs: readonly OptionSpec[]) {
    this.#args = args;
    this.#specs = new Map(specs.map((spec) => [spec.long, spec]));
  }

  get positionals(): readonly string[] {
    return this.#args.positionals;
  }

  /** The flag's display name, for messages. */
  name(long: string): string {
    const spec = this.#specs.get(long);
    return spec === undefined ? `--${long}` : optionName(spec);
  }

  has(long: string): boolean {
    return this.#args.values.has(long);
  }

  flag(long: string): boolean {
    return this.#args.values.get(long) === true;
  }

  string(long: string): string | undefined {
    const value = this.#args.values.get(long);
    return typeof value === 'string' ? value : undefined;
  }

  list(long: string): readonly string[] {
    const value = this.#args.values.get(long);
    return Array.isArray(value) ? (value as readonly string[]) : [];
  }

  required(long: string, example: string): string {
    const value = this.string(long);
    if (value === undefined || value === '') throw new UsageError(`${this.name(long)} is required (e.g. ${example})`);
    return value;
  }

  /** An integer in [min, max]; accepts decimal or 0x hex like nvme-cli's strtoul. */
  integer(long: string, min: number, max: number): number | undefined {
    const text = this.string(long);
    return text === undefined ? undefined : this.#integer(long, text, min, max);
  }

  /** Every value of a repeatable option, each an integer in [min, max]. */
  integers(long: string, min: number, max: number): number[] {
    return this.list(long).map((text) => this.#integer(long, text, min, max));
  }

  #integer(long: string, text: string, min: number, max: number): number {
    const value = /^-?\d+$/.test(text) ? Number(text) : /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text, 16) : NaN;
    if (!Number.isSafeInteger(value)) throw new UsageError(`${this.name(long)}: '${text}' is not an integer`);
    if (value < min || value > max) throw new UsageError(`${this.name(long)}: ${value} is outside ${min}..${max}`);
    return value;
  }
}
