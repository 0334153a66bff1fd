// NVMe/TCP PDU codec round trips: every PDU type, with and without digests and data alignment.
// Goal: the encoder and decoder agree with an independent fixture builder (test/helpers/pdu-fixtures.ts)
// byte for byte, and the decoder gives the same PDUs however the bytes are chunked.
// Method: a table of (PDU, framing, fixture bytes); for each row an ava macro checks decode(bytes),
// encode(pdu) as hex, decode(encode(pdu)), then feeds the bytes split at every offset, coalesced with a
// following PDU, and one byte at a time.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { PduDecoder } from '../sim/nvme/pdu-decoder.js';
import { encodePdu, encodePduToBuffer, encodePlainC2HDataHeaderAt, encodePlainCapsuleCmdAt, encodePlainCapsuleRespAt } from '../sim/nvme/pdu-encoder.js';
import { PduType } from '../sim/nvme/pdu-types.js';
import type { DecoderLimits, Pdu, PduError, PduFieldSink, PduOptions, PduTypeCode } from '../sim/nvme/pdu-types.js';
import {
  capsuleCmdBytes,
  capsuleRespBytes,
  concatBytes,
  dataPduBytes,
  F_LAST,
  F_SUCCESS,
  icReqBytes,
  icRespBytes,
  patternBytes,
  r2tBytes,
  termReqBytes,
  toHex,
} from './helpers/pdu-fixtures.js';
import type { FixtureFraming } from './helpers/pdu-fixtures.js';

const ALL_TYPES: readonly PduTypeCode[] = Object.values(PduType);
const LIMITS: DecoderLimits = { acceptTypes: ALL_TYPES, maxPduLength: 1 << 20 };

interface Framing {
  name: string;
  options: PduOptions;
}

const FRAMINGS: readonly Framing[] = [
  { name: 'no digests', options: { headerDigest: false, dataDigest: false, dataAlignment: 0 } },
  { name: 'HDGST', options: { headerDigest: true, dataDigest: false, dataAlignment: 0 } },
  { name: 'DDGST', options: { headerDigest: false, dataDigest: true, dataAlignment: 0 } },
  { name: 'HDGST+DDGST', options: { headerDigest: true, dataDigest: true, dataAlignment: 0 } },
  // PDA 7 = 32-byte alignment: PDO 96 for CapsuleCmd (76 rounded up), 32 for data PDUs (28 rounded up).
  { name: 'HDGST+DDGST, PDA 7', options: { headerDigest: true, dataDigest: true, dataAlignment: 7 } },
];

interface Row {
  name: string;
  pdu: Pdu;
  fixture: (framing: FixtureFraming) => Uint8Array;
}

const SQE = patternBytes(64, 1);
const CQE = patternBytes(16, 2);
const ICD = patternBytes(37, 3);
const H2C_DATA = patternBytes(100, 4);
const C2H_DATA = patternBytes(4096, 5);

const ROWS: readonly Row[] = [
  {
    name: 'ICReq (Linux host)',
    pdu: { type: PduType.ICReq, pfv: 0, hpda: 0, headerDigest: true, dataDigest: false, maxr2t: 0 },
    fixture: () => icReqBytes({ pfv: 0, hpda: 0, digest: 0x01, maxr2t: 0 }),
  },
  {
    name: 'ICReq (all fields set)',
    pdu: { type: PduType.ICReq, pfv: 0, hpda: 31, headerDigest: true, dataDigest: true, maxr2t: 0xfffffffe },
    fixture: () => icReqBytes({ pfv: 0, hpda: 31, digest: 0x03, maxr2t: 0xfffffffe }),
  },
  {
    name: 'ICResp',
    pdu: { type: PduType.ICResp, pfv: 0, cpda: 0, headerDigest: false, dataDigest: true, maxh2cdata: 0x400000 },
    fixture: () => icRespBytes({ pfv: 0, cpda: 0, digest: 0x02, maxh2cdata: 0x400000 }),
  },
  {
    name: 'H2CTermReq',
    pdu: { type: PduType.H2CTermReq, fes: 0x01, fei: 0x02, errorData: patternBytes(72, 6) },
    fixture: () => termReqBytes(0x02, { fes: 0x01, fei: 0x02, errorData: patternBytes(72, 6) }),
  },
  {
    name: 'C2HTermReq (full error data)',
    pdu: { type: PduType.C2HTermReq, fes: 0x03, fei: 0x12345678, errorData: patternBytes(128, 7) },
    fixture: () => termReqBytes(0x03, { fes: 0x03, fei: 0x12345678, errorData: patternBytes(128, 7) }),
  },
  {
    name: 'C2HTermReq (no error data)',
    pdu: { type: PduType.C2HTermReq, fes: 0x02, fei: 0, errorData: new Uint8Array(0) },
    fixture: () => termReqBytes(0x03, { fes: 0x02, fei: 0, errorData: new Uint8Array(0) }),
  },
  {
    name: 'CapsuleCmd (no data)',
    pdu: { type: PduType.CapsuleCmd, sqe: SQE, data: new Uint8Array(0) },
    fixture: (framing) => capsuleCmdBytes(SQE, new Uint8Array(0), framing),
  },
  {
    name: 'CapsuleCmd (37 bytes in-capsule data)',
    pdu: { type: PduType.CapsuleCmd, sqe: SQE, data: ICD },
    fixture: (framing) => capsuleCmdBytes(SQE, ICD, framing),
  },
  {
    name: 'CapsuleResp',
    pdu: { type: PduType.CapsuleResp, cqe: CQE },
    fixture: (framing) => capsuleRespBytes(CQE, framing),
  },
  {
    name: 'H2CData (last)',
    pdu: { type: PduType.H2CData, last: true, cccid: 0x1234, ttag: 0xbeef, datao: 4096, data: H2C_DATA },
    fixture: (framing) => dataPduBytes(0x06, { flags: F_LAST, cccid: 0x1234, ttag: 0xbeef, datao: 4096, data: H2C_DATA }, framing),
  },
  {
    name: 'H2CData (not last)',
    pdu: { type: PduType.H2CData, last: false, cccid: 0xffff, ttag: 0, datao: 0, data: H2C_DATA },
    fixture: (framing) => dataPduBytes(0x06, { flags: 0, cccid: 0xffff, ttag: 0, datao: 0, data: H2C_DATA }, framing),
  },
  {
    name: 'C2HData (last, success)',
    pdu: { type: PduType.C2HData, last: true, success: true, cccid: 7, datao: 0x80000000, data: C2H_DATA },
    fixture: (framing) => dataPduBytes(0x07, { flags: F_LAST | F_SUCCESS, cccid: 7, ttag: 0, datao: 0x80000000, data: C2H_DATA }, framing),
  },
  {
    name: 'C2HData (middle, 1 byte)',
    pdu: { type: PduType.C2HData, last: false, success: false, cccid: 8, datao: 12, data: Uint8Array.of(0xa5) },
    fixture: (framing) => dataPduBytes(0x07, { flags: 0, cccid: 8, ttag: 0, datao: 12, data: Uint8Array.of(0xa5) }, framing),
  },
  {
    name: 'R2T',
    pdu: { type: PduType.R2T, cccid: 0x0102, ttag: 0x0304, r2to: 0x10000, r2tl: 0xfffffff0 },
    fixture: (framing) => r2tBytes({ cccid: 0x0102, ttag: 0x0304, r2to: 0x10000, r2tl: 0xfffffff0 }, framing),
  },
];

function fixtureFraming(options: PduOptions): FixtureFraming {
  return {
    hdgst: options.headerDigest,
    ddgst: options.dataDigest,
    alignBytes: options.dataAlignment === 0 ? 0 : (options.dataAlignment + 1) * 4,
  };
}

interface Decoded {
  pdus: Pdu[];
  digestsOk: boolean[];
  errors: PduError[];
  decoder: PduDecoder;
}

/** Decodes `chunks` in order with a fresh decoder. */
function decodeChunks(options: PduOptions, chunks: readonly Uint8Array[]): Decoded {
  const decoder = new PduDecoder(LIMITS, options);
  const decoded: Decoded = { pdus: [], digestsOk: [], errors: [], decoder };
  for (const chunk of chunks) {
    decoder.push(
      chunk,
      (pdu, dataDigestOk) => {
        decoded.pdus.push(pdu);
        decoded.digestsOk.push(dataDigestOk);
      },
      (error) => decoded.errors.push(error),
    );
  }
  return decoded;
}

function assertDecoded(t: ExecutionContext, decoded: Decoded, expected: readonly Pdu[], where: string): void {
  t.deepEqual(decoded.errors, [], where);
  t.deepEqual(decoded.pdus, expected, where);
  t.true(
    decoded.digestsOk.every((ok) => ok),
    where,
  );
  t.is(decoded.decoder.bufferedBytes, 0, where);
}

const roundTrip = test.macro({
  exec(t, row: Row, framing: Framing) {
    const bytes = row.fixture(fixtureFraming(framing.options));
    // decode(bytes) is the PDU, with nothing left over.
    assertDecoded(t, decodeChunks(framing.options, [bytes]), [row.pdu], 'decode');
    // encode(pdu) is the independently built fixture.
    t.is(toHex(encodePduToBuffer(row.pdu, framing.options)), toHex(bytes));
    // decode(encode(pdu)) is the PDU, also when fed as the encoder's separate chunks.
    assertDecoded(t, decodeChunks(framing.options, [encodePduToBuffer(row.pdu, framing.options)]), [row.pdu], 'mirror');
    assertDecoded(t, decodeChunks(framing.options, encodePdu(row.pdu, framing.options)), [row.pdu], 'mirror chunks');
  },
  title: (_provided, row: Row, framing: Framing) => `nvme-pdu: round trip ${row.name} (${framing.name})`,
});

const splitChunks = test.macro({
  exec(t, row: Row, framing: Framing) {
    const bytes = row.fixture(fixtureFraming(framing.options));
    for (let split = 1; split < bytes.length; split++) {
      assertDecoded(t, decodeChunks(framing.options, [bytes.subarray(0, split), bytes.subarray(split)]), [row.pdu], `split at ${split}`);
    }
    // Coalesced with a following PDU, and that pair split at every offset.
    const follower: Pdu = { type: PduType.R2T, cccid: 1, ttag: 2, r2to: 3, r2tl: 4 };
    const pair = concatBytes(bytes, encodePduToBuffer(follower, framing.options));
    assertDecoded(t, decodeChunks(framing.options, [pair]), [row.pdu, follower], 'coalesced');
    for (let split = 1; split < pair.length; split++) {
      assertDecoded(t, decodeChunks(framing.options, [pair.subarray(0, split), pair.subarray(split)]), [row.pdu, follower], `pair split at ${split}`);
    }
    const bytewise = Array.from(pair, (_byte, index) => pair.subarray(index, index + 1));
    assertDecoded(t, decodeChunks(framing.options, bytewise), [row.pdu, follower], 'one byte at a time');
  },
  title: (_provided, row: Row, framing: Framing) => `nvme-pdu: split chunks ${row.name} (${framing.name})`,
});

for (const framing of FRAMINGS) {
  for (const row of ROWS) {
    test(roundTrip, row, framing);
    test(splitChunks, row, framing);
  }
}

test('nvme-pdu: ICReq, ICResp and TermReq never carry digests or padding', (t) => {
  // The same bytes come out under every framing (NVMe/TCP 1.0; SPDK g_nvme_tcp_hdgst table).
  const icreq = ROWS[0]!;
  const plain = toHex(encodePduToBuffer(icreq.pdu, FRAMINGS[0]!.options));
  for (const framing of FRAMINGS) t.is(toHex(encodePduToBuffer(icreq.pdu, framing.options)), plain, framing.name);
});

test('nvme-pdu: encoder returns the data view itself, not a copy', (t) => {
  const data = patternBytes(512, 9);
  const pdu: Pdu = { type: PduType.C2HData, last: true, success: false, cccid: 1, datao: 0, data };
  const chunks = encodePdu(pdu, { headerDigest: true, dataDigest: true, dataAlignment: 0 });
  t.is(chunks.length, 3);
  t.is(chunks[1], data);
  t.is(chunks[0]!.length, 28);
  t.is(chunks[2]!.length, 4);
});

test('nvme-pdu: decoder gives views of the chunk when a PDU is whole, copies when it spans chunks', (t) => {
  const options: PduOptions = { headerDigest: false, dataDigest: false, dataAlignment: 0 };
  const bytes = dataPduBytes(0x06, { flags: F_LAST, cccid: 1, ttag: 2, datao: 0, data: H2C_DATA });
  const whole = decodeChunks(options, [bytes]).pdus[0];
  t.is(whole?.type, PduType.H2CData);
  if (whole?.type !== PduType.H2CData) return;
  t.is(whole.data.buffer, bytes.buffer);
  t.is(whole.data.byteOffset, 24);
  const spanning = decodeChunks(options, [bytes.slice(0, 30), bytes.slice(30)]).pdus[0];
  if (spanning?.type !== PduType.H2CData) return t.fail('no H2CData decoded');
  t.deepEqual(spanning.data, H2C_DATA);
});

test('nvme-pdu: options replaced in onPdu apply to the next PDU of the same chunk', (t) => {
  // A host switches on digests after ICResp; the controller's next PDU may share the TCP segment.
  const digests: PduOptions = { headerDigest: true, dataDigest: true, dataAlignment: 0 };
  const icresp = icRespBytes({ pfv: 0, cpda: 0, digest: 0x03, maxh2cdata: 0x400000 });
  const response = capsuleRespBytes(CQE, fixtureFraming(digests));
  const decoder = new PduDecoder(LIMITS);
  const types: number[] = [];
  decoder.push(
    concatBytes(icresp, response),
    (pdu) => {
      types.push(pdu.type);
      if (pdu.type === PduType.ICResp) decoder.options = digests;
    },
    (error) => t.fail(error.message),
  );
  t.deepEqual(types, [PduType.ICResp, PduType.CapsuleResp]);
});

test('nvme-pdu: data digest mismatch delivers the PDU with dataDigestOk false', (t) => {
  const options: PduOptions = { headerDigest: false, dataDigest: true, dataAlignment: 0 };
  const bytes = dataPduBytes(0x07, { flags: F_LAST, cccid: 3, ttag: 0, datao: 0, data: H2C_DATA }, fixtureFraming(options));
  bytes[bytes.length - 1]! ^= 0x01;
  for (const chunks of [[bytes], [bytes.subarray(0, 50), bytes.subarray(50)]]) {
    const decoded = decodeChunks(options, chunks);
    t.deepEqual(decoded.errors, []);
    t.is(decoded.pdus.length, 1);
    t.deepEqual(decoded.digestsOk, [false]);
    t.false(decoded.decoder.failed);
  }
});

test('nvme-pdu: Buffer input decodes like Uint8Array input', (t) => {
  const options = FRAMINGS[4]!.options;
  for (const row of ROWS) {
    const bytes = row.fixture(fixtureFraming(options));
    const decoded = decodeChunks(options, [Buffer.from(bytes)]);
    t.deepEqual(decoded.errors, [], row.name);
    t.is(decoded.pdus.length, 1, row.name);
    t.is(toHex(encodePduToBuffer(decoded.pdus[0]!, options)), toHex(bytes), row.name);
  }
});

test('nvme-pdu: a field sink gets CapsuleResp and C2HData as the fields of the PDU objects', (t) => {
  for (const framing of FRAMINGS) {
    for (const row of ROWS) {
      if (row.pdu.type !== PduType.CapsuleResp && row.pdu.type !== PduType.C2HData) continue;
      const bytes = row.fixture(fixtureFraming(framing.options));
      const [expected] = decodeChunks(framing.options, [bytes]).pdus;
      // Whole, split in two, and as a Buffer (the real socket's chunks).
      for (const chunks of [[bytes], [bytes.subarray(0, 11), bytes.subarray(11)], [Buffer.from(bytes)]]) {
        const decoder = new PduDecoder(LIMITS, framing.options);
        const seen: Pdu[] = [];
        const sink: PduFieldSink = {
          capsuleResp: (buffer, cqe) => seen.push({ type: PduType.CapsuleResp, cqe: Uint8Array.from(buffer.subarray(cqe, cqe + 16)) }),
          c2hData: (buffer, dataStart, dataEnd, cccid, datao, flags, dataDigestOk) => {
            t.true(dataDigestOk);
            const data = Uint8Array.from(buffer.subarray(dataStart, dataEnd));
            seen.push({ type: PduType.C2HData, last: (flags & F_LAST) !== 0, success: (flags & F_SUCCESS) !== 0, cccid, datao, data });
          },
        };
        decoder.fieldSink = sink;
        for (const chunk of chunks) decoder.push(chunk, () => t.fail('onPdu called with a field sink set'), (error) => t.fail(error.message));
        t.deepEqual(seen.map((pdu) => JSON.stringify(pdu)), [JSON.stringify(expected)], `${row.name} (${framing.name}, ${chunks.length} chunks)`);
      }
    }
  }
});

test('nvme-pdu: the in-place encoders write what encodePdu gives, over stale bytes', (t) => {
  const plain = FRAMINGS[0]!.options;
  const at = (length: number, fill: (bytes: Uint8Array, offset: number) => void): string => {
    const bytes = new Uint8Array(length + 10).fill(0xee);
    fill(bytes, 7);
    return toHex(bytes.subarray(7, 7 + length));
  };
  t.is(at(72, (bytes, offset) => encodePlainCapsuleCmdAt(bytes, offset, SQE)), toHex(encodePduToBuffer({ type: PduType.CapsuleCmd, sqe: SQE, data: new Uint8Array(0) }, plain)));
  t.is(at(24, (bytes, offset) => encodePlainCapsuleRespAt(bytes, offset, CQE)), toHex(encodePduToBuffer({ type: PduType.CapsuleResp, cqe: CQE }, plain)));
  for (const [last, success] of [[false, false], [true, false], [true, true]] as const) {
    const pdu: Pdu = { type: PduType.C2HData, last, success, cccid: 0xa123, datao: 0x10203, data: C2H_DATA };
    const [header] = encodePdu(pdu, plain);
    t.is(at(24, (bytes, offset) => encodePlainC2HDataHeaderAt(bytes, offset, last, success, 0xa123, 0x10203, C2H_DATA.length)), toHex(header!));
  }
});
