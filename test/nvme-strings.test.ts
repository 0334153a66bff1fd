// Fixed-width fields: space-padded ASCII (SN/MN/FR), NUL-padded NQNs and address strings, and the
// shared length check whose message every decoder uses.
import test from 'ava';
import {
  bytesFromHex,
  encodeSpacePadded,
  hexFromBytes,
  readNqn,
  readNulPadded,
  readSpacePadded,
  requireLength,
  writeNqn,
  writeNulPadded,
} from '../sim/nvme/strings.js';

test('nvme-strings: space padded ASCII', (t) => {
  const bytes = encodeSpacePadded('SN1', 8);
  t.deepEqual([...bytes], [0x53, 0x4e, 0x31, 0x20, 0x20, 0x20, 0x20, 0x20]);
  t.is(readSpacePadded(bytes, 0, 8), 'SN1');
  // Some devices NUL-pad instead; both trail off.
  t.is(readSpacePadded(Uint8Array.of(0x41, 0x20, 0x42, 0x00, 0x20), 0, 5), 'A B');
  t.throws(() => encodeSpacePadded('123456789', 8, 'fr'), { instanceOf: RangeError, message: "fr: '123456789' is longer than 8 bytes" });
  t.throws(() => encodeSpacePadded('a\nb', 8, 'sn'), { message: 'sn: character "\\n" at 1 is not printable ASCII' });
});

test('nvme-strings: NUL padded NQNs', (t) => {
  const field = new Uint8Array(256).fill(0xff);
  writeNqn(field, 0, 'nqn.2014-08.org.nvmexpress.discovery');
  t.is(field[36], 0);
  t.is(field[255], 0);
  t.is(readNqn(field, 0), 'nqn.2014-08.org.nvmexpress.discovery');
  t.throws(() => writeNqn(field, 0, 'n'.repeat(224), 'subnqn'), { message: 'subnqn: NQN longer than 223 bytes' });
  t.throws(() => writeNulPadded(new Uint8Array(8), 0, 8, 'a\u0000b', 'traddr'), { message: 'traddr: contains a NUL byte' });
  t.is(readNulPadded(Uint8Array.of(0x34, 0x34, 0x32, 0x30, 0x20, 0x20), 0, 6), '4420');
});

test('nvme-strings: length checks and hex', (t) => {
  t.notThrows(() => requireLength(new Uint8Array(4), 4, 'x'));
  t.throws(() => requireLength(new Uint8Array(4), 5, 'decodeThing'), { instanceOf: RangeError, message: 'decodeThing: need 5 bytes, got 4' });
  t.is(hexFromBytes(Uint8Array.of(0, 0xab)), '00ab');
  t.deepEqual(bytesFromHex('00:ab', 2, 'eui'), Uint8Array.of(0, 0xab));
  t.throws(() => bytesFromHex('abc', 2, 'eui'), { message: "eui: 'abc' is not 2 bytes of hex" });
});
