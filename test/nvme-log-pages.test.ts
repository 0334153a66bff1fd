// Log pages: the discovery log layout (Fabrics 1.1 Figures 37-38) including the partial reads
// nvme-cli makes, the error log, SMART/health counters, and the changed-namespace and command
// effects pages.
import test from 'ava';
import { AddressFamily, LogPageId, SubsystemType, TcpSecType, TransportType, Treq } from '../sim/nvme/constants.js';
import {
  CmdEffect,
  dataUnits,
  decodeChangedNsList,
  decodeDiscoveryLog,
  decodeDiscoveryLogEntry,
  decodeDiscoveryLogHeader,
  decodeErrorLog,
  decodeSmartLog,
  discoveryLogBytes,
  emptySmartLog,
  encodeChangedNsList,
  encodeCommandEffectsLog,
  encodeDiscoveryLog,
  encodeDiscoveryLogRange,
  encodeErrorLog,
  encodeFirmwareSlotLog,
  encodeSmartLog,
  sliceLog,
} from '../sim/nvme/log-pages.js';
import type { DiscoveryLogEntry } from '../sim/nvme/log-pages.js';

const ascii = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

const ENTRY: DiscoveryLogEntry = {
  trtype: TransportType.TCP,
  adrfam: AddressFamily.IPV4,
  subtype: SubsystemType.NVME,
  treq: Treq.NOT_SPECIFIED,
  portid: 1,
  cntlid: 0xffff,
  asqsz: 32,
  eflags: 0,
  trsvcid: '4420',
  subnqn: 'nqn.2014-08.org.nvmexpress:nvmf-sim:subsys1',
  traddr: '127.0.0.1',
  sectype: TcpSecType.NONE,
};
const LOG = {
  genctr: 7,
  entries: [ENTRY, { ...ENTRY, subtype: SubsystemType.CURRENT_DISCOVERY, trsvcid: '8009', subnqn: 'nqn.2014-08.org.nvmexpress.discovery', portid: 2 }],
};

test('nvme-log-pages: discovery log layout offsets', (t) => {
  const bytes = encodeDiscoveryLog(LOG);
  const view = new DataView(bytes.buffer);
  t.is(bytes.byteLength, 3 * 1024);
  t.is(discoveryLogBytes(2), 3072);
  t.is(view.getBigUint64(0, true), 7n); // genctr
  t.is(view.getBigUint64(8, true), 2n); // numrec
  t.is(view.getUint16(16, true), 0); // recfmt
  const base = 1024;
  t.is(bytes[base + 0], 3); // trtype TCP
  t.is(bytes[base + 1], 1); // adrfam IPv4
  t.is(bytes[base + 2], 2); // subtype NVM subsystem
  t.is(bytes[base + 3], 0); // treq
  t.is(view.getUint16(base + 4, true), 1); // portid
  t.is(view.getUint16(base + 6, true), 0xffff); // cntlid
  t.is(view.getUint16(base + 8, true), 32); // asqsz
  t.is(ascii(bytes.subarray(base + 32, base + 36)), '4420');
  t.is(bytes[base + 36], 0);
  t.is(ascii(bytes.subarray(base + 256, base + 256 + ENTRY.subnqn.length)), ENTRY.subnqn);
  t.is(ascii(bytes.subarray(base + 512, base + 521)), '127.0.0.1');
  t.is(bytes[base + 768], 0); // tsas.sectype
  t.is(bytes[2048 + 2], 3); // second entry: current discovery subsystem
  t.deepEqual(decodeDiscoveryLog(bytes), { genctr: 7, numrec: 2, recfmt: 0, entries: LOG.entries });
});

test('nvme-log-pages: partial discovery log reads as nvme-cli makes them', (t) => {
  // First a short read of the header to learn numrec, then the whole log.
  const head = encodeDiscoveryLogRange(LOG, 0, 20);
  t.is(head.byteLength, 20);
  t.deepEqual(decodeDiscoveryLogHeader(head), { genctr: 7, numrec: 2, recfmt: 0 });
  const second = encodeDiscoveryLogRange(LOG, 2048, 1024);
  t.deepEqual(decodeDiscoveryLogEntry(second), LOG.entries[1]);
  // Past the end reads as zeros, as nvmet's zero-filled buffer does.
  const tail = encodeDiscoveryLogRange(LOG, 2560, 1024);
  t.is(tail.byteLength, 1024);
  t.true(tail.subarray(512).every((byte) => byte === 0));
  t.true(encodeDiscoveryLogRange(LOG, 8192, 16).every((byte) => byte === 0));
  t.deepEqual(sliceLog(Uint8Array.of(1, 2, 3), 1, 4), Uint8Array.of(2, 3, 0, 0));
});

test('nvme-log-pages: discovery log decode errors and space padding', (t) => {
  const bytes = encodeDiscoveryLog(LOG);
  t.throws(() => decodeDiscoveryLog(bytes.subarray(0, 2048)), { instanceOf: RangeError, message: 'decodeDiscoveryLog (numrec 2): need 3072 bytes, got 2048' });
  t.throws(() => decodeDiscoveryLogHeader(bytes.subarray(0, 10)), { message: 'decodeDiscoveryLogHeader: need 18 bytes, got 10' });
  t.throws(() => decodeDiscoveryLogEntry(bytes, 2500), { message: 'decodeDiscoveryLogEntry: need 1024 bytes at offset 2500, got 3072' });
  // SPDK pads the address strings with spaces instead of NULs.
  const spdk = encodeDiscoveryLog({ genctr: 0, entries: [ENTRY] });
  spdk.fill(0x20, 1024 + 32 + 4, 1024 + 64);
  t.is(decodeDiscoveryLog(spdk).entries[0]?.trsvcid, '4420');
  t.throws(() => encodeDiscoveryLog({ genctr: 0, entries: [{ ...ENTRY, trsvcid: '1'.repeat(32) }] }), {
    message: 'discovery entry 0.trsvcid: 32 bytes do not fit in a 32-byte NUL-terminated field',
  });
});

test('nvme-log-pages: error information entries', (t) => {
  const entry = {
    errorCount: 3,
    sqid: 1,
    cid: 0x42,
    status: 0x4002,
    parameterErrorLocation: 40,
    lba: 2 ** 40,
    nsid: 1,
    vendorSpecific: 0,
    trtype: 3,
    commandSpecific: 0,
    transportTypeSpecific: 0,
  };
  const bytes = encodeErrorLog([entry, { ...entry, errorCount: 0, status: 0 }]);
  const view = new DataView(bytes.buffer);
  t.is(bytes.byteLength, 128);
  t.is(view.getUint16(12, true), 0x8004); // status << 1, phase 0
  t.is(view.getUint16(14, true), 40);
  t.is(view.getBigUint64(16, true), 2n ** 40n);
  t.deepEqual(decodeErrorLog(bytes)[0], entry);
  t.throws(() => decodeErrorLog(new Uint8Array(65)), { message: 'decodeErrorLog: 65 bytes is not a multiple of 64' });
});

test('nvme-log-pages: SMART / health log', (t) => {
  const log = {
    ...emptySmartLog(),
    criticalWarning: 0x02,
    temperature: 310,
    dataUnitsRead: dataUnits(512000n * 3n + 1n),
    dataUnitsWritten: 2n ** 70n,
    hostReads: 12345n,
    hostWrites: 678n,
    powerOnHours: 24n,
    unsafeShutdowns: 2n,
    mediaErrors: 1n,
    tempSensor: [300, 301, 0, 0, 0, 0, 0, 0],
  };
  const bytes = encodeSmartLog(log);
  const view = new DataView(bytes.buffer);
  t.is(bytes.byteLength, 512);
  t.is(bytes[0], 0x02);
  t.is(view.getUint16(1, true), 310); // Kelvin, unaligned at byte 1
  t.is(bytes[3], 100); // available spare
  t.is(view.getBigUint64(32, true), 4n); // data units read: rounded up
  t.is(view.getBigUint64(56, true), 2n ** 6n); // high half of data units written
  t.is(view.getBigUint64(64, true), 12345n);
  t.is(view.getBigUint64(128, true), 24n);
  t.is(view.getBigUint64(144, true), 2n);
  t.is(view.getBigUint64(160, true), 1n);
  t.is(view.getUint16(200, true), 300);
  t.deepEqual(decodeSmartLog(bytes), log);
  t.is(dataUnits(0n), 0n);
  t.is(dataUnits(512000n), 1n);
  t.is(dataUnits(1n), 1n);
  t.throws(() => decodeSmartLog(new Uint8Array(511)), { message: 'decodeSmartLog: need 512 bytes, got 511' });
});

test('nvme-log-pages: firmware slot, changed namespaces, command effects', (t) => {
  const fw = encodeFirmwareSlotLog({ activeSlot: 1, revisions: ['0.1'] });
  t.is(fw[0], 1);
  t.is(ascii(fw.subarray(8, 16)), '0.1     ');

  t.deepEqual(decodeChangedNsList(encodeChangedNsList([1, 7])), [1, 7]);
  t.deepEqual(decodeChangedNsList(encodeChangedNsList(Array.from({ length: 1025 }, (_, index) => index + 1))), [0xffffffff]);

  const effects = encodeCommandEffectsLog({ admin: new Map([[0x06, CmdEffect.CSUPP]]), io: new Map([[0x01, CmdEffect.CSUPP | CmdEffect.LBCC]]) });
  const view = new DataView(effects.buffer);
  t.is(view.getUint32(0x06 * 4, true), 1);
  t.is(view.getUint32(1024 + 4, true), 3);
  t.is(LogPageId.CHANGED_NS, 0x04);
});
