// The study `npm run bench` times on one and two workers: 8 points of the reference fabric (8 I/O
// queues at QD32) with one-way link latencies of 2 to 16 µs, one seed each. The points cost about
// the same, so the figure measures the pool, not how unequal work packs onto two workers. It imports
// 'nvmf-sim' as a user's study does: a relative import into sim/ would make every worker compile the
// simulator's TypeScript sources again (about 150 ms each) beside the compiled copy it already runs.
import { defineStudy } from 'nvmf-sim';

export default defineStudy({
  name: 'bench-study',
  scenario: '../reference.ts',
  axes: [{ name: 'latencyUs', path: 'links[0].options.latencyUs', values: [2, 4, 6, 8, 10, 12, 14, 16] }],
  seeds: 1,
});
