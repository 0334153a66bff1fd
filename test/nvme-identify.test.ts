// Identify data: controller and namespace structures at the offsets the Linux host and nvme-cli
// read (include/linux/nvme.h struct nvme_id_ctrl / nvme_id_ns), the namespace lists, and the
// fixed-width string conventions (space-padded SN/MN/FR, NUL-terminated SUBNQN).
import test from 'ava';
import { ControllerType, IdentifyCns } from '../sim/nvme/constants.js';
import {
  Cmic,
  decodeIdentifyController,
  decodeIdentifyControllerNvm,
  decodeIdentifyNamespace,
  decodeNsDescriptorList,
  decodeNsList,
  defaultIdentifyController,
  defaultIdentifyNamespace,
  encodeActiveNsList,
  encodeIdentifyController,
  encodeIdentifyControllerNvm,
  encodeIdentifyNamespace,
  encodeNsDescriptorList,
  flbasIndex,
  IdentifyControllerOffset,
  IdentifyNamespaceOffset,
  namespaceBlockSize,
  Nidt,
  nsDescriptorsFor,
  Sgls,
  uuidFromBytes,
  uuidToBytes,
} from '../sim/nvme/identify.js';
import { NVME_VS_1_3 } from '../sim/nvme/registers.js';

const SUBNQN = 'nqn.2014-08.org.nvmexpress:nvmf-sim:subsys1';
const ascii = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

function ctrl(overrides = {}) {
  return defaultIdentifyController({ sn: 'SIM0001', mn: 'nvmf-sim', fr: '0.1', cntlid: 0x0102, subnqn: SUBNQN, ver: NVME_VS_1_3 }, overrides);
}

test('nvme-identify: controller fields at the offsets Linux reads', (t) => {
  const bytes = encodeIdentifyController(ctrl());
  const view = new DataView(bytes.buffer);
  t.is(bytes.byteLength, 4096);
  t.is(ascii(bytes.subarray(4, 24)), 'SIM0001'.padEnd(20, ' '));
  t.is(ascii(bytes.subarray(24, 64)), 'nvmf-sim'.padEnd(40, ' '));
  t.is(ascii(bytes.subarray(64, 72)), '0.1'.padEnd(8, ' '));
  t.is(bytes[72], 6); // rab
  t.is(bytes[76], Cmic.MULTI_PORT | Cmic.MULTI_CTRL);
  t.is(bytes[77], 0); // mdts: no limit
  t.is(view.getUint16(78, true), 0x0102); // cntlid
  t.is(view.getUint32(80, true), 0x00010300); // ver
  t.is(view.getUint32(92, true), 1 << 8); // oaes: namespace attribute notices
  t.is(view.getUint32(96, true), 1); // ctratt: 128-bit host id
  t.is(bytes[111], ControllerType.IO);
  t.is(bytes[258], 3); // acl
  t.is(bytes[259], 3); // aerl
  t.is(view.getUint16(320, true), 10); // kas: 1 s
  t.is(bytes[512], 0x66); // sqes
  t.is(bytes[513], 0x44); // cqes
  t.is(view.getUint16(514, true), 128); // maxcmd
  t.is(view.getUint32(516, true), 1024); // nn
  t.is(view.getUint16(520, true), 0x0c); // oncs: DSM | write zeroes
  t.is(bytes[525], 1); // vwc
  t.is(view.getUint32(536, true), Sgls.SUPPORTED | Sgls.OFFSET); // sgls
  t.is(ascii(bytes.subarray(768, 768 + SUBNQN.length)), SUBNQN);
  t.is(bytes[768 + SUBNQN.length], 0);
  t.is(view.getUint32(1792, true), (64 + 8192) / 16); // ioccsz
  t.is(view.getUint32(1796, true), 1); // iorcsz
  t.is(view.getUint16(1800, true), 0); // icdoff
  t.is(bytes[1803], 1); // msdbd
  t.is(view.getUint16(2048, true), 0x9c4); // psd[0].mp
  t.is(view.getUint32(2052, true), 0x10); // psd[0].enlat
  t.is(view.getUint32(2056, true), 0x4); // psd[0].exlat
  t.like(IdentifyControllerOffset, { sn: 4, mn: 24, fr: 64, mdts: 77, cntlid: 78, ver: 80, kas: 320, subnqn: 768, ioccsz: 1792, psd: 2048 });
});

test('nvme-identify: controller round trip with every field set', (t) => {
  const full = ctrl({
    vid: 0x1b36,
    ssvid: 0x1af4,
    ieee: 0x123456,
    mdts: 5,
    rtd3r: 1,
    rtd3e: 2,
    ctratt: 0x41,
    rrls: 3,
    fguid: '01234567-89ab-cdef-0123-456789abcdef',
    crdt1: 1,
    crdt2: 2,
    crdt3: 3,
    lpa: 7,
    npss: 1,
    tnvmcap: 2n ** 100n + 5n,
    unvmcap: 7n,
    wctemp: 343,
    cctemp: 353,
    anatt: 10,
    anacap: 0x1f,
    anagrpmax: 128,
    nanagrpid: 128,
    nwpc: 1,
    mnan: 1024,
    dctype: 1,
    ofcs: 1,
    psd: [
      { mp: 0x9c4, flags: 0, enlat: 0x10, exlat: 0x4, rrt: 0, rrl: 0, rwt: 0, rwl: 0, idlp: 0, ips: 0, actp: 0, apws: 0 },
      { mp: 100, flags: 2, enlat: 1000, exlat: 2000, rrt: 1, rrl: 1, rwt: 1, rwl: 1, idlp: 5, ips: 1, actp: 6, apws: 2 },
    ],
  });
  const bytes = encodeIdentifyController(full);
  t.is(bytes[73], 0x56); // ieee, little-endian 24-bit
  t.is(bytes[75], 0x12);
  t.deepEqual(decodeIdentifyController(bytes), full);
});

test('nvme-identify: discovery controller defaults', (t) => {
  const disc = defaultIdentifyController({ sn: 'D1', mn: 'disc', fr: '1', cntlid: 1, subnqn: 'nqn.2014-08.org.nvmexpress.discovery', ver: NVME_VS_1_3, cntrltype: ControllerType.DISCOVERY });
  t.is(disc.cntrltype, 2);
  t.is(disc.oaes, 0x80000000);
  t.is(disc.ioccsz, 4); // SQE only; newer Linux hosts check ioccsz >= 4 / iorcsz >= 1
  t.is(disc.iorcsz, 1);
  t.deepEqual(decodeIdentifyController(encodeIdentifyController(disc)), disc);
});

test('nvme-identify: controller encode and decode errors', (t) => {
  t.throws(() => decodeIdentifyController(new Uint8Array(100)), { instanceOf: RangeError, message: 'decodeIdentifyController: need 4096 bytes, got 100' });
  t.throws(() => encodeIdentifyController(ctrl({ sn: 'x'.repeat(21) })), {
    instanceOf: RangeError,
    message: `identify controller.sn: '${'x'.repeat(21)}' is longer than 20 bytes`,
  });
  t.throws(() => encodeIdentifyController(ctrl({ mn: 'caf\u00e9' })), { instanceOf: RangeError, message: 'identify controller.mn: character "é" at 3 is not printable ASCII' });
  t.throws(() => encodeIdentifyController(ctrl({ cntlid: 0x10000 })), { message: 'identify controller.cntlid: 65536 is not an unsigned 16-bit integer' });
});

test('nvme-identify: namespace round trip and offsets', (t) => {
  const ns = defaultIdentifyNamespace({ blocks: 2 ** 21, blockSize: 4096, nguid: '00112233445566778899aabbccddeeff', eui64: '0011223344556677' });
  const bytes = encodeIdentifyNamespace(ns);
  const view = new DataView(bytes.buffer);
  t.is(view.getBigUint64(0, true), 2n ** 21n); // nsze
  t.is(view.getBigUint64(8, true), 2n ** 21n); // ncap
  t.is(view.getBigUint64(16, true), 2n ** 21n); // nuse
  t.is(bytes[25], 0); // nlbaf
  t.is(bytes[26], 0); // flbas
  t.is(bytes[30], 1); // nmic: shared
  t.is(Buffer.from(bytes.subarray(104, 120)).toString('hex'), '00112233445566778899aabbccddeeff');
  t.is(Buffer.from(bytes.subarray(120, 128)).toString('hex'), '0011223344556677');
  t.is(bytes[130], 12); // lbaf[0].lbads
  t.like(IdentifyNamespaceOffset, { nsze: 0, nlbaf: 25, flbas: 26, nmic: 30, anagrpid: 92, nsattr: 99, nguid: 104, eui64: 120, lbaf: 128 });
  t.deepEqual(decodeIdentifyNamespace(bytes), ns);
  t.is(namespaceBlockSize(ns), 4096);

  const multi = { ...ns, nlbaf: 1, flbas: 1, nvmcap: 1n << 70n, lbaf: [{ ms: 0, lbads: 9, rp: 2 }, { ms: 8, lbads: 12, rp: 0 }], nsattr: 1 };
  t.deepEqual(decodeIdentifyNamespace(encodeIdentifyNamespace(multi)), multi);
  t.is(namespaceBlockSize(multi), 4096);
  t.is(flbasIndex(0x61), 0x31);
});

test('nvme-identify: namespace errors', (t) => {
  const ns = defaultIdentifyNamespace({ blocks: 8, blockSize: 512 });
  t.throws(() => encodeIdentifyNamespace({ ...ns, nlbaf: 1 }), { instanceOf: RangeError, message: "identify namespace: 1 LBA formats but nlbaf 1 (0's based)" });
  t.throws(() => encodeIdentifyNamespace({ ...ns, nguid: 'zz' }), { message: "identify namespace.nguid: 'zz' is not 16 bytes of hex" });
  t.throws(() => defaultIdentifyNamespace({ blocks: 1, blockSize: 1000 }), { message: 'defaultIdentifyNamespace: block size 1000 is not a power of two >= 512' });
  t.throws(() => decodeIdentifyNamespace(new Uint8Array(4095)), { message: 'decodeIdentifyNamespace: need 4096 bytes, got 4095' });
  const bytes = encodeIdentifyNamespace(ns);
  new DataView(bytes.buffer).setBigUint64(0, 1n << 60n, true);
  t.throws(() => decodeIdentifyNamespace(bytes), { message: 'identify namespace.nsze: value 1152921504606846976 does not fit in a safe integer' });
});

test('nvme-identify: active namespace list after an NSID', (t) => {
  const bytes = encodeActiveNsList([5, 1, 3, 3], 1);
  const view = new DataView(bytes.buffer);
  t.is(view.getUint32(0, true), 3);
  t.is(view.getUint32(4, true), 5);
  t.is(view.getUint32(8, true), 0);
  t.deepEqual(decodeNsList(bytes), [3, 5]);
  t.deepEqual(decodeNsList(encodeActiveNsList([])), []);
  const many = Array.from({ length: 1500 }, (_, index) => index + 1);
  t.is(decodeNsList(encodeActiveNsList(many)).length, 1024);
});

test('nvme-identify: namespace identification descriptors', (t) => {
  const uuid = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
  const descriptors = nsDescriptorsFor({ eui64: '0011223344556677', nguid: '00112233445566778899aabbccddeeff', uuid, csi: 0 });
  const bytes = encodeNsDescriptorList(descriptors);
  // EUI64: nidt 1, nidl 8, 2 reserved, 8 bytes.
  t.is(Buffer.from(bytes.subarray(0, 12)).toString('hex'), '010800000011223344556677');
  t.is(bytes[12], Nidt.NGUID);
  t.is(bytes[13], 16);
  t.is(bytes[32], Nidt.UUID);
  t.is(uuidFromBytes(bytes, 36), uuid);
  t.is(bytes[52], Nidt.CSI);
  t.is(bytes[53], 1);
  t.is(bytes[56], 0);
  t.is(bytes[57], 0); // terminator
  t.deepEqual(decodeNsDescriptorList(bytes), descriptors);
  t.throws(() => encodeNsDescriptorList([{ nidt: Nidt.UUID, nid: new Uint8Array(8) }]), { message: 'ns descriptor: nidt 3 needs 16 bytes, got 8' });
  t.throws(() => encodeNsDescriptorList([{ nidt: 9, nid: new Uint8Array(1) }]), { message: 'ns descriptor: unknown nidt 9' });
});

test('nvme-identify: NVM command set controller (CNS 06h) and CNS values', (t) => {
  const nvm = { vsl: 0, wzsl: 5, wusl: 0, dmrl: 1, dmrsl: 256, dmsl: 2 ** 40 };
  t.deepEqual(decodeIdentifyControllerNvm(encodeIdentifyControllerNvm(nvm)), nvm);
  t.like(IdentifyCns, { NAMESPACE: 0, CONTROLLER: 1, ACTIVE_NS_LIST: 2, NS_DESC_LIST: 3, CS_CTRL: 6 });
});

test('nvme-identify: UUID helpers', (t) => {
  const uuid = '0f01fb42-9f7f-4856-b0b3-51e60b8de349';
  t.is(uuidFromBytes(uuidToBytes(uuid)), uuid);
  t.is(uuidFromBytes(uuidToBytes(uuid.toUpperCase())), uuid);
  t.throws(() => uuidFromBytes(new Uint8Array(15)), { instanceOf: RangeError, message: 'uuid: need 16 bytes, got 15' });
});
