// NVMe/TCP PDU decoder errors: each framing check reports the exact FES, FEI and message.
// Goal: every protocol check named in sim/nvme/pdu-decoder.ts fails the stream with the PduError a
// TermReq would carry, whole or fed one byte at a time, and nothing after the error is decoded.
// Method: bad PDUs are built with the independent fixture builder; an ava macro pushes them (followed by
// a valid PDU), asserts one error with exact fields, no PDU, and that later input is ignored.
import test from 'ava';
import { PduDecoder } from '../sim/nvme/pdu-decoder.js';
import { Fes, PduType } from '../sim/nvme/pdu-types.js';
import type { DecoderLimits, FesCode, Pdu, PduError, PduOptions, PduTypeCode } from '../sim/nvme/pdu-types.js';
import {
  buildRawPdu,
  ByteList,
  capsuleCmdBytes,
  capsuleRespBytes,
  concatBytes,
  dataPduBytes,
  F_DDGST,
  F_HDGST,
  F_LAST,
  F_SUCCESS,
  icReqBytes,
  icRespBytes,
  patternBytes,
  r2tBytes,
  referenceCrc32c,
  termReqBytes,
  toHex,
} from './helpers/pdu-fixtures.js';

const ALL_TYPES: readonly PduTypeCode[] = Object.values(PduType);
const LIMITS: DecoderLimits = { acceptTypes: ALL_TYPES, maxPduLength: 1 << 20 };
const PLAIN: PduOptions = { headerDigest: false, dataDigest: false, dataAlignment: 0 };
const DIGESTS: PduOptions = { headerDigest: true, dataDigest: true, dataAlignment: 0 };
const SQE = patternBytes(64, 1);
const DATA = patternBytes(100, 2);

interface ErrorCase {
  name: string;
  bytes: Uint8Array;
  options?: PduOptions;
  limits?: DecoderLimits;
  fes: FesCode;
  fei: number;
  message: string;
  /** Bytes of the offending PDU the error carries: 8 (common header) or hlen. */
  headerLength: number;
}

interface Outcome {
  pdus: Pdu[];
  errors: PduError[];
  decoder: PduDecoder;
}

function run(errorCase: ErrorCase, chunks: readonly Uint8Array[]): Outcome {
  const decoder = new PduDecoder(errorCase.limits ?? LIMITS, errorCase.options ?? PLAIN);
  const outcome: Outcome = { pdus: [], errors: [], decoder };
  for (const chunk of chunks) {
    decoder.push(
      chunk,
      (pdu) => outcome.pdus.push(pdu),
      (error) => outcome.errors.push(error),
    );
  }
  return outcome;
}

const reportsError = test.macro({
  exec(t, errorCase: ErrorCase) {
    // A valid PDU after the bad one must not be decoded: the stream is dead after a fatal error.
    const trailer = capsuleRespBytes(patternBytes(16, 3), { hdgst: (errorCase.options ?? PLAIN).headerDigest, ddgst: false, alignBytes: 0 });
    const stream = concatBytes(errorCase.bytes, trailer);
    const expected = {
      fes: errorCase.fes,
      fei: errorCase.fei,
      message: errorCase.message,
      header: toHex(errorCase.bytes.subarray(0, errorCase.headerLength)),
    };
    const whole = run(errorCase, [stream, trailer]);
    const bytewise = run(
      errorCase,
      Array.from(stream, (_byte, index) => stream.subarray(index, index + 1)),
    );
    for (const [how, outcome] of [['whole', whole], ['one byte at a time', bytewise]] as const) {
      t.deepEqual(outcome.pdus, [], how);
      t.is(outcome.errors.length, 1, how);
      const error = outcome.errors[0]!;
      t.deepEqual({ fes: error.fes, fei: error.fei, message: error.message, header: toHex(error.header) }, expected, how);
      t.true(outcome.decoder.failed, how);
      t.is(outcome.decoder.bufferedBytes, 0, how);
    }
  },
  title: (_provided, errorCase: ErrorCase) => `nvme-pdu: error ${errorCase.name}`,
});

/** An H2CData header with explicit fields, for PDO/plen/flag cases. */
function h2cData(fields: { flags: number; pdo: number; plen?: number; datal?: number; data?: Uint8Array; hdgst?: boolean; ddgst?: boolean }): Uint8Array {
  const data = fields.data ?? DATA;
  const specific = new ByteList().u16(1).u16(2).u32(0).u32(fields.datal ?? data.length).zeros(4);
  const headerEnd = 24 + (fields.hdgst ? 4 : 0);
  return buildRawPdu({
    type: 0x06,
    flags: fields.flags,
    hlen: 24,
    pdo: fields.pdo,
    specific: specific.bytes,
    headerDigest: fields.hdgst ?? false,
    padding: Math.max(0, fields.pdo - headerEnd),
    data,
    dataDigest: fields.ddgst ?? false,
    ...(fields.plen === undefined ? {} : { plen: fields.plen }),
  });
}

const withHlen = (bytes: Uint8Array, hlen: number): Uint8Array => {
  const copy = bytes.slice();
  copy[2] = hlen;
  return copy;
};

const withPlen = (bytes: Uint8Array, plen: number): Uint8Array => {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(4, plen, true);
  return copy;
};

const r2t = r2tBytes({ cccid: 1, ttag: 2, r2to: 0, r2tl: 4096 });
const badDigestR2t = buildRawPdu({
  type: 0x09,
  flags: F_HDGST,
  hlen: 24,
  pdo: 0,
  specific: new ByteList().u16(1).u16(2).u32(0).u32(4096).zeros(4).bytes,
  headerDigest: true,
  corruptHeaderDigest: 0x00000100,
});
const r2tHeaderCrc = referenceCrc32c(badDigestR2t.subarray(0, 24));
const hex8 = (value: number): string => value.toString(16).padStart(8, '0');

const CASES: readonly ErrorCase[] = [
  {
    name: 'unknown type 0x08',
    bytes: buildRawPdu({ type: 0x08, flags: 0, hlen: 24, pdo: 0, specific: new Uint8Array(16) }),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 0,
    message: 'unknown PDU type 0x08',
    headerLength: 8,
  },
  {
    name: 'unknown type 0xff',
    bytes: buildRawPdu({ type: 0xff, flags: 0, hlen: 24, pdo: 0, specific: new Uint8Array(16) }),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 0,
    message: 'unknown PDU type 0xff',
    headerLength: 8,
  },
  {
    name: 'R2T sent to a target (type not accepted)',
    bytes: r2t,
    limits: { acceptTypes: [PduType.ICReq, PduType.CapsuleCmd, PduType.H2CData, PduType.H2CTermReq], maxPduLength: 1 << 20 },
    fes: Fes.PDU_SEQUENCE_ERROR,
    fei: 0,
    message: 'unexpected R2T PDU',
    headerLength: 8,
  },
  {
    name: 'CapsuleCmd hlen 20',
    bytes: withHlen(capsuleCmdBytes(SQE, new Uint8Array(0)), 20),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 2,
    message: 'hlen 20 != 72 for CapsuleCmd',
    headerLength: 8,
  },
  {
    name: 'ICReq hlen 24',
    bytes: icReqBytes({ pfv: 0, hpda: 0, digest: 0, maxr2t: 0, hlen: 24 }),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 2,
    message: 'hlen 24 != 128 for ICReq',
    headerLength: 8,
  },
  {
    name: 'CapsuleCmd plen below its header',
    bytes: withPlen(capsuleCmdBytes(SQE, new Uint8Array(0)), 40),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 4,
    message: 'plen 40 < header length 72 for CapsuleCmd',
    headerLength: 8,
  },
  {
    name: 'CapsuleCmd plen below header + HDGST',
    bytes: withPlen(capsuleCmdBytes(SQE, new Uint8Array(0), { hdgst: true, ddgst: false, alignBytes: 0 }), 72),
    options: DIGESTS,
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 4,
    message: 'plen 72 < header length 76 for CapsuleCmd',
    headerLength: 8,
  },
  {
    name: 'CapsuleResp plen with trailing bytes',
    bytes: withPlen(capsuleRespBytes(patternBytes(16, 4)), 28),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 4,
    message: 'plen 28 != 24 for CapsuleResp (no data)',
    headerLength: 8,
  },
  {
    name: 'R2T plen counting bytes after its HDGST',
    bytes: withPlen(r2tBytes({ cccid: 1, ttag: 2, r2to: 0, r2tl: 1 }, { hdgst: true, ddgst: false, alignBytes: 0 }), 32),
    options: DIGESTS,
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 4,
    message: 'plen 32 != 28 for R2T (no data)',
    headerLength: 8,
  },
  {
    name: 'H2CData plen above the limit',
    bytes: withPlen(h2cData({ flags: F_LAST, pdo: 24 }), 2 << 20),
    fes: Fes.DATA_LIMIT_EXCEEDED,
    fei: 0,
    message: 'plen 2097152 > limit 1048576 for H2CData',
    headerLength: 8,
  },
  {
    name: 'H2CData pdo inside the header',
    bytes: h2cData({ flags: F_LAST, pdo: 16 }),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 3,
    message: 'pdo 16 invalid for H2CData (header 24, plen 124, alignment none)',
    headerLength: 8,
  },
  {
    name: 'H2CData pdo inside the HDGST',
    bytes: h2cData({ flags: F_LAST | F_HDGST | F_DDGST, pdo: 24, hdgst: true, ddgst: true }),
    options: DIGESTS,
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 3,
    message: 'pdo 24 invalid for H2CData (header 28, plen 132, alignment none)',
    headerLength: 8,
  },
  {
    name: 'H2CData pdo beyond plen',
    bytes: h2cData({ flags: F_LAST, pdo: 200, data: new Uint8Array(0), plen: 100 }),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 3,
    message: 'pdo 200 invalid for H2CData (header 24, plen 100, alignment none)',
    headerLength: 8,
  },
  {
    name: 'H2CData pdo overlapping the DDGST',
    bytes: h2cData({ flags: F_LAST | F_DDGST, pdo: 28, data: new Uint8Array(0), plen: 30 }),
    options: { headerDigest: false, dataDigest: true, dataAlignment: 0 },
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 3,
    message: 'pdo 28 invalid for H2CData (header 24, plen 30, alignment none)',
    headerLength: 8,
  },
  {
    name: 'H2CData pdo misaligned for PDA 7',
    bytes: h2cData({ flags: F_LAST | F_HDGST, pdo: 28, hdgst: true }),
    options: { headerDigest: true, dataDigest: false, dataAlignment: 7 },
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 3,
    message: 'pdo 28 invalid for H2CData (header 28, plen 128, alignment 32)',
    headerLength: 8,
  },
  {
    name: 'HDGST flag clear while header digest negotiated',
    bytes: capsuleCmdBytes(SQE, new Uint8Array(0)),
    options: DIGESTS,
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 1,
    message: 'HDGST flag clear on CapsuleCmd but header digest negotiated',
    headerLength: 8,
  },
  {
    name: 'HDGST flag set while header digest not negotiated',
    bytes: r2tBytes({ cccid: 1, ttag: 2, r2to: 0, r2tl: 1 }, { hdgst: true, ddgst: false, alignBytes: 0 }),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 1,
    message: 'HDGST flag set on R2T but header digest not negotiated',
    headerLength: 8,
  },
  {
    name: 'DDGST flag clear on H2CData while data digest negotiated',
    bytes: dataPduBytes(0x06, { flags: F_LAST, cccid: 1, ttag: 2, datao: 0, data: DATA }, { hdgst: true, ddgst: false, alignBytes: 0 }),
    options: DIGESTS,
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 1,
    message: 'DDGST flag clear on H2CData but data digest negotiated',
    headerLength: 8,
  },
  {
    name: 'DDGST flag clear on CapsuleCmd with data while data digest negotiated',
    bytes: capsuleCmdBytes(SQE, DATA, { hdgst: true, ddgst: false, alignBytes: 0 }),
    options: DIGESTS,
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 1,
    message: 'DDGST flag clear on CapsuleCmd but data digest negotiated',
    headerLength: 8,
  },
  {
    name: 'DDGST flag set while data digest not negotiated',
    bytes: dataPduBytes(0x07, { flags: F_LAST, cccid: 1, ttag: 0, datao: 0, data: DATA }, { hdgst: false, ddgst: true, alignBytes: 0 }),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 1,
    message: 'DDGST flag set on C2HData but data digest not negotiated',
    headerLength: 8,
  },
  {
    name: 'DDGST flag set on a CapsuleCmd without data',
    bytes: buildRawPdu({ type: 0x04, flags: F_HDGST | F_DDGST, hlen: 72, pdo: 0, specific: SQE, headerDigest: true }),
    options: DIGESTS,
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 1,
    message: 'DDGST flag set on CapsuleCmd but no data',
    headerLength: 8,
  },
  {
    name: 'digest flag set on ICReq',
    bytes: (() => {
      const bytes = icReqBytes({ pfv: 0, hpda: 0, digest: 3, maxr2t: 0 });
      bytes[1] = F_HDGST;
      return bytes;
    })(),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 1,
    message: 'digest flag set on ICReq',
    headerLength: 8,
  },
  {
    name: 'header digest mismatch',
    bytes: badDigestR2t,
    options: DIGESTS,
    fes: Fes.HEADER_DIGEST_ERROR,
    fei: 0,
    message: `header digest 0x${hex8((r2tHeaderCrc ^ 0x100) >>> 0)} != 0x${hex8(r2tHeaderCrc)} on R2T`,
    headerLength: 24,
  },
  {
    name: 'ICReq plen 132',
    bytes: icReqBytes({ pfv: 0, hpda: 0, digest: 0, maxr2t: 0, plen: 132 }),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 4,
    message: 'plen 132 != 128 for ICReq',
    headerLength: 8,
  },
  {
    name: 'ICResp plen 24',
    bytes: withPlen(icRespBytes({ pfv: 0, cpda: 0, digest: 0, maxh2cdata: 4096 }), 24),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 4,
    message: 'plen 24 != 128 for ICResp',
    headerLength: 8,
  },
  {
    name: 'ICReq pfv 1',
    bytes: icReqBytes({ pfv: 1, hpda: 0, digest: 0, maxr2t: 0 }),
    fes: Fes.UNSUPPORTED_PARAMETER,
    fei: 8,
    message: 'pfv 1 unsupported in ICReq',
    headerLength: 128,
  },
  {
    name: 'C2HData SUCCESS without LAST_PDU',
    bytes: dataPduBytes(0x07, { flags: F_SUCCESS, cccid: 1, ttag: 0, datao: 0, data: DATA }),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 1,
    message: 'C2HData SUCCESS flag set without LAST_PDU',
    headerLength: 8,
  },
  {
    name: 'C2HTermReq plen 153',
    bytes: termReqBytes(0x03, { fes: 1, fei: 0, errorData: patternBytes(129, 5) }),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 4,
    message: 'plen 153 outside 24..152 for C2HTermReq',
    headerLength: 8,
  },
  {
    name: 'H2CTermReq plen 20',
    bytes: termReqBytes(0x02, { fes: 1, fei: 0, errorData: new Uint8Array(0), plen: 20 }),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 4,
    message: 'plen 20 outside 24..152 for H2CTermReq',
    headerLength: 8,
  },
  {
    name: 'H2CData datal not matching plen',
    bytes: h2cData({ flags: F_LAST, pdo: 24, datal: 99 }),
    fes: Fes.INVALID_HEADER_FIELD,
    fei: 16,
    message: 'datal 99 != 100 data bytes framed by H2CData',
    headerLength: 24,
  },
];

for (const errorCase of CASES) test(reportsError, errorCase);

test('nvme-pdu: a header claiming plen 4 GiB fails after the common header, buffering nothing more', (t) => {
  // The decoder must never allocate in proportion to a claimed length it will not accept.
  const header = withPlen(h2cData({ flags: F_LAST, pdo: 24, data: new Uint8Array(0) }), 0xffffffff).subarray(0, 24);
  const limits: DecoderLimits = { acceptTypes: ALL_TYPES, maxPduLength: 128 * 1024 };
  const errors: PduError[] = [];
  const decoder = new PduDecoder(limits, PLAIN);
  const onPdu = (): void => t.fail('no PDU expected');
  for (let index = 0; index < 7; index++) {
    decoder.push(header.subarray(index, index + 1), onPdu, (error) => errors.push(error));
    t.is(decoder.bufferedBytes, index + 1);
  }
  decoder.push(header.subarray(7), onPdu, (error) => errors.push(error));
  t.is(decoder.bufferedBytes, 0);
  // A flood of claimed payload afterwards is ignored, not buffered.
  decoder.push(new Uint8Array(1 << 20), onPdu, (error) => errors.push(error));
  t.is(decoder.bufferedBytes, 0);
  t.deepEqual(
    errors.map((error) => [error.fes, error.fei, error.message]),
    [[Fes.DATA_LIMIT_EXCEEDED, 0, 'plen 4294967295 > limit 131072 for H2CData']],
  );
  t.true(decoder.failed);
});

test('nvme-pdu: a PDU spanning chunks buffers exactly its plen once its header validated', (t) => {
  const bytes = dataPduBytes(0x06, { flags: F_LAST, cccid: 1, ttag: 2, datao: 0, data: patternBytes(1000, 6) });
  const decoder = new PduDecoder(LIMITS, PLAIN);
  decoder.push(bytes.subarray(0, 5), () => t.fail(), (error) => t.fail(error.message));
  t.is(decoder.bufferedBytes, 5);
  decoder.push(bytes.subarray(5, 500), () => t.fail(), (error) => t.fail(error.message));
  t.is(decoder.bufferedBytes, 500);
  let delivered = 0;
  decoder.push(bytes.subarray(500), () => delivered++, (error) => t.fail(error.message));
  t.is(delivered, 1);
  t.is(decoder.bufferedBytes, 0);
});

test('nvme-pdu: header digest is checked before the data arrives', (t) => {
  // A corrupt header's plen cannot be trusted, so the error must not wait for plen bytes.
  const bytes = buildRawPdu({
    type: 0x06,
    flags: F_LAST | F_HDGST,
    hlen: 24,
    pdo: 28,
    specific: new ByteList().u16(1).u16(2).u32(0).u32(1000).zeros(4).bytes,
    headerDigest: true,
    data: patternBytes(1000, 7),
    corruptHeaderDigest: 1,
  });
  const errors: PduError[] = [];
  const decoder = new PduDecoder(LIMITS, { headerDigest: true, dataDigest: false, dataAlignment: 0 });
  decoder.push(bytes.subarray(0, 28), () => t.fail(), (error) => errors.push(error));
  t.deepEqual(
    errors.map((error) => error.fes),
    [Fes.HEADER_DIGEST_ERROR],
  );
});
