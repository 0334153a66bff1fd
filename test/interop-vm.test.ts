// The interop VM on its own: it boots, carries the expected tools and modules, runs a Linux nvmet
// target that Linux nvme-tcp (in the same guest) can discover, connect to and verify data on, and
// its forwarded port answers a hand-built ICReq from the host with a well-formed ICResp.
// The pure parts of the harness (channel framing, nvme-cli text parsing, quoting) are tested
// without a VM, so they run everywhere.
import test from 'ava';
import { connect } from 'node:net';
import { assertInteropPrereqs, interopTest } from './helpers/interop-prereqs.js';
import {
  dmesgMarker,
  kernelErrors,
  nvmeConnect,
  nvmeDisconnect,
  nvmeDiscover,
  nvmeList,
  parseDiscoveryText,
  runFio,
} from '../sim/interop/linux-host.js';
import { configureLinuxTarget, teardownLinuxTarget } from '../sim/interop/linux-target.js';
import { QemuVm } from '../sim/interop/qemu-vm.js';
import { shellCommand } from '../sim/interop/shell.js';
import { ChannelParser, encodeRun, type ChannelResult } from '../sim/interop/vm-channel.js';

const GUEST_PORT = 4420;
const NQN = 'nqn.2014-08.org.nvmf-sim:interop-vm-selftest';

// NVMe/TCP ICReq/ICResp layout (include/linux/nvme-tcp.h struct nvme_tcp_icreq_pdu /
// nvme_tcp_icresp_pdu; protocol notes 1.0): 8-byte common header, pfv u16 @8, hpda/cpda u8 @10,
// digest u8 @11, maxr2t/maxdata u32 @12, 112 reserved bytes; 128 bytes in all.
const PDU_TYPE_ICREQ = 0x00;
const PDU_TYPE_ICRESP = 0x01;
const IC_PDU_LENGTH = 128;
const PFV_1_0 = 0;
// The smallest MAXH2CDATA a controller may report (NVMe/TCP 1.0: at least 4 KiB; Linux
// NVME_TCP_MIN_MAXH2CDATA, checked by the host in nvme_tcp_init_connection).
const MIN_MAXH2CDATA = 4096;

function handBuiltIcReq(): Buffer {
  const pdu = Buffer.alloc(IC_PDU_LENGTH);
  pdu[0] = PDU_TYPE_ICREQ; // type
  pdu[1] = 0; // flags
  pdu[2] = IC_PDU_LENGTH; // hlen
  pdu[3] = 0; // pdo
  pdu.writeUInt32LE(IC_PDU_LENGTH, 4); // plen
  pdu.writeUInt16LE(PFV_1_0, 8); // pfv
  pdu[10] = 0; // hpda
  pdu[11] = 0; // digest: no header or data digest
  pdu.writeUInt32LE(0, 12); // maxr2t (0's based: one outstanding R2T)
  return pdu;
}

/** Sends one ICReq to 127.0.0.1:port and resolves with the first 128 bytes that come back. */
function exchangeIcReq(port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let length = 0;
    socket.once('connect', () => socket.write(handBuiltIcReq()));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= IC_PDU_LENGTH) {
        socket.destroy();
        resolve(Buffer.concat(chunks).subarray(0, IC_PDU_LENGTH));
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`connection closed after ${length} bytes`)));
  });
}

/** What images/vm/agent.sh prints for one finished job. */
function agentFrame(id: number, stdout: string, stderr: string, status: number): string {
  const b64 = (text: string): string => {
    const encoded = Buffer.from(text).toString('base64');
    return encoded === '' ? '' : `${encoded.match(/.{1,76}/g)?.join('\n') ?? ''}\n`;
  };
  return `@@BEGIN ${id}\n@@OUT\n${b64(stdout)}@@ERR\n${b64(stderr)}@@END ${id} ${status}\n`;
}

test('interop-vm: channel frames parse the same whatever the chunking', (t) => {
  const stdout = 'line one\n@@END 1 0\n'.repeat(20); // marker-like output stays data
  const stream = `[noise]\n@@READY\n${agentFrame(1, stdout, '', 0)}${agentFrame(2, '', 'oops\n', 3)}`;
  for (const chunkSize of [1, 7, 64, stream.length]) {
    const results: ChannelResult[] = [];
    const noise: string[] = [];
    let ready = 0;
    const parser = new ChannelParser({ ready: () => ready++, result: (r) => results.push(r), noise: (l) => noise.push(l) });
    for (let i = 0; i < stream.length; i += chunkSize) parser.push(stream.slice(i, i + chunkSize));
    t.is(ready, 1);
    t.deepEqual(noise, ['[noise]']);
    t.deepEqual(results, [
      { id: 1, exitCode: 0, stdout, stderr: '' },
      { id: 2, exitCode: 3, stdout: '', stderr: 'oops\n' },
    ]);
  }
  t.is(encodeRun(5, 'echo hi'), `RUN 5 ${Buffer.from('echo hi').toString('base64')}\n`);
});

test('interop-vm: nvme discover text output and shell quoting', (t) => {
  const text = [
    'Discovery Log Number of Records 1, Generation counter 3',
    '=====Discovery Log Entry 0======',
    'trtype:  tcp',
    'adrfam:  ipv4',
    'subtype: nvme subsystem',
    'treq:    not specified',
    'portid:  1',
    'trsvcid: 4420',
    'subnqn:  nvmet-test',
    'traddr:  10.0.2.2',
    'sectype: none',
  ].join('\n');
  t.deepEqual(parseDiscoveryText(text), [
    {
      trtype: 'tcp',
      adrfam: 'ipv4',
      subtype: 'nvme subsystem',
      treq: 'not specified',
      portid: 1,
      trsvcid: '4420',
      subnqn: 'nvmet-test',
      traddr: '10.0.2.2',
      sectype: 'none',
    },
  ]);
  t.is(shellCommand('echo', "it's", 'a b', 'nqn.x:y'), `echo 'it'\\''s' 'a b' nqn.x:y`);
});

interopTest('interop-vm: Linux nvmet and nvme-tcp work in the VM and the forwarded port answers an ICReq', async (t) => {
  assertInteropPrereqs();
  const vm = await QemuVm.boot({ forwards: [{ hostPort: 0, guestPort: GUEST_PORT }] });
  t.teardown(() => vm.stop());
  t.log(`booted in ${vm.bootMs} ms with ${vm.accel}; kernel ${vm.image.kernelVersion}`);

  t.is((await vm.execOk('uname -r')).trim(), vm.image.kernelVersion);
  t.regex(await vm.execOk('nvme version'), /^nvme version 2\./m);
  t.regex(await vm.execOk('fio --version'), /^fio-3\./);
  const failing = await vm.exec('echo to-stderr >&2; exit 7');
  t.deepEqual(failing, { exitCode: 7, stdout: '', stderr: 'to-stderr\n' });

  await vm.execOk('modprobe nvmet-tcp && modprobe nvme-tcp && modprobe null_blk nr_devices=0');
  const modules = await vm.execOk('lsmod');
  for (const module of ['nvmet_tcp', 'nvmet', 'nvme_tcp', 'nvme_fabrics', 'null_blk']) {
    t.regex(modules, new RegExp(`^${module}\\s`, 'm'), `${module} is loaded`);
  }

  await dmesgMarker(vm, 'selftest');
  const target = await configureLinuxTarget(vm, {
    nqn: NQN,
    port: GUEST_PORT,
    namespaces: [{ nsid: 1, nullBlkSizeMiB: 64 }],
    allowAnyHost: true,
  });

  // Linux host -> Linux target, over the guest's own loopback.
  const records = await nvmeDiscover(vm, { traddr: '127.0.0.1', trsvcid: GUEST_PORT });
  t.true(
    records.some((r) => r.subnqn === NQN && r.trtype === 'tcp' && r.trsvcid === String(GUEST_PORT)),
    `discovery log lists ${NQN}: ${JSON.stringify(records)}`,
  );
  const connection = await nvmeConnect(vm, { traddr: '127.0.0.1', trsvcid: GUEST_PORT, nqn: NQN, nrIoQueues: 2 });
  t.regex(connection.device, /^\/dev\/nvme\d+n1$/);
  const listed = await nvmeList(vm);
  t.true(
    listed.Devices.some((d) => d.DevicePath === connection.device),
    `nvme list shows ${connection.device}: ${JSON.stringify(listed)}`,
  );
  const fio = await runFio(vm, {
    filename: connection.device,
    rw: 'randwrite',
    bs: '4k',
    size: '4M',
    iodepth: 4,
    verify: 'crc32c',
  });
  t.is(fio.jobs[0]?.error, 0);
  t.is(fio.jobs[0]?.write.io_bytes, 4 * 1024 * 1024);
  t.true((fio.jobs[0]?.read.io_bytes ?? 0) > 0, 'fio read the data back to verify it');
  t.is(await nvmeDisconnect(vm, NQN), 1);
  t.deepEqual(await kernelErrors(vm, { afterMarker: 'selftest' }), []);

  // The host machine -> Linux target through QEMU's port forward.
  const icresp = await exchangeIcReq(vm.hostPort(GUEST_PORT));
  t.is(icresp[0], PDU_TYPE_ICRESP, 'type');
  t.is(icresp[1], 0, 'flags');
  t.is(icresp[2], IC_PDU_LENGTH, 'hlen');
  t.is(icresp[3], 0, 'pdo');
  t.is(icresp.readUInt32LE(4), IC_PDU_LENGTH, 'plen');
  t.is(icresp.readUInt16LE(8), PFV_1_0, 'pfv');
  t.is(icresp[11], 0, 'no digests, as requested');
  t.true(icresp.readUInt32LE(12) >= MIN_MAXH2CDATA, `maxh2cdata ${icresp.readUInt32LE(12)}`);

  await teardownLinuxTarget(vm, target);
  const leftovers = await vm.execOk(
    'find /sys/kernel/config/nvmet/subsystems /sys/kernel/config/nvmet/ports /sys/kernel/config/nullb -mindepth 1 -maxdepth 1 -type d',
  );
  t.is(leftovers, '', 'teardown removed the subsystem, port and null_blk device');
});
