// Fixed-width fields of NVMe data structures, and the byte-layout checks every codec in sim/nvme
// shares. NVMe has two string conventions: ASCII fields such as Serial Number, Model Number and
// Firmware Revision are padded with spaces (NVMe Base Specification 2.0, section 1.5 "ASCII string
// ... padded with spaces (20h)"; Linux nvmet memcpy_and_pad(..., ' ') in admin-cmd.c
// nvmet_execute_identify_ctrl), while NQNs and the Fabrics address strings are NUL-terminated and
// NUL-padded UTF-8 (section 4.5 "NVMe Qualified Names"; Linux nvmet strscpy into id->subnqn). UUIDs
// (host identifiers, namespace UUIDs, FGUID) are 16 bytes in RFC 4122 byte order.

/** Throws a RangeError unless `bytes` holds at least `length` bytes from `offset`. */
export function requireLength(bytes: Uint8Array, length: number, what: string, offset = 0): void {
  if (offset < 0 || bytes.byteLength < offset + length) {
    const need = offset === 0 ? `${length} bytes` : `${length} bytes at offset ${offset}`;
    throw new RangeError(`${what}: need ${need}, got ${bytes.byteLength}`);
  }
}

/** A little-endian view over exactly the bytes of `bytes` (which may itself be a subarray). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Little-endian accessors over a Uint8Array, for the per-I/O codecs (SQE, CQE): they cost no DataView
 * allocation. Callers check the length first; bytes past the end read as 0 and writes there are lost.
 */
export function readU16LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
}

export function readU32LE(bytes: Uint8Array, offset: number): number {
  // The top byte is multiplied, not shifted, so the result stays an unsigned 32-bit number.
  return ((bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8) | ((bytes[offset + 2] ?? 0) << 16)) + (bytes[offset + 3] ?? 0) * 0x1000000;
}

/** Writes the low 16 bits of `value` (Uint8Array stores keep the low 8 bits of each byte). */
export function writeU16LE(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value;
  bytes[offset + 1] = value >>> 8;
}

/** Writes the low 32 bits of `value`. */
export function writeU32LE(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value;
  bytes[offset + 1] = value >>> 8;
  bytes[offset + 2] = value >>> 16;
  bytes[offset + 3] = value >>> 24;
}

/** True when `value` is an integer in 0..2^32-1 (the cheap form of requireUint(value, 32)). */
export function isU32(value: number): boolean {
  return value >>> 0 === value;
}

/** Reads a u64 as a number, throwing if it does not fit in a safe integer. */
export function readU64Number(view: DataView, offset: number, what: string): number {
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${what}: value ${value} does not fit in a safe integer`);
  }
  return Number(value);
}

/** Writes a non-negative safe integer as a u64. */
export function writeU64Number(view: DataView, offset: number, value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what}: ${value} is not a non-negative safe integer`);
  }
  view.setBigUint64(offset, BigInt(value), true);
}

const U64_MASK = (1n << 64n) - 1n;

/** Reads a u128 (two little-endian u64 halves, as in the SMART log counters). */
export function readU128(view: DataView, offset: number): bigint {
  return view.getBigUint64(offset, true) | (view.getBigUint64(offset + 8, true) << 64n);
}

/** Writes a u128; values outside 0..2^128-1 throw. */
export function writeU128(view: DataView, offset: number, value: bigint, what: string): void {
  if (value < 0n || value >> 128n !== 0n) throw new RangeError(`${what}: ${value} does not fit in 128 bits`);
  view.setBigUint64(offset, value & U64_MASK, true);
  view.setBigUint64(offset + 8, value >> 64n, true);
}

/** Throws unless `value` is an integer in 0..2^bits-1 (bits <= 32). */
export function requireUint(value: number, bits: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 2 ** bits - 1) {
    throw new RangeError(`${what}: ${value} is not an unsigned ${bits}-bit integer`);
  }
  return value;
}

function requireAscii(text: string, what: string): void {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    // Spec 1.5: ASCII fields hold printable characters 20h..7Eh.
    if (code < 0x20 || code > 0x7e) {
      throw new RangeError(`${what}: character ${JSON.stringify(text[index])} at ${index} is not printable ASCII`);
    }
  }
}

/** Writes `text` into `width` bytes at `offset`, padding with spaces (0x20). Too-long text throws. */
export function writeSpacePadded(buf: Uint8Array, offset: number, width: number, text: string, what: string): void {
  requireAscii(text, what);
  if (text.length > width) throw new RangeError(`${what}: '${text}' is longer than ${width} bytes`);
  requireLength(buf, width, what, offset);
  for (let index = 0; index < width; index++) {
    buf[offset + index] = index < text.length ? text.charCodeAt(index) : 0x20;
  }
}

/** Reads a space-padded ASCII field, dropping trailing spaces and NULs (some devices NUL-pad). */
export function readSpacePadded(buf: Uint8Array, offset: number, width: number): string {
  let end = offset + width;
  while (end > offset && (buf[end - 1] === 0x20 || buf[end - 1] === 0x00)) end--;
  let text = '';
  for (let index = offset; index < end; index++) text += String.fromCharCode(buf[index] ?? 0);
  return text;
}

/** Returns `text` as `width` space-padded ASCII bytes. */
export function encodeSpacePadded(text: string, width: number, what = 'ascii field'): Uint8Array {
  const out = new Uint8Array(width);
  writeSpacePadded(out, 0, width, text, what);
  return out;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Writes a NUL-terminated string into `width` bytes, NUL-padded. The text must leave room for the
 * terminating NUL (Linux nvmet forces the last byte of each NQN field to NUL in
 * fabrics-cmd.c nvmet_execute_admin_connect, so a full-width NQN would be truncated).
 */
export function writeNulPadded(buf: Uint8Array, offset: number, width: number, text: string, what: string): void {
  const encoded = utf8Encoder.encode(text);
  if (encoded.byteLength > width - 1) {
    throw new RangeError(`${what}: ${encoded.byteLength} bytes do not fit in a ${width}-byte NUL-terminated field`);
  }
  if (encoded.includes(0)) throw new RangeError(`${what}: contains a NUL byte`);
  requireLength(buf, width, what, offset);
  buf.fill(0, offset, offset + width);
  buf.set(encoded, offset);
}

/** Reads a NUL-terminated string from a `width`-byte field; trailing spaces are dropped as well. */
export function readNulPadded(buf: Uint8Array, offset: number, width: number): string {
  const field = buf.subarray(offset, offset + width);
  const nul = field.indexOf(0);
  let end = nul === -1 ? field.byteLength : nul;
  // Some targets (SPDK) space-pad the Fabrics address strings of the discovery log.
  while (end > 0 && field[end - 1] === 0x20) end--;
  return utf8Decoder.decode(field.subarray(0, end));
}

/** NQN field width in Connect data, Identify Controller and discovery log entries (NVMF_NQN_FIELD_LEN). */
export const NQN_FIELD_LENGTH = 256;
/** Longest NQN the spec allows, in bytes, excluding the NUL (NVMF_NQN_SIZE; spec 4.5). */
export const NQN_MAX_LENGTH = 223;

/** Writes an NQN into a 256-byte field. NQNs longer than 223 bytes throw (spec 4.5). */
export function writeNqn(buf: Uint8Array, offset: number, nqn: string, what = 'nqn'): void {
  if (utf8Encoder.encode(nqn).byteLength > NQN_MAX_LENGTH) {
    throw new RangeError(`${what}: NQN longer than ${NQN_MAX_LENGTH} bytes`);
  }
  writeNulPadded(buf, offset, NQN_FIELD_LENGTH, nqn, what);
}

/** Reads an NQN from a 256-byte field. */
export function readNqn(buf: Uint8Array, offset: number): string {
  return readNulPadded(buf, offset, NQN_FIELD_LENGTH);
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The all-zero UUID; a zero host identifier or FGUID means "not reported". */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into 16 bytes (RFC 4122 byte order). */
export function uuidToBytes(uuid: string): Uint8Array {
  if (!UUID_PATTERN.test(uuid)) throw new RangeError(`uuid: '${uuid}' is not a UUID (8-4-4-4-12 hex digits)`);
  const hex = uuid.replaceAll('-', '');
  const out = new Uint8Array(16);
  for (let index = 0; index < 16; index++) out[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  return out;
}

/** Formats 16 bytes (from `offset`) as a lower-case UUID string. */
export function uuidFromBytes(bytes: Uint8Array, offset = 0): string {
  requireLength(bytes, 16, 'uuid', offset);
  let hex = '';
  for (let index = 0; index < 16; index++) hex += (bytes[offset + index] ?? 0).toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Formats bytes as lower-case hex without separators (EUI-64 and NGUID are printed this way by nvme-cli). */
export function hexFromBytes(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** Parses hex digits (optionally with '-' or ':' separators) into exactly `length` bytes. */
export function bytesFromHex(text: string, length: number, what: string): Uint8Array {
  const hex = text.replace(/[-:]/g, '');
  if (!/^[0-9a-f]*$/i.test(hex) || hex.length !== length * 2) {
    throw new RangeError(`${what}: '${text}' is not ${length} bytes of hex`);
  }
  const out = new Uint8Array(length);
  for (let index = 0; index < length; index++) out[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  return out;
}
