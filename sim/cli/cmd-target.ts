// `nvmf-sim target`: build a target configuration from flags and/or an nvmetcli config.json, serve
// it on real sockets until SIGINT/SIGTERM, then shut down cleanly. One line per listening port
// goes to stdout (with the real port when --listen asked for port 0), so scripts can wait for it.
// SIGHUP re-reads --config and applies only what changed (sim/target/reconcile.ts), one
// `reload:` line per change on stderr; a bad file is one error line and changes nothing.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseSize } from '../core/index.js';
import { parseBackendSpec } from '../storage/index.js';
import type { HostConfig, NamespaceConfig, PortConfig, SubsystemConfig, TargetConfig } from '../target/index.js';
import type { CliIo } from './command.js';
import type { CliTarget } from './stack.js';
import { DISCOVERY_NQN } from '../nvme/index.js';
import { parseNvmetcliConfig } from '../target/index.js';
import { ArgReader, parseArgs, UsageError, type OptionSpec } from './args.js';
import type { Command } from './command.js';
import { cliEnv, entriesToConfig, startTarget } from './stack.js';

/** The subsystem NQN used when --nqn is not given. */
export const DEFAULT_TARGET_NQN = 'nqn.2014-08.org.nvmexpress:nvmf-sim:target';
/** The namespace served when neither --ns nor --config is given. */
export const DEFAULT_NAMESPACE = 'ram:64MiB';
export const DEFAULT_LISTEN = '127.0.0.1:4420';

const OPTIONS: readonly OptionSpec[] = [
  { long: 'listen', kind: 'value', valueName: 'ADDR:PORT', help: `listen address (default ${DEFAULT_LISTEN}; port 0 picks a free port)` },
  { long: 'nqn', short: 'n', kind: 'value', valueName: 'NQN', help: `subsystem NQN (default ${DEFAULT_TARGET_NQN})` },
  { long: 'ns', kind: 'list', valueName: 'SPEC', help: `namespace backend: ram:64MiB, null:1GiB, file:PATH[:SIZE] (default ${DEFAULT_NAMESPACE})` },
  { long: 'block-size', kind: 'value', valueName: '512|4096', help: 'LBA size of --ns namespaces (default 512)' },
  { long: 'allow-any-host', kind: 'flag', help: 'let any host connect' },
  { long: 'host-nqn', kind: 'list', valueName: 'NQN', help: 'a host allowed to connect' },
  { long: 'config', kind: 'value', valueName: 'FILE', help: 'nvmetcli config.json to serve (with or without --ns); SIGHUP reloads it' },
  { long: 'discovery-port', kind: 'value', valueName: 'PORT', help: 'also listen on this port for discovery only (e.g. 8009)' },
  { long: 'inline-data-size', kind: 'value', valueName: 'SIZE', help: 'in-capsule data accepted on I/O queues (default 16k)' },
  { long: 'save-config', kind: 'value', valueName: 'FILE', help: 'write the running configuration as nvmetcli JSON' },
  { long: 'verbose', short: 'v', kind: 'flag', help: 'log connections and errors to stderr' },
  { long: 'debug', kind: 'flag', help: 'log everything to stderr' },
];

/** "127.0.0.1:4420" or "[::1]:4420" into host and port. */
export function parseListen(text: string, flag = '--listen'): { host: string; port: number } {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (match === null) throw new UsageError(`${flag}: '${text}' is not ADDR:PORT (e.g. 127.0.0.1:4420)`);
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port > 65535) throw new UsageError(`${flag}: port ${match[2]} is outside 0..65535`);
  return { host: match[1] ?? '', port };
}

export interface BuiltConfig {
  readonly config: TargetConfig;
  /** Notes for the user (defaults applied). */
  readonly notes: readonly string[];
  /** What the flags added next to --config (kept as they are when the file is reloaded). */
  readonly fromFlags: FlagAdditions;
}

/** The subsystem (--ns) and ports (--listen, --discovery-port) the flags add to a --config file. */
export interface FlagAdditions {
  readonly subsystems: readonly SubsystemConfig[];
  readonly ports: readonly PortConfig[];
}

/** The target configuration the flags describe. */
export function buildTargetConfig(args: ArgReader): BuiltConfig {
  const notes: string[] = [];
  const configPath = args.string('config');
  let base: TargetConfig = {};
  if (configPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new UsageError(`--config: cannot read '${configPath}'${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    base = entriesToConfig(parseNvmetcliConfig(text, configPath));
  }
  const subsystems: SubsystemConfig[] = [...(base.subsystems ?? [])];
  const ports: PortConfig[] = [...(base.ports ?? [])];
  const fileParts = { subsystems: subsystems.length, ports: ports.length };

  const blockSize = args.integer('block-size', 512, 4096);
  if (blockSize !== undefined && blockSize !== 512 && blockSize !== 4096) {
    throw new UsageError(`${args.name('block-size')}: must be 512 or 4096, not ${blockSize}`);
  }
  let specs = args.list('ns');
  const hosts = args.list('host-nqn');
  const nqnGiven = args.string('nqn');
  if (specs.length === 0 && configPath === undefined) {
    specs = [DEFAULT_NAMESPACE];
    notes.push(`no --ns given; serving one namespace ${DEFAULT_NAMESPACE}`);
  }
  if (specs.length === 0 && (nqnGiven !== undefined || hosts.length > 0 || args.flag('allow-any-host'))) {
    throw new UsageError('--ns: needed to add a subsystem next to --config (e.g. --ns ram:64MiB)');
  }
  if (specs.length > 0) {
    const nqn = nqnGiven ?? DEFAULT_TARGET_NQN;
    if (nqn === DISCOVERY_NQN) throw new UsageError(`${args.name('nqn')}: '${nqn}' is the discovery NQN`);
    if (subsystems.some((sub) => sub.nqn === nqn)) throw new UsageError(`${args.name('nqn')}: '${nqn}' is already in --config`);
    const namespaces: NamespaceConfig[] = specs.map((spec, index) => {
      parseBackendSpec(spec, '--ns', blockSize === undefined ? {} : { blockSize });
      return { nsid: index + 1, device: spec, ...(blockSize === undefined ? {} : { blockSize }) };
    });
    let allowAnyHost = args.flag('allow-any-host');
    if (!allowAnyHost && hosts.length === 0) {
      allowAnyHost = true;
      notes.push('no --host-nqn given; allowing any host');
    }
    subsystems.push({ nqn, allowAnyHost, allowedHosts: hosts, namespaces });
  }

  const inlineText = args.string('inline-data-size');
  const inlineDataSize = inlineText === undefined ? undefined : parseSize(inlineText, '--inline-data-size');
  const listenText = args.string('listen') ?? (ports.length === 0 ? DEFAULT_LISTEN : undefined);
  let nextPortId = Math.max(0, ...ports.map((port) => port.portid)) + 1;
  if (listenText !== undefined) {
    const listen = parseListen(listenText);
    ports.push({
      portid: nextPortId++,
      traddr: listen.host,
      trsvcid: listen.port,
      adrfam: listen.host.includes(':') ? 'ipv6' : 'ipv4',
      subsystems: subsystems.map((sub) => sub.nqn),
      ...(inlineDataSize === undefined ? {} : { inlineDataSize }),
    });
  }
  const discoveryPort = args.integer('discovery-port', 0, 65535);
  if (discoveryPort !== undefined) {
    const host = ports[ports.length - 1]?.traddr ?? '127.0.0.1';
    ports.push({ portid: nextPortId++, traddr: host, trsvcid: discoveryPort, adrfam: host.includes(':') ? 'ipv6' : 'ipv4', subsystems: [] });
  }
  const fromFlags = { subsystems: subsystems.slice(fileParts.subsystems), ports: ports.slice(fileParts.ports) };
  return { config: { ...base, subsystems, ports }, notes, fromFlags };
}

/**
 * The configuration a SIGHUP asks for: the --config file as it is now, plus what the flags added
 * at start-up, unchanged (the flags' ports keep exporting what they exported, less subsystems the
 * file no longer has). Throws a one-line error naming the field when the file is bad.
 */
export function reloadedConfig(path: string, fromFlags: FlagAdditions): TargetConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`--config: cannot read '${path}'${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  const file = entriesToConfig(parseNvmetcliConfig(text, path));
  const fileSubsystems = file.subsystems ?? [];
  const filePorts = file.ports ?? [];
  fileSubsystems.forEach((sub, index) => {
    if (fromFlags.subsystems.some((flagged) => flagged.nqn === sub.nqn)) {
      throw new UsageError(`${path}: subsystems[${index}].nqn: '${sub.nqn}' is the --nqn subsystem the flags added`);
    }
  });
  filePorts.forEach((port, index) => {
    if (fromFlags.ports.some((flagged) => flagged.portid === port.portid)) {
      throw new UsageError(`${path}: ports[${index}].portid: ${port.portid} is the port --listen or --discovery-port added`);
    }
  });
  const subsystems = [...fileSubsystems, ...fromFlags.subsystems];
  const known = new Set(subsystems.map((sub) => sub.nqn));
  // Hosts the flags allowed (--host-nqn) stay hosts, next to the file's own.
  const hosts: (string | HostConfig)[] = [...(file.hosts ?? [])];
  const hostNqn = (host: string | HostConfig): string => (typeof host === 'string' ? host : host.nqn);
  for (const sub of fromFlags.subsystems) {
    for (const host of sub.allowedHosts ?? []) if (!hosts.some((known) => hostNqn(known) === host)) hosts.push(host);
  }
  const ports = [...filePorts, ...fromFlags.ports.map((port) => ({ ...port, subsystems: (port.subsystems ?? []).filter((nqn) => known.has(nqn)) }))];
  return { hosts, subsystems, ports };
}

export const targetCommand: Command = {
  name: 'target',
  usage:
    'target [--listen ADDR:PORT] [--nqn NQN] [--ns ram:64MiB|null:1GiB|file:PATH]... [--allow-any-host]\n' +
    '       [--host-nqn NQN]... [--config nvmet.json] [--discovery-port 8009] [--inline-data-size 16k]\n' +
    '       [--save-config out.json] [-v]',
  options: OPTIONS,
  async run(argv, io) {
    const args = new ArgReader(parseArgs(argv, OPTIONS, 'target'), OPTIONS);
    if (args.positionals.length > 0) throw new UsageError(`target: unexpected argument '${args.positionals[0]}'`);
    const { config, notes, fromFlags } = buildTargetConfig(args);
    const logLevel = args.flag('debug') ? 'debug' : args.flag('verbose') ? 'info' : 'warn';
    const env = cliEnv({ logLevel, logPrefix: 'nvmf-sim target: ' });
    const target = await startTarget(env, config);
    try {
      for (const note of notes) io.err(`nvmf-sim target: note: ${note}\n`);
      for (const port of target.ports) {
        const subsystems = port.subsystems.length === 0 ? '(discovery only)' : port.subsystems.join(', ');
        const host = port.traddr.includes(':') ? `[${port.traddr}]` : port.traddr;
        io.out(`nvmf-sim target: listening on ${host}:${port.trsvcid} (tcp), subsystems: ${subsystems}\n`);
      }
      const savePath = args.string('save-config');
      if (savePath !== undefined) {
        try {
          writeFileSync(savePath, target.savedConfig());
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          throw new UsageError(`--save-config: cannot write '${savePath}'${typeof code === 'string' ? ` (${code})` : ''}`);
        }
      }
      const configPath = args.string('config');
      const stopReloading =
        configPath === undefined || io.onHangup === undefined
          ? () => undefined
          : io.onHangup(reloader(configPath, fromFlags, target, io));
      const signal = await io.untilSignal();
      stopReloading();
      io.out(`nvmf-sim target: ${signal}, shutting down\n`);
    } finally {
      await target.stop();
      env.clock.clearAll();
    }
    return 0;
  },
};

/**
 * SIGHUP: re-reads the --config file and reconciles the running target to it, as `nvmetcli restore`
 * of the edited file would, but changing only what differs. One stderr line per change; a bad file
 * is one error line and changes nothing. Reloads run one at a time, in signal order.
 */
function reloader(path: string, fromFlags: FlagAdditions, target: CliTarget, io: CliIo): () => void {
  let queue = Promise.resolve();
  const say = (line: string): void => io.err(`nvmf-sim target: reload: ${line.replace(/\s*\n\s*/g, ' ')}\n`);
  const reload = async (): Promise<void> => {
    let next: TargetConfig;
    try {
      next = reloadedConfig(path, fromFlags);
    } catch (error) {
      say(`${error instanceof Error ? error.message : String(error)} (nothing changed)`);
      return;
    }
    try {
      const changes = await target.reconcile(next);
      if (changes.length === 0) say(`${path}: no changes`);
      for (const change of changes) say(change);
    } catch (error) {
      const applied = (error as { applied?: readonly string[] }).applied ?? [];
      for (const change of applied) say(change);
      say(`error: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return () => {
    queue = queue.then(reload);
  };
}
