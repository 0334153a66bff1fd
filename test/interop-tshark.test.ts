// Wireshark as an independent judge of our wire format: capture our host talking to our target on
// loopback (ICReq/ICResp, Connect, Property Get/Set, Identify, in-capsule and R2T writes, split
// C2HData reads, discovery) with header and data digests on, then let tshark's NVMe/TCP dissector
// re-parse every PDU with digest checking enabled. Any malformed packet or expert warning fails.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realEnv } from '../sim/world/index.js';
import { connectController } from '../sim/host/controller.js';
import { discover } from '../sim/host/discovery.js';
import { NvmeTarget } from '../sim/target/index.js';
import { assertInteropPrereqs, interopTest } from './helpers/interop-prereqs.js';

const NQN = 'nqn.2024-01.io.nvmf-sim:tshark';

function waitForFile(path: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      try {
        if (statSync(path).size > 0) return resolve();
      } catch {
        // not created yet
      }
      if (Date.now() - started > timeoutMs) return reject(new Error(`capture did not start: ${path}`));
      setTimeout(poll, 50);
    };
    poll();
  });
}

interopTest('interop tshark: the NVMe/TCP dissector finds no malformed PDU or digest error in our traffic', async (t) => {
  assertInteropPrereqs();
  const dir = mkdtempSync(join(tmpdir(), 'nvmf-sim-tshark-'));
  t.teardown(() => { if (process.env.KEEP_CAPTURE === undefined) rmSync(dir, { recursive: true, force: true }); });
  const env = realEnv({ seed: 'tshark', logLevel: 'silent' });
  t.teardown(() => env.clock.clearAll());
  const target = new NvmeTarget(env, {
    subsystems: [{ nqn: NQN, allowAnyHost: true, namespaces: [{ nsid: 1, device: 'ram:16MiB' }] }],
    ports: [{ portid: 1, traddr: '127.0.0.1', trsvcid: 0, subsystems: [NQN] }],
  }, { c2hDataMax: 64 * 1024 });
  await target.start();
  t.teardown(() => target.stop());
  const port = target.boundPorts[0]?.address.port ?? 0;
  t.true(port > 0);

  const capture = join(dir, 'nvme.pcapng');
  // dumpcap writes the file header as soon as it is capturing, so its existence means "ready".
  const dumpcap = spawn('dumpcap', ['-q', '-i', 'lo', '-f', `tcp port ${port}`, '-w', capture], { stdio: 'ignore' });
  t.teardown(() => {
    if (dumpcap.exitCode === null) dumpcap.kill('SIGKILL');
  });
  await waitForFile(capture, 10_000);

  const controller = await connectController(env, {
    traddr: '127.0.0.1', trsvcid: port, nqn: NQN, nrIoQueues: 2, hdrDigest: true, dataDigest: true,
  });
  const device = await controller.namespace(1);
  const small = new Uint8Array(4096).fill(0xa5); // in-capsule
  const large = new Uint8Array(256 * 1024).map((_, index) => index & 0xff); // R2T + H2CData
  await device.write(0, small);
  await device.write(65536, large);
  t.deepEqual(await device.read(0, 4096), small);
  t.deepEqual(await device.read(65536, large.length), large); // C2HData split at 64 KiB
  await device.flush();
  await controller.disconnect();
  const log = await discover(env, { traddr: '127.0.0.1', trsvcid: port });
  t.true(log.entries.some((entry) => entry.subnqn === NQN));

  // Let the last segments reach the capture before stopping it.
  await new Promise((resolve) => setTimeout(resolve, 500));
  dumpcap.kill('SIGINT');
  await new Promise((resolve) => dumpcap.once('exit', resolve));

  const prefs = ['-o', 'nvme-tcp.check_hdgst:TRUE', '-o', 'nvme-tcp.check_ddgst:TRUE', '-d', `tcp.port==${port},nvme-tcp`];
  const pdus = spawnSync('tshark', ['-r', capture, ...prefs, '-Y', 'nvme-tcp', '-T', 'fields', '-e', 'nvme-tcp.type'], { encoding: 'utf8' });
  t.is(pdus.status, 0, pdus.stderr);
  const types = new Set(pdus.stdout.split(/[\n,]/).filter((line) => line.length > 0).map(Number));
  // ICReq 0, ICResp 1, CapsuleCmd 4, CapsuleResp 5, H2CData 6, C2HData 7, R2T 9.
  t.deepEqual([...types].sort((a, b) => a - b), [0, 1, 4, 5, 6, 7, 9], 'every PDU type our I/O path uses was dissected');

  // TCP's own expert notes (window full, zero window) describe loopback flow control, not our
  // format; every malformed packet and every NVMe-level warning or error counts.
  const expert = spawnSync('tshark', ['-r', capture, ...prefs, '-q', '-z', 'expert,warn'], { encoding: 'utf8' });
  t.is(expert.status, 0, expert.stderr);
  const problems = expert.stdout
    .split('\n')
    .filter((line) => /^\s*\d+\s/.test(line))
    .filter((line) => /malformed|nvme/i.test(line));
  t.deepEqual(problems, [], expert.stdout);
  const digests = spawnSync('tshark', ['-r', capture, ...prefs, '-Y', 'nvme-tcp.hdgst.status in {0 2 4} || nvme-tcp.ddgst.status in {0 2 4}'], { encoding: 'utf8' });
  t.is(digests.stdout.trim(), '', 'PDUs whose digests tshark could not verify as good');
  const verified = spawnSync('tshark', ['-r', capture, ...prefs, '-Y', 'nvme-tcp.ddgst.status == 1', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  t.true(verified.stdout.trim().split('\n').length >= 4, 'tshark verified data digests');
});
