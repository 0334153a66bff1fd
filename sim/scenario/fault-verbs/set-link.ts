// setLink: changes a link's options (merged over the current ones), both ways or only what `from`
// sends; on one ECMP `path` of the fabric instead of `between`; and, with `flows`, for the packets
// of the selected flows only (path-and-flows.ts). In a real-time run the options are merged into
// the guest's egress and netem set to them.
import type { LinkDirectionOptions } from '../../net/index.js';
import { linkDirectionSchema } from '../schema/link-options.js';
import { str } from '../schema/kit.js';
import { checkPathAndFlows, PATH_AND_FLOWS_FIELDS, setFlows, targetLink, type PathAndFlows } from './path-and-flows.js';
import { checkBetween, checkFrom, checkLinkSelector, checkRealLinkFault, pair, side, targetPortField, type TargetPortSelector } from './selectors.js';
import { defineVerb } from './verb.js';

/** Changes a link's options (merged over the current ones), both ways or only from `from`. */
export interface SetLinkFault extends PathAndFlows {
  readonly action: 'setLink';
  /** The link between these two nodes or switches; or give path, targetPort, or flows with a host. */
  readonly between?: readonly [string, string];
  /** One target port's link (its own NIC's, else its node's), both ways. */
  readonly targetPort?: TargetPortSelector;
  readonly from?: string;
  readonly options: LinkDirectionOptions;
}

export const setLink = defineVerb<SetLinkFault>()({
  action: 'setLink',
  fields: { between: pair().optional(), from: str().optional(), options: linkDirectionSchema(), targetPort: targetPortField().optional(), ...PATH_AND_FLOWS_FIELDS },
  heals: false,
  check: (fault, path, context) => {
    if (fault.targetPort !== undefined) {
      checkLinkSelector(fault, path, context, true);
    } else if (fault.between !== undefined) {
      checkBetween(fault.between, `${path}.between`, context);
      checkFrom(fault.from, `${path}.from`, fault.between, context);
    } else if (fault.path === undefined && fault.flows === undefined) {
      context.fail(`${path}.between`, "is required (between: ['a', 'b'], path: 'path1', or targetPort: { target, port })");
    }
    checkPathAndFlows(fault, path, context);
  },
  simulate: (fault, world) => {
    const changes = Object.entries(fault.options)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' ');
    if (fault.flows !== undefined) return { detail: `${setFlows({ ...fault, flows: fault.flows }, world, fault.options)}: ${changes}` };
    const { link, label } = targetLink(fault, world);
    link.set(fault.options, side(link, fault.from));
    return { detail: `${label}${fault.from === undefined ? '' : ` (from ${fault.from})`}: ${changes}` };
  },
  real: {
    doc: 'merges the options and sets the guest\'s netem qdisc to them (`tc qdisc del` + `add`, so no old setting lingers); `path` and `flows` are refused',
    check: (fault, path, context) => {
      if (fault.path !== undefined) context.fail(`${path}.path`, 'fabric paths exist only in simulation');
      if (fault.flows !== undefined) context.fail(`${path}.flows`, 'per-flow faults exist only in simulation');
      const between = fault.between as readonly [string, string];
      checkRealLinkFault(fault, path, context);
      context.checkNetemFields(fault.options, `${path}.options`);
      context.changeEgress(between[0], between[1], fault.options, `${path}.options`);
    },
    apply: async (fault, world) => {
      const peer = world.peerOn(fault.between);
      peer.mergeEgress(fault.options);
      return `${(fault.between ?? []).join('-')}: ${await peer.shape()}`;
    },
  },
  doc: {
    fields: '`between`, `path` or `targetPort: { target, port }`, `options`, optional `from`, optional `flows`',
    effect: 'changes link options (merged), e.g. `{ lossRate: 0.01 }`; on one fabric `path`; with `flows` (`{ host, qids, fraction }`) only for those flows\' packets',
  },
});
