// The study `npm run bench` times on one and two workers: 8 points of the reference fabric
// (1, 2, ..., 8 I/O queues at QD32) for 30 ms of simulated time each, one seed.
import { defineStudy } from '../study/index.js';

export default defineStudy({
  name: 'bench-study',
  scenario: '../../scenarios/reference.ts',
  axes: [{ name: 'queues', path: 'hosts[*].connect.nrIoQueues', values: [1, 2, 3, 4, 5, 6, 7, 8] }],
  seeds: 1,
});
