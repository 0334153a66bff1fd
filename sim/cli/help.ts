// Usage text: the command list and each command's options, generated from the command table so
// help never disagrees with what the parser accepts.
import type { OptionSpec } from './args.js';
import type { Command } from './command.js';
import type { CommandEntry } from './commands.js';

export function mainHelp(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = [
    'usage: nvmf-sim <command> [options]',
    '',
    'NVMe over TCP testbed: a deterministic simulator, and a TypeScript target and host on real sockets.',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  show this text, or a command's options (nvmf-sim help io)`,
    '',
    'options:',
    '  --version  print the version',
    '  --help     print this text (nvmf-sim <command> --help for a command)',
    '',
    'Exit status: 0 success, 1 I/O error or verify mismatch, 2 bad usage or unreachable target;',
    '  run: 127 crash, 128 liveness, 129 correctness (a failed invariant).',
  ];
  return `${lines.join('\n')}\n`;
}

function optionLabel(spec: OptionSpec): string {
  const names = spec.short === undefined ? `    --${spec.long}` : `-${spec.short}, --${spec.long}`;
  return spec.kind === 'flag' ? names : `${names} ${spec.valueName ?? 'VALUE'}`;
}

export function commandHelp(entry: CommandEntry, command: Command): string {
  const labels = command.options.map(optionLabel);
  const width = Math.max(0, ...labels.map((l) => l.length));
  const lines = [
    `usage: nvmf-sim ${command.usage}`,
    '',
    entry.summary,
    '',
    'options:',
    ...command.options.map((spec, i) => {
      const repeat = spec.kind === 'list' ? ' (repeatable)' : '';
      return `  ${(labels[i] ?? '').padEnd(width)}  ${spec.help}${repeat}`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
