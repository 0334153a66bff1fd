#!/usr/bin/env node
// One end of the two-process raw exchange (two-process-sockets.ts): plain node:net sockets moving
// the bytes of NVMe/TCP 4 KiB reads with no parsing beyond counting, each end in its own process
// and corked as the NVMe/TCP stack's real-socket streams are (real-network.ts), so a tick's
// writes (a poll phase's, after full reads) leave in one writev. This is the most two Node
// processes can exchange in this pattern; the stack's rate is reported as a fraction of it.
//   node raw-peer.mjs server REQUEST_BYTES RESPONSE_BYTES          prints "port N", serves until killed
//   node raw-peer.mjs client PORT CONNECTIONS DEPTH REQUEST_BYTES RESPONSE_BYTES SECONDS
//                                                                  prints {"requests":N,"seconds":S}
/* global setTimeout, setImmediate */
import net from 'node:net';

/**
 * Writes of one tick leave together: cork at the first, uncork when the tick's work is done, or,
 * after a read that filled Node's 64 KiB buffer, in the check phase, once libuv's further reads of
 * the socket in this poll phase were handled too (RealStream's rule, real-network.ts). Installed
 * before the caller's 'data' listener, so it sees each read first.
 */
function corkedWriter(socket) {
  let corked = false;
  let readFull = false;
  socket.on('data', (chunk) => {
    readFull = chunk.length >= 64 * 1024;
  });
  const uncorkNow = () => {
    readFull = false;
    corked = false;
    socket.uncork();
  };
  const uncork = () => {
    if (readFull) setImmediate(uncorkNow);
    else uncorkNow();
  };
  return (bytes) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    socket.write(bytes);
  };
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'server') {
  const [requestBytes, responseBytes] = args.map(Number);
  const response = new Uint8Array(responseBytes).fill(0xa5);
  const server = net.createServer({ noDelay: true }, (socket) => {
    const write = corkedWriter(socket);
    let pending = 0;
    socket.on('data', (chunk) => {
      pending += chunk.length;
      while (pending >= requestBytes) {
        pending -= requestBytes;
        write(response);
      }
    });
    socket.on('error', () => {});
  });
  server.listen({ host: '127.0.0.1', port: 0 }, () => console.log(`port ${server.address().port}`));
  process.on('SIGTERM', () => process.exit(0));
} else if (mode === 'client') {
  const [port, connections, depth, requestBytes, responseBytes, seconds] = args.map(Number);
  const request = new Uint8Array(requestBytes).fill(0x5a);
  let completed = 0;
  let running = true;
  const clients = [];
  for (let c = 0; c < connections; c++) {
    const client = net.connect({ host: '127.0.0.1', port, noDelay: true });
    await new Promise((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    clients.push(client);
  }
  const start = process.hrtime.bigint();
  for (const client of clients) {
    const write = corkedWriter(client);
    let received = 0;
    client.on('data', (chunk) => {
      received += chunk.length;
      while (received >= responseBytes) {
        received -= responseBytes;
        completed++;
        if (running) write(request);
      }
    });
    client.on('error', () => {});
    for (let d = 0; d < depth; d++) write(request);
  }
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  running = false;
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  for (const client of clients) client.destroy();
  console.log(JSON.stringify({ requests: completed, seconds: elapsed }));
} else {
  console.error('usage: raw-peer.mjs server REQ RESP | client PORT CONNS DEPTH REQ RESP SECONDS');
  process.exit(2);
}
