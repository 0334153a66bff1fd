// Bad input to the host's native multipath, against scripted fake targets: a malformed ANA log
// fails the connect as a bad Identify does and, read again later, leaves the last good states in
// place; paths to different subsystems, repeated addresses, an unknown policy, a controller that
// names another subsystem and namespaces whose identifiers differ are refused with an error that
// names the field. Also fast_io_fail_tmo on a single controller, which the multipath work added.
import test from 'ava';
import { connectController } from '../sim/host/controller.js';
import { connectMultipath } from '../sim/host/multipath.js';
import { MultipathError } from '../sim/host/multipath-error.js';
import { ConnectOptionsError } from '../sim/host/options.js';
import type { ConnectOptions } from '../sim/host/options.js';
import { TransportError } from '../sim/host/transport-error.js';
import { AnaState, encodeAnaLog } from '../sim/nvme/ana-log.js';
import type { AnaStateCode } from '../sim/nvme/ana-log.js';
import { AdminOpcode, IdentifyCns, LogPageId } from '../sim/nvme/constants.js';
import { Cmic, defaultIdentifyNamespace, encodeIdentifyNamespace } from '../sim/nvme/identify.js';
import { sliceLog } from '../sim/nvme/log-pages.js';
import { Fes, PduType } from '../sim/nvme/pdu-types.js';
import { getLogPageFields, identifyFields } from '../sim/nvme/sqe.js';
import { Status } from '../sim/nvme/status.js';
import { makeEnv, settle, startFakeTarget } from './helpers/host-fixtures.js';
import type { FakeTarget, TestEnv } from './helpers/host-fixtures.js';

const NQN = 'nqn.2024-01.io.nvmf-sim:fake';
const S = 1e9;
const ANA_IDENTIFY = { cmic: Cmic.MULTI_PORT | Cmic.MULTI_CTRL | Cmic.ANA, anatt: 10, nanagrpid: 1, anagrpmax: 1 } as const;

/** Serves the ANA log from `log()` (bytes of a whole log image). */
function serveAnaLog(target: FakeTarget, log: () => Uint8Array): void {
  target.hooks.push((connection, sqe) => {
    if (connection.qid !== 0 || sqe.opcode !== AdminOpcode.GET_LOG_PAGE) return false;
    const { lid, offsetBytes, numdBytes } = getLogPageFields(sqe);
    if (lid !== LogPageId.ANA) return false;
    connection.sendData(sqe.cid, sliceLog(log(), offsetBytes, numdBytes), { success: false });
    return true;
  });
}

function anaLog(state: AnaStateCode, chgcnt = 1): Uint8Array {
  return encodeAnaLog({ chgcnt, groups: [{ grpid: 1, chgcnt, state, nsids: [1] }] });
}

/** A log whose one descriptor claims more NSIDs than the bytes hold. */
function malformedLog(): Uint8Array {
  const bytes = anaLog(AnaState.OPTIMIZED);
  new DataView(bytes.buffer).setUint32(16 + 4, 5000, true);
  return bytes;
}

async function twoTargets(env: TestEnv, options: { identify?: object; subnqn?: [string, string] } = {}): Promise<[FakeTarget, FakeTarget]> {
  const identify = options.identify ?? ANA_IDENTIFY;
  const one = await startFakeTarget(env, { port: 4420, identify, subnqn: options.subnqn?.[0] ?? NQN });
  const two = await startFakeTarget(env, { port: 4421, identify, subnqn: options.subnqn?.[1] ?? NQN });
  return [one, two];
}

const PATHS: ConnectOptions[] = [
  { traddr: '127.0.0.1', trsvcid: 4420, nqn: NQN, nrIoQueues: 1 },
  { traddr: '127.0.0.1', trsvcid: 4421, nqn: NQN, nrIoQueues: 1 },
];

test('host multipath: a malformed ANA log fails the connect like a bad Identify, leaving no controller behind', async (t) => {
  const env = makeEnv();
  const [one, two] = await twoTargets(env);
  serveAnaLog(one, () => anaLog(AnaState.OPTIMIZED));
  serveAnaLog(two, malformedLog);
  const error = await t.throwsAsync(connectMultipath(env, PATHS), { instanceOf: TransportError });
  t.regex(error?.message ?? '', /^ana log: group 1 lists 5000 NSIDs past/);
  await settle();
  t.true([...one.connections, ...two.connections].every((connection) => connection.closed));
});

test('host multipath: a malformed ANA log read after a change notice is logged and keeps the last states', async (t) => {
  const env = makeEnv();
  const [one, two] = await twoTargets(env);
  let bad = false;
  serveAnaLog(one, () => (bad ? malformedLog() : anaLog(AnaState.OPTIMIZED)));
  serveAnaLog(two, () => anaLog(AnaState.NON_OPTIMIZED));
  const subsystem = await connectMultipath(env, PATHS);
  const head = subsystem.namespace(1);
  t.deepEqual(head.paths().map((path) => path.anaState), ['optimized', 'non-optimized']);
  bad = true;
  // ANA change notice: type NOTICE, info 03h, log page 0Ch.
  t.true(one.completeAer(0x000c0302));
  await settle();
  t.true(env.logs.some((line) => line.includes('Failed to get ANA log: ana log: group 1 lists 5000 NSIDs')));
  t.deepEqual(head.paths().map((path) => path.anaState), ['optimized', 'non-optimized']);
  t.is(subsystem.controllers[0]?.state, 'live');
  t.is(one.connection(0)?.heldAers.length, 1, 'the AER was re-armed');
  const read = head.read(0, 4096);
  await settle();
  t.is((await read).length, 4096);
  t.deepEqual(head.paths().map((path) => path.stats.completed), [1, 0]);
  await subsystem.disconnect();
});

test('host multipath: a malformed ANA log during a reconnect fails that attempt, and the next one may succeed', async (t) => {
  const env = makeEnv();
  const [one, two] = await twoTargets(env);
  let bad = false;
  serveAnaLog(one, () => (bad ? malformedLog() : anaLog(AnaState.OPTIMIZED)));
  serveAnaLog(two, () => anaLog(AnaState.NON_OPTIMIZED));
  const subsystem = await connectMultipath(env, PATHS.map((path) => ({ ...path, reconnectDelayS: 1 })));
  const controller = subsystem.controllers[0];
  bad = true;
  one.connection(0)?.send({ type: PduType.C2HTermReq, fes: Fes.PDU_SEQUENCE_ERROR, fei: 0, errorData: new Uint8Array(0) });
  await settle();
  t.is(controller?.state, 'connecting');
  await env.clock.advance(1 * S);
  t.is(controller?.state, 'connecting');
  t.true(env.logs.some((line) => line.includes('Failed reconnect attempt 1/600: ana log: group 1 lists 5000 NSIDs')));
  bad = false;
  await env.clock.advance(1 * S);
  t.is(controller?.state, 'live');
  t.deepEqual(subsystem.namespace(1).paths().map((path) => path.anaState), ['optimized', 'non-optimized']);
  await subsystem.disconnect();
});

test('host multipath: paths to different subsystems or repeated addresses are refused before connecting', async (t) => {
  const env = makeEnv();
  await t.throwsAsync(connectMultipath(env, [PATHS[0] as ConnectOptions, { ...(PATHS[1] as ConnectOptions), nqn: 'nqn.2024-01.io.nvmf-sim:other' }]), {
    instanceOf: ConnectOptionsError,
    message: /^--nqn \(-n\): path 2 is to subsystem nqn.2024-01.io.nvmf-sim:other, path 1 to nqn.2024-01.io.nvmf-sim:fake/,
  });
  await t.throwsAsync(connectMultipath(env, [PATHS[0] as ConnectOptions, PATHS[0] as ConnectOptions]), { instanceOf: ConnectOptionsError, message: /^--traddr \(-a\): path 2 repeats 127.0.0.1:4420/ });
  await t.throwsAsync(connectMultipath(env, []), { instanceOf: ConnectOptionsError, message: /no path given/ });
  await t.throwsAsync(connectMultipath(env, PATHS, { iopolicy: 'fastest' as never }), { instanceOf: ConnectOptionsError, message: /^--iopolicy: 'fastest' is not one of/ });
  await t.throwsAsync(connectMultipath(env, [{ ...(PATHS[0] as ConnectOptions), fastIoFailTmoS: -2 }]), { instanceOf: ConnectOptionsError, message: /^--fast-io-fail-tmo \(-f\): -2 is below the minimum -1/ });
  t.is(env.network.connects, 0);
});

test('host multipath: a controller of another subsystem, or namespaces whose IDs differ, are refused naming the field', async (t) => {
  const env = makeEnv();
  const [, two] = await twoTargets(env, { identify: {}, subnqn: [NQN, 'nqn.2024-01.io.nvmf-sim:elsewhere'] });
  const error = await t.throwsAsync(connectMultipath(env, PATHS), { instanceOf: MultipathError });
  t.is(error?.field, 'subnqn');
  t.regex(error?.message ?? '', /reports subsystem nqn.2024-01.io.nvmf-sim:elsewhere, not nqn.2024-01.io.nvmf-sim:fake/);
  await two.stop();

  const other = makeEnv('ids');
  const [, second] = await twoTargets(other, { identify: {} });
  // The second controller reports another NGUID for namespace 1.
  second.hooks.push((connection, sqe) => {
    if (connection.qid !== 0 || sqe.opcode !== AdminOpcode.IDENTIFY) return false;
    const { cns, nsid } = identifyFields(sqe);
    if (cns !== IdentifyCns.NAMESPACE || nsid !== 1) return false;
    const id = defaultIdentifyNamespace({ blocks: second.storage.length / second.blockSize, blockSize: second.blockSize, nguid: 'ffffffffffffffffffffffffffffffff' });
    connection.sendData(sqe.cid, encodeIdentifyNamespace(id), { success: false });
    return true;
  });
  const mismatch = await t.throwsAsync(connectMultipath(other, PATHS), { instanceOf: MultipathError });
  t.is(mismatch?.field, 'nguid');
  t.regex(mismatch?.message ?? '', /^nguid: IDs don't match for shared namespace 1: 127.0.0.1:4421 reports ffffffffffffffffffffffffffffffff/);
});

test('host multipath: controllers without ANA carry I/O as optimized paths', async (t) => {
  const env = makeEnv();
  await twoTargets(env, { identify: {} });
  const subsystem = await connectMultipath(env, PATHS, { iopolicy: 'round-robin' });
  const head = subsystem.namespace(1);
  t.deepEqual(head.paths().map((path) => [path.anaState, path.usable]), [['optimized', true], ['optimized', true]]);
  for (let index = 0; index < 4; index++) {
    const read = head.read(0, 512);
    await settle();
    await read;
  }
  t.deepEqual(head.paths().map((path) => path.stats.completed), [2, 2]);
  t.throws(() => subsystem.namespace(2), { instanceOf: RangeError, message: /no namespace 2 \(have 1\)/ });
  await subsystem.disconnect();
});

test('host multipath: fast_io_fail_tmo also fails I/O waiting on a single controller, until it is live again', async (t) => {
  const env = makeEnv();
  const target = await startFakeTarget(env, { port: 4420 });
  const controller = await connectController(env, { traddr: '127.0.0.1', trsvcid: 4420, nqn: NQN, nrIoQueues: 1, ioTimeoutS: 2, reconnectDelayS: 1, ctrlLossTmoS: 60, fastIoFailTmoS: 3 });
  const device = await controller.namespace(1);
  target.holdIo = true;
  const statuses: number[] = [];
  device.submit({ kind: 'read', offset: 0, length: 512 }, (status) => statuses.push(status));
  await settle();
  target.holdIo = false;
  env.network.refuse = true;
  // The I/O timeout (2 s) starts recovery; the read waits for the reconnect, then fails at 2 + 3 s.
  await env.clock.advance(4 * S);
  t.is(controller.state, 'connecting');
  t.deepEqual(statuses, []);
  await env.clock.advance(1 * S + 1);
  t.deepEqual(statuses, [Status.HOST_PATH_ERROR]);
  t.true(env.logs.some((line) => line.includes('failfast expired')));
  device.submit({ kind: 'read', offset: 0, length: 512 }, (status) => statuses.push(status));
  t.deepEqual(statuses, [Status.HOST_PATH_ERROR, Status.HOST_PATH_ERROR], 'new I/O fails at once');
  env.network.refuse = false;
  await env.clock.advance(2 * S);
  t.is(controller.state, 'live');
  const read = device.read(0, 512);
  await settle();
  t.is((await read).length, 512);
  await controller.disconnect();
});
