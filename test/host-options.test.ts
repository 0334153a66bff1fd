// Connect options: nvme-cli style validation errors naming the flag, and the Linux defaults.
import test from 'ava';
import { SeededRngSource } from '../sim/core/rng.js';
import { ConnectOptionsError, maxReconnects, resolveConnectOptions, validateConnectOptions } from '../sim/host/options.js';
import type { ConnectOptions } from '../sim/host/options.js';
import { discover } from '../sim/host/discovery.js';
import { TransportType } from '../sim/nvme/constants.js';
import { makeEnv, settle, startFakeTarget } from './helpers/host-fixtures.js';

const base: ConnectOptions = { traddr: '127.0.0.1', nqn: 'nqn.2024-01.io.nvmf-sim:a' };
const random = (): ReturnType<SeededRngSource['stream']> => new SeededRngSource('options').stream('host/hostid');

const invalid: [Partial<ConnectOptions>, string][] = [
  [{ queueSize: 8 }, '--queue-size (-Q): 8 is below the minimum 16'],
  [{ queueSize: 2048 }, '--queue-size (-Q): 2048 is above the maximum 1024'],
  [{ nrIoQueues: 0 }, '--nr-io-queues (-i): 0 is below the minimum 1'],
  [{ keepAliveTmoS: -1 }, '--keep-alive-tmo (-k): -1 is below the minimum 0'],
  [{ reconnectDelayS: 0 }, '--reconnect-delay (-c): 0 is below the minimum 1'],
  [{ ctrlLossTmoS: -2 }, '--ctrl-loss-tmo (-l): -2 is below the minimum -1'],
  [{ trsvcid: 70000 }, '--trsvcid (-s): 70000 is above the maximum 65535'],
  [{ hostid: 'not-a-uuid' }, "--hostid (-I): 'not-a-uuid' is not a UUID"],
  [{ nqn: '' }, '--nqn (-n): NQN is empty'],
  [{ nqn: `nqn.${'x'.repeat(230)}` }, '--nqn (-n): NQN is longer than 223 bytes'],
  [{ queueSize: 32.5 }, '--queue-size (-Q): 32.5 is not an integer'],
  [{ ioTimeoutS: 0 }, '--io-timeout: 0 must be a positive number'],
];

for (const [options, message] of invalid) {
  test(`host options: rejects ${message.split(':')[0]} (${JSON.stringify(options)})`, (t) => {
    const error = t.throws(() => validateConnectOptions({ ...base, ...options }), { instanceOf: ConnectOptionsError });
    t.is(error?.message, message);
  });
}

test('host options: I/O controller defaults follow Linux fabrics.h and core.c', (t) => {
  const resolved = resolveConnectOptions(base, random());
  t.like(resolved, {
    trsvcid: 4420,
    discovery: false,
    nrIoQueues: 4,
    queueSize: 128,
    keepAliveTmoS: 5,
    reconnectDelayS: 10,
    ctrlLossTmoS: 600,
    maxReconnects: 60,
    hdrDigest: false,
    dataDigest: false,
    ioTimeoutS: 30,
    adminTimeoutS: 60,
    connectTimeoutS: 10,
  });
  t.is(resolved.hostnqn, `nqn.2014-08.org.nvmexpress:uuid:${resolved.hostid}`);
  t.regex(resolved.hostid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('host options: discovery controllers default to port 8009, no I/O queues and no keep-alive', (t) => {
  const resolved = resolveConnectOptions({ ...base, nqn: 'nqn.2014-08.org.nvmexpress.discovery' }, random());
  t.like(resolved, { trsvcid: 8009, discovery: true, nrIoQueues: 0, keepAliveTmoS: 0 });
  const withKato = resolveConnectOptions({ ...base, nqn: 'nqn.2014-08.org.nvmexpress.discovery', keepAliveTmoS: 7 }, random());
  t.is(withKato.keepAliveTmoS, 7);
});

test('host options: the host ID comes from a UUID host NQN; reconnect budget rounds up', (t) => {
  const uuid = '0f01fb42-9f7f-4856-b0b3-51e60b8de349';
  const resolved = resolveConnectOptions({ ...base, hostnqn: `nqn.2014-08.org.nvmexpress:uuid:${uuid}` }, random());
  t.is(resolved.hostid, uuid);
  t.is(maxReconnects(600, 10), 60);
  t.is(maxReconnects(5, 2), 3);
  t.is(maxReconnects(0, 10), 0);
  t.is(maxReconnects(-1, 10), -1);
});

test('host options: discover reads the discovery log from port 8009', async (t) => {
  const env = makeEnv();
  const entry = {
    trtype: TransportType.TCP,
    adrfam: 1,
    subtype: 2,
    treq: 0,
    portid: 1,
    cntlid: 0xffff,
    asqsz: 32,
    eflags: 0,
    trsvcid: '4420',
    subnqn: 'nqn.2024-01.io.nvmf-sim:a',
    traddr: '127.0.0.1',
    sectype: 0,
  };
  const target = await startFakeTarget(env, { port: 8009, subnqn: 'nqn.2014-08.org.nvmexpress.discovery', discoveryEntries: [entry, { ...entry, portid: 2 }] });
  const pending = discover(env, { traddr: '127.0.0.1' });
  await settle();
  const log = await pending;
  t.is(log.genctr, 7);
  t.is(log.numrec, 2);
  t.deepEqual(log.entries, [entry, { ...entry, portid: 2 }]);
  // Connected to the discovery NQN with no I/O queues, and closed afterwards.
  t.is(target.connections.length, 1);
  t.true(target.connections.every((connection) => connection.closed));
});
