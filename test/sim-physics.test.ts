// Physics of the simulated fabric, measured through the real NVMe/TCP target and host running in
// virtual time: these are the proof that the same code runs unchanged in the simulator and that
// what comes out adds up. Each test builds a two-node scenario (host and target on one link) and
// checks an observable consequence of the model: line-rate goodput, QD1 latency as the sum of its
// parts, loss recovery by RTO versus fast retransmit, recovery from a partition longer than the
// keep-alive timeout, data digests against silent corruption, and the node and device fault verbs.
// Runs are tens to hundreds of simulated ms, with few events, so the suite stays fast.
import test from 'ava';
import { MemoryTraceSink, type TraceRecord, type TraceSink } from '../sim/core/trace.js';
import type { World } from '../sim/world/sim-world.js';
import { TCP_PROFILE } from '../sim/cpu/profiles.js';
import { ETHERNET_MIN_PAYLOAD_BYTES, ETHERNET_OVERHEAD_BYTES } from '../sim/net/packet.js';
import type { ScenarioResult } from '../sim/scenario/result.js';
import { runScenario } from '../sim/scenario/runner.js';
import type { Scenario, ScenarioConnect, ScenarioFault, ScenarioInvariant, ScenarioWorkload } from '../sim/scenario/types.js';
import { resolveScenario } from '../sim/scenario/validate.js';

interface Setup {
  readonly duration?: string;
  readonly backend?: string;
  readonly cpuProfile?: 'tcp' | 'rdma' | 'free';
  readonly bandwidthBps?: number;
  readonly latencyUs?: number;
  readonly connect?: Partial<ScenarioConnect>;
  readonly workload?: Partial<ScenarioWorkload>;
  readonly faults?: readonly ScenarioFault[];
  readonly invariants?: readonly ScenarioInvariant[];
}

/** One host and one target on a direct link; defaults: free CPUs, 25 Gb/s, 8 µs, QD1 4 KiB reads. */
function twoNodes(setup: Setup): Scenario {
  const nic = { bandwidthBps: setup.bandwidthBps ?? 25e9 };
  const cpuProfile = setup.cpuProfile ?? 'free';
  return {
    name: 'physics',
    duration: setup.duration ?? '50ms',
    nodes: [
      { name: 'host', cores: 4, cpuProfile, nic },
      { name: 'target', cores: 4, cpuProfile, nic },
    ],
    links: [{ a: 'host', b: 'target', options: { latencyUs: setup.latencyUs ?? 8 } }],
    targets: [
      { node: 'target', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:physics', namespaces: [{ backend: setup.backend ?? 'null:1GiB' }] }] },
    ],
    hosts: [
      {
        node: 'host',
        connect: { target: 'target', nrIoQueues: 1, queueSize: 128, ...setup.connect },
        workload: { rw: 'randread', bs: '4k', iodepth: 1, ...setup.workload },
      },
    ],
    ...(setup.faults === undefined ? {} : { faults: setup.faults }),
    ...(setup.invariants === undefined ? {} : { invariants: setup.invariants }),
  };
}

async function run(setup: Setup, trace?: TraceSink, onWorld?: (world: World) => void): Promise<ScenarioResult> {
  return runScenario(resolveScenario(twoNodes(setup), 'physics'), {
    ...(trace === undefined ? {} : { trace }),
    ...(onWorld === undefined ? {} : { onWorld }),
  });
}

function failed(result: ScenarioResult): string {
  return JSON.stringify(result.invariants.filter((inv) => !inv.ok));
}

// Wire accounting (sim/net/packet.ts): every TCP segment carries 40 B of TCP/IP headers and 38 B
// of Ethernet framing (header, FCS, preamble, inter-frame gap); MSS = MTU 1500 - 40.
const MSS_BYTES = 1460;
const PER_PACKET_BYTES = 78;
/** NVMe/TCP PDU sizes without digests: CapsuleCmd = 8 B header + 64 B SQE; C2HData header 24 B; CapsuleResp 8 + 16 B. */
const CAPSULE_CMD_BYTES = 72;
const C2H_DATA_HEADER_BYTES = 24;
const CAPSULE_RESP_BYTES = 24;
/** Linux TCP_RTO_MIN. */
const RTO_MIN_US = 200_000;

/** Serialisation time in µs of a byte stream cut into MSS-sized segments, at `bps`. */
function serialisationUs(streamBytes: number, bps: number): number {
  const packets = Math.ceil(streamBytes / MSS_BYTES);
  return (((streamBytes + packets * PER_PACKET_BYTES) * 8) / bps) * 1e6;
}

/** Serialisation time in µs of a bare ACK: no payload, padded to the 64 B minimum frame. */
function bareAckUs(bps: number): number {
  return (((ETHERNET_MIN_PAYLOAD_BYTES + ETHERNET_OVERHEAD_BYTES) * 8) / bps) * 1e6;
}

test('sim: a saturated link delivers its line rate less framing and PDU headers (within 2%)', async (t) => {
  const bps = 1e9;
  const bs = 128 * 1024;
  const result = await run({
    bandwidthBps: bps,
    connect: { nrIoQueues: 4 },
    workload: { rw: 'read', bs, iodepth: 16 },
  });
  t.true(result.ok, failed(result));
  // Each 128 KiB read returns a C2HData PDU and a CapsuleResp, in full-size segments.
  const goodputBytesPerS = (bps / 8) * (MSS_BYTES / (MSS_BYTES + PER_PACKET_BYTES)) * (bs / (bs + C2H_DATA_HEADER_BYTES + CAPSULE_RESP_BYTES));
  const measured = result.perHost[0]?.bytesPerSecond ?? 0;
  t.true(Math.abs(measured / goodputBytesPerS - 1) < 0.02, `measured ${measured} B/s, expected ${goodputBytesPerS} B/s`);
});

test('sim: QD1 latency is the sum of link, device and serialisation time', async (t) => {
  const bps = 25e9;
  const device = (readUs: number): string => `ssd:1GiB,read=${readUs}us,bw=0`;
  const base = await run({ backend: device(80) });
  // Command out; C2HData + CapsuleResp back as one stream of segments; a constant 80 µs device.
  // The host ACKs the multi-frame response at once (GRO, Linux __tcp_ack_snd_check) before its
  // zero-cost CPU submits the next command, which so leaves its NIC behind one bare ACK.
  const expectedUs =
    2 * 8 +
    80 +
    serialisationUs(CAPSULE_CMD_BYTES, bps) +
    serialisationUs(C2H_DATA_HEADER_BYTES + 4096 + CAPSULE_RESP_BYTES, bps) +
    bareAckUs(bps);
  t.true(base.ios > 100);
  t.true(Math.abs(base.latencyUs.mean - expectedUs) < 0.01, `mean ${base.latencyUs.mean} µs, expected ${expectedUs} µs`);
  // Each part moves the total by exactly its own change.
  const fartherLink = await run({ backend: device(80), latencyUs: 108 });
  t.true(Math.abs(fartherLink.latencyUs.mean - base.latencyUs.mean - 200) < 0.01);
  const slowerDevice = await run({ backend: device(180) });
  t.true(Math.abs(slowerDevice.latencyUs.mean - base.latencyUs.mean - 100) < 0.01);
});

test('sim: at QD1 CPU cost adds the busy time and the wake-up waits on the critical path', async (t) => {
  const setup: Setup = { backend: 'ssd:1GiB,read=80us,bw=0', duration: '100ms' };
  const free = await run(setup);
  const tcp = await run({ ...setup, cpuProfile: 'tcp' });
  // At QD1 the cores work only for the one I/O in flight, so the latency the profile adds is the
  // busy time per I/O: host send item, target receive pass (command executed inline), target send
  // item (C2HData and CapsuleResp together), host receive pass (completion inline), one after the
  // other. Little can overlap now that a read's response is one item: at most a host pass over the
  // C2HData when the CapsuleResp reaches it in a later chunk, which the allowance of one data PDU
  // covers (connection setup adds a little busy time no I/O waits for). Besides busy time, the
  // profile adds the wake-ups of idle connections that are not CPU work: a receive interrupt at the
  // target and at the host, and the hand-off latency of the three io_work wake-ups (target receive,
  // the response completed by the device, host receive); the hand-offs' CPU cost is busy time.
  const waitUs = (2 * TCP_PROFILE.rxInterruptDelayNs + 3 * TCP_PROFILE.handoffLatencyNs) / 1000;
  const busyUs = tcp.cpu.reduce((sum, node) => sum + node.utilisation.reduce((a, b) => a + b, 0), 0) * 100_000;
  const perIoUs = busyUs / tcp.ios;
  const overlapMaxUs = (TCP_PROFILE.nsPerPdu + 4096 * TCP_PROFILE.nsPerCopyByte) / 1000;
  const addedUs = tcp.latencyUs.mean - free.latencyUs.mean;
  const detail = `added ${addedUs} µs per I/O, cores busy ${perIoUs} µs per I/O, waits ${waitUs} µs`;
  t.true(waitUs > 0);
  t.true(addedUs <= perIoUs + waitUs, detail);
  t.true(addedUs >= perIoUs + waitUs - overlapMaxUs - 0.05, detail);
});

test('sim: loss at QD1 waits about an RTO (>= 200 ms tails), at high QD is mostly repaired by fast retransmit', async (t) => {
  // Loss starts after the connections are up, so connection setup is not what stalls.
  const lossy: ScenarioFault = { at: '20ms', action: 'setLink', between: ['host', 'target'], options: { lossRate: 0.01 } };
  const lowTrace = new MemoryTraceSink();
  const low = await run({ duration: '2s', faults: [lossy] }, lowTrace);
  t.true(low.ok, failed(low));
  t.true(low.latencyUs.max >= RTO_MIN_US, `QD1 max ${low.latencyUs.max} µs`);
  // One frame in flight: Linux's tail loss probe waits 2 SRTT + 200 ms, capped at the RTO, and
  // fires in the RTO's place (RFC 8985 with Linux's delayed-ACK allowance; tcp-rack.ts).
  const lowTimed = lowTrace.ofKind('tcp-rto').length + lowTrace.ofKind('tcp-loss-probe').length;
  const lowFast = lowTrace.ofKind('tcp-fast-retransmit').length;
  t.true(lowTimed > 0 && lowTimed > lowFast, `QD1: ${lowTimed} RTOs and loss probes, ${lowFast} fast retransmits`);

  const highTrace = new MemoryTraceSink();
  const high = await run(
    { duration: '300ms', bandwidthBps: 1e9, connect: { nrIoQueues: 4 }, workload: { iodepth: 128 }, faults: [lossy] },
    highTrace,
  );
  t.true(high.ok, failed(high));
  const highRto = highTrace.ofKind('tcp-rto').length;
  const highFast = highTrace.ofKind('tcp-fast-retransmit').length;
  t.true(highFast > 5 * highRto, `QD128: ${highRto} RTOs, ${highFast} fast retransmits`);
  t.true(high.latencyUs.p50 < RTO_MIN_US);
});

test("sim: loss on one queue's connection delays only that queue", async (t) => {
  // The host opens the admin queue and then I/O queues 1..4, so the third connection the host
  // establishes is I/O queue 2. Every 40th segment the target sends on it is dropped.
  const victimQid = 2;
  const hostPorts: number[] = [];
  const memory = new MemoryTraceSink();
  const trace: TraceSink = {
    record(record: TraceRecord): void {
      memory.record(record);
      const local = String(record.local ?? '');
      if (record.kind === 'tcp-established' && local.startsWith('10.0.0.1:')) hostPorts.push(Number(local.split(':')[1]));
    },
  };
  let seen = 0;
  const result = await run({ connect: { nrIoQueues: 4 }, workload: { iodepth: 16 } }, trace, (world) => {
    world.network.linkBetween('host', 'target').from('target').dropIf = (packet) => {
      if (packet.dstPort !== hostPorts[victimQid] || world.nowNs < 10_000_000) return false;
      return ++seen % 40 === 0;
    };
  });
  t.true(result.ok, failed(result));
  t.true((result.net.droppedByReason.filter ?? 0) > 0);
  const victimPort = `:${hostPorts[victimQid] ?? -1}`;
  const recoveries = [...memory.ofKind('tcp-rto'), ...memory.ofKind('tcp-fast-retransmit')];
  t.true(recoveries.length > 0);
  t.true(recoveries.every((record) => String(record.local).endsWith(victimPort) || String(record.remote).endsWith(victimPort)));
  const victim = result.perQueue.find((queue) => queue.qid === victimQid)?.ios ?? 0;
  const others = result.perQueue.filter((queue) => queue.qid !== victimQid).map((queue) => queue.ios);
  const mean = others.reduce((a, b) => a + b, 0) / others.length;
  t.true(victim < 0.8 * Math.min(...others), `victim ${victim}, others ${others.join(' ')}`);
  t.true(others.every((ios) => Math.abs(ios / mean - 1) < 0.05), `others ${others.join(' ')}`);
});

test('sim: a partition longer than KATO makes the host recover, reconnect after the heal, and lose no I/O', async (t) => {
  const trace = new MemoryTraceSink();
  const result = await run(
    {
      duration: '4s',
      latencyUs: 250,
      connect: { keepAliveTmoS: 1, ioTimeoutS: 1, reconnectDelayS: 1 },
      workload: { iodepth: 4 },
      faults: [
        { at: '50ms', action: 'partition', between: ['host', 'target'] },
        { at: '2050ms', action: 'heal', between: ['host', 'target'] },
      ],
    },
    trace,
  );
  t.true(result.ok, failed(result));
  const host = result.perHost[0];
  t.is(host?.state, 'live');
  t.true((host?.reconnects ?? 0) >= 1);
  const states = trace.ofKind('host-state').map((record) => record.state);
  t.true(states.includes('resetting') && states.includes('live'), states.join(','));
  // Every I/O completed or failed, and I/O flowed again after the heal.
  t.is(host?.outstanding, 0);
  t.true(result.invariants.some((inv) => inv.name === 'io-resumes' && inv.ok && inv.detail.startsWith('1 resumption')));
  t.true(result.latencyUs.max >= 2_000_000, 'some I/O waited out the partition');
});

test('sim: silent corruption on the wire is caught by digests and corrupts data without them', async (t) => {
  const setup = (digests: boolean): Setup => ({
    backend: 'ram:64MiB',
    // Long enough to outlast a reconnect (1 s delay) after a flip lands in a PDU header, so that a
    // corrupted block written before it is read back afterwards.
    duration: '1500ms',
    connect: { hdrDigest: digests, dataDigest: digests, reconnectDelayS: 1 },
    workload: { rw: 'randrw', verify: true, size: '4MiB', iodepth: 4 },
    faults: [{ at: '10ms', action: 'setLink', between: ['host', 'target'], options: { silentCorruptRate: 0.005 } }],
  });
  const without = await run(setup(false));
  t.true(without.net.silentlyCorrupted > 0);
  t.is(without.failure, 'correctness');
  t.true((without.perHost[0]?.verify.mismatches ?? 0) > 0);

  const withDigests = await run(setup(true));
  t.true(withDigests.net.silentlyCorrupted > 0);
  t.is(withDigests.perHost[0]?.verify.mismatches, 0);
  t.true((withDigests.perHost[0]?.verify.blocksChecked ?? 0) > 0);
  // Caught: the command failed or the connection was torn down and rebuilt.
  t.true(withDigests.errors > 0 || (withDigests.perHost[0]?.reconnects ?? 0) > 0);
  t.true(withDigests.invariants.every((inv) => inv.ok || inv.name === 'no-io-errors'), failed(withDigests));
});

test('sim: a target crash and restart ends in a reconnect with no I/O lost', async (t) => {
  const result = await run({
    duration: '2s',
    latencyUs: 250,
    connect: { keepAliveTmoS: 1, ioTimeoutS: 1, reconnectDelayS: 1 },
    workload: { iodepth: 4 },
    faults: [
      { at: '100ms', action: 'crash', node: 'target' },
      { at: '500ms', action: 'restart', node: 'target' },
    ],
  });
  t.true(result.ok, failed(result));
  t.true((result.perHost[0]?.reconnects ?? 0) >= 1);
  t.is(result.net.droppedByReason['node-down'] !== undefined, true);
  t.deepEqual(
    result.faultsApplied.map((fault) => fault.action),
    ['crash', 'restart'],
  );
});

test('sim: a failed device fails I/O until repaired, and a slow one adds its latency', async (t) => {
  const result = await run({
    duration: '300ms',
    latencyUs: 250,
    workload: { iodepth: 4 },
    invariants: [{ check: 'ios-accounted' }, { check: 'no-io-errors' }, { check: 'io-resumes', within: '10ms' }],
    faults: [
      // Internal Error with Do Not Retry, as nvmet's blk_to_nvme_status reports a backend I/O
      // error: the host fails each I/O at once (without DNR it would resend it 5 times).
      { at: '100ms', action: 'failDevice', target: 'target', status: 0x4006 },
      { at: '150ms', action: 'repairDevice', target: 'target' },
      { at: '200ms', action: 'slowDevice', target: 'target', addedLatencyUs: 1000 },
    ],
  });
  t.true(result.errors > 0);
  const byName = new Map(result.invariants.map((inv) => [inv.name, inv]));
  t.like(byName.get('no-io-errors'), { ok: false, class: 'correctness' });
  t.like(byName.get('io-resumes'), { ok: true });
  t.like(byName.get('ios-accounted'), { ok: true });
  t.is(result.failure, 'correctness');
  // Base round trip 500 µs + 17 µs; the slow device adds 1 ms to the I/Os after 200 ms.
  t.true(result.latencyUs.max >= 1500 && result.latencyUs.max < 1600, `max ${result.latencyUs.max} µs`);
});

test('sim: a paused target stalls I/O until it resumes, without errors', async (t) => {
  const result = await run({
    duration: '500ms',
    latencyUs: 250,
    workload: { iodepth: 4 },
    faults: [
      { at: '100ms', action: 'pause', node: 'target' },
      { at: '300ms', action: 'resume', node: 'target' },
    ],
  });
  t.true(result.ok, failed(result));
  t.is(result.errors, 0);
  t.true(result.latencyUs.max >= 200_000, `max ${result.latencyUs.max} µs`);
});

test('sim: a host crash loses only what was in flight, and the restarted host connects and runs again', async (t) => {
  const result = await run({
    duration: '600ms',
    latencyUs: 250,
    connect: { keepAliveTmoS: 1 },
    workload: { iodepth: 4 },
    faults: [
      { at: '100ms', action: 'crash', node: 'host' },
      { at: '300ms', action: 'restart', node: 'host' },
    ],
  });
  t.true(result.ok, failed(result));
  const host = result.perHost[0];
  t.is(host?.state, 'live');
  t.is(host?.lostInCrash, 4);
  t.is(host?.outstanding, 0);
  // QD4 at ~0.5 ms per I/O for about 100 ms before the crash and 300 ms after the restart.
  t.true((host?.ios ?? 0) > 2500, `${host?.ios ?? 0} I/Os`);
  t.true(result.invariants.some((inv) => inv.name === 'io-resumes' && inv.detail.startsWith('1 resumption')));
});

test('sim: two hosts behind a switch share the target port fairly at its line rate', async (t) => {
  const bps = 1e9;
  const bs = 128 * 1024;
  const host = (node: string): Scenario['hosts'][number] => ({
    node,
    connect: { target: 't', nrIoQueues: 2 },
    workload: { rw: 'read', bs, iodepth: 8 },
  });
  const scenario: Scenario = {
    name: 'switch',
    duration: '50ms',
    nodes: ['h1', 'h2', 't'].map((name) => ({ name, cores: 2, cpuProfile: 'free' as const, nic: { bandwidthBps: bps } })),
    switch: { linkOptions: { latencyUs: 2 } },
    targets: [{ node: 't', subsystems: [{ nqn: 'nqn.2024-01.io.nvmf-sim:switch', namespaces: [{ backend: 'null:1GiB' }] }] }],
    hosts: [host('h1'), host('h2')],
  };
  const result = await runScenario(resolveScenario(scenario, 'switch'));
  t.true(result.ok, failed(result));
  const bytes = result.perHost.map((h) => h.bytes);
  const goodputBytesPerS = (bps / 8) * (MSS_BYTES / (MSS_BYTES + PER_PACKET_BYTES)) * (bs / (bs + C2H_DATA_HEADER_BYTES + CAPSULE_RESP_BYTES));
  const total = result.bytesPerSecond;
  t.true(Math.abs(total / goodputBytesPerS - 1) < 0.02, `total ${total} B/s, expected ${goodputBytesPerS} B/s`);
  t.true(Math.abs((bytes[0] ?? 0) / (bytes[1] ?? 1) - 1) < 0.1, `bytes ${bytes.join(' ')}`);
});
