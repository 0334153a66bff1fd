// Link options as Linux tc-netem sees them: which of the simulator's link options (sim/net/
// link-options.ts) netem can apply, and the `tc qdisc` command that applies them on a guest
// interface's egress. netem only shapes packets leaving an interface (ingress shaping needs the ifb
// module, which the interop image does not carry), so one set of options describes one direction.
// Semantics follow tc-netem(8) and net/sched/sch_netem.c:
// - `delay D J [distribution normal]`: constant D, plus uniform noise in [-J, +J] without a table
//   (tabledist), or normal noise of deviation J with the `normal` table. Unlike the simulator's
//   FIFO jitter, netem's jitter may reorder packets when no rate is set.
// - `loss P%`, `duplicate P%`, `corrupt P%`: independent per packet. A corrupted packet has its
//   checksum finished first (skb_checksum_help) and then one bit flipped, so the receiver's TCP
//   checksum catches it: the simulator's corruptRate.
// - `reorder P%` sends P% of packets at once and delays the rest by `delay`: with no base delay
//   this is the simulator's reorderRate r held back by reorderExtraDelayUs E, as `delay E reorder
//   (1 - r)`. With a base delay it has no equivalent (the undelayed packets would skip the base).
// - `rate Rbit`: a rate cap on the interface's egress.
import type { LinkDirectionOptions } from '../net/index.js';
import { shellQuote } from './shell.js';

/** The link options netem can apply (the rest are refused for links to a real peer). */
export const NETEM_FIELDS = [
  'latencyUs',
  'latencyDistribution',
  'jitterUs',
  'lossRate',
  'duplicateRate',
  'corruptRate',
  'reorderRate',
  'reorderExtraDelayUs',
  'bandwidthBps',
  'partitioned',
] as const satisfies readonly (keyof LinkDirectionOptions)[];

export type NetemField = (typeof NETEM_FIELDS)[number];

/** Delay distributions netem reproduces (uniform: no table; normal: the `normal` table). */
export const NETEM_DISTRIBUTIONS = ['constant', 'uniform', 'normal'] as const;

export type NetemOptions = Pick<LinkDirectionOptions, NetemField>;

/**
 * iproute2's tc in the guest, by full path: the guest's busybox sh runs its own applets before
 * $PATH, and busybox's tc knows no netem (images/vm/build.sh copies iproute2's to /usr/sbin).
 */
export const TC_BINARY = '/usr/sbin/tc';

/** The interface the interop guest's user network uses (images/vm/init.sh). */
export const GUEST_INTERFACE = 'eth0';

/** Why netem cannot apply these options, or undefined when it can. */
export function netemProblem(options: NetemOptions): string | undefined {
  for (const key of Object.keys(options)) {
    if (!(NETEM_FIELDS as readonly string[]).includes(key)) return `${key} has no tc-netem equivalent`;
  }
  const distribution = options.latencyDistribution ?? 'constant';
  if (!(NETEM_DISTRIBUTIONS as readonly string[]).includes(distribution)) {
    return `latencyDistribution '${distribution}' has no tc-netem equivalent (use ${NETEM_DISTRIBUTIONS.join(', ')})`;
  }
  const reordering = (options.reorderRate ?? 0) > 0 && (options.reorderExtraDelayUs ?? 0) > 0;
  if (reordering && ((options.latencyUs ?? 0) > 0 || jitterApplies(options))) {
    return 'reorderRate with latencyUs or jitterUs has no tc-netem equivalent (netem reorders by sending some packets without the delay)';
  }
  return undefined;
}

function jitterApplies(options: NetemOptions): boolean {
  return (options.jitterUs ?? 0) > 0 && (options.latencyDistribution ?? 'constant') !== 'constant';
}

/** A probability as a netem percentage ("0.5%"). */
function percent(rate: number): string {
  return `${Number((rate * 100).toPrecision(6))}%`;
}

function micros(us: number): string {
  return `${Number(us.toPrecision(9))}us`;
}

/** netem's parameters for the options, or [] when they shape nothing (no qdisc is needed). */
export function netemParameters(options: NetemOptions): string[] {
  const problem = netemProblem(options);
  if (problem !== undefined) throw new RangeError(problem);
  const parts: string[] = [];
  const reorderRate = options.reorderRate ?? 0;
  const reorderDelayUs = options.reorderExtraDelayUs ?? 0;
  if (reorderRate > 0 && reorderDelayUs > 0) {
    parts.push('delay', micros(reorderDelayUs), 'reorder', percent(1 - reorderRate));
  } else if ((options.latencyUs ?? 0) > 0 || jitterApplies(options)) {
    parts.push('delay', micros(options.latencyUs ?? 0));
    if (jitterApplies(options)) {
      parts.push(micros(options.jitterUs ?? 0));
      if (options.latencyDistribution === 'normal') parts.push('distribution', 'normal');
    }
  }
  const loss = options.partitioned === true ? 1 : (options.lossRate ?? 0);
  if (loss > 0) parts.push('loss', percent(loss));
  if ((options.duplicateRate ?? 0) > 0) parts.push('duplicate', percent(options.duplicateRate ?? 0));
  if ((options.corruptRate ?? 0) > 0) parts.push('corrupt', percent(options.corruptRate ?? 0));
  if ((options.bandwidthBps ?? 0) > 0) parts.push('rate', `${Math.round(options.bandwidthBps ?? 0)}bit`);
  return parts;
}

/**
 * The shell command that makes `dev`'s egress follow exactly `options`: the root qdisc is deleted
 * and a netem qdisc added with them (connections are unaffected; packets held in the old qdisc's
 * delay line are dropped), or only deleted when nothing is shaped (the default qdisc comes back).
 * Not `tc qdisc change`: netem_change (net/sched/sch_netem.c) leaves a rate, reorder or corrupt
 * setting in place when the new request omits it, so turning one off needs a fresh qdisc. The
 * fresh qdisc's counters start from zero: read them first (qdiscShowCommand) to keep totals.
 */
export function netemCommand(options: NetemOptions, dev: string = GUEST_INTERFACE): string {
  const parameters = netemParameters(options);
  const quoted = shellQuote(dev);
  const del = `${TC_BINARY} qdisc del dev ${quoted} root 2>/dev/null`;
  if (parameters.length === 0) return `${del}; true`;
  return `${del}; ${TC_BINARY} qdisc add dev ${quoted} root netem ${parameters.join(' ')}`;
}

/** Shows the interface's qdiscs with their counters (sent, dropped, ...). */
export function qdiscShowCommand(dev: string = GUEST_INTERFACE): string {
  return `${TC_BINARY} -s qdisc show dev ${shellQuote(dev)}`;
}
