// The loopback baseline: plain node:net sockets exchanging the same bytes an NVMe/TCP 4 KiB read
// moves (a 72-byte command capsule out; a 24-byte C2HData header, 4096 data bytes and a 24-byte
// response capsule back), with the same connection count and outstanding requests, both ends in
// this process. No parsing beyond counting bytes: this is the most a Node thread can do, and the
// NVMe/TCP stack's rate is reported as a fraction of it.
import net from 'node:net';

export interface ExchangeOptions {
  readonly connections: number;
  /** Requests outstanding per connection. */
  readonly depth: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface ExchangeResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerS: number;
}

/** Runs the exchange on 127.0.0.1 and reports completed requests per second of the measured window. */
export async function rawExchange(options: ExchangeOptions): Promise<ExchangeResult> {
  const response = new Uint8Array(options.responseBytes).fill(0xa5);
  const request = new Uint8Array(options.requestBytes).fill(0x5a);
  const sockets: net.Socket[] = [];
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.push(socket);
    let pending = 0;
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.length;
      while (pending >= options.requestBytes) {
        pending -= options.requestBytes;
        socket.write(response);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  let completed = 0;
  let running = true;
  const clients: net.Socket[] = [];
  for (let c = 0; c < options.connections; c++) {
    const client = net.connect({ host: '127.0.0.1', port, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    clients.push(client);
    let received = 0;
    client.on('data', (chunk: Buffer) => {
      received += chunk.length;
      while (received >= options.responseBytes) {
        received -= options.responseBytes;
        completed++;
        if (running) client.write(request);
      }
    });
    client.on('error', () => {});
  }
  for (const client of clients) for (let d = 0; d < options.depth; d++) client.write(request);

  await sleep(options.warmupMs);
  const startCount = completed;
  const start = process.hrtime.bigint();
  await sleep(options.durationMs);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const requests = completed - startCount;
  running = false;

  for (const client of clients) client.destroy();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { requests, seconds, requestsPerS: requests / seconds };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
