// `nvmf-sim list`: connect to a subsystem, identify the controller and its namespaces, print an
// `nvme list`-style table (or JSON), and disconnect. With several paths (-a/-s repeated) it
// connects them as one multipath subsystem and adds each path with its state and ANA state, as
// `nvme list-subsys` shows them.
import { ArgReader, parseArgs } from './args.js';
import type { Command } from './command.js';
import { CONNECT_FLAGS, connectPaths, OUTPUT_FLAGS, wantsJson } from './connect-flags.js';
import { formatListText, listJson, type ListRow } from './format-list.js';
import { formatSubsystemText, subsystemJson, type SubsystemListing } from './format-paths.js';
import { cliEnv, connectSubsystem, discoverPaths } from './stack.js';

const OPTIONS = [...CONNECT_FLAGS, ...OUTPUT_FLAGS];

export const listCommand: Command = {
  name: 'list',
  usage: 'list -t tcp -a ADDR [-s PORT] [-a ADDR -s PORT ... | --connect-all] [--iopolicy P] -n NQN [connect options] [-o normal|json | --json]',
  options: OPTIONS,
  async run(argv, io) {
    const args = new ArgReader(parseArgs(argv, OPTIONS, 'list'), OPTIONS);
    const json = wantsJson(args);
    const request = connectPaths(args);
    const iopolicy = request.iopolicy;
    const env = cliEnv({});
    try {
      const paths = request.connectAll && request.paths[0] !== undefined ? await discoverPaths(env, request.paths[0]) : request.paths;
      const first = paths[0];
      const controller = await connectSubsystem(env, paths, iopolicy);
      try {
        const namespaces = await controller.listNamespaces();
        const port = controller.trsvcid;
        const rows: ListRow[] = namespaces.map((ns) => ({
          node: `nvmf-sim:${first?.traddr ?? ''}:${port}/n${ns.nsid}`,
          serial: controller.serial,
          model: controller.model,
          firmware: controller.firmware,
          nsid: ns.nsid,
          usedBytes: ns.usedBytes,
          sizeBytes: ns.sizeBytes,
          blockSize: ns.blockSize,
          metadataBytes: 0,
        }));
        const nsid = namespaces[0]?.nsid;
        const subsystem: SubsystemListing | undefined =
          paths.length < 2 || nsid === undefined ? undefined : { nqn: first?.nqn ?? '', hostnqn: controller.hostnqn, iopolicy, paths: controller.paths(nsid) };
        if (json) io.out(`${JSON.stringify(subsystem === undefined ? listJson(rows) : { ...listJson(rows), ...subsystemJson(subsystem) }, null, 2)}\n`);
        else io.out(formatListText(rows) + (subsystem === undefined ? '' : `\n${formatSubsystemText(subsystem)}`));
      } finally {
        await controller.disconnect();
      }
      return 0;
    } finally {
      env.clock.clearAll();
    }
  },
};
