// pause: SIGSTOP of the application on a node: the kernel keeps ACKing until the window closes; timers wait.
// Refused in a real-time run: nvmet runs in the guest kernel, which cannot be stopped alone.
import { str } from '../schema/kit.js';
import { checkNode } from './selectors.js';
import { defineVerb } from './verb.js';

export interface PauseFault {
  readonly action: 'pause';
  readonly node: string;
}

export const pause = defineVerb<PauseFault>()({
  action: 'pause',
  fields: { node: str() },
  heals: false,
  check: (fault, path, context) => checkNode(fault.node, `${path}.node`, context),
  simulate: (fault, world) => {
    world.pauseNode(fault.node);
    return { detail: `node ${fault.node} paused` };
  },
  real: { refused: 'has no real-time equivalent yet (nvmet runs in the guest kernel)' },
  doc: {
    fields: '`node`',
    effect: 'SIGSTOP of the application: the kernel keeps ACKing until the window closes; timers wait',
  },
});
