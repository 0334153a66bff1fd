// The host queue's send side of its TCP stream: writes encoded PDU chunks in order and, once write()
// reports the stream above its high-water mark, holds later chunks until the drain callback, as the
// Linux host stops at -EAGAIN from sock_sendmsg and resumes from its write_space callback
// (drivers/nvme/host/tcp.c nvme_tcp_write_space). Chunks are never dropped while the queue lives.
import type { ByteStream } from '../core/index.js';

const EMPTY = new Uint8Array(0);

export class StreamSender {
  #stream: ByteStream | null = null;
  /** Chunks held back while the stream is above its high-water mark (head index avoids shifting). */
  #held: Uint8Array[] = [];
  #head = 0;
  #blocked = false;

  get stream(): ByteStream | null {
    return this.#stream;
  }

  set stream(stream: ByteStream | null) {
    this.#stream = stream;
  }

  write(chunks: readonly Uint8Array[]): void {
    const stream = this.#stream;
    if (stream === null) return;
    for (const chunk of chunks) {
      if (this.#blocked) this.#held.push(chunk);
      else if (!stream.write(chunk)) this.#blocked = true;
    }
  }

  /** The stream has room again: write held chunks until it is full again. */
  drain(): void {
    const stream = this.#stream;
    if (stream === null) return;
    this.#blocked = false;
    const held = this.#held;
    while (this.#head < held.length) {
      const chunk = held[this.#head];
      held[this.#head++] = EMPTY;
      if (chunk !== undefined && !stream.write(chunk)) {
        this.#blocked = true;
        break;
      }
    }
    if (this.#head === held.length) this.#forget();
  }

  /** Writes held chunks regardless of backpressure before a FIN (they would be lost otherwise). */
  flushForClose(): void {
    const stream = this.#stream;
    if (stream !== null) {
      for (let index = this.#head; index < this.#held.length; index++) {
        const chunk = this.#held[index];
        if (chunk !== undefined) stream.write(chunk);
      }
    }
    this.#forget();
  }

  /** Drops held chunks (the connection is going away). */
  clear(): void {
    this.#forget();
  }

  #forget(): void {
    this.#held = [];
    this.#head = 0;
  }
}
