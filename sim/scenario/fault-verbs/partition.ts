// partition: drops everything on a link (both ways, or only what `from` sends), or isolates a node
// from every other node, or cuts one target port's link (targetPort). In a real-time run, netem
// drops everything leaving the guest.
import { pair, selectedLink, targetPortField } from './selectors.js';
import { checkLinkSelector, checkRealLinkFault, otherNodes, side, type LinkSelector } from './selectors.js';
import type { Link } from '../../net/index.js';
import { str } from '../schema/kit.js';
import { defineVerb } from './verb.js';

/** Drops everything on a link (both ways, or only from `from`), or isolates a node. */
export interface PartitionFault extends LinkSelector {
  readonly action: 'partition';
  /** One-way: only traffic sent by this end of `between` is dropped. */
  readonly from?: string;
}

export const partition = defineVerb<PartitionFault>()({
  action: 'partition',
  fields: { between: pair().optional(), node: str().optional(), targetPort: targetPortField().optional(), from: str().optional() },
  heals: false,
  check: (fault, path, context) => checkLinkSelector(fault, path, context, true),
  simulate: (fault, world) => {
    const { network } = world;
    if (fault.targetPort !== undefined) {
      const { link, label } = selectedLink(fault, world) as { link: Link; label: string };
      link.partition('both');
      return { detail: `${label} partitioned` };
    }
    if (fault.between !== undefined) {
      const [a, b] = fault.between;
      const link = network.linkBetween(a, b);
      link.partition(side(link, fault.from));
      if (fault.from === undefined) return { detail: `link ${a} <-> ${b} partitioned` };
      return { detail: `link ${fault.from} -> ${fault.from === a ? b : a} partitioned (one way)` };
    }
    const node = fault.node as string;
    network.partitionNodes([node], otherNodes(network, node));
    return { detail: `node ${node} isolated` };
  },
  real: {
    doc: "`between` the real node and its peer (with `from` only as the real node), or `node:` the real node: netem `loss 100%` on the egress, which stalls TCP both ways because the guest's ACKs are lost too",
    check: checkRealLinkFault,
    apply: async (fault, world) => {
      const peer = fault.node !== undefined ? world.peerNamed(fault.node) : world.peerOn(fault.between);
      peer.setPartitioned(true);
      return `${peer.name} egress: ${await peer.shape()}`;
    },
  },
  doc: {
    fields: '`between: [a, b]` (+ `from` for one way), `node`, or `targetPort: { target, port }`',
    effect: "drops everything on that link (or from `from` only), isolates the node from every other node, or cuts that target port's link (its own NIC's, else its node's)",
  },
});
