// heal: ends a partition (the same selector: between, path, targetPort, node, or flows), or every partition
// when no selector is given. It heals: liveness is judged after it. In a real-time run, netem is
// set back to the link's options.
import { checkLinkSelector, checkRealLinkFault, otherNodes, pair, side, targetPortField, type LinkSelector } from './selectors.js';
import { checkPathAndFlows, healAllFlows, PATH_AND_FLOWS_FIELDS, setFlows, targetLink, type PathAndFlows } from './path-and-flows.js';
import { str } from '../schema/kit.js';
import { defineVerb } from './verb.js';

/** Ends a partition (the same selector), or every partition when no selector is given. */
export interface HealFault extends LinkSelector, PathAndFlows {
  readonly action: 'heal';
  readonly from?: string;
}

export const heal = defineVerb<HealFault>()({
  action: 'heal',
  fields: { between: pair().optional(), node: str().optional(), from: str().optional(), targetPort: targetPortField().optional(), ...PATH_AND_FLOWS_FIELDS },
  heals: true,
  check: (fault, path, context) => {
    // With a path or flows, between is optional and node is refused (checkPathAndFlows); targetPort
    // names one target port's link (its own NIC's, else its node's).
    if (fault.path === undefined && fault.flows === undefined) checkLinkSelector(fault, path, context, false);
    else if (fault.between !== undefined || fault.targetPort !== undefined) checkLinkSelector(fault, path, context, false);
    checkPathAndFlows(fault, path, context);
  },
  simulate: (fault, world) => {
    if (fault.flows !== undefined) return { detail: `${setFlows({ ...fault, flows: fault.flows }, world, { partitioned: false })}: healed` };
    if (fault.between !== undefined || fault.path !== undefined || fault.targetPort !== undefined) {
      const { link, label } = targetLink(fault, world);
      link.heal(side(link, fault.from));
      return { detail: `${label} healed${fault.from === undefined ? '' : ` (from ${fault.from})`}` };
    }
    const network = world.network;
    if (fault.node !== undefined) {
      network.healNodes([fault.node], otherNodes(network, fault.node));
      return { detail: `node ${fault.node} rejoined` };
    }
    network.healAllNodes();
    for (const link of network.links) link.heal('both');
    healAllFlows(network.links);
    return { detail: 'every partition healed' };
  },
  real: {
    doc: "restores the link's current options",
    check: (fault, path, context) => {
      if (fault.path !== undefined) context.fail(`${path}.path`, 'fabric paths exist only in simulation');
      if (fault.flows !== undefined) context.fail(`${path}.flows`, 'per-flow faults exist only in simulation');
      checkRealLinkFault(fault, path, context);
    },
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
