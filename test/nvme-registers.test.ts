// Controller properties read and written with Property Get/Set: the CAP, VS, CC and CSTS bit
// fields (NVMe Base 2.0 section 3.1.3), checked against the values Linux writes and nvmet reports.
import test from 'ava';
import {
  CapCss,
  decodeCap,
  decodeCc,
  decodeCsts,
  decodeVersion,
  defaultCap,
  encodeCap,
  encodeCc,
  encodeCsts,
  encodeVersion,
  formatVersion,
  NVME_VS_1_3,
  NVME_VS_2_0,
  RegisterOffset,
  registerSize,
  ShutdownNotification,
  ShutdownStatus,
} from '../sim/nvme/registers.js';

test('nvme-registers: CAP like Linux nvmet (MQES, TO 15, CSS NVM)', (t) => {
  const cap = defaultCap({ maxQueueEntries: 1024 });
  const value = encodeCap(cap);
  // MQES 1023 | TO 15 << 24 | CSS NVM (bit 37).
  t.is(value, 0x3ffn | (15n << 24n) | (1n << 37n));
  t.deepEqual(decodeCap(value), cap);
  const full = { mqes: 0xffff, cqr: true, ams: 3, to: 0xff, dstrd: 0xf, nssrs: true, css: CapCss.NVM | CapCss.CSI | CapCss.NO_IO, bps: true, mpsmin: 0xf, mpsmax: 0xf };
  t.deepEqual(decodeCap(encodeCap(full)), full);
  t.throws(() => encodeCap({ ...full, to: 256 }), { instanceOf: RangeError, message: 'cap.to: 256 does not fit in 8 bits' });
});

test('nvme-registers: VS, CC, CSTS and sizes', (t) => {
  t.is(encodeVersion({ major: 1, minor: 3 }), NVME_VS_1_3);
  t.is(encodeVersion({ major: 2, minor: 0 }), NVME_VS_2_0);
  t.deepEqual(decodeVersion(0x00010401), { major: 1, minor: 4, tertiary: 1 });
  t.is(formatVersion(NVME_VS_1_3), '1.3');
  t.is(formatVersion(0x00020001), '2.0.1');

  // What the Linux host writes to enable: EN | IOSQES 6 | IOCQES 4 (host/core.c nvme_enable_ctrl).
  const cc = { en: true, css: 0, mps: 0, ams: 0, shn: ShutdownNotification.NONE, iosqes: 6, iocqes: 4 };
  t.is(encodeCc(cc), 0x00460001);
  t.deepEqual(decodeCc(0x00460001), cc);
  t.is(decodeCc(encodeCc({ ...cc, shn: ShutdownNotification.NORMAL })).shn, 1);
  t.is(encodeCc({ ...cc, shn: ShutdownNotification.NORMAL }), 0x00464001);

  const csts = { rdy: true, cfs: false, shst: ShutdownStatus.COMPLETE, nssro: false, pp: false };
  t.is(encodeCsts(csts), 0x9);
  t.deepEqual(decodeCsts(0x9), csts);
  t.true(decodeCsts(0x3).cfs);

  t.is(registerSize(RegisterOffset.CAP), 8);
  t.is(registerSize(RegisterOffset.CC), 4);
  t.is(registerSize(0x24), undefined);
});
