// CRC32C as NVMe/TCP uses it for HDGST and DDGST: standard vectors, incremental use, and a golden
// header digest checked against an independent bytewise implementation.
import test from 'ava';
import { crc32c } from '../sim/nvme/digest.js';
import { encodePduToBuffer } from '../sim/nvme/pdu-encoder.js';
import { PduType } from '../sim/nvme/pdu-types.js';
import { patternBytes, referenceCrc32c, toHex } from './helpers/pdu-fixtures.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

// Check value of CRC-32C (Castagnoli) and the iSCSI vectors of RFC 3720 appendix B.4.
const VECTORS: ReadonlyArray<readonly [string, Uint8Array, number]> = [
  ['"123456789"', ascii('123456789'), 0xe3069283],
  ['32 bytes of 0x00', new Uint8Array(32), 0x8a9136aa],
  ['32 bytes of 0xff', new Uint8Array(32).fill(0xff), 0x62a8ab43],
  ['32 incrementing bytes', Uint8Array.from({ length: 32 }, (_value, index) => index), 0x46dd794e],
  ['32 decrementing bytes', Uint8Array.from({ length: 32 }, (_value, index) => 31 - index), 0x113fdb5c],
];

for (const [name, bytes, expected] of VECTORS) {
  test(`nvme-pdu: crc32c golden vector ${name}`, (t) => {
    t.is(crc32c(bytes), expected);
    t.is(referenceCrc32c(bytes), expected);
  });
}

test('nvme-pdu: crc32c continues over split buffers', (t) => {
  const bytes = patternBytes(1000, 11);
  const whole = crc32c(bytes);
  for (const split of [0, 1, 3, 4, 500, 999, 1000]) {
    t.is(crc32c(bytes.subarray(split), crc32c(bytes.subarray(0, split))), whole, `split at ${split}`);
  }
  t.is(whole, referenceCrc32c(bytes));
  t.is(crc32c(new Uint8Array(0)), 0);
});

test('nvme-pdu: header digest golden vector (CapsuleResp, zero CQE)', (t) => {
  // CapsuleResp with HDGST: 05 01 18 00 1c000000 + 16 zero bytes, then CRC32C of those 24 bytes, LE.
  const bytes = encodePduToBuffer(
    { type: PduType.CapsuleResp, cqe: new Uint8Array(16) },
    { headerDigest: true, dataDigest: false, dataAlignment: 0 },
  );
  // The value was computed by the native and the bytewise reference implementations, which agree.
  const header = '050118001c000000' + '00'.repeat(16);
  t.is(referenceCrc32c(Buffer.from(header, 'hex')), 0x8903129b);
  t.is(crc32c(Buffer.from(header, 'hex')), 0x8903129b);
  t.is(toHex(bytes), header + '9b120389');
});
