// The real network: node:net sockets behind the ByteStream/Network seams, so the same target and
// host code that runs in the simulator serves and dials real TCP peers (and the Linux kernel).
import net from 'node:net';
import type { Address, ByteStream, Listener, Network, StagedBytes, StreamHandlers } from '../core/index.js';

/** Node's read buffer: a read this long means the socket may hold more (libuv reads it again). */
const READ_BUFFER_BYTES = 64 * 1024;
/** Send-buffer high-water mark: write() returns false above it, like net.Socket's writableHighWaterMark. */
const HIGH_WATER_MARK_BYTES = 1 << 20;
/**
 * Chunks up to this size are copied into one staging buffer while the socket is corked; larger
 * ones (data views) go to the socket as they are. Node's writev costs per chunk, not per byte, so a
 * tick's 72-byte command capsules, or a C2HData header and the previous response capsule, leave as
 * one iovec entry instead of one each.
 */
const COALESCE_MAX_BYTES = 512;
/** Size of a staging buffer; a new one is taken when it is full (written bytes are never reused). */
const STAGING_BYTES = 64 * 1024;

const noHandlers: StreamHandlers = {
  data() {},
  drain() {},
  close() {},
  error() {},
};

/** A net.Socket seen through the ByteStream seam. */
export class RealStream implements ByteStream {
  readonly local: Address;
  readonly remote: Address;
  #socket: net.Socket;
  #handlers: StreamHandlers = noHandlers;
  #pending: Uint8Array[] = [];
  #installed = false;
  #closed = false;
  #corked = false;
  /** Small chunks of this tick, copied here until a large chunk or the tick's end writes them. */
  #staging: Buffer = Buffer.allocUnsafe(0);
  #stagedFrom = 0;
  #stagedTo = 0;
  readonly #staged: StagedBytes = { bytes: this.#staging, offset: 0, belowHighWater: true };
  /** The last read filled Node's read buffer: libuv reads the socket again in this poll phase. */
  #readFull = false;
  readonly #uncork = (): void => {
    // More of this socket's bytes are about to be read, and what they produce can leave with this.
    if (this.#readFull) setImmediate(this.#uncorkNow);
    else this.#uncorkNow();
  };
  readonly #uncorkNow = (): void => {
    this.#readFull = false;
    this.#corked = false;
    this.#flushStaged();
    this.#socket.uncork();
  };

  constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    this.local = { host: socket.localAddress ?? '', port: socket.localPort ?? 0 };
    this.remote = { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    socket.on('data', (chunk: Buffer) => {
      this.#readFull = chunk.length >= READ_BUFFER_BYTES;
      if (this.#installed) this.#handlers.data(chunk);
      else this.#pending.push(chunk);
    });
    socket.on('drain', () => this.#handlers.drain());
    socket.on('error', (error) => this.#handlers.error(error));
    socket.on('close', (hadError) => {
      this.#closed = true;
      this.#handlers.close(hadError);
    });
    // A peer's FIN: we have nothing more to say either, so finish our side too, after what is
    // staged (a socket stays corked up to the check phase after a full read).
    socket.on('end', () => this.end());
  }

  get closed(): boolean {
    return this.#closed || this.#socket.destroyed || this.#socket.writableEnded;
  }

  setHandlers(handlers: StreamHandlers): void {
    this.#handlers = handlers;
    this.#installed = true;
    const pending = this.#pending;
    this.#pending = [];
    for (const chunk of pending) handlers.data(chunk);
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed) return false;
    this.#corkForTick();
    if (chunk.length <= COALESCE_MAX_BYTES) {
      this.#roomFor(chunk.length);
      this.#staging.set(chunk, this.#stagedTo);
      this.#stagedTo += chunk.length;
    } else {
      this.#flushStaged();
      this.#socket.write(chunk);
    }
    return this.#belowHighWater();
  }

  stage(length: number): StagedBytes | null {
    if (this.closed || length > COALESCE_MAX_BYTES) return null;
    this.#corkForTick();
    this.#roomFor(length);
    const staged = this.#staged;
    staged.bytes = this.#staging;
    staged.offset = this.#stagedTo;
    this.#stagedTo += length;
    staged.belowHighWater = this.#belowHighWater();
    return staged;
  }

  /**
   * A PDU is written as several chunks (header, data view, digest) and a burst of completions
   * arrives in one read; corking until the tick ends turns them into one writev syscall. After a
   * read that filled Node's 64 KiB buffer the socket stays corked until the event loop's check
   * phase (setImmediate): libuv reads such a socket again in the same poll phase, and what all
   * those reads produce leaves in one write instead of one per read. After a short read (QD1, a
   * drained socket) nothing more is coming, so the tick's end is not delayed.
   */
  #corkForTick(): void {
    if (this.#corked) return;
    this.#corked = true;
    this.#socket.cork();
    process.nextTick(this.#uncork);
  }

  /** Makes room for `length` staged bytes (a fresh staging buffer when this one is full). */
  #roomFor(length: number): void {
    if (this.#stagedTo + length <= this.#staging.length) return;
    this.#flushStaged();
    this.#staging = Buffer.allocUnsafe(STAGING_BYTES);
    this.#stagedFrom = 0;
    this.#stagedTo = 0;
  }

  #belowHighWater(): boolean {
    return this.#socket.writableLength + (this.#stagedTo - this.#stagedFrom) < HIGH_WATER_MARK_BYTES;
  }

  /** Hands the staged bytes to the socket; the staging buffer's later bytes stay free for more. */
  #flushStaged(): void {
    if (this.#stagedTo === this.#stagedFrom) return;
    if (this.#socket.destroyed) {
      this.#stagedFrom = this.#stagedTo;
      return;
    }
    this.#socket.write(this.#staging.subarray(this.#stagedFrom, this.#stagedTo));
    this.#stagedFrom = this.#stagedTo;
  }

  end(): void {
    this.#flushStaged();
    if (!this.#socket.writableEnded) this.#socket.end();
  }

  destroy(error?: Error): void {
    // resetAndDestroy sends an RST, like a crashed peer or the kernel's abortive close. Node 20
    // fails it with EINVAL once end() was called and then never closes the socket (the event loop
    // spins), so a half-closed socket is destroyed plainly.
    if (this.#socket.destroyed) return;
    if (error !== undefined) this.#socket.destroy(error);
    else if (this.#socket.writableEnded) this.#socket.destroy();
    else this.#socket.resetAndDestroy();
  }
}

/** node:net behind the Network seam. */
export class RealNetwork implements Network {
  listen(address: Address, onStream: (stream: ByteStream) => void): Promise<Listener> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ noDelay: true }, (socket) => onStream(new RealStream(socket)));
      server.once('error', reject);
      server.listen({ host: address.host, port: address.port, backlog: 128, exclusive: true }, () => {
        server.off('error', reject);
        const bound = server.address();
        const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
        resolve({
          address: { host: address.host, port },
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
            }),
        });
      });
    });
  }

  connect(address: Address): Promise<ByteStream> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: address.host, port: address.port, noDelay: true });
      const onError = (error: Error): void => reject(error);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new RealStream(socket));
      });
    });
  }
}
