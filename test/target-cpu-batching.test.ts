// How the target charges CPU work: like Linux nvmet_tcp_io_work, one work item per received chunk
// (every PDU in it, plus executing the commands they start, run inline) and one send item per
// command's response (C2HData and CapsuleResp together). Observed through a Cpu fake that records
// each item's Work and holds items until the test runs them.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { NodeEnv } from '../sim/core/env.js';
import { SeededRngSource } from '../sim/core/rng.js';
import { decodeCqe } from '../sim/nvme/cqe.js';
import { encodePdu } from '../sim/nvme/pdu-encoder.js';
import { NO_DIGEST_PDU_OPTIONS, PduType } from '../sim/nvme/pdu-types.js';
import type { Pdu } from '../sim/nvme/pdu-types.js';
import { buildRead, buildWrite } from '../sim/nvme/sqe.js';
import { NvmeTarget } from '../sim/target/target.js';
import { RecordingCpu } from './helpers/recording-cpu.js';
import { CapturingLogger, concat, MemoryWorld, pattern, testConfig, TestHost } from './helpers/target-fixtures.js';

/** A target on the memory network whose CPU is a RecordingCpu, with a connected I/O queue. */
async function ioQueue(t: ExecutionContext) {
  const world = new MemoryWorld();
  const cpu = new RecordingCpu(4);
  const env: NodeEnv = { network: world.network, clock: world.clock, cpu, rng: new SeededRngSource('target-batching'), log: new CapturingLogger() };
  const target = new NvmeTarget(env, testConfig(4420));
  await target.start();
  t.teardown(() => target.stop());
  const address = target.address(1);
  const admin = new TestHost(world.network.connectNow(address), world);
  const cntlid = await admin.adminSession();
  const io = new TestHost(world.network.connectNow(address), world);
  t.is((await io.ioSession(cntlid, { qid: 1 })).cqe.status, 0);
  // From here on the core is "busy": items wait until runHeld().
  cpu.hold = true;
  return { cpu, io };
}

/** The bytes of several PDUs as one chunk, as one TCP read would deliver them. */
function oneChunk(pdus: readonly Pdu[]): Uint8Array {
  return concat(pdus.flatMap((pdu) => encodePdu(pdu, NO_DIGEST_PDU_OPTIONS)));
}

const NO_DATA = new Uint8Array(0);

test('target: a chunk carrying several CapsuleCmds is charged as one CPU item whose cost is their sum', async (t) => {
  const { cpu, io } = await ioQueue(t);
  const mark = cpu.items.length;
  const data = pattern(4096, 7);
  io.sendBytes(
    oneChunk([
      { type: PduType.CapsuleCmd, sqe: buildRead({ cid: 101, nsid: 1, slba: 0, nlb: 8, inCapsule: false, length: 4096 }), data: NO_DATA },
      { type: PduType.CapsuleCmd, sqe: buildRead({ cid: 102, nsid: 1, slba: 8, nlb: 8, inCapsule: false, length: 4096 }), data: NO_DATA },
      { type: PduType.CapsuleCmd, sqe: buildWrite({ cid: 103, nsid: 1, slba: 64, nlb: 8, inCapsule: true, length: 4096 }), data },
    ]),
  );
  io.settle();
  const received = cpu.since(mark);
  // One item: three PDUs received, the in-capsule data copied, three commands executed inline.
  t.is(received.length, 1);
  t.deepEqual(received[0]?.work, { pdus: 3, copyBytes: 4096, crcBytes: 0, commands: 3 });
  t.deepEqual(io.pending, []);
  cpu.runHeld();
  // The RAM backend completes at once, inside the receive item: its responses (two C2HData, three
  // CapsuleResp) go out in one send item after it, as io_work's send pass sends them.
  const sent = cpu.since(mark + 1);
  t.is(sent.length, 1);
  t.deepEqual(sent[0]?.work, { pdus: 5, copyBytes: 8192, crcBytes: 0, commands: 0 });
  const completed = io.pending.filter((pdu) => pdu.type === PduType.CapsuleResp).map((pdu) => decodeCqe(pdu.cqe));
  t.deepEqual(
    completed.map((cqe) => [cqe.cid, cqe.status]),
    [
      [101, 0],
      [102, 0],
      [103, 0],
    ],
  );
});

test("target: a read's C2HData and CapsuleResp are charged as one send item", async (t) => {
  const { cpu, io } = await ioQueue(t);
  const mark = cpu.items.length;
  io.sendPdu({ type: PduType.CapsuleCmd, sqe: buildRead({ cid: 7, nsid: 1, slba: 0, nlb: 8, inCapsule: false, length: 4096 }), data: NO_DATA });
  io.settle();
  t.deepEqual(
    cpu.since(mark).map((item) => item.work),
    [{ pdus: 1, copyBytes: 0, crcBytes: 0, commands: 1 }],
  );
  cpu.runHeld();
  const items = cpu.since(mark);
  t.is(items.length, 2);
  t.deepEqual(items[1]?.work, { pdus: 2, copyBytes: 4096, crcBytes: 0, commands: 0 });
  t.deepEqual(
    io.pending.map((pdu) => pdu.type),
    [PduType.C2HData, PduType.CapsuleResp],
  );
});

test('target: a write that waits for R2T is charged its execution with the H2CData that completes its data', async (t) => {
  const { cpu, io } = await ioQueue(t);
  const mark = cpu.items.length;
  io.sendPdu({ type: PduType.CapsuleCmd, sqe: buildWrite({ cid: 9, nsid: 1, slba: 0, nlb: 16, inCapsule: false, length: 8192 }), data: NO_DATA });
  io.settle();
  cpu.runHeld();
  // The capsule alone executes nothing; its R2T is a send item of its own.
  t.deepEqual(
    cpu.since(mark).map((item) => item.work),
    [
      { pdus: 1, copyBytes: 0, crcBytes: 0, commands: 0 },
      { pdus: 1, copyBytes: 0, crcBytes: 0, commands: 0 },
    ],
  );
  const r2t = await io.expectType(PduType.R2T);
  const data = pattern(8192, 3);
  const second = cpu.items.length;
  // Both H2CData PDUs in one chunk: one item, and the command runs when the last one is handled.
  io.sendBytes(
    oneChunk([
      { type: PduType.H2CData, cccid: 9, ttag: r2t.ttag, datao: 0, data: data.subarray(0, 4096), last: false },
      { type: PduType.H2CData, cccid: 9, ttag: r2t.ttag, datao: 4096, data: data.subarray(4096), last: true },
    ]),
  );
  io.settle();
  t.deepEqual(
    cpu.since(second).map((item) => item.work),
    [{ pdus: 2, copyBytes: 8192, crcBytes: 0, commands: 1 }],
  );
  cpu.runHeld();
  const response = await io.expectType(PduType.CapsuleResp);
  t.is(decodeCqe(response.cqe).status, 0);
  cpu.hold = false;
  t.deepEqual((await io.read(1, 0, 8192)).data, data);
});

test('target: a chunk that completes no PDU charges nothing until the PDU it ends', async (t) => {
  const { cpu, io } = await ioQueue(t);
  const mark = cpu.items.length;
  const bytes = oneChunk([{ type: PduType.CapsuleCmd, sqe: buildRead({ cid: 5, nsid: 1, slba: 0, nlb: 1, inCapsule: false, length: 512 }), data: NO_DATA }]);
  io.sendBytes(bytes.subarray(0, 30));
  io.settle();
  t.is(cpu.since(mark).length, 0);
  io.sendBytes(bytes.subarray(30));
  io.settle();
  t.deepEqual(
    cpu.since(mark).map((item) => item.work),
    [{ pdus: 1, copyBytes: 0, crcBytes: 0, commands: 1 }],
  );
});
