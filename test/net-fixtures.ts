// Shared fixtures for the simulator network and TCP tests: small worlds, a stream recorder, a
// bulk writer that honours backpressure, and a deterministic byte pattern. Not a test file.
import type { ByteStream, NodeEnv } from '../sim/core/env.js';
import { RealCpu } from '../sim/core/index.js';
import { World } from '../sim/world/sim-world.js';
import type { Link, LinkOptions } from '../sim/net/link.js';
import type { TcpOptions } from '../sim/net/tcp-options.js';
import { TcpConnection } from '../sim/net/tcp-connection.js';

export const CLIENT_IP = '10.0.0.1';
export const SERVER_IP = '10.0.0.2';
export const PORT = 4420;

export interface PairWorld {
  world: World;
  link: Link;
  client: NodeEnv;
  server: NodeEnv;
}

export interface PairOptions {
  seed?: string | number;
  link?: LinkOptions;
  bandwidthBps?: number;
  tcp?: TcpOptions;
}

/** Two nodes, "client" and "server", on one point-to-point link. */
export function pairWorld(options: PairOptions = {}): PairWorld {
  const world = new World({ seed: options.seed ?? 1 });
  const bandwidth = options.bandwidthBps ?? 10e9;
  const tcp = options.tcp ?? {};
  world.network.addNode('client', { ip: CLIENT_IP, bandwidthBps: bandwidth, tcp });
  world.network.addNode('server', { ip: SERVER_IP, bandwidthBps: bandwidth, tcp });
  const link = world.network.connect('client', 'server', options.link ?? {});
  return {
    world,
    link,
    client: world.nodeEnv('client', { cpu: new RealCpu() }),
    server: world.nodeEnv('server', { cpu: new RealCpu() }),
  };
}

/** Everything a stream reported, with the virtual time of each event. */
export class Recorder {
  readonly chunks: Uint8Array[] = [];
  bytes = 0;
  drains = 0;
  closed = false;
  hadError: boolean | null = null;
  readonly errors: Error[] = [];
  firstDataNs = -1;
  lastDataNs = -1;
  closeNs = -1;
  errorNs = -1;

  constructor(
    readonly world: World,
    readonly stream: ByteStream,
    readonly keep = true,
    onDrain: () => void = () => undefined,
  ) {
    stream.setHandlers({
      data: (chunk) => {
        if (this.firstDataNs < 0) this.firstDataNs = world.nowNs;
        this.lastDataNs = world.nowNs;
        this.bytes += chunk.length;
        // The view is only valid during the call: copy it.
        if (keep) this.chunks.push(chunk.slice());
      },
      drain: () => {
        this.drains++;
        onDrain();
      },
      close: (hadError) => {
        this.closed = true;
        this.hadError = hadError;
        this.closeNs = world.nowNs;
      },
      error: (error) => {
        this.errors.push(error);
        this.errorNs = world.nowNs;
      },
    });
  }

  /** All received bytes, concatenated. */
  received(): Uint8Array {
    const all = new Uint8Array(this.bytes);
    let offset = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    return all;
  }
}

/** Connects client -> server and returns both ends once established. */
export async function connectPair(pair: PairWorld): Promise<{ clientStream: TcpConnection; serverStream: TcpConnection }> {
  const accepted: ByteStream[] = [];
  await pair.server.network.listen({ host: '0.0.0.0', port: PORT }, (stream) => {
    accepted.push(stream);
  });
  const connecting = pair.client.network.connect({ host: SERVER_IP, port: PORT });
  await pair.world.runUntilTrueAsync(() => accepted.length > 0);
  const clientStream = await connecting;
  const serverStream = accepted[0];
  if (!(clientStream instanceof TcpConnection) || !(serverStream instanceof TcpConnection)) {
    throw new Error('expected simulated TCP connections');
  }
  return { clientStream, serverStream };
}

/** A deterministic, position-dependent byte pattern (so reordering or loss shows as a mismatch). */
export function pattern(length: number, salt = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = (salt * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** Writes data in chunks, waiting for drain() whenever write() says the buffer is full. */
export class BulkWriter {
  offset = 0;
  falseReturns = 0;
  constructor(
    readonly stream: ByteStream,
    readonly data: Uint8Array,
    readonly chunkBytes = 64 * 1024,
    readonly endWhenDone = true,
  ) {}

  /** Writes until backpressure; call again from drain(). */
  pump(): void {
    while (this.offset < this.data.length) {
      const end = Math.min(this.offset + this.chunkBytes, this.data.length);
      const more = this.stream.write(this.data.subarray(this.offset, end));
      this.offset = end;
      if (!more) {
        this.falseReturns++;
        return;
      }
    }
    if (this.endWhenDone) this.stream.end();
  }
}

/** Keeps a BulkWriter going on a stream (drain restarts it) and records what the stream reports. */
export function driveWriter(
  world: World,
  stream: ByteStream,
  data: Uint8Array,
  chunkBytes = 64 * 1024,
): { writer: BulkWriter; recorder: Recorder } {
  const writer = new BulkWriter(stream, data, chunkBytes);
  const recorder = new Recorder(world, stream, true, () => writer.pump());
  writer.pump();
  return { writer, recorder };
}

/** Byte-wise equality with a readable failure. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : length;
}
