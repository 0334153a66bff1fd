// Seeded fuzzing of the NVMe/TCP PDU decoder.
// Goal: whatever bytes arrive, in whatever chunking, the decoder never throws, reports at most one
// PduError (with a defined FES and a small header copy), decodes nothing after it, and every PDU it
// does deliver re-encodes to bytes that decode to the same PDU.
// Method: seedrandom streams generate random buffers biased toward valid type bytes, hlen values and
// plen values close to the buffer length ("increase the probability of a valid first byte in order to
// at least enter the parser", as mqtt-packet's testRandom.js does), plus mutated valid PDUs; random
// framing options, limits and chunk boundaries.
import test from 'ava';
import seedrandom from 'seedrandom';
import { PduDecoder } from '../sim/nvme/pdu-decoder.js';
import { encodePduToBuffer } from '../sim/nvme/pdu-encoder.js';
import { Fes, PduType } from '../sim/nvme/pdu-types.js';
import type { DecoderLimits, Pdu, PduError, PduOptions, PduTypeCode } from '../sim/nvme/pdu-types.js';
import {
  capsuleCmdBytes,
  capsuleRespBytes,
  dataPduBytes,
  F_LAST,
  icReqBytes,
  patternBytes,
  r2tBytes,
  termReqBytes,
} from './helpers/pdu-fixtures.js';

const SEED = 'nvme-pdu-fuzz-1';
const ITERATIONS = 20_000;
const ALL_TYPES: readonly PduTypeCode[] = Object.values(PduType);
const HLEN_BY_TYPE: Readonly<Record<number, number>> = { 0: 128, 1: 128, 2: 24, 3: 24, 4: 72, 5: 24, 6: 24, 7: 24, 9: 24 };
const FES_VALUES = new Set<number>(Object.values(Fes));

type Prng = seedrandom.PRNG;

const int = (rng: Prng, bound: number): number => Math.floor(rng() * bound);
const pick = <T>(rng: Prng, items: readonly T[]): T => items[int(rng, items.length)]!;

function randomOptions(rng: Prng): PduOptions {
  return { headerDigest: rng() < 0.5, dataDigest: rng() < 0.5, dataAlignment: rng() < 0.7 ? 0 : int(rng, 32) };
}

function randomLimits(rng: Prng): DecoderLimits {
  const acceptTypes = rng() < 0.7 ? ALL_TYPES : ALL_TYPES.filter(() => rng() < 0.6);
  return { acceptTypes, maxPduLength: rng() < 0.5 ? 1 << 20 : 24 + int(rng, 4096) };
}

/** Random bytes whose common header is often plausible: valid type, its hlen, plen near the length. */
function randomBuffer(rng: Prng): Uint8Array {
  const bytes = Uint8Array.from({ length: int(rng, 320) }, () => int(rng, 256));
  if (bytes.length >= 8) {
    const type = rng() < 0.85 ? pick(rng, ALL_TYPES) : int(rng, 256);
    bytes[0] = type;
    if (rng() < 0.5) bytes[1] = int(rng, 16);
    if (rng() < 0.7) bytes[2] = HLEN_BY_TYPE[type] ?? int(rng, 256);
    if (rng() < 0.6) bytes[3] = pick(rng, [0, 24, 28, 32, 72, 76, 96, 128, int(rng, 256)]);
    if (rng() < 0.7) {
      const plen = rng() < 0.5 ? bytes.length : int(rng, bytes.length + 64);
      new DataView(bytes.buffer).setUint32(4, plen, true);
    }
  }
  return bytes;
}

/** A valid PDU for the given framing with a few random bytes changed. */
function mutatedPdu(rng: Prng, options: PduOptions): Uint8Array {
  const framing = {
    hdgst: options.headerDigest,
    ddgst: options.dataDigest,
    alignBytes: options.dataAlignment === 0 ? 0 : (options.dataAlignment + 1) * 4,
  };
  const data = patternBytes(int(rng, 200), int(rng, 256));
  const builders: ReadonlyArray<() => Uint8Array> = [
    () => icReqBytes({ pfv: 0, hpda: 0, digest: int(rng, 4), maxr2t: 0 }),
    () => termReqBytes(0x03, { fes: 1, fei: 2, errorData: patternBytes(int(rng, 129), 1) }),
    () => capsuleCmdBytes(patternBytes(64, 2), data, framing),
    () => capsuleRespBytes(patternBytes(16, 3), framing),
    () => dataPduBytes(0x06, { flags: F_LAST, cccid: 1, ttag: 2, datao: 0, data }, framing),
    () => dataPduBytes(0x07, { flags: F_LAST, cccid: 1, ttag: 0, datao: 0, data }, framing),
    () => r2tBytes({ cccid: 1, ttag: 2, r2to: 0, r2tl: 4096 }, framing),
  ];
  const bytes = pick(rng, builders)();
  const mutations = int(rng, 4);
  for (let count = 0; count < mutations; count++) bytes[int(rng, bytes.length)] = int(rng, 256);
  return bytes;
}

/** Splits `bytes` at random points. */
function randomChunks(rng: Prng, bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const size = rng() < 0.3 ? 1 + int(rng, 4) : 1 + int(rng, bytes.length);
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

test('nvme-pdu: fuzzed input never throws and only reports PduErrors', (t) => {
  const rng = seedrandom(SEED);
  let delivered = 0;
  let failed = 0;
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const options = randomOptions(rng);
    const limits = randomLimits(rng);
    const stream: Uint8Array[] = [];
    const pieces = 1 + int(rng, 3);
    for (let piece = 0; piece < pieces; piece++) stream.push(rng() < 0.5 ? randomBuffer(rng) : mutatedPdu(rng, options));
    const bytes = Uint8Array.from(stream.flatMap((piece) => Array.from(piece)));
    const decoder = new PduDecoder(limits, options);
    const pdus: Pdu[] = [];
    const errors: PduError[] = [];
    let pdusAfterError = 0;
    const where = `seed ${SEED} iteration ${iteration}`;
    try {
      for (const chunk of randomChunks(rng, bytes)) {
        decoder.push(
          chunk,
          (pdu) => {
            if (errors.length > 0) pdusAfterError++;
            pdus.push(pdu);
          },
          (error) => errors.push(error),
        );
      }
    } catch (error) {
      t.fail(`${where}: threw ${String(error)}`);
      return;
    }
    if (errors.length > 1 || pdusAfterError > 0) return t.fail(`${where}: ${errors.length} errors, ${pdusAfterError} PDUs after an error`);
    const error = errors[0];
    if (error !== undefined) {
      failed++;
      const sane = FES_VALUES.has(error.fes) && error.fei >= 0 && error.fei <= 16 && error.header.length <= 128 && error.message.length > 0;
      if (!sane || !decoder.failed || decoder.bufferedBytes !== 0) return t.fail(`${where}: bad error ${JSON.stringify(error)}`);
    }
    for (const pdu of pdus) {
      delivered++;
      // What the decoder accepted must survive re-encoding under the same framing.
      const again: Pdu[] = [];
      new PduDecoder({ acceptTypes: ALL_TYPES, maxPduLength: 1 << 20 }, options).push(
        encodePduToBuffer(pdu, options),
        (decoded) => again.push(decoded),
        (reencodeError) => t.fail(`${where}: re-encoded PDU failed: ${reencodeError.message}`),
      );
      if (again.length !== 1) return t.fail(`${where}: re-encoded PDU decoded ${again.length} times`);
      t.deepEqual(again[0], pdu, where);
    }
  }
  // Both outcomes must be exercised, or the fuzzer is not reaching the decoder's interesting paths.
  t.true(delivered > 1000, `delivered ${delivered}`);
  t.true(failed > 1000, `failed ${failed}`);
});
