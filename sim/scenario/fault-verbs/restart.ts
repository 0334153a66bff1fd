// restart: a new incarnation of a node: targets on it start again on the same devices, hosts on
// it connect again and restart their workload. It heals: liveness is judged after it, for the
// hosts that were running and those that restart with the node. In a real-time run the real
// node's nvmet ports are re-created and its link restored.
import { str } from '../schema/kit.js';
import { checkNode, checkRealNode } from './selectors.js';
import { defineVerb } from './verb.js';

/** Reboot: the node comes back (crashed first if it was up). */
export interface RestartFault {
  readonly action: 'restart';
  readonly node: string;
}

export const restart = defineVerb<RestartFault>()({
  action: 'restart',
  fields: { node: str() },
  heals: true,
  check: (fault, path, context) => checkNode(fault.node, `${path}.node`, context),
  simulate: (fault, world) => {
    const detail = world.restartNode(fault.node);
    return { detail, alsoResuming: world.restartedHosts(fault.node) };
  },
  real: {
    doc: 're-creates the real node\'s nvmet port and restores its link; namespaces keep their data, as simulated devices do across a restart',
    check: (fault, path, context) => checkRealNode('restart', fault.node, path, context),
    apply: async (fault, world) => {
      const peer = world.peerNamed(fault.node);
      const ports = await peer.portsUp();
      peer.setCrashed(false);
      return `${peer.name}: nvmet port(s) ${ports} re-created, ${await peer.shape()}`;
    },
  },
  doc: {
    fields: '`node`',
    effect: 'boots a new incarnation: targets on it start again on the same devices; hosts on it connect again and restart their workload',
  },
});
