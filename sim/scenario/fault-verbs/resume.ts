// resume: SIGCONT of a paused node. It heals: liveness is judged after it.
// Refused in a real-time run: nvmet runs in the guest kernel, which cannot be stopped alone.
import { str } from '../schema/kit.js';
import { checkNode } from './selectors.js';
import { defineVerb } from './verb.js';

export interface ResumeFault {
  readonly action: 'resume';
  readonly node: string;
}

export const resume = defineVerb<ResumeFault>()({
  action: 'resume',
  fields: { node: str() },
  heals: true,
  check: (fault, path, context) => checkNode(fault.node, `${path}.node`, context),
  simulate: (fault, world) => {
    world.resumeNode(fault.node);
    return { detail: `node ${fault.node} resumed` };
  },
  real: { refused: 'has no real-time equivalent yet (nvmet runs in the guest kernel)' },
  doc: {
    fields: '`node`',
    effect: 'SIGCONT: ends `pause`',
  },
});
