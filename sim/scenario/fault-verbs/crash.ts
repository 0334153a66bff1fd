// crash: power loss of a node. In a real-time run the real node goes silent and its nvmet ports
// are removed, which deletes every controller and queue without the host seeing a FIN or RST.
import { str } from '../schema/kit.js';
import { checkNode, checkRealNode } from './selectors.js';
import { defineVerb } from './verb.js';

/** Power loss: connections vanish without FIN/RST, timers die, I/O in flight is lost. */
export interface CrashFault {
  readonly action: 'crash';
  readonly node: string;
}

export const crash = defineVerb<CrashFault>()({
  action: 'crash',
  fields: { node: str() },
  heals: false,
  check: (fault, path, context) => checkNode(fault.node, `${path}.node`, context),
  simulate: (fault, world) => ({ detail: world.crashNode(fault.node) }),
  real: {
    doc: 'of the real node: it goes silent (`loss 100%`) and its nvmet port is removed, which deletes every controller and queue as a power loss would, without the host seeing a FIN or RST. The VM keeps running (a reboot under TCG is slow and would move the forwarded port)',
    check: (fault, path, context) => checkRealNode('crash', fault.node, path, context),
    apply: async (fault, world) => {
      const peer = world.peerNamed(fault.node);
      peer.setCrashed(true);
      const shaped = await peer.shape();
      const ports = await peer.portsDown();
      return `${peer.name}: silent (${shaped}), nvmet port(s) ${ports} removed`;
    },
  },
  doc: {
    fields: '`node`',
    effect: 'power loss: connections vanish without FIN/RST, timers die, I/O in flight on a host is lost (counted as `lostInCrash`)',
  },
});
