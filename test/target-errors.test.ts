// Malformed input: every fatal transport error gets a C2HTermReq with the exact FES and FEI and the
// offending header as error data, then the connection closes, while another host's controller on
// the same target keeps doing I/O. Malformed PDUs are built by hand (raw bytes) where the encoder
// would refuse to build them, and with the codec's encoder otherwise.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { encodePdu } from '../sim/nvme/pdu-encoder.js';
import { Fes, PduType } from '../sim/nvme/pdu-types.js';
import { buildRead, buildWrite } from '../sim/nvme/sqe.js';
import { OTHER_HOSTNQN, pattern, startMemoryTarget } from './helpers/target-fixtures.js';
import type { MemoryStream, MemoryTarget, TestHost } from './helpers/target-fixtures.js';

/** Hand-built bytes: an 8-byte common header followed by `rest` (zero-filled to plen when shorter). */
function raw(type: number, flags: number, hlen: number, pdo: number, plen: number, rest: number[] = []): Uint8Array {
  const total = Math.max(8 + rest.length, Math.min(plen, 4096));
  const out = new Uint8Array(total);
  out.set([type, flags, hlen, pdo, plen & 0xff, (plen >>> 8) & 0xff, (plen >>> 16) & 0xff, plen >>> 24]);
  out.set(rest, 8);
  return out;
}

interface Expected {
  readonly fes: number;
  readonly fei: number;
  /** The first bytes the TermReq's error data must hold (the offending header). */
  readonly header?: readonly number[];
  /** Expected error data length. */
  readonly headerLength?: number;
}

type Setup = (victim: TestHost, started: MemoryTarget) => Promise<void>;

/** A second host with a working controller and I/O queue, to prove a fatal error stays local. */
async function bystander(started: MemoryTarget): Promise<TestHost> {
  const admin = started.connect();
  const cntlid = await admin.adminSession({ hostnqn: OTHER_HOSTNQN });
  const io = started.connect();
  await io.icreq();
  const connected = await io.connect({ qid: 1, cntlid, hostnqn: OTHER_HOSTNQN, sqsize: 31 });
  if (connected.cqe.status !== 0) throw new Error('bystander connect failed');
  return io;
}

const fatal = test.macro(async (t: ExecutionContext, setup: Setup, expected: Expected) => {
  const started = await startMemoryTarget(t);
  const other = await bystander(started);
  const victim = started.connect();
  await setup(victim, started);
  const term = await victim.expectTermReq();
  t.is(term.fes, expected.fes, 'FES');
  t.is(term.fei, expected.fei, 'FEI');
  if (expected.header !== undefined) t.deepEqual([...term.errorData.subarray(0, expected.header.length)], [...expected.header]);
  if (expected.headerLength !== undefined) t.is(term.errorData.length, expected.headerLength);
  t.true(await victim.closed(), 'the connection closes');
  t.is(started.target.stats.termReqsSent, 1);
  const data = pattern(4096, 31);
  t.is((await other.write(1, 0, data, { inCapsule: true })).cqe.status, 0);
  t.deepEqual((await other.read(1, 0, 4096)).data, data);
});

test('target: fatal: wrong hlen for the PDU type', fatal, async (victim) => {
  await victim.icreq();
  victim.sendBytes(raw(PduType.CapsuleCmd, 0, 24, 0, 72));
}, { fes: Fes.INVALID_HEADER_FIELD, fei: 2, header: [0x04, 0, 24, 0, 72, 0, 0, 0], headerLength: 8 });

test('target: fatal: plen smaller than the header', fatal, async (victim) => {
  await victim.icreq();
  victim.sendBytes(raw(PduType.CapsuleCmd, 0, 72, 0, 40));
}, { fes: Fes.INVALID_HEADER_FIELD, fei: 4, header: [0x04, 0, 72, 0, 40, 0, 0, 0] });

test('target: fatal: plen above what the target accepts', fatal, async (victim) => {
  await victim.icreq();
  victim.sendBytes(raw(PduType.CapsuleCmd, 0, 72, 72, 0x10000000));
}, { fes: Fes.DATA_LIMIT_EXCEEDED, fei: 0 });

test('target: fatal: unknown PDU type', fatal, async (victim) => {
  await victim.icreq();
  victim.sendBytes(raw(0x0a, 0, 24, 0, 24));
}, { fes: Fes.INVALID_HEADER_FIELD, fei: 0, header: [0x0a] });

test('target: fatal: reserved PDU type 0x08', fatal, async (victim) => {
  await victim.icreq();
  victim.sendBytes(raw(0x08, 0, 24, 0, 24));
}, { fes: Fes.INVALID_HEADER_FIELD, fei: 0 });

test('target: fatal: a controller-to-host PDU type from the host (R2T)', fatal, async (victim) => {
  await victim.icreq();
  victim.sendPdu({ type: PduType.R2T, cccid: 1, ttag: 0, r2to: 0, r2tl: 512 });
}, { fes: Fes.PDU_SEQUENCE_ERROR, fei: 0, header: [PduType.R2T] });

test('target: fatal: a CapsuleCmd before ICReq', fatal, async (victim) => {
  victim.sendPdu({ type: PduType.CapsuleCmd, sqe: buildRead({ cid: 1, nsid: 1, slba: 0, nlb: 1, inCapsule: false, length: 512 }), data: new Uint8Array(0) });
}, { fes: Fes.PDU_SEQUENCE_ERROR, fei: 0, header: [PduType.CapsuleCmd, 0, 72, 0, 72, 0, 0, 0] });

test('target: fatal: a second ICReq', fatal, async (victim) => {
  await victim.icreq();
  victim.sendPdu({ type: PduType.ICReq, pfv: 0, hpda: 0, headerDigest: false, dataDigest: false, maxr2t: 0 });
}, { fes: Fes.PDU_SEQUENCE_ERROR, fei: 0, header: [PduType.ICReq, 0, 128, 0, 128, 0, 0, 0] });

test('target: fatal: ICReq with PFV 1', fatal, async (victim) => {
  victim.sendPdu({ type: PduType.ICReq, pfv: 1, hpda: 0, headerDigest: false, dataDigest: false, maxr2t: 0 });
}, { fes: Fes.UNSUPPORTED_PARAMETER, fei: 8, headerLength: 128 });

test('target: fatal: ICReq with HPDA 2 (no data alignment support)', fatal, async (victim) => {
  victim.sendPdu({ type: PduType.ICReq, pfv: 0, hpda: 2, headerDigest: false, dataDigest: false, maxr2t: 0 });
}, { fes: Fes.UNSUPPORTED_PARAMETER, fei: 10, headerLength: 128 });

test('target: fatal: ICReq with plen 132', fatal, async (victim) => {
  victim.sendBytes(raw(PduType.ICReq, 0, 128, 0, 132, new Array<number>(124).fill(0)));
}, { fes: Fes.INVALID_HEADER_FIELD, fei: 4 });

test('target: fatal: header digest mismatch', fatal, async (victim) => {
  await victim.icreq({ headerDigest: true });
  const bytes = Buffer.concat(encodePdu({ type: PduType.CapsuleCmd, sqe: buildRead({ cid: 3, nsid: 1, slba: 0, nlb: 1, inCapsule: false, length: 512 }), data: new Uint8Array(0) }, victim.options));
  const digest = bytes.readUInt32LE(72);
  bytes.writeUInt32LE((digest ^ 0x5a5a5a5a) >>> 0, 72);
  victim.sendBytes(bytes);
}, { fes: Fes.HEADER_DIGEST_ERROR, fei: 0, headerLength: 72, header: [PduType.CapsuleCmd, 1, 72] });

test('target: fatal: header digest negotiated but the HDGST flag missing', fatal, async (victim) => {
  await victim.icreq({ headerDigest: true });
  const pdu = encodePdu({ type: PduType.CapsuleCmd, sqe: buildRead({ cid: 3, nsid: 1, slba: 0, nlb: 1, inCapsule: false, length: 512 }), data: new Uint8Array(0) }, { headerDigest: false, dataDigest: false, dataAlignment: 0 });
  for (const chunk of pdu) victim.sendBytes(chunk);
}, { fes: Fes.INVALID_HEADER_FIELD, fei: 1 });

test('target: fatal: data digest negotiated but in-capsule data without the DDGST flag', fatal, async (victim) => {
  await victim.icreq({ dataDigest: true });
  const sqe = buildWrite({ cid: 3, nsid: 1, slba: 0, nlb: 1, inCapsule: true, length: 512 });
  for (const chunk of encodePdu({ type: PduType.CapsuleCmd, sqe, data: new Uint8Array(512) }, { headerDigest: false, dataDigest: false, dataAlignment: 0 })) {
    victim.sendBytes(chunk);
  }
}, { fes: Fes.INVALID_HEADER_FIELD, fei: 1 });

/** Makes the victim an I/O queue of a controller of its own and starts a 4 KiB R2T write; returns the R2T. */
async function pendingWrite(victim: TestHost, started: MemoryTarget) {
  const admin = started.connect();
  const cntlid = await admin.adminSession();
  await victim.ioSession(cntlid);
  const cid = victim.nextCid();
  victim.sendPdu({ type: PduType.CapsuleCmd, sqe: buildWrite({ cid, nsid: 1, slba: 0, nlb: 8, inCapsule: false, length: 4096 }), data: new Uint8Array(0) });
  return victim.expectType(PduType.R2T);
}

test('target: fatal: H2CData with an unknown TTAG', fatal, async (victim, started) => {
  const r2t = await pendingWrite(victim, started);
  victim.sendPdu({ type: PduType.H2CData, cccid: r2t.cccid, ttag: r2t.ttag + 1, datao: 0, data: new Uint8Array(4096), last: true });
}, { fes: Fes.INVALID_HEADER_FIELD, fei: 10, headerLength: 24, header: [PduType.H2CData] });

test('target: fatal: H2CData with a TTAG out of range', fatal, async (victim, started) => {
  const r2t = await pendingWrite(victim, started);
  victim.sendPdu({ type: PduType.H2CData, cccid: r2t.cccid, ttag: 0xfffe, datao: 0, data: new Uint8Array(4096), last: true });
}, { fes: Fes.INVALID_HEADER_FIELD, fei: 10 });

test('target: fatal: H2CData with the wrong CCCID', fatal, async (victim, started) => {
  const r2t = await pendingWrite(victim, started);
  victim.sendPdu({ type: PduType.H2CData, cccid: r2t.cccid + 1, ttag: r2t.ttag, datao: 0, data: new Uint8Array(4096), last: true });
}, { fes: Fes.INVALID_HEADER_FIELD, fei: 8 });

test('target: fatal: H2CData out of order', fatal, async (victim, started) => {
  const r2t = await pendingWrite(victim, started);
  victim.sendPdu({ type: PduType.H2CData, cccid: r2t.cccid, ttag: r2t.ttag, datao: 1024, data: new Uint8Array(1024), last: false });
}, { fes: Fes.PDU_SEQUENCE_ERROR, fei: 0 });

test('target: fatal: H2CData past the end of the command', fatal, async (victim, started) => {
  const r2t = await pendingWrite(victim, started);
  victim.sendPdu({ type: PduType.H2CData, cccid: r2t.cccid, ttag: r2t.ttag, datao: 0, data: new Uint8Array(8192), last: true });
}, { fes: Fes.DATA_OUT_OF_RANGE, fei: 0 });

test('target: fatal: H2CData with LAST before the end', fatal, async (victim, started) => {
  const r2t = await pendingWrite(victim, started);
  victim.sendPdu({ type: PduType.H2CData, cccid: r2t.cccid, ttag: r2t.ttag, datao: 0, data: new Uint8Array(1024), last: true });
}, { fes: Fes.PDU_SEQUENCE_ERROR, fei: 0 });

test('target: fatal: H2CData whose DATAL disagrees with plen', fatal, async (victim, started) => {
  const r2t = await pendingWrite(victim, started);
  const bytes = Buffer.concat(encodePdu({ type: PduType.H2CData, cccid: r2t.cccid, ttag: r2t.ttag, datao: 0, data: new Uint8Array(4096), last: true }, victim.options));
  bytes.writeUInt32LE(2048, 16);
  victim.sendBytes(bytes);
}, { fes: Fes.INVALID_HEADER_FIELD, fei: 16 });

test('target: fatal: H2CData when no write awaits data (TTAG of an idle slot)', fatal, async (victim) => {
  await victim.adminSession();
  victim.sendPdu({ type: PduType.H2CData, cccid: 1, ttag: 3, datao: 0, data: new Uint8Array(512), last: true });
}, { fes: Fes.INVALID_HEADER_FIELD, fei: 10 });

test('target: fatal: H2CData before Connect with a TTAG other than 0xffff', fatal, async (victim) => {
  await victim.icreq();
  victim.sendPdu({ type: PduType.H2CData, cccid: 1, ttag: 0, datao: 0, data: new Uint8Array(512), last: true });
}, { fes: Fes.INVALID_HEADER_FIELD, fei: 10 });

test('target: a fatal error on an I/O queue takes its controller (and admin queue) down, as in Linux', async (t) => {
  const started = await startMemoryTarget(t);
  const other = await bystander(started);
  const admin = started.connect();
  const cntlid = await admin.adminSession();
  const io = started.connect();
  await io.ioSession(cntlid);
  io.sendBytes(raw(0x0b, 0, 24, 0, 24));
  t.is((await io.expectTermReq()).fes, Fes.INVALID_HEADER_FIELD);
  t.true(await io.closed());
  t.true(await admin.closed());
  t.deepEqual(
    started.target.controllers().map((info) => info.hostnqn),
    [OTHER_HOSTNQN],
  );
  t.is((await other.read(1, 0, 512)).cqe.status, 0);
});

test('target: an H2CTermReq from the host closes the connection without a reply', async (t) => {
  const started = await startMemoryTarget(t);
  const host = started.connect();
  await host.icreq();
  host.sendPdu({ type: PduType.H2CTermReq, fes: Fes.HEADER_DIGEST_ERROR, fei: 0, errorData: new Uint8Array(8) });
  t.true(await host.closed());
  t.deepEqual(host.pending, []);
  t.is(started.target.stats.termReqsReceived, 1);
});

test('target: input split into 1-byte chunks still works, and garbage after a fatal error is ignored', async (t) => {
  const started = await startMemoryTarget(t);
  const host = started.connect();
  const icreq = Buffer.concat(encodePdu({ type: PduType.ICReq, pfv: 0, hpda: 0, headerDigest: true, dataDigest: true, maxr2t: 0 }, { headerDigest: false, dataDigest: false, dataAlignment: 0 }));
  for (const byte of icreq) host.sendBytes(Uint8Array.of(byte));
  const icresp = await host.expectType(PduType.ICResp);
  t.true(icresp.headerDigest && icresp.dataDigest);
  host.sendBytes(raw(0x0c, 0, 24, 0, 24));
  host.sendBytes(new Uint8Array(1000).fill(0xee));
  t.is((await host.expectTermReq()).fes, Fes.INVALID_HEADER_FIELD);
  t.true(await host.closed());
  t.is(started.target.stats.termReqsSent, 1);
});

test('target: random bytes never throw out of the target; each connection ends in a TermReq or stays framed', async (t) => {
  const started = await startMemoryTarget(t);
  const other = await bystander(started);
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  for (let round = 0; round < 40; round++) {
    const host = started.connect();
    if (round % 2 === 0) await host.icreq();
    const length = 1 + (next() % 300);
    const bytes = new Uint8Array(length);
    for (let index = 0; index < length; index++) bytes[index] = next() & 0xff;
    host.sendBytes(bytes);
    host.settle();
    host.destroy();
    host.settle();
  }
  t.is((await other.read(1, 0, 512)).cqe.status, 0);
  t.is(started.target.stats.connections, 2);
});

test('target: a peer that never closes after the TermReq is reset after the linger time', async (t) => {
  const started = await startMemoryTarget(t);
  const host = started.connect();
  await host.icreq();
  const client = host.stream as MemoryStream;
  client.pause();
  host.sendBytes(raw(0x0d, 0, 24, 0, 24));
  started.world.run();
  const server = started.world.network.accepted.at(-1);
  t.false(server?.isClosed);
  started.world.advanceBy(11_000_000_000);
  t.true(server?.isClosed);
  t.is(started.world.armedTimers, 0);
});
