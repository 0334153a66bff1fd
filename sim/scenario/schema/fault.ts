// The schema of one fault: its `action` picks the verb's record (fault-verbs/), whose fields come
// after the timing fields every fault has (fault-timing.ts).
import { z } from 'zod';
import { FAULT_ACTIONS, FAULT_VERBS } from '../fault-verbs/index.js';
import { timingShape } from '../fault-timing.js';
import { obj, tagged } from './kit.js';

type Option = z.ZodObject<z.core.$ZodLooseShape, z.core.$strict>;

const options = FAULT_VERBS.map((verb): Option => obj({ action: z.literal(verb.action), ...timingShape, ...verb.fields }));

/** A fault as a scenario writes it: action, timing, and the verb's own fields. */
export const faultSchema = tagged('action', FAULT_ACTIONS, options as [Option, ...Option[]]);
