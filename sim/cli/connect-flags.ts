// The nvme-cli connect flags shared by discover, list and io (nvme-cli fabrics.c NVMF_ARGS:
// -t transport, -a traddr, -s trsvcid, -q hostnqn, -I hostid, -i nr-io-queues, -Q queue-size,
// -k keep-alive-tmo, -c reconnect-delay, -l ctrl-loss-tmo, -g hdr-digest, -G data-digest) and
// their conversion into the host's ConnectOptions.
import { availableParallelism } from 'node:os';
import type { ConnectOptions } from '../host/index.js';
import { ArgReader, UsageError, type OptionSpec } from './args.js';

export const TRANSPORT_FLAG: OptionSpec = { long: 'transport', short: 't', kind: 'value', valueName: 'tcp', help: 'transport type (only tcp)' };
export const TRADDR_FLAG: OptionSpec = { long: 'traddr', short: 'a', kind: 'value', valueName: 'ADDR', help: 'target address' };
export const TRSVCID_FLAG: OptionSpec = { long: 'trsvcid', short: 's', kind: 'value', valueName: 'PORT', help: 'target port (default 4420, 8009 for discovery)' };
export const NQN_FLAG: OptionSpec = { long: 'nqn', short: 'n', kind: 'value', valueName: 'NQN', help: 'subsystem NQN' };
export const HOSTNQN_FLAG: OptionSpec = { long: 'hostnqn', short: 'q', kind: 'value', valueName: 'NQN', help: 'host NQN' };
export const HOSTID_FLAG: OptionSpec = { long: 'hostid', short: 'I', kind: 'value', valueName: 'UUID', help: 'host identifier' };

/** Flags that only make sense for an I/O controller (list, io). */
export const IO_CONNECT_FLAGS: readonly OptionSpec[] = [
  { long: 'nr-io-queues', short: 'i', kind: 'value', valueName: 'N', help: 'number of I/O queues (default: the CPU count, as Linux)' },
  { long: 'queue-size', short: 'Q', kind: 'value', valueName: 'N', help: 'I/O queue size (16-1024)' },
  { long: 'keep-alive-tmo', short: 'k', kind: 'value', valueName: 'S', help: 'keep-alive timeout in seconds' },
  { long: 'reconnect-delay', short: 'c', kind: 'value', valueName: 'S', help: 'seconds between reconnect attempts' },
  { long: 'ctrl-loss-tmo', short: 'l', kind: 'value', valueName: 'S', help: 'seconds before giving up a lost controller' },
  { long: 'hdr-digest', short: 'g', kind: 'flag', help: 'enable the header digest' },
  { long: 'data-digest', short: 'G', kind: 'flag', help: 'enable the data digest' },
];

export const DISCOVER_FLAGS: readonly OptionSpec[] = [TRANSPORT_FLAG, TRADDR_FLAG, TRSVCID_FLAG, HOSTNQN_FLAG, HOSTID_FLAG];
export const CONNECT_FLAGS: readonly OptionSpec[] = [...DISCOVER_FLAGS, NQN_FLAG, ...IO_CONNECT_FLAGS];

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

/** Everything `nvme connect` takes, as ConnectOptions for the host. */
export function connectOptions(args: ArgReader): ConnectOptions {
  const base = discoveryTarget(args);
  const nqn = args.required('nqn', '-n nqn.2014-08.org.nvmexpress:nvmf-sim:target');
  const options: ConnectOptions = { ...base, nqn };
  const nrIoQueues = args.integer('nr-io-queues', 1, 65535);
  const queueSize = args.integer('queue-size', 16, 1024);
  const keepAliveTmoS = args.integer('keep-alive-tmo', 0, 65535);
  const reconnectDelayS = args.integer('reconnect-delay', 1, 2 ** 31 - 1);
  const ctrlLossTmoS = args.integer('ctrl-loss-tmo', -1, 2 ** 31 - 1);
  // nvme-cli leaves nr_io_queues out and the kernel takes num_online_cpus()
  // (drivers/nvme/host/fabrics.c, nvmf_parse_options); this machine's CPU count is the same default.
  options.nrIoQueues = nrIoQueues ?? Math.min(65535, availableParallelism());
  if (queueSize !== undefined) options.queueSize = queueSize;
  if (keepAliveTmoS !== undefined) options.keepAliveTmoS = keepAliveTmoS;
  if (reconnectDelayS !== undefined) options.reconnectDelayS = reconnectDelayS;
  if (ctrlLossTmoS !== undefined) options.ctrlLossTmoS = ctrlLossTmoS;
  if (args.flag('hdr-digest')) options.hdrDigest = true;
  if (args.flag('data-digest')) options.dataDigest = true;
  return options;
}
