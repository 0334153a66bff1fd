// heal: ends a partition (the same selector), or every partition when no selector is given. It
// heals: liveness is judged after it. In a real-time run, netem is set back to the link's options.
import type { Link } from '../../net/index.js';
import { checkLinkSelector, checkRealLinkFault, otherNodes, pair, selectedLink, side, targetPortField, type LinkSelector } from './selectors.js';
import { str } from '../schema/kit.js';
import { defineVerb } from './verb.js';

/** Ends a partition (the same selector), or every partition when no selector is given. */
export interface HealFault extends LinkSelector {
  readonly action: 'heal';
  readonly from?: string;
}

export const heal = defineVerb<HealFault>()({
  action: 'heal',
  fields: { between: pair().optional(), node: str().optional(), targetPort: targetPortField().optional(), from: str().optional() },
  heals: true,
  check: (fault, path, context) => checkLinkSelector(fault, path, context, false),
  simulate: (fault, world) => {
    const { network } = world;
    if (fault.targetPort !== undefined) {
      const { link, label } = selectedLink(fault, world) as { link: Link; label: string };
      link.heal('both');
      return { detail: `${label} healed` };
    }
    if (fault.between !== undefined) {
      const [a, b] = fault.between;
      const link = network.linkBetween(a, b);
      link.heal(side(link, fault.from));
      return { detail: `link ${a} <-> ${b} healed${fault.from === undefined ? '' : ` (from ${fault.from})`}` };
    }
    if (fault.node !== undefined) {
      network.healNodes([fault.node], otherNodes(network, fault.node));
      return { detail: `node ${fault.node} rejoined` };
    }
    network.healAllNodes();
    for (const link of network.links) link.heal('both');
    return { detail: 'every partition healed' };
  },
  real: {
    doc: "restores the link's current options",
    check: checkRealLinkFault,
    apply: async (fault, world) => {
      const peers = fault.node !== undefined ? [world.peerNamed(fault.node)] : fault.between !== undefined ? [world.peerOn(fault.between)] : world.peers();
      const done: string[] = [];
      for (const peer of peers) {
        peer.setPartitioned(false);
        done.push(`${peer.name} egress: ${await peer.shape()}`);
      }
      return done.join('; ');
    },
  },
  doc: {
    fields: 'same as `partition`; none = everything',
    effect: 'ends the partition(s)',
  },
});
