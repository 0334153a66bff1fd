// A model-free network for the code-floor benchmark: byte streams that hand each side's writes to
// the peer as one chunk a fixed delay later, through the world's scheduler. No TCP, no links, no
// loss, no windows: what is left of a simulated run is the NVMe/TCP target and host code itself,
// the workload and the scheduler. The writes of one delay period arrive together, each as the chunk
// that was written: no copy and no allocation per delivery, so the floor measures the NVMe/TCP
// code and not the pipe (a writer gives its chunk up when it writes it, as Node's streams' write
// contract says, so handing the same bytes on is safe).
import type { Address, ByteStream, Listener, Network, StreamHandlers } from '../core/index.js';
import type { Scheduler } from '../core/index.js';

const noHandlers: StreamHandlers = { data() {}, drain() {}, close() {}, error() {} };

class PipeStream implements ByteStream {
  readonly local: Address;
  readonly remote: Address;
  peer: PipeStream | null = null;
  #handlers: StreamHandlers = noHandlers;
  #installed = false;
  /** Chunks that arrived before setHandlers. */
  #early: Uint8Array[] = [];
  /** Writes waiting for the next delivery; swapped with #delivering at each delivery. */
  #outgoing: Uint8Array[] = [];
  #delivering: Uint8Array[] = [];
  #closed = false;
  readonly #scheduler: Scheduler;
  readonly #delayNs: number;

  constructor(scheduler: Scheduler, delayNs: number, local: Address, remote: Address) {
    this.#scheduler = scheduler;
    this.#delayNs = delayNs;
    this.local = local;
    this.remote = remote;
  }

  get closed(): boolean {
    return this.#closed;
  }

  setHandlers(handlers: StreamHandlers): void {
    this.#handlers = handlers;
    this.#installed = true;
    const early = this.#early;
    this.#early = [];
    for (const chunk of early) handlers.data(chunk);
  }

  write(chunk: Uint8Array): boolean {
    if (this.#closed || chunk.length === 0) return true;
    if (this.#outgoing.length === 0) this.#scheduler.post(this.#scheduler.now + this.#delayNs, deliver, this);
    this.#outgoing.push(chunk);
    return true;
  }

  /** Runs at delivery time: the period's writes, in order, to the peer. */
  flush(): void {
    const chunks = this.#outgoing;
    this.#outgoing = this.#delivering;
    this.#delivering = chunks;
    const peer = this.peer;
    if (peer !== null && !peer.#closed) {
      for (const chunk of chunks) {
        if (peer.#installed) peer.#handlers.data(chunk);
        else peer.#early.push(chunk);
      }
    }
    chunks.length = 0;
  }

  /** No half-close: the benchmark ends streams only when its run is over, so both sides close. */
  end(): void {
    this.destroy();
  }

  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.close(false);
    const peer = this.peer;
    if (peer !== null && !peer.#closed) {
      peer.#closed = true;
      peer.#handlers.close(false);
    }
  }
}

function deliver(stream: PipeStream): void {
  stream.flush();
}

/** One network shared by every node: listeners by port, connections as stream pairs. */
export class PipeNetwork implements Network {
  readonly #scheduler: Scheduler;
  readonly #delayNs: number;
  readonly #listeners = new Map<number, (stream: ByteStream) => void>();
  #nextPort = 40000;

  constructor(scheduler: Scheduler, delayNs: number) {
    this.#scheduler = scheduler;
    this.#delayNs = delayNs;
  }

  listen(address: Address, onStream: (stream: ByteStream) => void): Promise<Listener> {
    if (this.#listeners.has(address.port)) {
      return Promise.reject(Object.assign(new Error(`port ${address.port} in use`), { code: 'EADDRINUSE' }));
    }
    this.#listeners.set(address.port, onStream);
    return Promise.resolve({
      address,
      close: () => {
        this.#listeners.delete(address.port);
        return Promise.resolve();
      },
    });
  }

  connect(address: Address): Promise<ByteStream> {
    const onStream = this.#listeners.get(address.port);
    if (onStream === undefined) {
      return Promise.reject(Object.assign(new Error(`connect ECONNREFUSED ${address.host}:${address.port}`), { code: 'ECONNREFUSED' }));
    }
    const local = { host: '10.0.0.1', port: this.#nextPort++ };
    const client = new PipeStream(this.#scheduler, this.#delayNs, local, address);
    const server = new PipeStream(this.#scheduler, this.#delayNs, address, local);
    client.peer = server;
    server.peer = client;
    onStream(server);
    return Promise.resolve(client);
  }
}
