// Splitting a study's tasks over machines: `--shard i/n` (1-based, as Playwright's and Jest's
// --shard) takes every n-th task starting at the i-th, so shards get an even mix of cheap and
// expensive points, and together they cover every task exactly once.
import { StudyError } from './study-error.js';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** Parses `i/n` with 1 <= i <= n. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index < 1 || index > count || !Number.isSafeInteger(count)) {
    throw new StudyError('', `--shard: expected i/n with 1 <= i <= n (e.g. 2/4), not '${text}'`);
  }
  return { index, count };
}

/** True when task `task` (0-based) belongs to the shard. */
export function inShard(shard: Shard | undefined, task: number): boolean {
  return shard === undefined || task % shard.count === shard.index - 1;
}
