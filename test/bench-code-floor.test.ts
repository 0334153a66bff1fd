// The code-floor benchmark's parts: the model-free pipe network carries an NVMe/TCP session between
// the real target and host code, and the code floor completes reads through it in virtual time.
// (Its speed is measured by `npm run bench`, never asserted here.)
import test from 'ava';
import { codeFloor } from '../sim/bench/code-floor.js';
import { PipeNetwork } from '../sim/bench/pipe-network.js';
import { Scheduler } from '../sim/core/scheduler.js';

test('bench: the code floor completes reads with every model taken away', async (t) => {
  let wallMs = 0;
  const result = await codeFloor({ warmupMs: 1, measureMs: 1, wallClockMs: () => (wallMs += 1) });
  // 256 reads outstanding, each a 1 us pipe hop each way: 128 reads per slot-round-trip of 2 us.
  t.true(result.ios >= 100_000, `${result.ios} reads in 1 ms of virtual time`);
  t.true(result.events > 0 && result.events < result.ios, 'one delivery event carries many PDUs');
});

test('bench: pipe streams deliver a delay period\'s writes together, in order, as the chunks written (no copy), and refuse unknown ports', async (t) => {
  const scheduler = new Scheduler();
  const network = new PipeNetwork(scheduler, 1_000);
  const received: { at: number; chunk: Uint8Array }[] = [];
  await network.listen({ host: '10.0.0.2', port: 7 }, (stream) => {
    stream.setHandlers({ data: (chunk) => received.push({ at: scheduler.now, chunk }), drain() {}, close() {}, error() {} });
  });
  const client = await network.connect({ host: '10.0.0.2', port: 7 });
  const first = Uint8Array.of(1, 2);
  client.write(first);
  client.write(Uint8Array.of(3));
  scheduler.runUntilIdle();
  client.write(Uint8Array.of(4));
  scheduler.runUntilIdle();
  t.deepEqual(
    received.map(({ at, chunk }) => ({ at, bytes: [...chunk] })),
    [
      { at: 1_000, bytes: [1, 2] },
      { at: 1_000, bytes: [3] },
      { at: 2_000, bytes: [4] },
    ],
  );
  t.is(received[0]?.chunk, first, 'the written chunk itself is handed over');
  await t.throwsAsync(network.connect({ host: '10.0.0.2', port: 8 }), { message: /ECONNREFUSED/ });
});
