// The schema of link options (sim/net link-options.ts): one direction's fields, and a link's,
// whose top-level fields apply both ways and aToB / bToA override one direction. The field order
// is sim/net's (LINK_OPTION_DEFAULTS), which unknown-field errors list.
import type { z } from 'zod';
import { DISTRIBUTION_NAMES } from '../../core/index.js';
import { bool, num, obj, oneOf } from './kit.js';

const probability = (): z.ZodOptional<z.ZodNumber> => num({ min: 0, max: 1 }).optional();
const nonNegative = (): z.ZodOptional<z.ZodNumber> => num({ min: 0 }).optional();

function directionShape() {
  return {
    latencyUs: nonNegative(),
    latencyDistribution: oneOf(DISTRIBUTION_NAMES).optional(),
    jitterUs: nonNegative(),
    paretoShape: num({ min: 1, exclusiveMin: true }).optional(),
    bandwidthBps: nonNegative(),
    lossRate: probability(),
    geGoodToBadRate: probability(),
    geBadToGoodRate: probability(),
    geLossRateBad: probability(),
    geLossRateGood: probability(),
    duplicateRate: probability(),
    reorderRate: probability(),
    reorderExtraDelayUs: nonNegative(),
    corruptRate: probability(),
    silentCorruptRate: probability(),
    partitioned: bool().optional(),
  };
}

/** One direction of a link (what setLink changes). */
const direction = obj(directionShape()).meta({ id: 'LinkDirectionOptions' });
/** A link's options: both directions, with per-direction overrides. */
const both = obj({ ...directionShape(), aToB: direction.optional(), bToA: direction.optional() }).meta({ id: 'LinkOptions' });

/** One direction of a link (what setLink changes); one instance, so the JSON Schema defines it once. */
export function linkDirectionSchema(): typeof direction {
  return direction;
}

/** A link's options: both directions, with per-direction overrides. */
export function linkOptionsSchema(): typeof both {
  return both;
}
