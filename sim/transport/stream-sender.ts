// The send side of an NVMe/TCP connection's byte stream, shared by host and target queues: writes
// encoded PDU chunks in order and, once write() reports the stream above its high-water mark, holds
// later chunks until the drain callback. Linux does the same on both sides: the host stops at
// -EAGAIN from sock_sendmsg and resumes from its write_space callback (drivers/nvme/host/tcp.c
// nvme_tcp_write_space), the target likewise (drivers/nvme/target/tcp.c nvmet_tcp_write_space).
// Chunks are never dropped while the stream is set; held chunks wait in a Fifo, so draining a long
// backlog is linear and a steady state allocates nothing.
import type { ByteStream, StagedBytes } from '../core/index.js';
import { Fifo } from '../core/index.js';

export class StreamSender {
  #stream: ByteStream | null;
  /** Chunks held back while the stream is above its high-water mark. */
  readonly #held = new Fifo<Uint8Array>();
  #heldBytes = 0;
  #blocked = false;

  constructor(stream: ByteStream | null = null) {
    this.#stream = stream;
  }

  /** The stream written to; null once the connection no longer sends (writes are then ignored). */
  get stream(): ByteStream | null {
    return this.#stream;
  }

  set stream(stream: ByteStream | null) {
    this.#stream = stream;
  }

  /** Bytes held back by backpressure. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  write(chunks: readonly Uint8Array[]): void {
    const stream = this.#stream;
    if (stream === null) return;
    for (const chunk of chunks) {
      if (this.#blocked) this.#hold(chunk);
      else if (!stream.write(chunk)) this.#blocked = true;
    }
  }

  /**
   * Room for a small PDU encoded in place (ByteStream.stage), to fill before the next write; null
   * when the stream has none or earlier chunks are held (then write() the encoded chunks).
   */
  stage(length: number): StagedBytes | null {
    const stream = this.#stream;
    if (stream === null || this.#blocked || stream.stage === undefined) return null;
    const staged = stream.stage(length);
    if (staged !== null && !staged.belowHighWater) this.#blocked = true;
    return staged;
  }

  /** write() of one chunk, without an array around it. */
  writeChunk(chunk: Uint8Array): void {
    const stream = this.#stream;
    if (stream === null) return;
    if (this.#blocked) this.#hold(chunk);
    else if (!stream.write(chunk)) this.#blocked = true;
  }

  /** The stream has room again: write held chunks until it is full again. */
  drain(): void {
    const stream = this.#stream;
    if (stream === null) return;
    this.#blocked = false;
    const held = this.#held;
    for (let chunk = held.shift(); chunk !== undefined; chunk = held.shift()) {
      this.#heldBytes -= chunk.length;
      if (!stream.write(chunk)) {
        this.#blocked = true;
        break;
      }
    }
  }

  /** Writes held chunks regardless of backpressure before a FIN (they would be lost otherwise). */
  flushForClose(): void {
    const stream = this.#stream;
    if (stream !== null) {
      const held = this.#held;
      for (let chunk = held.shift(); chunk !== undefined; chunk = held.shift()) stream.write(chunk);
    }
    this.clear();
  }

  /** Drops held chunks (the connection is going away). */
  clear(): void {
    const held = this.#held;
    while (held.shift() !== undefined);
    this.#heldBytes = 0;
  }

  #hold(chunk: Uint8Array): void {
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
  }
}
