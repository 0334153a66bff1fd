// Fault and shaping options for one direction of a link, in the vocabulary of tc-netem and
// Toxiproxy's toxics (docs/prior-art.md, "Fault injection"). Every field is off (zero)
// by default, so faults are opt-in; units are in the names. Options can be changed mid-run: a
// change applies to packets that enter the link afterwards.
import { DISTRIBUTION_NAMES, type DistributionName } from '../core/index.js';

export interface LinkDirectionOptions {
  /** One-way propagation delay in microseconds (fractions allowed). Default 0. */
  readonly latencyUs?: number;
  /** How per-packet delay varies around latencyUs; spread is jitterUs. Default 'constant'. */
  readonly latencyDistribution?: DistributionName;
  /**
   * Spread of the delay in microseconds: half-width for 'uniform', standard deviation for
   * 'normal', mean of the added delay for 'exponential' and 'pareto'. Default 0. Jitter alone
   * never reorders packets (arrivals are kept FIFO, like netem with a rate); use reorderRate.
   */
  readonly jitterUs?: number;
  /** Pareto shape when latencyDistribution is 'pareto'. Default 3. */
  readonly paretoShape?: number;
  /** Rate cap in bits per second for this direction; 0 = no cap beyond the NICs. Default 0. */
  readonly bandwidthBps?: number;
  /** Independent (Bernoulli) loss probability per wire frame, 0..1 (a TSO super-segment is judged frame by frame). Default 0. */
  readonly lossRate?: number;
  /** Gilbert-Elliott: per-frame probability of moving good -> bad. 0 disables the model. */
  readonly geGoodToBadRate?: number;
  /** Gilbert-Elliott: per-frame probability of moving bad -> good. Default 0. */
  readonly geBadToGoodRate?: number;
  /** Gilbert-Elliott: loss probability in the bad state. Default 0. */
  readonly geLossRateBad?: number;
  /** Gilbert-Elliott: loss probability in the good state. Default 0. */
  readonly geLossRateGood?: number;
  /** Probability that a packet is delivered twice. Default 0. */
  readonly duplicateRate?: number;
  /** Probability that a packet is held back by reorderExtraDelayUs, letting later ones pass. */
  readonly reorderRate?: number;
  /** Extra delay in microseconds for reordered packets. Default 0 (then reorderRate does nothing). */
  readonly reorderExtraDelayUs?: number;
  /** Probability that a frame is corrupted in a way the TCP checksum catches: it acts as loss. */
  readonly corruptRate?: number;
  /**
   * Probability that one payload byte is flipped in a way TCP does not catch (a checksum
   * collision or a corrupting middlebox): the bytes reach the application, and only end-to-end
   * checks such as NVMe/TCP data digests can notice. Packets without payload are unaffected.
   */
  readonly silentCorruptRate?: number;
  /** Drop everything in this direction (a one-way partition). Default false. */
  readonly partitioned?: boolean;
}

/** The resolved options: every field present. */
export type ResolvedLinkOptions = Required<LinkDirectionOptions>;

export const LINK_OPTION_DEFAULTS: ResolvedLinkOptions = {
  latencyUs: 0,
  latencyDistribution: 'constant',
  jitterUs: 0,
  paretoShape: 3,
  bandwidthBps: 0,
  lossRate: 0,
  geGoodToBadRate: 0,
  geBadToGoodRate: 0,
  geLossRateBad: 0,
  geLossRateGood: 0,
  duplicateRate: 0,
  reorderRate: 0,
  reorderExtraDelayUs: 0,
  corruptRate: 0,
  silentCorruptRate: 0,
  partitioned: false,
};

const PROBABILITY_FIELDS = [
  'lossRate',
  'geGoodToBadRate',
  'geBadToGoodRate',
  'geLossRateBad',
  'geLossRateGood',
  'duplicateRate',
  'reorderRate',
  'corruptRate',
  'silentCorruptRate',
] as const;

const NON_NEGATIVE_FIELDS = ['latencyUs', 'jitterUs', 'bandwidthBps', 'reorderExtraDelayUs'] as const;

/** Merges `update` over `base` and validates the result; throws RangeError naming the field. */
export function resolveLinkOptions(
  base: ResolvedLinkOptions,
  update: LinkDirectionOptions,
): ResolvedLinkOptions {
  const merged: ResolvedLinkOptions = { ...base, ...stripUndefined(update) };
  for (const field of PROBABILITY_FIELDS) {
    const value = merged[field];
    if (!(value >= 0 && value <= 1)) throw new RangeError(`link option ${field} must be in [0, 1], got ${value}`);
  }
  for (const field of NON_NEGATIVE_FIELDS) {
    const value = merged[field];
    if (!(value >= 0 && Number.isFinite(value))) {
      throw new RangeError(`link option ${field} must be a finite number >= 0, got ${value}`);
    }
  }
  if (!DISTRIBUTION_NAMES.includes(merged.latencyDistribution)) {
    throw new RangeError(`link option latencyDistribution: unknown '${merged.latencyDistribution}'`);
  }
  if (!(merged.paretoShape > 1)) throw new RangeError(`link option paretoShape must be > 1`);
  return merged;
}

function stripUndefined(options: LinkDirectionOptions): LinkDirectionOptions {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (value !== undefined) result[key] = value;
  return result as LinkDirectionOptions;
}
