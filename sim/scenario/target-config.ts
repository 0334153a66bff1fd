// A scenario target as the NvmeTarget configuration it becomes: its subsystems (open to any host)
// with their namespaces, exported on one port at the node's address, with the target's ANA groups. Validation builds it too, so
// that the target's own checks (sim/target/config.ts) report errors with scenario field paths.
import { ConfigError } from '../target/index.js';
import { normalizeTargetConfig, type TargetConfig } from '../target/index.js';
import { ScenarioError } from './scenario-error.js';
import type { ResolvedTarget } from './resolved.js';

/** The one port every scenario target serves on. */
export const SCENARIO_PORT_ID = 1;

export function targetConfig(target: ResolvedTarget, ip: string): TargetConfig {
  return {
    subsystems: target.subsystems.map((sub) => ({
      nqn: sub.nqn,
      allowAnyHost: true,
      namespaces: sub.namespaces.map((ns) => ({ nsid: ns.nsid, device: ns.backend, blockSize: ns.blockSize, anaGroupId: ns.anaGroupId })),
    })),
    ports: [
      {
        portid: SCENARIO_PORT_ID,
        traddr: ip,
        trsvcid: target.port,
        subsystems: target.subsystems.map((sub) => sub.nqn),
        anaGroups: target.anaGroups.map((group) => ({ ...group })),
      },
    ],
  };
}

/** Runs the target's own configuration checks, reporting failures against targets[index]. */
export function checkTargetConfig(target: ResolvedTarget, index: number, ip: string, source: string): void {
  try {
    normalizeTargetConfig(targetConfig(target, ip), { source });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const prefix = error.field === '' ? `${source}: ` : `${source}: ${error.field}: `;
    const problem = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    const field = error.field.startsWith('ports[') ? 'port' : error.field.replace(/\.device$/, '.backend');
    throw new ScenarioError(source, field === '' ? `targets[${index}]` : `targets[${index}].${field}`, problem);
  }
}
