// Packet capture of simulated runs (sim/net packet-capture.ts, `nvmf-sim run --pcap`): the frames'
// bytes (checksums, options, window scale), the pcap file format, that a capture changes nothing
// in the run and repeats byte for byte, and tshark as an independent judge: with digests checked
// it finds the NVMe/TCP exchange, no malformed packet and no bad digest, and under loss it sees
// TCP's retransmissions. A --pcap path that cannot be written fails before the run.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapWriter } from '../sim/net/pcap-writer.js';
import { PacketCapture } from '../sim/net/packet-capture.js';
import {
  encodeTcpFrame,
  ipv4Bytes,
  macForIp,
  tcpOptionBytes,
  windowField,
  windowShiftFor,
} from '../sim/net/tcp-frame.js';
import { loadScenario, runScenario, type ScenarioResult } from '../sim/scenario/index.js';
import { nvmfSim } from './helpers/cli-run.js';
import { assertTshark, tsharkTest } from './helpers/tshark-prereqs.js';

const SCENARIO = 'test/fixtures/scenarios/pcap-digests.ts';
/** The fixture without its loss fault. */
const NO_LOSS = ['--set', 'faults=[]'];

const tmp = mkdtempSync(join(tmpdir(), 'nvmf-sim-pcap-'));
test.after.always(() => {
  if (process.env.KEEP_CAPTURE === undefined) rmSync(tmp, { recursive: true, force: true });
});

/** RFC 1071: a header whose checksum is right sums (with the checksum) to 0xffff. */
function onesComplementSum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function tcpChecksumOk(frame: Uint8Array): boolean {
  const ip = frame.subarray(14);
  const total = (ip[2] as number) * 256 + (ip[3] as number);
  const segment = ip.subarray(20, total);
  const pseudo = new Uint8Array(12 + segment.length);
  pseudo.set(ip.subarray(12, 20), 0);
  pseudo[9] = 6;
  pseudo[10] = segment.length >> 8;
  pseudo[11] = segment.length & 0xff;
  pseudo.set(segment, 12);
  return onesComplementSum(pseudo) === 0xffff;
}

const host = { ip: ipv4Bytes('10.0.0.1'), mac: macForIp(ipv4Bytes('10.0.0.1')) };
const target = { ip: ipv4Bytes('10.0.0.2'), mac: macForIp(ipv4Bytes('10.0.0.2')) };

test('net pcap: a frame has Ethernet, IPv4 and TCP headers from the segment, with both checksums right', (t) => {
  const payload = Uint8Array.from({ length: 1001 }, (_, i) => (i * 7) & 0xff); // odd length
  const frame = encodeTcpFrame({
    src: host, dst: target, ipId: 7, srcPort: 40000, dstPort: 4420,
    seq: 2 ** 32 + 5, ack: 99, flags: 0x18, window: 1234,
    options: tcpOptionBytes(0x10, 0, false, 7, [2 ** 32 + 100, 2 ** 32 + 200]), payload, badChecksum: false,
  });
  const view = new DataView(frame.buffer);
  t.deepEqual([...frame.subarray(0, 6)], [2, 0, 10, 0, 0, 2], 'destination MAC from the IP');
  t.is(view.getUint16(12), 0x0800);
  t.is(view.getUint16(16), 20 + 20 + 12 + 1001, 'IPv4 total length');
  t.is(onesComplementSum(frame.subarray(14, 34)), 0xffff, 'IPv4 header checksum');
  t.true(tcpChecksumOk(frame), 'TCP checksum');
  t.is(view.getUint32(38), 5, 'sequence numbers are modulo 2^32');
  t.is(frame[46], (32 / 4) << 4, 'data offset counts the SACK option');
  t.is(view.getUint32(34 + 20 + 4), 100, 'SACK block edges modulo 2^32');
  t.is(frame.length, 14 + 20 + 32 + 1001);
  const bad = encodeTcpFrame({
    src: host, dst: target, ipId: 7, srcPort: 40000, dstPort: 4420, seq: 5, ack: 99, flags: 0x10,
    window: 0, options: new Uint8Array(0), payload: null, badChecksum: true,
  });
  t.is(bad.length, 60, 'padded to the minimum frame');
  t.false(tcpChecksumOk(bad), 'a corrupt frame fails its TCP checksum');
});

test('net pcap: SYN options and window scale are those Linux sends for a 6 MiB receive buffer', (t) => {
  t.is(windowShiftFor(6 * 1024 * 1024), 7, 'tcp_rmem[2] = 6 MiB gives wscale 7');
  t.is(windowShiftFor(65535), 0);
  t.is(windowShiftFor(2 ** 40), 14, 'RFC 7323: at most 14');
  t.deepEqual([...tcpOptionBytes(0x02, 1460, true, 7, null)], [2, 4, 5, 180, 1, 1, 4, 2, 1, 3, 3, 7]);
  t.is(windowField(6 * 1024 * 1024, 7, true), 65535, 'a SYN window is never scaled');
  t.is(windowField(6 * 1024 * 1024, 7, false), 49152);
  t.is(windowField(1, 7, false), 1, 'rounded up: a small open window is not shown as zero');
  t.is(windowField(0, 7, false), 0);
});

test('net pcap: the file is classic libpcap with nanosecond stamps and Ethernet frames', (t) => {
  const chunks: Uint8Array[] = [];
  const writer = new PcapWriter((chunk) => chunks.push(chunk.slice()), 64);
  writer.write(1_500_000_123, new Uint8Array(20).fill(1));
  writer.write(2_000_000_000, new Uint8Array(100).fill(2)); // larger than a chunk
  writer.flush();
  const file = Buffer.concat(chunks);
  t.is(file.readUInt32LE(0), 0xa1b23c4d);
  t.is(file.readUInt16LE(4), 2);
  t.is(file.readUInt16LE(6), 4);
  t.is(file.readUInt32LE(20), 1, 'LINKTYPE_ETHERNET');
  t.is(file.readUInt32LE(24), 1);
  t.is(file.readUInt32LE(28), 500_000_123);
  t.is(file.readUInt32LE(32), 20);
  t.is(file.readUInt32LE(36), 20);
  t.is(file.readUInt32LE(24 + 16 + 20), 2);
  t.is(file.length, 24 + 16 + 20 + 16 + 100);
  t.is(writer.frames, 2);
});

async function captured(node?: string): Promise<{ result: ScenarioResult; file: Buffer; frames: number }> {
  const scenario = await loadScenario(SCENARIO);
  const chunks: Uint8Array[] = [];
  let capture: PacketCapture | undefined;
  const result = await runScenario(scenario, {
    onWorld: (world) => {
      capture = new PacketCapture(world.network, new PcapWriter((chunk) => chunks.push(chunk.slice())), node === undefined ? {} : { node });
    },
  });
  capture?.close();
  return { result, file: Buffer.concat(chunks), frames: capture?.frames ?? 0 };
}

test('net pcap: a capture changes nothing in the run, repeats byte for byte, and is in time order', async (t) => {
  const plain = await runScenario(await loadScenario(SCENARIO));
  const a = await captured();
  const b = await captured();
  t.is(a.result.fingerprint, plain.fingerprint);
  t.true(a.file.equals(b.file), 'same seed, same capture');
  t.is(a.frames, a.result.net.tcp.segmentsSent, 'every frame sent, once');
  let last = 0;
  let records = 0;
  for (let at = 24; at < a.file.length; records++) {
    const tNs = a.file.readUInt32LE(at) * 1e9 + a.file.readUInt32LE(at + 4);
    t.true(tNs >= last, `record ${records} is not earlier than the one before`);
    last = tNs;
    at += 16 + a.file.readUInt32LE(at + 8);
  }
  t.is(records, a.frames);
  const atTarget = await captured('target');
  t.is(atTarget.result.fingerprint, plain.fingerprint);
  // The target's sends, and what reached it: all but the frames lost on the way to it.
  const sent = a.result.net.tcp.segmentsSent;
  t.true(atTarget.frames < sent && atTarget.frames >= sent - a.result.net.dropped, `${atTarget.frames} of ${sent}`);
});

const PREFS = [
  '-o', 'nvme-tcp.check_hdgst:TRUE',
  '-o', 'nvme-tcp.check_ddgst:TRUE',
  '-o', 'tcp.check_checksum:TRUE',
  '-o', 'ip.check_checksum:TRUE',
  // A capture at the sender holds a lost segment and its retransmission: reassemble in order.
  '-o', 'tcp.reassemble_out_of_order:TRUE',
  '-d', 'tcp.port==4420,nvme-tcp',
];

function tshark(file: string, args: readonly string[]): string {
  const run = spawnSync('tshark', ['-r', file, ...PREFS, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`tshark ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

function count(file: string, filter: string): number {
  return tshark(file, ['-Y', filter, '-T', 'fields', '-e', 'frame.number']).split('\n').filter((line) => line !== '').length;
}

/** Expert lines tshark reports at warning level or above that speak of our format. */
function problems(file: string): string[] {
  return tshark(file, ['-q', '-z', 'expert,warn'])
    .split('\n')
    .filter((line) => /^\s*\d+\s/.test(line))
    .filter((line) => /malformed|checksum|nvme/i.test(line));
}

async function runWithPcap(name: string, extra: readonly string[]): Promise<string> {
  const file = join(tmp, name);
  const run = await nvmfSim(['run', SCENARIO, '--pcap', file, ...extra]);
  if (run.code !== 0) throw new Error(`nvmf-sim run exited ${String(run.code)}: ${run.stderr}`);
  if (!/^pcap: .* \(\d+ frames\)$/m.test(run.stderr)) throw new Error(`no pcap line: ${run.stderr}`);
  return file;
}

tsharkTest('net pcap: tshark finds the NVMe/TCP exchange with every digest good and no malformed packet', async (t) => {
  assertTshark();
  const file = await runWithPcap('digests.pcap', NO_LOSS);
  const types = new Set(
    tshark(file, ['-Y', 'nvme-tcp', '-T', 'fields', '-e', 'nvme-tcp.type'])
      .split(/[\n,]/)
      .filter((text) => text !== '')
      .map(Number),
  );
  // ICReq 0, ICResp 1, CapsuleCmd 4, CapsuleResp 5, H2CData 6, C2HData 7, R2T 9.
  t.deepEqual([...types].sort((a, b) => a - b), [0, 1, 4, 5, 6, 7, 9]);
  t.deepEqual(problems(file), []);
  t.is(count(file, 'nvme-tcp.hdgst.status != 1 || nvme-tcp.ddgst.status != 1'), 0, 'digests tshark did not verify as good');
  t.true(count(file, 'nvme-tcp.ddgst.status == 1') >= 100, 'tshark verified data digests');
  t.is(count(file, 'tcp.checksum.status != 1 || ip.checksum.status != 1'), 0, 'checksums tshark did not verify as good');
  t.is(count(file, 'tcp.analysis.retransmission'), 0);
  t.is(count(file, 'tcp.flags.syn == 1 && tcp.option_kind == 3 && tcp.option_kind == 4'), 6, 'SYNs with window scale and SACK permitted');
});

tsharkTest('net pcap: under loss tshark sees the retransmissions, and still no malformed packet or bad digest', async (t) => {
  assertTshark();
  const file = await runWithPcap('loss.pcap', []);
  t.true(count(file, 'tcp.analysis.retransmission') >= 10, 'retransmissions');
  t.true(count(file, 'tcp.options.sack_le') > 0, 'SACK blocks');
  t.deepEqual(problems(file), []);
  t.is(count(file, 'nvme-tcp.hdgst.status != 1 || nvme-tcp.ddgst.status != 1'), 0);
  const atTarget = await runWithPcap('loss-target.pcap', ['--pcap-node', 'target']);
  t.true(count(atTarget, 'tcp.analysis.retransmission') >= 10);
  t.deepEqual(problems(atTarget), []);
});

const usageError = test.macro(async (t, args: readonly string[], pattern: RegExp) => {
  const run = await nvmfSim(args);
  t.is(run.code, 2, run.stderr);
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0] ?? '', pattern);
  t.is(run.stdout, '', 'nothing ran');
});

test('net pcap: a --pcap path that cannot be written fails before the run', usageError, ['run', SCENARIO, '--pcap', join(tmp, 'no-such-dir', 'x.pcap')], /^nvmf-sim: --pcap: cannot write '.*x\.pcap': ENOENT/);
test('net pcap: --pcap-node must name a node of the scenario', usageError, ['run', SCENARIO, '--pcap', join(tmp, 'unused.pcap'), '--pcap-node', 'nosuch'], /^nvmf-sim: --pcap-node: no node 'nosuch' in the scenario \(nodes: host, target\)$/);
test('net pcap: --pcap-node needs --pcap', usageError, ['run', SCENARIO, '--pcap-node', 'host'], /^nvmf-sim: --pcap-node: only with --pcap FILE$/);
test('net pcap: --pcap takes one run, not a seed sweep', usageError, ['run', SCENARIO, '--pcap', join(tmp, 'sweep.pcap'), '--seeds', '1..2'], /^nvmf-sim: --pcap: one capture per run/);

test('net pcap: a --pcap-node that names nothing leaves no file behind', async (t) => {
  const file = join(tmp, 'not-created.pcap');
  await nvmfSim(['run', SCENARIO, '--pcap', file, '--pcap-node', 'nosuch']);
  t.false(existsSync(file));
});

// The README's end-to-end example: the library's digest-corruption scenario, captured at the host.
tsharkTest('net pcap: the README example: tshark finds each read the host retried after a bad data digest, and nothing malformed', async (t) => {
  assertTshark();
  const file = join(tmp, 'digest-corruption.pcap');
  const run = await nvmfSim(['run', 'scenarios/digest-corruption.ts', '--pcap', file, '--pcap-node', 'host', '--json']);
  t.is(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as ScenarioResult;
  t.is(result.errors, 0);
  const bad = count(file, 'nvme-tcp.ddgst.status == 0');
  t.true(bad >= 1, 'the capture holds C2HData PDUs with a bad data digest');
  t.is(count(file, 'nvme-tcp.ddgst.status == 0 && !(nvme-tcp.type == 7)'), 0, 'only C2HData reaches the host damaged');
  t.deepEqual(problems(file), []);
});
