// The command table: each command's name and one-line summary, and how to load it. A command's
// module (cmd-<name>.ts) is imported only when that command runs or its options are shown, so
// `nvmf-sim --help` loads none of the simulator, the target, the host or the container libraries.
// To add a command, write a cmd-<name>.ts exporting a Command and list it here; main.ts, help and
// --help pick it up.
import type { Command } from './command.js';

export interface CommandEntry {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    summary: 'run a scenario in the deterministic simulator',
    load: async () => (await import('./cmd-run.js')).runCommand,
  },
  {
    name: 'study',
    summary: 'sweep a scenario over axes and seeds on all cores, and answer its questions',
    load: async () => (await import('./cmd-study.js')).studyCommand,
  },
  {
    name: 'merge',
    summary: "merge a study's shard results into the result of one run",
    load: async () => (await import('./cmd-merge.js')).mergeCommand,
  },
  {
    name: 'report',
    summary: 'render saved results (study --out, merge --out, run --json) as a report directory',
    load: async () => (await import('./cmd-report.js')).reportCommand,
  },
  {
    name: 'target',
    summary: 'serve NVMe/TCP subsystems on real sockets until SIGINT/SIGTERM',
    load: async () => (await import('./cmd-target.js')).targetCommand,
  },
  {
    name: 'discover',
    summary: 'print the discovery log page of a target (like nvme discover)',
    load: async () => (await import('./cmd-discover.js')).discoverCommand,
  },
  {
    name: 'list',
    summary: 'connect to a subsystem and list its namespaces (like nvme list)',
    load: async () => (await import('./cmd-list.js')).listCommand,
  },
  {
    name: 'io',
    summary: 'connect and run a fio-like workload on a namespace',
    load: async () => (await import('./cmd-io.js')).ioCommand,
  },
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((command) => command.name === name);
}
