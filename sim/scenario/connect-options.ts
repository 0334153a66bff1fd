// A scenario host's `connect` as the host's ConnectOptions (`nvme connect` flags), pointed at the
// target's address: the same mapping whether the target is simulated (sim-nodes.ts) or a real Linux
// peer behind a forwarded port (real-nodes.ts).
import type { ConnectOptions } from '../host/index.js';
import type { ResolvedConnect } from './resolved.js';

export function hostConnectOptions(connect: ResolvedConnect, traddr: string, trsvcid: number): ConnectOptions {
  return {
    traddr,
    trsvcid,
    nqn: connect.nqn,
    nrIoQueues: connect.nrIoQueues,
    queueSize: connect.queueSize,
    hdrDigest: connect.hdrDigest,
    dataDigest: connect.dataDigest,
    keepAliveTmoS: connect.keepAliveTmoS,
    reconnectDelayS: connect.reconnectDelayS,
    ctrlLossTmoS: connect.ctrlLossTmoS,
    ioTimeoutS: connect.ioTimeoutS,
    ...(connect.fastIoFailTmoS === undefined ? {} : { fastIoFailTmoS: connect.fastIoFailTmoS }),
  };
}
