// `nvmf-sim list`: connect to a subsystem, identify the controller and its namespaces, print an
// `nvme list`-style table (or JSON), and disconnect.
import { ArgReader, parseArgs } from './args.js';
import type { Command } from './command.js';
import { CONNECT_FLAGS, connectOptions, OUTPUT_FLAGS, wantsJson } from './connect-flags.js';
import { formatListText, listJson, type ListRow } from './format-list.js';
import { cliEnv, connectHost } from './stack.js';

const OPTIONS = [...CONNECT_FLAGS, ...OUTPUT_FLAGS];

export const listCommand: Command = {
  name: 'list',
  usage: 'list -t tcp -a ADDR [-s PORT] -n NQN [connect options] [-o normal|json | --json]',
  options: OPTIONS,
  async run(argv, io) {
    const args = new ArgReader(parseArgs(argv, OPTIONS, 'list'), OPTIONS);
    const json = wantsJson(args);
    const options = connectOptions(args);
    const env = cliEnv({});
    try {
      const controller = await connectHost(env, options);
      try {
        const namespaces = await controller.listNamespaces();
        const port = controller.trsvcid;
        const rows: ListRow[] = namespaces.map((ns) => ({
          node: `nvmf-sim:${options.traddr}:${port}/n${ns.nsid}`,
          serial: controller.serial,
          model: controller.model,
          firmware: controller.firmware,
          nsid: ns.nsid,
          usedBytes: ns.usedBytes,
          sizeBytes: ns.sizeBytes,
          blockSize: ns.blockSize,
          metadataBytes: 0,
        }));
        io.out(json ? `${JSON.stringify(listJson(rows), null, 2)}\n` : formatListText(rows));
      } finally {
        await controller.disconnect();
      }
      return 0;
    } finally {
      env.clock.clearAll();
    }
  },
};
