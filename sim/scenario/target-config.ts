// A scenario target as the NvmeTarget configuration it becomes: its subsystems (open to any host)
// with their namespaces, exported on each of its ports (one, ID 1, at the node's address, unless it
// lists ports), each port with its ANA groups.
// A subsystem served by several targets is one subsystem reached through several controllers: its
// namespaces carry the same UUID on each. Validation builds it too, so
// that the target's own checks (sim/target/config.ts) report errors with scenario field paths.
import { ConfigError } from '../target/index.js';
import { normalizeTargetConfig, type TargetConfig } from '../target/index.js';
import { ScenarioError } from './scenario-error.js';
import type { ResolvedTarget } from './resolved.js';

/** The port ID of a target that lists no ports. */
export const SCENARIO_PORT_ID = 1;

/** NQNs that more than one target serves: one subsystem reached through several targets. */
export function sharedSubsystems(targets: readonly ResolvedTarget[]): ReadonlySet<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const target of targets) for (const sub of target.subsystems) (seen.has(sub.nqn) ? shared : seen).add(sub.nqn);
  return shared;
}

/**
 * A namespace's UUID when every target serving its subsystem must report the same one (hosts join
 * paths into one head only when the IDs agree: nvme_global_check_duplicate_ids): a name-based
 * identifier from the NQN and NSID (FNV-1a over them, in the RFC 4122 layout).
 */
export function sharedNamespaceUuid(nqn: string, nsid: number): string {
  const bytes = new TextEncoder().encode(`${nqn}/${nsid}`);
  let hex = '';
  for (let round = 0; round < 4; round++) {
    let hash = 0x811c9dc5 ^ round;
    for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    hex += hash.toString(16).padStart(8, '0');
  }
  const variant = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function targetConfig(target: ResolvedTarget, shared: ReadonlySet<string> = new Set()): TargetConfig {
  return {
    subsystems: target.subsystems.map((sub) => ({
      nqn: sub.nqn,
      allowAnyHost: true,
      namespaces: sub.namespaces.map((ns) => ({
        nsid: ns.nsid,
        device: ns.backend,
        blockSize: ns.blockSize,
        anaGroupId: ns.anaGroupId,
        ...(shared.has(sub.nqn) ? { uuid: sharedNamespaceUuid(sub.nqn, ns.nsid) } : {}),
      })),
    })),
    ports: target.ports.map((port) => ({
      portid: port.id,
      traddr: port.ip,
      trsvcid: port.port,
      subsystems: target.subsystems.map((sub) => sub.nqn),
      anaGroups: port.anaGroups.map((group) => ({ ...group })),
    })),
  };
}

/**
 * Runs the target's own configuration checks, reporting failures against targets[index]: a port's
 * field against the target's `port` in the one-port form, against `ports[i]` when it lists ports.
 */
export function checkTargetConfig(target: ResolvedTarget, index: number, source: string, listsPorts: boolean): void {
  try {
    normalizeTargetConfig(targetConfig(target), { source });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const prefix = error.field === '' ? `${source}: ` : `${source}: ${error.field}: `;
    const problem = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    const portField = listsPorts ? error.field.replace(/\.trsvcid$/, '.port').replace(/\.portid$/, '.id') : 'port';
    const field = error.field.startsWith('ports[') ? portField : error.field.replace(/\.device$/, '.backend');
    throw new ScenarioError(source, field === '' ? `targets[${index}]` : `targets[${index}].${field}`, problem);
  }
}
