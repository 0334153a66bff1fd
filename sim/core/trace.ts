// The optional event trace: structured records of what the simulator did (packets dropped,
// retransmissions, crashes), for debugging a failing seed. Components hold a `TraceSink | null`
// and test it before building a record, so a run without a trace pays one null check per site.

/** One trace record: the simulated time, a kind tag and flat fields. */
export interface TraceRecord {
  readonly tNs: number;
  readonly kind: string;
  readonly [field: string]: string | number | boolean;
}

/** Where trace records go. */
export interface TraceSink {
  record(record: TraceRecord): void;
}

/** Writes one JSON object per line (JSONL) to a line writer, e.g. a file stream's write. */
export class JsonlTraceSink implements TraceSink {
  readonly #write: (line: string) => void;
  constructor(write: (line: string) => void) {
    this.#write = write;
  }
  record(record: TraceRecord): void {
    this.#write(`${JSON.stringify(record)}\n`);
  }
}

/** Keeps records in memory (tests, short runs). `limit` bounds memory; later records are counted. */
export class MemoryTraceSink implements TraceSink {
  readonly records: TraceRecord[] = [];
  readonly limit: number;
  dropped = 0;
  constructor(limit = 1_000_000) {
    this.limit = limit;
  }
  record(record: TraceRecord): void {
    if (this.records.length < this.limit) this.records.push(record);
    else this.dropped++;
  }
  /** Records of one kind. */
  ofKind(kind: string): TraceRecord[] {
    return this.records.filter((record) => record.kind === kind);
  }
}
