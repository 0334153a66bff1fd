// setLink: changes a link's options (merged over the current ones), both ways or only what `from`
// sends. In a real-time run the options are merged into the guest's egress and netem set to them.
import type { LinkDirectionOptions } from '../../net/index.js';
import { linkDirectionSchema } from '../schema/link-options.js';
import { str } from '../schema/kit.js';
import { checkBetween, checkFrom, checkRealLinkFault, pair, side } from './selectors.js';
import { defineVerb } from './verb.js';

/** Changes a link's options (merged over the current ones), both ways or only from `from`. */
export interface SetLinkFault {
  readonly action: 'setLink';
  readonly between: readonly [string, string];
  readonly from?: string;
  readonly options: LinkDirectionOptions;
}

export const setLink = defineVerb<SetLinkFault>()({
  action: 'setLink',
  fields: { between: pair(), from: str().optional(), options: linkDirectionSchema() },
  heals: false,
  check: (fault, path, context) => {
    checkBetween(fault.between, `${path}.between`, context);
    checkFrom(fault.from, `${path}.from`, fault.between, context);
  },
  simulate: (fault, { network }) => {
    const [a, b] = fault.between;
    const link = network.linkBetween(a, b);
    link.set(fault.options, side(link, fault.from));
    const changes = Object.entries(fault.options)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' ');
    return { detail: `link ${a} <-> ${b}${fault.from === undefined ? '' : ` (from ${fault.from})`}: ${changes}` };
  },
  real: {
    doc: 'merges the options and sets the guest\'s netem qdisc to them (`tc qdisc del` + `add`, so no old setting lingers)',
    check: (fault, path, context) => {
      checkRealLinkFault(fault, path, context);
      context.checkNetemFields(fault.options, `${path}.options`);
      context.changeEgress(fault.between[0], fault.between[1], fault.options, `${path}.options`);
    },
    apply: async (fault, world) => {
      const peer = world.peerOn(fault.between);
      peer.mergeEgress(fault.options);
      return `${fault.between.join('-')}: ${await peer.shape()}`;
    },
  },
  doc: {
    fields: '`between`, `options`, optional `from`',
    effect: 'changes link options (merged), e.g. `{ lossRate: 0.01 }`',
  },
});
