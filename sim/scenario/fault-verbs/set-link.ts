// setLink: changes a link's options (merged over the current ones), both ways or only what `from`
// sends. In a real-time run the options are merged into the guest's egress and netem set to them.
import type { LinkDirectionOptions } from '../../net/index.js';
import { linkDirectionSchema } from '../schema/link-options.js';
import { str } from '../schema/kit.js';
import type { Link } from '../../net/index.js';
import { checkBetween, checkFrom, checkLinkSelector, checkRealLinkFault, pair, selectedLink, side, targetPortField, type TargetPortSelector } from './selectors.js';
import { defineVerb } from './verb.js';

/** Changes a link's options (merged over the current ones), both ways or only from `from`. */
export interface SetLinkFault {
  readonly action: 'setLink';
  /** The link by its ends; or give targetPort. */
  readonly between?: readonly [string, string];
  /** One target port's link (its own NIC's, else its node's), both ways. */
  readonly targetPort?: TargetPortSelector;
  readonly from?: string;
  readonly options: LinkDirectionOptions;
}

export const setLink = defineVerb<SetLinkFault>()({
  action: 'setLink',
  fields: { between: pair().optional(), targetPort: targetPortField().optional(), from: str().optional(), options: linkDirectionSchema() },
  heals: false,
  check: (fault, path, context) => {
    if (fault.targetPort !== undefined) {
      if (fault.between !== undefined) context.fail(`${path}.targetPort`, 'give one of between or targetPort, not between and targetPort');
      checkLinkSelector(fault, path, context, true);
      return;
    }
    if (fault.between === undefined) return context.fail(`${path}.between`, 'is required (between: [a, b], or targetPort: { target, port })');
    checkBetween(fault.between, `${path}.between`, context);
    checkFrom(fault.from, `${path}.from`, fault.between, context);
  },
  simulate: (fault, world) => {
    const { link, label } = selectedLink(fault, world) as { link: Link; label: string };
    link.set(fault.options, side(link, fault.from));
    const changes = Object.entries(fault.options)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' ');
    return { detail: `${label}${fault.from === undefined ? '' : ` (from ${fault.from})`}: ${changes}` };
  },
  real: {
    doc: 'merges the options and sets the guest\'s netem qdisc to them (`tc qdisc del` + `add`, so no old setting lingers)',
    check: (fault, path, context) => {
      checkRealLinkFault(fault, path, context);
      const [x, y] = fault.between as readonly [string, string];
      context.checkNetemFields(fault.options, `${path}.options`);
      context.changeEgress(x, y, fault.options, `${path}.options`);
    },
    apply: async (fault, world) => {
      const peer = world.peerOn(fault.between);
      peer.mergeEgress(fault.options);
      return `${(fault.between as readonly [string, string]).join('-')}: ${await peer.shape()}`;
    },
  },
  doc: {
    fields: '`between` (or `targetPort: { target, port }`), `options`, optional `from` (with between)',
    effect: 'changes link options (merged), e.g. `{ lossRate: 0.01 }`',
  },
});
