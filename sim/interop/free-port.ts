// Finding a free TCP port on the host's loopback for QEMU's hostfwd (QEMU cannot report the port
// it bound, so the harness picks one: bind port 0, read the number, close).
import { createServer } from 'node:net';
import type { PortForward } from './qemu-args.js';

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

/** The forwards with every hostPort 0 replaced by a port that is free now (QemuVm and DockerVm boots). */
export async function pickForwardPorts(requested: readonly PortForward[]): Promise<PortForward[]> {
  const forwards: PortForward[] = [];
  for (const f of requested) forwards.push({ hostPort: f.hostPort === 0 ? await freeLoopbackPort() : f.hostPort, guestPort: f.guestPort });
  return forwards;
}

/** The host port forwarded to `guestPort` (throws if there is none). */
export function forwardedHostPort(forwards: readonly PortForward[], guestPort: number): number {
  const forward = forwards.find((f) => f.guestPort === guestPort);
  if (forward === undefined) throw new Error(`no host port forwards to guest port ${guestPort}`);
  return forward.hostPort;
}
