// `nvmf-sim discover`: fetch a discovery log page from a target's discovery controller and print
// it the way `nvme discover` does (normal or JSON).
import { ArgReader, parseArgs } from './args.js';
import type { Command } from './command.js';
import { DISCOVER_FLAGS, discoveryTarget, OUTPUT_FLAGS, wantsJson } from './connect-flags.js';
import { discoveryJson, formatDiscoveryText } from './format-discovery.js';
import { cliEnv, fetchDiscoveryLog } from './stack.js';

const OPTIONS = [...DISCOVER_FLAGS, ...OUTPUT_FLAGS];

export const discoverCommand: Command = {
  name: 'discover',
  usage: 'discover -t tcp -a ADDR [-s PORT] [-q HOSTNQN] [-I HOSTID] [-o normal|json | --json]',
  options: OPTIONS,
  async run(argv, io) {
    const args = new ArgReader(parseArgs(argv, OPTIONS, 'discover'), OPTIONS);
    const json = wantsJson(args);
    const target = discoveryTarget(args);
    const env = cliEnv({});
    try {
      const log = await fetchDiscoveryLog(env, target);
      io.out(json ? `${JSON.stringify(discoveryJson(log), null, 2)}\n` : formatDiscoveryText(log));
      return 0;
    } finally {
      env.clock.clearAll();
    }
  },
};
