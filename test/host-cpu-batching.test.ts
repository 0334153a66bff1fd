// How a host queue charges CPU work: like Linux nvme_tcp_io_work, one work item per received chunk
// covering every PDU in it, with the requests those PDUs complete completed inline in that item; and
// commands submitted while that item runs are sent by one item after it. Observed through a Cpu fake
// that records each item's Work and holds items until the test runs them, against a scripted peer.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { ByteStream } from '../sim/core/env.js';
import { encodeCqe } from '../sim/nvme/cqe.js';
import { PduDecoder } from '../sim/nvme/pdu-decoder.js';
import { encodePdu } from '../sim/nvme/pdu-encoder.js';
import { NO_DIGEST_PDU_OPTIONS, PduType } from '../sim/nvme/pdu-types.js';
import type { Pdu } from '../sim/nvme/pdu-types.js';
import { buildRead, buildWrite, decodeSqe } from '../sim/nvme/sqe.js';
import { HostQueue } from '../sim/host/queue.js';
import type { QueueCommand } from '../sim/host/queue.js';
import { makeEnv, pattern, settle } from './helpers/host-fixtures.js';
import { RecordingCpu } from './helpers/recording-cpu.js';
import type { RecordedItem } from './helpers/recording-cpu.js';

const ADDRESS = { host: '127.0.0.1', port: 4420 };

/** A live I/O queue to a scripted peer that records the PDUs it receives. */
async function liveQueue(t: ExecutionContext) {
  const cpu = new RecordingCpu(4);
  const env = { ...makeEnv(), cpu };
  const received: Pdu[] = [];
  let peer: ByteStream | undefined;
  await env.network.listen(ADDRESS, (stream) => {
    peer = stream;
    const decoder = new PduDecoder({ acceptTypes: [PduType.ICReq, PduType.CapsuleCmd, PduType.H2CData, PduType.H2CTermReq], maxPduLength: 1 << 20 });
    stream.setHandlers({
      data: (chunk) => decoder.push(chunk, (pdu) => received.push(pdu), (error) => t.fail(error.message)),
      drain: () => {},
      close: () => {},
      error: () => {},
    });
  });
  const opening = HostQueue.open(
    env,
    ADDRESS,
    { qid: 1, depth: 8, core: 1, headerDigest: false, dataDigest: false, inCapsuleBytes: 8192, maxTransferBytes: 1 << 20, connectTimeoutNs: 1e9, logPrefix: '' },
    { fatal: (_qid, reason) => t.fail(reason), timeout: () => t.fail('timeout') },
  );
  await settle();
  const stream = peer;
  if (stream === undefined) throw new Error('no connection');
  const sendBytes = (bytes: Uint8Array): void => {
    stream.write(bytes);
  };
  // All of them in one write: the host reads them as one chunk.
  const send = (pdus: readonly Pdu[]): void => sendBytes(Buffer.concat(pdus.flatMap((pdu) => encodePdu(pdu, NO_DIGEST_PDU_OPTIONS))));
  send([{ type: PduType.ICResp, pfv: 0, cpda: 0, headerDigest: false, dataDigest: false, maxh2cdata: 0x400000 }]);
  await settle();
  const queue = await opening;
  t.teardown(() => queue.close());
  cpu.hold = true;
  return { cpu, queue, received, send, sendBytes };
}

function capsules(received: readonly Pdu[]): number[] {
  return received.flatMap((pdu) => (pdu.type === PduType.CapsuleCmd ? [decodeSqe(pdu.sqe).cid] : []));
}

test('host: a request completes inside the item that received its CapsuleResp, C2HData in the same item', async (t) => {
  const { cpu, queue, received, send } = await liveQueue(t);
  let completedIn: RecordedItem | undefined;
  let status = -1;
  const buffer = new Uint8Array(4096);
  const read: QueueCommand = {
    sqe: buildRead({ cid: 0, nsid: 1, slba: 0, nlb: 8, inCapsule: false, length: 4096 }),
    dataOut: null,
    dataIn: buffer,
    timeoutNs: 0,
    callback: (result) => {
      status = result;
      completedIn = cpu.running;
    },
  };
  const mark = cpu.items.length;
  queue.submit(read);
  // Submitting is one item: the capsule sent, one command's submission cost.
  t.deepEqual(
    cpu.since(mark).map((item) => item.work),
    [{ pdus: 1, copyBytes: 0, crcBytes: 0, commands: 1 }],
  );
  cpu.runHeld();
  await settle();
  const [cid] = capsules(received);
  if (cid === undefined) throw new Error('no capsule');
  const data = pattern(4096, 5);
  const beforeReply = cpu.items.length;
  send([
    { type: PduType.C2HData, cccid: cid, datao: 0, data, last: true, success: false },
    { type: PduType.CapsuleResp, cqe: encodeCqe({ cid, status: 0, sqid: 1 }) },
  ]);
  await settle();
  const reply = cpu.since(beforeReply);
  // One item: both PDUs received, the data copied, the command completed.
  t.is(reply.length, 1);
  t.deepEqual(reply[0]?.work, { pdus: 2, copyBytes: 4096, crcBytes: 0, commands: 1 });
  t.is(status, -1, 'the callback waits for the item');
  cpu.runHeld();
  t.is(status, 0);
  t.is(completedIn, reply[0]);
  t.deepEqual(buffer, data);
  t.is(queue.stats.completed, 1);
});

test('host: commands submitted by completions inside one receive item are sent by one item after it', async (t) => {
  const { cpu, queue, received, send } = await liveQueue(t);
  const followUps: QueueCommand[] = [0, 1].map((index) => ({
    sqe: buildWrite({ cid: 0, nsid: 1, slba: 16 * index, nlb: 8, inCapsule: true, length: 4096 }),
    dataOut: pattern(4096, index + 1),
    dataIn: null,
    timeoutNs: 0,
    callback: () => {},
  }));
  const first: QueueCommand = {
    sqe: buildRead({ cid: 0, nsid: 1, slba: 0, nlb: 1, inCapsule: false, length: 512 }),
    dataOut: null,
    dataIn: new Uint8Array(512),
    timeoutNs: 0,
    // As a workload does: a completion submits the next I/O.
    callback: () => {
      for (const command of followUps) queue.submit(command);
    },
  };
  queue.submit(first);
  cpu.runHeld();
  await settle();
  const [cid] = capsules(received);
  if (cid === undefined) throw new Error('no capsule');
  send([
    { type: PduType.C2HData, cccid: cid, datao: 0, data: pattern(512), last: true, success: false },
    { type: PduType.CapsuleResp, cqe: encodeCqe({ cid, status: 0, sqid: 1 }) },
  ]);
  await settle();
  const mark = cpu.items.length;
  cpu.runHeld();
  // The receive item ran (it was recorded before the mark); after it, one send item for both writes.
  t.deepEqual(
    cpu.since(mark).map((item) => item.work),
    [{ pdus: 2, copyBytes: 0, crcBytes: 0, commands: 2 }],
  );
  await settle();
  t.is(capsules(received).length, 3);
  const writes = received.filter((pdu) => pdu.type === PduType.CapsuleCmd).slice(1);
  t.deepEqual(
    writes.map((pdu) => (pdu.type === PduType.CapsuleCmd ? pdu.data.length : -1)),
    [4096, 4096],
  );
});

test('host: an R2T and the H2CData it asks for are one item; a chunk that completes no PDU charges nothing', async (t) => {
  const { cpu, queue, received, send, sendBytes } = await liveQueue(t);
  const data = pattern(16384, 9);
  let status = -1;
  queue.submit({
    sqe: buildWrite({ cid: 0, nsid: 1, slba: 0, nlb: 32, inCapsule: false, length: data.length }),
    dataOut: data,
    dataIn: null,
    timeoutNs: 0,
    callback: (result) => {
      status = result;
    },
  });
  cpu.runHeld();
  await settle();
  const [cid] = capsules(received);
  if (cid === undefined) throw new Error('no capsule');
  const mark = cpu.items.length;
  send([{ type: PduType.R2T, cccid: cid, ttag: 3, r2to: 0, r2tl: data.length }]);
  await settle();
  // The R2T received and one H2CData PDU (MAXH2CDATA 4 MiB) sent, from one item.
  t.deepEqual(
    cpu.since(mark).map((item) => item.work),
    [{ pdus: 2, copyBytes: 0, crcBytes: 0, commands: 0 }],
  );
  cpu.runHeld();
  await settle();
  const h2c = received.filter((pdu) => pdu.type === PduType.H2CData);
  t.is(h2c.length, 1);
  // Half a CapsuleResp: nothing to charge yet; the rest completes the command in one item.
  const resp = Buffer.concat(encodePdu({ type: PduType.CapsuleResp, cqe: encodeCqe({ cid, status: 0, sqid: 1 }) }, NO_DIGEST_PDU_OPTIONS));
  const beforeResp = cpu.items.length;
  sendBytes(resp.subarray(0, 10));
  await settle();
  t.is(cpu.items.length, beforeResp);
  sendBytes(resp.subarray(10));
  await settle();
  t.deepEqual(
    cpu.since(beforeResp).map((item) => item.work),
    [{ pdus: 1, copyBytes: 0, crcBytes: 0, commands: 1 }],
  );
  t.is(status, -1);
  cpu.runHeld();
  t.is(status, 0);
});
