// The reference scenario under network faults: the same host, target and workload as
// reference.ts, for 3 simulated seconds, with 0.5% random packet loss on the link and a full
// partition from 1 s to 2 s. The partition is shorter than the host's keep-alive timeout (5 s) and
// I/O timeout (30 s), so no error recovery starts: TCP retransmits with exponential backoff and I/O
// resumes after the heal. The liveness invariant checks that it does.
import { defineScenario } from 'nvmf-sim';
import reference from './reference.js';

export default defineScenario({
  ...reference,
  name: 'reference-loss',
  description: 'reference.ts with 0.5% loss and a 1 s partition at 1 s',
  duration: '3s',
  links: [{ a: 'host', b: 'target', options: { latencyUs: 8, lossRate: 0.005 } }],
  faults: [
    { at: '1s', action: 'partition', between: ['host', 'target'] },
    { at: '2s', action: 'heal', between: ['host', 'target'] },
  ],
});
