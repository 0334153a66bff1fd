// Weighted block sizes (fio bssplit): each I/O's size is drawn from a table of sizes with the
// share of I/Os each gets, e.g. 4k/67:8k/10:16k/7:32k/3:64k/13 (the JESD219 client mix). Sizes
// are held in units of the job's smallest size so the engine's unit bookkeeping stays integral.
import type { Random } from '../core/index.js';

/** One row of a split: a size in bytes and its share of I/Os in percent. */
export interface BlockSizeShare {
  readonly bytes: number;
  readonly percent: number;
}

/** A split resolved against the job's unit (the gcd of its sizes): cumulative weights in units. */
export class BlockSizeSplit {
  readonly #units: readonly number[];
  readonly #cumulative: readonly number[];

  constructor(shares: readonly BlockSizeShare[], unitBytes: number) {
    const units: number[] = [];
    const cumulative: number[] = [];
    let total = 0;
    for (const share of shares) {
      if (share.percent <= 0) continue;
      total += share.percent;
      units.push(share.bytes / unitBytes);
      cumulative.push(total);
    }
    this.#units = units;
    // Normalised so rounding in the percentages cannot leave a draw past the last row.
    this.#cumulative = cumulative.map((c) => c / total);
  }

  /** Draws a size, in units. */
  draw(rng: Random): number {
    const u = rng.next();
    const cumulative = this.#cumulative;
    for (let i = 0; i < cumulative.length; i++) if (u < (cumulative[i] ?? 1)) return this.#units[i] ?? 1;
    return this.#units[this.#units.length - 1] ?? 1;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The largest size every share is a multiple of. */
export function splitUnitBytes(shares: readonly BlockSizeShare[]): number {
  return shares.reduce((unit, share) => gcd(unit, share.bytes), 0);
}

/**
 * Fills in fio's rule for rows without a percentage: they share what the given rows leave of 100
 * equally. Throws a message (no field) when the result does not add up to 100.
 */
export function completeShares(rows: readonly { readonly bytes: number; readonly percent: number | undefined }[]): BlockSizeShare[] {
  const given = rows.reduce((sum, row) => sum + (row.percent ?? 0), 0);
  const open = rows.filter((row) => row.percent === undefined).length;
  if (given > 100 || (open === 0 && given !== 100)) throw new Error(`percentages add up to ${given}, not 100`);
  const each = open === 0 ? 0 : (100 - given) / open;
  return rows.map((row) => ({ bytes: row.bytes, percent: row.percent ?? each }));
}
