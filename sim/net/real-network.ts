// The real network: node:net sockets behind the ByteStream/Network seams, so the same target and
// host code that runs in the simulator serves and dials real TCP peers (and the Linux kernel).
import net from 'node:net';
import type { Address, ByteStream, Listener, Network, StreamHandlers } from '../core/index.js';

/** Send-buffer high-water mark: write() returns false above it, like net.Socket's writableHighWaterMark. */
const HIGH_WATER_MARK_BYTES = 1 << 20;

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

  constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    this.local = { host: socket.localAddress ?? '', port: socket.localPort ?? 0 };
    this.remote = { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    socket.on('data', (chunk: Buffer) => {
      if (this.#installed) this.#handlers.data(chunk);
      else this.#pending.push(chunk);
    });
    socket.on('drain', () => this.#handlers.drain());
    socket.on('error', (error) => this.#handlers.error(error));
    socket.on('close', (hadError) => {
      this.#closed = true;
      this.#handlers.close(hadError);
    });
    // A peer's FIN: we have nothing more to say either, so finish our side too.
    socket.on('end', () => socket.end());
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
    // A PDU is written as several chunks (header, data view, digest) and a burst of completions
    // arrives in one tick; corking until the tick ends turns them into one writev syscall.
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    this.#socket.write(chunk);
    return this.#socket.writableLength < HIGH_WATER_MARK_BYTES;
  }

  end(): void {
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
