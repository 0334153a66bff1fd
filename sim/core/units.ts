// Human units on the command line and in scenarios: sizes ("4k", "64MiB", "1G"), durations
// ("5s", "200ms", "8us") and rates ("25Gb/s"). fio and nvme-cli users write sizes in both
// binary and decimal styles; like fio, a bare k/m/g suffix means the binary unit.

/** Thrown for malformed user-supplied units; `field` names the flag or option. */
export class UnitError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'UnitError';
    this.field = field;
  }
}

const SIZE_MULTIPLIERS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/** Parses a byte size: "4096", "4k", "4KiB", "64MiB", "1GB". */
export function parseSize(text: string, field = 'size'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match?.[2]?.toLowerCase() ?? '';
  const multiplier = SIZE_MULTIPLIERS[unit];
  if (match === null || multiplier === undefined) {
    throw new UnitError(field, `malformed size '${text}' (expected e.g. 4096, 4k, 64MiB, 1GB)`);
  }
  const bytes = Number(match[1]) * multiplier;
  if (!Number.isSafeInteger(bytes)) throw new UnitError(field, `size '${text}' is not a whole number of bytes`);
  return bytes;
}

const DURATION_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  '': 1e9,
  m: 60e9,
  min: 60e9,
  h: 3600e9,
};

/** Parses a duration into integer nanoseconds: "5s", "200ms", "8us", "1.5s"; a bare number is seconds. */
export function parseDurationNs(text: string, field = 'duration'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zµ]*)\s*$/i.exec(text);
  const scale = DURATION_NS[match?.[2]?.toLowerCase() ?? ''];
  if (match === null || scale === undefined) {
    throw new UnitError(field, `malformed duration '${text}' (expected e.g. 5s, 200ms, 8us)`);
  }
  return Math.round(Number(match[1]) * scale);
}

const RATE_BITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 };

/** Parses a bit rate into bits per second: "25Gb/s", "100Gbps", "10G". */
export function parseRateBps(text: string, field = 'rate'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:b|bit)?(?:\/s|ps)?\s*$/i.exec(text);
  const scale = RATE_BITS[match?.[2]?.toLowerCase() ?? ''];
  if (match === null || scale === undefined) {
    throw new UnitError(field, `malformed rate '${text}' (expected e.g. 25Gb/s, 100Gbps)`);
  }
  return Number(match[1]) * scale;
}

/** Formats bytes the way nvme-cli and fio print them ("4.00 KiB", "64.00 MiB"). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(2)} ${units[unit]}`;
}
