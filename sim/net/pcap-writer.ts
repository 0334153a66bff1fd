// The classic libpcap file format (https://www.tcpdump.org/manpages/pcap-savefile.5.html, and
// draft-ietf-opsawg-pcap): a 24 B file header, then per frame a 16 B record header and the frame's
// bytes. Nanosecond timestamps (magic 0xa1b23c4d), written little-endian; link type 1
// (LINKTYPE_ETHERNET). The format is small enough that writing it here beats a dependency.
// Records are gathered into chunks and handed to a sink, so the file is written in large writes
// however many small frames a run has.

/** Magic of a nanosecond-resolution pcap file (the microsecond one is 0xa1b2c3d4). */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const VERSION_MAJOR = 2;
const VERSION_MINOR = 4;
/** LINKTYPE_ETHERNET: IEEE 802.3 frames without preamble and FCS. */
export const LINKTYPE_ETHERNET = 1;
/** Bytes kept per frame: more than any frame a 9000 B MTU makes. */
export const PCAP_SNAPLEN = 262144;
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const DEFAULT_CHUNK_BYTES = 1 << 20;
const NS_PER_S = 1_000_000_000;

export class PcapWriter {
  readonly #sink: (chunk: Uint8Array) => void;
  readonly #chunkBytes: number;
  #chunk: Uint8Array;
  #view: DataView;
  #used = 0;
  /** Frames written so far. */
  frames = 0;

  /** `sink` gets the file's bytes in order, a chunk at a time; it may keep the chunk. */
  constructor(sink: (chunk: Uint8Array) => void, chunkBytes = DEFAULT_CHUNK_BYTES) {
    this.#sink = sink;
    this.#chunkBytes = chunkBytes;
    this.#chunk = new Uint8Array(chunkBytes);
    this.#view = new DataView(this.#chunk.buffer);
    const view = this.#view;
    view.setUint32(0, PCAP_MAGIC_NS, true);
    view.setUint16(4, VERSION_MAJOR, true);
    view.setUint16(6, VERSION_MINOR, true);
    view.setInt32(8, 0, true); // thiszone: timestamps are UTC (here: virtual time from 0)
    view.setUint32(12, 0, true); // sigfigs
    view.setUint32(16, PCAP_SNAPLEN, true);
    view.setUint32(20, LINKTYPE_ETHERNET, true);
    this.#used = FILE_HEADER_BYTES;
  }

  /** Appends one frame captured at tNs (integer nanoseconds). */
  write(tNs: number, frame: Uint8Array): void {
    const length = frame.length;
    if (this.#used + RECORD_HEADER_BYTES + length > this.#chunkBytes) this.flush();
    if (RECORD_HEADER_BYTES + length > this.#chunkBytes) {
      // A frame larger than a chunk goes out on its own.
      const record = new Uint8Array(RECORD_HEADER_BYTES + length);
      writeRecordHeader(new DataView(record.buffer), 0, tNs, length);
      record.set(frame, RECORD_HEADER_BYTES);
      this.#sink(record);
    } else {
      writeRecordHeader(this.#view, this.#used, tNs, length);
      this.#chunk.set(frame, this.#used + RECORD_HEADER_BYTES);
      this.#used += RECORD_HEADER_BYTES + length;
    }
    this.frames++;
  }

  /** Hands what is gathered to the sink. */
  flush(): void {
    if (this.#used === 0) return;
    this.#sink(this.#chunk.subarray(0, this.#used));
    this.#chunk = new Uint8Array(this.#chunkBytes);
    this.#view = new DataView(this.#chunk.buffer);
    this.#used = 0;
  }
}

function writeRecordHeader(view: DataView, at: number, tNs: number, length: number): void {
  const seconds = Math.floor(tNs / NS_PER_S);
  view.setUint32(at, seconds, true);
  view.setUint32(at + 4, tNs - seconds * NS_PER_S, true);
  view.setUint32(at + 8, length, true); // captured length
  view.setUint32(at + 12, length, true); // original length
}
