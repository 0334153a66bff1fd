// The nvme-cli connect flags shared by discover, list and io (nvme-cli fabrics.c NVMF_ARGS:
// -t transport, -a traddr, -s trsvcid, -q hostnqn, -I hostid, -i nr-io-queues, -Q queue-size,
// -k keep-alive-tmo, -c reconnect-delay, -l ctrl-loss-tmo, -g hdr-digest, -G data-digest) and
// their conversion into the host's ConnectOptions. list and io take several paths to one subsystem
// (repeated -a/-s, as one `nvme connect` per path joins Linux's native multipath head), with
// --iopolicy (the subsystem's sysfs iopolicy) and -f fast-io-fail-tmo.
import { availableParallelism } from 'node:os';
import { DEFAULT_IOPOLICY, IO_POLICIES, isIoPolicy } from '../host/index.js';
import type { ConnectOptions, IoPolicy } from '../host/index.js';
import { ArgReader, UsageError, type OptionSpec } from './args.js';

export const TRANSPORT_FLAG: OptionSpec = { long: 'transport', short: 't', kind: 'value', valueName: 'tcp', help: 'transport type (only tcp)' };
export const TRADDR_FLAG: OptionSpec = { long: 'traddr', short: 'a', kind: 'value', valueName: 'ADDR', help: 'target address' };
export const TRSVCID_FLAG: OptionSpec = { long: 'trsvcid', short: 's', kind: 'value', valueName: 'PORT', help: 'target port (default 4420, 8009 for discovery)' };
export const NQN_FLAG: OptionSpec = { long: 'nqn', short: 'n', kind: 'value', valueName: 'NQN', help: 'subsystem NQN' };
export const HOSTNQN_FLAG: OptionSpec = { long: 'hostnqn', short: 'q', kind: 'value', valueName: 'NQN', help: 'host NQN' };
export const HOSTID_FLAG: OptionSpec = { long: 'hostid', short: 'I', kind: 'value', valueName: 'UUID', help: 'host identifier' };

/** -a and -s of list and io: repeated, the i-th -a with the i-th -s (or one -s for every -a). */
export const PATH_TRADDR_FLAG: OptionSpec = { ...TRADDR_FLAG, kind: 'list', help: 'target address, once per path to the subsystem' };
export const PATH_TRSVCID_FLAG: OptionSpec = { ...TRSVCID_FLAG, kind: 'list', help: 'target port (default 4420): one per -a, or one for all' };

/** Flags that only make sense for an I/O controller (list, io). */
export const IO_CONNECT_FLAGS: readonly OptionSpec[] = [
  { long: 'iopolicy', kind: 'value', valueName: IO_POLICIES.join('|'), help: `multipath I/O policy with several paths (default ${DEFAULT_IOPOLICY})` },
  { long: 'connect-all', kind: 'flag', help: 'take every path to the subsystem from the discovery log at -a/-s (default port 8009)' },
  { long: 'fast-io-fail-tmo', short: 'f', kind: 'value', valueName: 'S', help: 'seconds after a path loss before waiting I/O fails (-1: never)' },
  { long: 'nr-io-queues', short: 'i', kind: 'value', valueName: 'N', help: 'number of I/O queues (default: the CPU count, as Linux)' },
  { long: 'queue-size', short: 'Q', kind: 'value', valueName: 'N', help: 'I/O queue size (16-1024)' },
  { long: 'keep-alive-tmo', short: 'k', kind: 'value', valueName: 'S', help: 'keep-alive timeout in seconds' },
  { long: 'reconnect-delay', short: 'c', kind: 'value', valueName: 'S', help: 'seconds between reconnect attempts' },
  { long: 'ctrl-loss-tmo', short: 'l', kind: 'value', valueName: 'S', help: 'seconds before giving up a lost controller' },
  { long: 'hdr-digest', short: 'g', kind: 'flag', help: 'enable the header digest' },
  { long: 'data-digest', short: 'G', kind: 'flag', help: 'enable the data digest' },
];

export const DISCOVER_FLAGS: readonly OptionSpec[] = [TRANSPORT_FLAG, TRADDR_FLAG, TRSVCID_FLAG, HOSTNQN_FLAG, HOSTID_FLAG];
export const CONNECT_FLAGS: readonly OptionSpec[] = [TRANSPORT_FLAG, PATH_TRADDR_FLAG, PATH_TRSVCID_FLAG, HOSTNQN_FLAG, HOSTID_FLAG, NQN_FLAG, ...IO_CONNECT_FLAGS];

/** Output selection: nvme-cli's -o/--output-format and our --json shorthand. */
export const OUTPUT_FLAGS: readonly OptionSpec[] = [
  { long: 'output-format', short: 'o', kind: 'value', valueName: 'normal|json', help: 'output format' },
  { long: 'json', kind: 'flag', help: 'same as -o json' },
];

export function wantsJson(args: ArgReader): boolean {
  const format = args.string('output-format');
  if (format !== undefined && format !== 'json' && format !== 'normal') {
    throw new UsageError(`${args.name('output-format')}: unknown format '${format}' (expected normal or json)`);
  }
  return args.flag('json') || format === 'json';
}

function checkTransport(args: ArgReader): void {
  const transport = args.string('transport') ?? 'tcp';
  if (transport !== 'tcp') throw new UsageError(`${args.name('transport')}: only 'tcp' is supported, not '${transport}'`);
}

/** The address part: transport, traddr, trsvcid, host identity. */
export function discoveryTarget(args: ArgReader): { traddr: string; trsvcid?: number; hostnqn?: string; hostid?: string } {
  checkTransport(args);
  const traddr = args.required('traddr', '-a 127.0.0.1');
  const trsvcid = args.integer('trsvcid', 1, 65535);
  const hostnqn = args.string('hostnqn');
  const hostid = args.string('hostid');
  return {
    traddr,
    ...(trsvcid === undefined ? {} : { trsvcid }),
    ...(hostnqn === undefined ? {} : { hostnqn }),
    ...(hostid === undefined ? {} : { hostid }),
  };
}

/** The paths of list and io and their policy: one ConnectOptions per -a, in the order given. */
export interface ConnectPaths {
  /** With connectAll: the one discovery controller to ask (its trsvcid defaults to 8009). */
  readonly paths: readonly ConnectOptions[];
  readonly iopolicy: IoPolicy;
  /** --connect-all: the paths are the discovery log's entries for the subsystem (nvme connect-all). */
  readonly connectAll: boolean;
}

/** Everything `nvme connect` takes, once per path, as ConnectOptions for the host. */
export function connectPaths(args: ArgReader): ConnectPaths {
  checkTransport(args);
  const traddrs = args.list('traddr');
  if (traddrs.length === 0 || traddrs.includes('')) throw new UsageError(`${args.name('traddr')} is required (e.g. -a 127.0.0.1)`);
  const trsvcids = args.integers('trsvcid', 1, 65535);
  if (trsvcids.length > 1 && trsvcids.length !== traddrs.length) {
    throw new UsageError(
      `${args.name('trsvcid')}: ${trsvcids.length} ports for ${traddrs.length} paths of ${args.name('traddr')} (give one port per address, or one for all)`,
    );
  }
  const connectAll = args.flag('connect-all');
  if (connectAll && traddrs.length > 1) throw new UsageError(`${args.name('connect-all')}: give one discovery controller (-a/-s), not ${traddrs.length}`);
  const policy = args.string('iopolicy') ?? DEFAULT_IOPOLICY;
  if (!isIoPolicy(policy)) throw new UsageError(`${args.name('iopolicy')}: unknown policy '${policy}' (expected ${IO_POLICIES.join(', ')})`);
  const shared = sharedOptions(args);
  const paths = traddrs.map((traddr, index): ConnectOptions => {
    const trsvcid = trsvcids.length === 1 ? trsvcids[0] : trsvcids[index];
    return { ...shared, traddr, ...(trsvcid === undefined ? {} : { trsvcid }) };
  });
  return { paths, iopolicy: policy, connectAll };
}

/** The options every path shares: subsystem, host identity, queues and timeouts. */
function sharedOptions(args: ArgReader): Omit<ConnectOptions, 'traddr' | 'trsvcid'> {
  const nqn = args.required('nqn', '-n nqn.2014-08.org.nvmexpress:nvmf-sim:target');
  const hostnqn = args.string('hostnqn');
  const hostid = args.string('hostid');
  const options: Omit<ConnectOptions, 'traddr' | 'trsvcid'> = {
    nqn,
    ...(hostnqn === undefined ? {} : { hostnqn }),
    ...(hostid === undefined ? {} : { hostid }),
  };
  const nrIoQueues = args.integer('nr-io-queues', 1, 65535);
  const queueSize = args.integer('queue-size', 16, 1024);
  const keepAliveTmoS = args.integer('keep-alive-tmo', 0, 65535);
  const reconnectDelayS = args.integer('reconnect-delay', 1, 2 ** 31 - 1);
  const ctrlLossTmoS = args.integer('ctrl-loss-tmo', -1, 2 ** 31 - 1);
  const fastIoFailTmoS = args.integer('fast-io-fail-tmo', -1, 2 ** 31 - 1);
  // nvme-cli leaves nr_io_queues out and the kernel takes num_online_cpus()
  // (drivers/nvme/host/fabrics.c, nvmf_parse_options); this machine's CPU count is the same default.
  options.nrIoQueues = nrIoQueues ?? Math.min(65535, availableParallelism());
  if (queueSize !== undefined) options.queueSize = queueSize;
  if (keepAliveTmoS !== undefined) options.keepAliveTmoS = keepAliveTmoS;
  if (reconnectDelayS !== undefined) options.reconnectDelayS = reconnectDelayS;
  if (ctrlLossTmoS !== undefined) options.ctrlLossTmoS = ctrlLossTmoS;
  if (fastIoFailTmoS !== undefined) options.fastIoFailTmoS = fastIoFailTmoS;
  if (args.flag('hdr-digest')) options.hdrDigest = true;
  if (args.flag('data-digest')) options.dataDigest = true;
  return options;
}
