// Finding a free TCP port on the host's loopback for QEMU's hostfwd (QEMU cannot report the port
// it bound, so the harness picks one: bind port 0, read the number, close).
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (another process may still take it). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
