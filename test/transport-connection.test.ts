// The connection plumbing host and target queues share (sim/transport): send backpressure on the
// byte stream (StreamSender) and CPU work in io_work passes (IoWork). A scripted stream reports
// itself full after a set number of writes; a recording Cpu holds items like a busy core; a
// simulated Cpu shows when an idle connection pays its wake-up.
import test from 'ava';
import type { Address, ByteStream, StagedBytes, StreamHandlers } from '../sim/core/env.js';
import { RealNetwork } from '../sim/net/real-network.js';
import { IoWork } from '../sim/transport/io-work.js';
import { StreamSender } from '../sim/transport/stream-sender.js';
import { RDMA_PROFILE, TCP_PROFILE, workCostNs } from '../sim/cpu/profiles.js';
import { SimCpu } from '../sim/cpu/sim-cpu.js';
import { FakeClock } from './helpers/fake-clock.js';
import { RecordingCpu } from './helpers/recording-cpu.js';

const NOWHERE: Address = { host: '127.0.0.1', port: 0 };

/** A stream that accepts `room` writes before it reports backpressure. */
class ScriptedStream implements ByteStream {
  readonly local = NOWHERE;
  readonly remote = NOWHERE;
  readonly closed = false;
  readonly written: number[] = [];
  room: number;

  constructor(room: number) {
    this.room = room;
  }

  setHandlers(_handlers: StreamHandlers): void {}

  write(chunk: Uint8Array): boolean {
    this.written.push(chunk[0] ?? -1);
    this.room--;
    return this.room > 0;
  }

  end(): void {}
  destroy(): void {}
}

const chunk = (id: number, length = 4): Uint8Array => new Uint8Array(length).fill(id);

/** A ScriptedStream that also stages: staged room is recorded as a write of its first byte. */
class StagingStream extends ScriptedStream {
  readonly #staged: StagedBytes = { bytes: new Uint8Array(64), offset: 0, belowHighWater: true };

  stage(length: number): StagedBytes | null {
    this.written.push(-length);
    this.room--;
    this.#staged.belowHighWater = this.room > 0;
    return this.#staged;
  }
}

test('transport: StreamSender stages only while nothing is held, and staging can fill the stream', (t) => {
  t.is(new StreamSender(new ScriptedStream(5)).stage(8), null, 'a stream without stage()');
  const stream = new StagingStream(2);
  const sender = new StreamSender(stream);
  t.not(sender.stage(8), null);
  // The staged bytes filled the stream: what follows is held, and staging is refused until drain.
  t.not(sender.stage(8), null);
  t.is(sender.stage(8), null);
  sender.write([chunk(1)]);
  t.deepEqual(stream.written, [-8, -8]);
  t.is(sender.heldBytes, 4);
  stream.room = 10;
  sender.drain();
  t.not(sender.stage(8), null);
  t.deepEqual(stream.written, [-8, -8, 1, -8]);
});

test('transport: a real socket sends staged bytes and written chunks in order', async (t) => {
  const network = new RealNetwork();
  const received: number[] = [];
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  const listener = await network.listen({ host: '127.0.0.1', port: 0 }, (stream) =>
    stream.setHandlers({
      data: (bytes) => {
        received.push(...bytes);
        if (received.length >= 1 + 3 + 600 + 2) done();
      },
      drain() {},
      close() {},
      error() {},
    }),
  );
  const stream = await network.connect(listener.address);
  stream.write(Uint8Array.of(1));
  const staged = stream.stage?.(3) ?? null;
  t.not(staged, null);
  if (staged !== null) staged.bytes.set([2, 3, 4], staged.offset);
  stream.write(new Uint8Array(600).fill(5));
  const after = stream.stage?.(2) ?? null;
  if (after !== null) after.bytes.set([6, 7], after.offset);
  await all;
  t.deepEqual(received.slice(0, 4), [1, 2, 3, 4]);
  t.true(received.slice(4, 604).every((byte) => byte === 5));
  t.deepEqual(received.slice(604), [6, 7]);
  stream.destroy();
  await listener.close();
});

test('transport: StreamSender holds chunks after backpressure and writes them in order on drain', (t) => {
  const stream = new ScriptedStream(2);
  const sender = new StreamSender(stream);
  sender.write([chunk(1), chunk(2), chunk(3)]);
  sender.write([chunk(4, 6)]);
  t.deepEqual(stream.written, [1, 2]);
  t.is(sender.heldBytes, 10);
  // Room for two more: 3 fills it again, 4 stays held.
  stream.room = 1;
  sender.drain();
  t.deepEqual(stream.written, [1, 2, 3]);
  t.is(sender.heldBytes, 6);
  stream.room = 10;
  sender.drain();
  t.deepEqual(stream.written, [1, 2, 3, 4]);
  t.is(sender.heldBytes, 0);
  sender.write([chunk(5)]);
  t.deepEqual(stream.written, [1, 2, 3, 4, 5]);
});

test('transport: StreamSender flushes held chunks before a FIN, drops them on clear, ignores writes without a stream', (t) => {
  const stream = new ScriptedStream(1);
  const sender = new StreamSender(stream);
  sender.write([chunk(1), chunk(2), chunk(3)]);
  sender.flushForClose();
  t.deepEqual(stream.written, [1, 2, 3]);
  t.is(sender.heldBytes, 0);

  const other = new ScriptedStream(1);
  const dropping = new StreamSender(other);
  dropping.write([chunk(1), chunk(2)]);
  dropping.clear();
  t.is(dropping.heldBytes, 0);
  other.room = 10;
  dropping.drain();
  t.deepEqual(other.written, [1]);
  dropping.stream = null;
  dropping.write([chunk(9)]);
  t.deepEqual(other.written, [1]);
});

test('transport: IoWork charges one item per pass and sends what a receive pass queued in one item after it', (t) => {
  const cpu = new RecordingCpu(2);
  cpu.hold = true;
  const handled: string[] = [];
  const work: IoWork<string, string> = new IoWork<string, string>({
    cpu,
    core: 1,
    receive: (entry, flag) => {
      handled.push(`rx ${entry} ${flag}`);
      work.addSend(`re ${entry}`);
      work.sendWork.add(1, 0, 0, 0);
      work.sendQueued();
    },
    send: (entry) => handled.push(`tx ${entry}`),
  });
  work.addReceive('a');
  work.addReceive('b', false);
  work.receiveWork.add(2, 100, 0, 2);
  work.chargeReceive();
  // Nothing open: no item.
  work.chargeReceive();
  t.is(cpu.items.length, 1);
  t.deepEqual(cpu.items[0]?.work, { pdus: 2, copyBytes: 100, crcBytes: 0, commands: 2 });
  // Held items run in order, including the send item the receive item submitted.
  cpu.runHeld();
  t.deepEqual(handled, ['rx a true', 'rx b false', 'tx re a', 'tx re b']);
  t.is(cpu.items.length, 2);
  t.deepEqual(cpu.items[1]?.work, { pdus: 2, copyBytes: 0, crcBytes: 0, commands: 0 });
  t.false(work.inReceivePass);
});

test('transport: IoWork charges the open send pass when a receive pass reaches the send budget', (t) => {
  const cpu = new RecordingCpu(2);
  cpu.hold = true;
  const work: IoWork<number, number> = new IoWork<number, number>({
    cpu,
    core: 0,
    sendBudget: 2,
    receive: (entry) => {
      work.addSend(entry);
      work.sendWork.add(1, 0, 0, 0);
      work.sendQueued();
    },
    send: () => {},
  });
  for (let entry = 0; entry < 5; entry++) work.addReceive(entry);
  work.receiveWork.add(5, 0, 0, 0);
  work.chargeReceive();
  cpu.runHeld();
  // The receive item, then sends of 2, 2 and (after the pass) 1.
  t.deepEqual(
    cpu.items.map((item) => item.work.pdus),
    [5, 2, 2, 1],
  );
});

test('transport: an idle connection pays its wake-up once per burst (receive interrupt, hand-off to io_work)', (t) => {
  const clock = new FakeClock();
  const cpu = new SimCpu(clock, TCP_PROFILE, 1);
  const ran: [string, number][] = [];
  const work = new IoWork<string, string>({ cpu, core: 0, side: 'target', receive: (entry) => ran.push([entry, clock.now]), send: (entry) => ran.push([entry, clock.now]) });
  const pass = workCostNs(TCP_PROFILE, { pdus: 1 });
  const handoff = TCP_PROFILE.nsPerHandoff;
  const wait = TCP_PROFILE.rxInterruptDelayNs + TCP_PROFILE.handoffLatencyNs;
  // Idle: the first chunk waits for the interrupt and the hand-off; one arriving meanwhile joins its pass.
  work.addReceive('a');
  work.receiveWork.add(1, 0, 0, 0);
  work.chargeReceive();
  clock.run(wait - 1);
  work.addReceive('b');
  work.receiveWork.add(1, 0, 0, 0);
  work.chargeReceive();
  clock.run(wait + 1);
  // While that pass runs the worker is busy: the next chunk queues behind it with no wake-up.
  work.addReceive('c');
  work.receiveWork.add(1, 0, 0, 0);
  work.chargeReceive();
  clock.run();
  t.deepEqual(ran, [
    ['a', wait + 2 * pass + handoff],
    ['b', wait + 2 * pass + handoff],
    ['c', wait + 3 * pass + handoff],
  ]);
  t.is(cpu.coreStats(0).completed, 2);
  // Idle again: a response queued from outside the worker (a backend completion) hands off too.
  const start = clock.now;
  work.addSend('r');
  work.sendWork.add(1, 0, 0, 0);
  work.sendQueued();
  clock.run();
  t.deepEqual(ran[3], ['r', start + TCP_PROFILE.handoffLatencyNs + pass + handoff]);
});

test('transport: NVMe/RDMA hands off only where its kernel does (the target CQ workqueue), and a real Cpu wakes nothing', (t) => {
  const clock = new FakeClock();
  const cpu = new SimCpu(clock, RDMA_PROFILE, 1);
  const ran: number[] = [];
  const host = new IoWork<string, string>({ cpu, core: 0, receive: () => ran.push(clock.now), send: () => undefined });
  host.addReceive('a');
  host.receiveWork.add(1, 0, 0, 0);
  host.chargeReceive();
  clock.run();
  // The host completes in the CQ's softirq: the interrupt's latency, no hand-off.
  t.deepEqual(ran, [RDMA_PROFILE.rxInterruptDelayNs + RDMA_PROFILE.nsPerPdu]);
  const target = new IoWork<string, string>({ cpu, core: 0, side: 'target', receive: () => ran.push(clock.now), send: () => undefined });
  const start = clock.now;
  target.addReceive('a');
  target.receiveWork.add(1, 0, 0, 0);
  target.chargeReceive();
  clock.run();
  t.is(ran[1], start + RDMA_PROFILE.rxInterruptDelayNs + RDMA_PROFILE.nsPerPdu + RDMA_PROFILE.nsPerHandoff);
  // A Cpu without wake() charges at once, as before.
  const recording = new RecordingCpu(1);
  const plain = new IoWork<string, string>({ cpu: recording, core: 0, receive: () => undefined, send: () => undefined });
  plain.addReceive('a');
  plain.receiveWork.add(1, 0, 0, 0);
  plain.chargeReceive();
  t.is(recording.items.length, 1);
});
