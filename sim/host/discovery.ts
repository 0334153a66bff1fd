// `nvme discover` over TCP: connect to the well-known discovery subsystem, read the discovery log
// page (LID 70h), disconnect. The log is read the way libnvme's nvme_discovery_log does it: the
// header first to learn NUMREC, then the whole page, retrying when GENCTR changed in between, since
// the target may change the log while we read it (blktests nvme/002, nvme/030).
import type { NodeEnv } from '../core/index.js';
import { DISCOVERY_NQN, LogPageId } from '../nvme/index.js';
import { DISCOVERY_LOG_HEADER_BYTES, decodeDiscoveryLog, decodeDiscoveryLogHeader, discoveryLogBytes } from '../nvme/index.js';
import type { DiscoveryLog } from '../nvme/index.js';
import { TcpHostController } from './controller.js';
import { resolveConnectOptions } from './options.js';
import { TransportError } from './transport-error.js';

export interface DiscoverOptions {
  readonly traddr: string;
  /** Default 8009 (NVME_DISC_IP_PORT). */
  readonly trsvcid?: number;
  readonly hostnqn?: string;
  readonly hostid?: string;
  /** Default 0: Linux sends no keep-alive to a discovery controller unless asked (-k). */
  readonly keepAliveTmoS?: number;
  readonly hdrDigest?: boolean;
  readonly dataDigest?: boolean;
  readonly connectTimeoutS?: number;
  readonly adminTimeoutS?: number;
}

/** libnvme nvme_discovery_log: max_retries defaults to 10. */
const MAX_GENCTR_RETRIES = 10;

export async function discover(env: NodeEnv, options: DiscoverOptions): Promise<DiscoveryLog> {
  const resolved = resolveConnectOptions(
    {
      traddr: options.traddr,
      nqn: DISCOVERY_NQN,
      ...(options.trsvcid !== undefined && { trsvcid: options.trsvcid }),
      ...(options.hostnqn !== undefined && { hostnqn: options.hostnqn }),
      ...(options.hostid !== undefined && { hostid: options.hostid }),
      ...(options.keepAliveTmoS !== undefined && { keepAliveTmoS: options.keepAliveTmoS }),
      ...(options.hdrDigest !== undefined && { hdrDigest: options.hdrDigest }),
      ...(options.dataDigest !== undefined && { dataDigest: options.dataDigest }),
      ...(options.connectTimeoutS !== undefined && { connectTimeoutS: options.connectTimeoutS }),
      ...(options.adminTimeoutS !== undefined && { adminTimeoutS: options.adminTimeoutS }),
      // A discovery controller that goes away is not reconnected: the command just fails.
      ctrlLossTmoS: 0,
    },
    env.rng.stream('host/hostid'),
  );
  const controller = new TcpHostController(env, resolved);
  await controller.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      const header = decodeDiscoveryLogHeader(await controller.getLogPage(LogPageId.DISCOVERY, DISCOVERY_LOG_HEADER_BYTES));
      const page = header.numrec === 0 ? null : await controller.getLogPage(LogPageId.DISCOVERY, discoveryLogBytes(header.numrec));
      if (page === null) return { ...header, entries: [] };
      const log = decodeDiscoveryLog(page);
      if (log.genctr === header.genctr && log.numrec === header.numrec) return log;
      if (attempt >= MAX_GENCTR_RETRIES) {
        throw new TransportError('protocol', `Discovery log page changed ${attempt} times while reading, giving up`);
      }
    }
  } finally {
    await controller.disconnect();
  }
}
