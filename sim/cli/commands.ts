// The command table. To add a command (e.g. `nvmf-sim run SCENARIO` for the simulator), write a
// cmd-<name>.ts exporting a Command and list it here; main.ts, help and --help pick it up.
import type { Command } from './command.js';
import { discoverCommand } from './cmd-discover.js';
import { ioCommand } from './cmd-io.js';
import { listCommand } from './cmd-list.js';
import { runCommand } from './cmd-run.js';
import { targetCommand } from './cmd-target.js';

export const COMMANDS: readonly Command[] = [runCommand, targetCommand, discoverCommand, listCommand, ioCommand];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}
