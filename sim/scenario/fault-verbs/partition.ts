// partition: drops everything on a link (both ways, or only what `from` sends), on one ECMP `path`
// of the fabric, on one target port's link (`targetPort`), or only the packets of selected `flows` (path-and-flows.ts), or isolates a node
// from every other node. In a real-time run, netem drops everything leaving the guest.
import { pair, targetPortField } from './selectors.js';
import { checkLinkSelector, checkRealLinkFault, otherNodes, side, type LinkSelector } from './selectors.js';
import { checkPathAndFlows, PATH_AND_FLOWS_FIELDS, setFlows, targetLink, type PathAndFlows } from './path-and-flows.js';
import { str } from '../schema/kit.js';
import { defineVerb } from './verb.js';

/** Drops everything on a link (both ways, or only from `from`), on a fabric path, on some flows, or isolates a node. */
export interface PartitionFault extends LinkSelector, PathAndFlows {
  readonly action: 'partition';
  /** One-way: only traffic sent by this end of `between` (or leaf of `path`) is dropped. */
  readonly from?: string;
}

export const partition = defineVerb<PartitionFault>()({
  action: 'partition',
  fields: { between: pair().optional(), node: str().optional(), from: str().optional(), targetPort: targetPortField().optional(), ...PATH_AND_FLOWS_FIELDS },
  heals: false,
  check: (fault, path, context) => {
    // With a path or flows, between is optional and node is refused (checkPathAndFlows); targetPort
    // names one target port's link (its own NIC's, else its node's).
    if (fault.path === undefined && fault.flows === undefined) checkLinkSelector(fault, path, context, true);
    else if (fault.between !== undefined || fault.targetPort !== undefined) checkLinkSelector(fault, path, context, false);
    checkPathAndFlows(fault, path, context);
  },
  simulate: (fault, world) => {
    if (fault.flows !== undefined) return { detail: `${setFlows({ ...fault, flows: fault.flows }, world, { partitioned: true })}: partitioned` };
    if (fault.between !== undefined || fault.path !== undefined || fault.targetPort !== undefined) {
      const { link, label } = targetLink(fault, world);
      link.partition(side(link, fault.from));
      if (fault.from === undefined) return { detail: `${label} partitioned` };
      if (fault.between === undefined) return { detail: `${label} partitioned from ${fault.from} (one way)` };
      const [a, b] = fault.between;
      return { detail: `link ${fault.from} -> ${fault.from === a ? b : a} partitioned (one way)` };
    }
    const node = fault.node as string;
    world.network.partitionNodes([node], otherNodes(world.network, node));
    return { detail: `node ${node} isolated` };
  },
  real: {
    doc: "`between` the real node and its peer (with `from` only as the real node), or `node:` the real node: netem `loss 100%` on the egress, which stalls TCP both ways because the guest's ACKs are lost too; `path` and `flows` are refused",
    check: (fault, path, context) => {
      if (fault.path !== undefined) context.fail(`${path}.path`, 'fabric paths exist only in simulation');
      if (fault.flows !== undefined) context.fail(`${path}.flows`, 'per-flow faults exist only in simulation');
      checkRealLinkFault(fault, path, context);
    },
    apply: async (fault, world) => {
      const peer = fault.node !== undefined ? world.peerNamed(fault.node) : world.peerOn(fault.between);
      peer.setPartitioned(true);
      return `${peer.name} egress: ${await peer.shape()}`;
    },
  },
  doc: {
    fields: '`between: [a, b]` (+ `from` for one way), `path`, `node`, or `targetPort: { target, port }`; optional `flows`',
    effect: "drops everything on that link, fabric path or target port's link (or from `from` only), only the selected flows' packets with `flows`, or isolates the node from every other node",
  },
});
