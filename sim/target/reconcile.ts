// Reconciling a running target to a new configuration, as `nvmetcli restore` of an edited
// config.json is used on a live Linux target, but without tearing down what did not change: the
// difference between the running configuration (NvmeTarget.saveConfig) and the new one is applied
// through NvmeTarget's mutators, so each change has the effect the matching configfs write has
// (notices, dropped controllers) and everything else keeps running. The new configuration is checked
// whole first (normalizeTargetConfig), so a bad file changes nothing.
//
// Order: additions before the links that need them, removals last, so that a controller whose
// subsystem, port and access stay is never touched:
//   hosts added; subsystems added; namespaces added, replaced, enabled, disabled, removed;
//   subsystem attributes; allowed hosts; ports added (or replaced) and ANA groups added; ANA states;
//   namespaces' ANA groups; subsystem links; referrals; then ANA groups, ports, subsystems and hosts removed.
// configfs refuses address and parameter writes on an enabled port (nvmet_addr_*_store: -EACCES),
// so a port whose address or parameters changed is removed and added again (its connections drop).
// A namespace whose device, UUID, NGUID or block size changed is likewise removed and added again
// (nvmet_ns_device_path_store refuses a change while the namespace is enabled).
import type { AnaGroupEntry, NamespaceEntry, NormalizeOptions, PortEntry, ReferralEntry, SubsystemEntry, TargetConfig, TargetEntries } from './config.js';
import { normalizeTargetConfig } from './config.js';
import type { SubsystemAttributes } from './model.js';
import type { NvmeTarget } from './target.js';

/** What a reconcile changed, one line per change, in the order applied. */
export interface ReconcileResult {
  readonly changes: readonly string[];
}

/** A change the mutators refused midway: what was applied before it is kept and listed. */
export class ReconcileError extends Error {
  readonly applied: readonly string[];

  constructor(step: string, cause: unknown, applied: readonly string[]) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(`${step}: ${message.replace(/\s*\n\s*/g, ' ')}${applied.length === 0 ? '' : ` (after ${applied.length} change(s))`}`);
    this.name = 'ReconcileError';
    this.applied = applied;
  }
}

/**
 * Applies the difference between the running configuration and `next`. Throws ConfigError (one
 * line naming the field) before changing anything when `next` is invalid, and ReconcileError when
 * a mutator refuses a change (the changes before it stay applied).
 */
export async function reconcileTarget(
  target: NvmeTarget,
  next: TargetConfig | TargetEntries,
  options: NormalizeOptions = {},
): Promise<ReconcileResult> {
  const wanted = normalizeTargetConfig(next, options);
  const running = target.saveConfig();
  const changes: string[] = [];
  const step = async (what: string, apply: () => void | Promise<void>): Promise<void> => {
    try {
      await apply();
    } catch (error) {
      throw new ReconcileError(what, error, changes);
    }
    changes.push(what);
  };

  const runningHosts = new Set(running.hosts.map((host) => host.nqn));
  const wantedHosts = new Set(wanted.hosts.map((host) => host.nqn));
  const runningSubs = byKey(running.subsystems, (sub) => sub.nqn);
  const wantedSubs = byKey(wanted.subsystems, (sub) => sub.nqn);
  const runningPorts = byKey(running.ports, (port) => port.portid);
  const wantedPorts = byKey(wanted.ports, (port) => port.portid);

  // Hosts first: allowed_hosts links and new subsystems need them.
  for (const host of wanted.hosts) {
    if (!runningHosts.has(host.nqn)) await step(`host ${host.nqn} added`, () => target.addHost(host.nqn));
  }
  carryExtras(target, wanted);

  for (const sub of wanted.subsystems) {
    if (!runningSubs.has(sub.nqn)) await step(`subsystem ${sub.nqn} added`, () => target.addSubsystem(subsystemConfig(sub)));
  }

  for (const sub of wanted.subsystems) {
    const before = runningSubs.get(sub.nqn);
    if (before === undefined) continue;
    await reconcileNamespaces(target, before, sub, step);
    const attributes = changedAttributes(before, sub);
    if (Object.keys(attributes).length > 0) {
      const list = Object.entries(attributes).map(([key, value]) => `${key}=${String(value)}`).join(' ');
      await step(`subsystem ${sub.nqn}: ${list}`, () => target.setSubsystemAttributes(sub.nqn, attributes));
    }
    if (before.ieeeOui !== sub.ieeeOui) {
      // No notice: Identify Controller reads the attribute each time it is asked.
      await step(`subsystem ${sub.nqn}: ieeeOui=${sub.ieeeOui}`, () => {
        liveSubsystem(target, sub.nqn).ieeeOui = sub.ieeeOui;
      });
    }
    for (const host of sub.allowedHosts) {
      if (!before.allowedHosts.includes(host)) await step(`subsystem ${sub.nqn}: host ${host} allowed`, () => target.allowHost(sub.nqn, host));
    }
    for (const host of before.allowedHosts) {
      if (!sub.allowedHosts.includes(host)) await step(`subsystem ${sub.nqn}: host ${host} no longer allowed`, () => target.disallowHost(sub.nqn, host));
    }
  }

  // Ports: new ones, and those whose address or parameters changed (removed, then added again).
  const replaced = new Set<number>();
  for (const port of wanted.ports) {
    const before = runningPorts.get(port.portid);
    if (before !== undefined && !sameAddress(before, port)) {
      replaced.add(port.portid);
      await step(`port ${port.portid} removed (address or parameters changed)`, () => target.removePort(port.portid));
    }
    if (before === undefined || replaced.has(port.portid)) {
      await step(`port ${port.portid} added on ${portAddress(port)}`, () => target.addPort(port));
    }
  }
  const kept = wanted.ports.filter((port) => runningPorts.has(port.portid) && !replaced.has(port.portid));
  for (const port of kept) {
    const before = runningPorts.get(port.portid) as PortEntry;
    for (const group of port.anaGroups) {
      if (!hasGroup(before.anaGroups, group.grpid)) {
        await step(`port ${port.portid} ANA group ${group.grpid} added (${group.state})`, () => target.addAnaGroup(port.portid, group.grpid, group.state));
      }
    }
    if (!sameExtra(before.extra, port.extra)) target.model.port(port.portid).extra = { ...port.extra };
  }
  for (const port of kept) {
    const before = runningPorts.get(port.portid) as PortEntry;
    for (const group of port.anaGroups) {
      const was = before.anaGroups.find((candidate) => candidate.grpid === group.grpid);
      if (was !== undefined && was.state !== group.state) {
        await step(`port ${port.portid} ANA group ${group.grpid}: ${group.state} (was ${was.state})`, () =>
          target.setAnaState(port.portid, group.grpid, group.state),
        );
      }
    }
  }

  // Namespaces that stayed but moved to another ANA group (new ones got theirs when added).
  for (const sub of wanted.subsystems) {
    const before = runningSubs.get(sub.nqn);
    if (before === undefined) continue;
    for (const ns of sub.namespaces) {
      const was = before.namespaces.find((candidate) => candidate.nsid === ns.nsid);
      if (was !== undefined && sameIdentity(was, ns) && was.anaGroupId !== ns.anaGroupId) {
        await step(`namespace ${sub.nqn}/${ns.nsid}: ANA group ${ns.anaGroupId} (was ${was.anaGroupId})`, () =>
          target.setNamespaceAnaGroup(sub.nqn, ns.nsid, ns.anaGroupId),
        );
      }
    }
  }

  for (const port of kept) {
    const before = runningPorts.get(port.portid) as PortEntry;
    for (const nqn of port.subsystems) {
      if (!before.subsystems.includes(nqn)) await step(`port ${port.portid}: subsystem ${nqn} linked`, () => target.linkSubsystem(port.portid, nqn));
    }
    for (const nqn of before.subsystems) {
      // A subsystem about to be removed is unlinked by its removal.
      if (!port.subsystems.includes(nqn) && wantedSubs.has(nqn)) {
        await step(`port ${port.portid}: subsystem ${nqn} unlinked`, () => target.unlinkSubsystem(port.portid, nqn));
      }
    }
    for (const ref of before.referrals) {
      const now = port.referrals.find((candidate) => candidate.name === ref.name);
      if (now === undefined || !sameReferral(ref, now)) {
        await step(`port ${port.portid}: referral ${ref.name} removed${now === undefined ? '' : ' (changed)'}`, () => target.removeReferral(port.portid, ref.name));
      }
    }
    for (const ref of port.referrals) {
      const was = before.referrals.find((candidate) => candidate.name === ref.name);
      if (was === undefined || !sameReferral(was, ref)) {
        await step(`port ${port.portid}: referral ${ref.name} added (${portAddress(ref)})`, () => target.addReferral(port.portid, ref));
      }
    }
  }

  // Removals.
  for (const port of kept) {
    const before = runningPorts.get(port.portid) as PortEntry;
    for (const group of before.anaGroups) {
      if (!hasGroup(port.anaGroups, group.grpid)) {
        await step(`port ${port.portid} ANA group ${group.grpid} removed`, () => target.removeAnaGroup(port.portid, group.grpid));
      }
    }
  }
  for (const port of running.ports) {
    if (!wantedPorts.has(port.portid)) await step(`port ${port.portid} removed`, () => target.removePort(port.portid));
  }
  for (const sub of running.subsystems) {
    if (!wantedSubs.has(sub.nqn)) await step(`subsystem ${sub.nqn} removed`, () => target.removeSubsystem(sub.nqn));
  }
  for (const host of running.hosts) {
    if (!wantedHosts.has(host.nqn)) await step(`host ${host.nqn} removed`, () => target.removeHost(host.nqn));
  }
  return { changes };
}

type Step = (what: string, apply: () => void | Promise<void>) => Promise<void>;

async function reconcileNamespaces(target: NvmeTarget, before: SubsystemEntry, sub: SubsystemEntry, step: Step): Promise<void> {
  const nqn = sub.nqn;
  for (const ns of sub.namespaces) {
    const was = before.namespaces.find((candidate) => candidate.nsid === ns.nsid);
    if (was === undefined) {
      await step(`namespace ${nqn}/${ns.nsid} added (${describeNamespace(ns)})`, () => target.addNamespace(nqn, namespaceConfig(ns)));
      continue;
    }
    if (!sameIdentity(was, ns)) {
      await step(`namespace ${nqn}/${ns.nsid} replaced (${describeNamespace(ns)})`, async () => {
        await target.removeNamespace(nqn, ns.nsid);
        await target.addNamespace(nqn, namespaceConfig(ns));
      });
      continue;
    }
    if (was.enabled !== ns.enabled) {
      await step(`namespace ${nqn}/${ns.nsid} ${ns.enabled ? 'enabled' : 'disabled'}`, () =>
        ns.enabled ? target.enableNamespace(nqn, ns.nsid) : target.disableNamespace(nqn, ns.nsid),
      );
    }
    if (!sameExtra(was.extra, ns.extra)) target.model.namespace(nqn, ns.nsid).extra = { ...ns.extra };
  }
  for (const ns of before.namespaces) {
    if (!sub.namespaces.some((candidate) => candidate.nsid === ns.nsid)) {
      await step(`namespace ${nqn}/${ns.nsid} removed`, () => target.removeNamespace(nqn, ns.nsid));
    }
  }
}

/** Attributes nvmetcli carries along but this target does not use: copied, nothing to notify. */
function carryExtras(target: NvmeTarget, wanted: TargetEntries): void {
  for (const host of wanted.hosts) {
    const live = target.model.hosts.get(host.nqn);
    if (live !== undefined && !sameExtra(live.extra, host.extra)) live.extra = { ...host.extra };
  }
  for (const sub of wanted.subsystems) {
    const live = target.model.subsystems.get(sub.nqn);
    if (live !== undefined && !sameExtra(live.extra, sub.extra)) live.extra = { ...sub.extra };
  }
}

function liveSubsystem(target: NvmeTarget, nqn: string): { ieeeOui: string } {
  const sub = target.model.subsystems.get(nqn);
  if (sub === undefined) throw new Error(`no subsystem '${nqn}'`);
  return sub;
}

function changedAttributes(before: SubsystemEntry, next: SubsystemEntry): SubsystemAttributes {
  const changed: { -readonly [K in keyof SubsystemAttributes]: SubsystemAttributes[K] } = {};
  if (before.allowAnyHost !== next.allowAnyHost) changed.allowAnyHost = next.allowAnyHost;
  // No serial in the new file: keep the running one (it was generated, or given before).
  if (next.serial !== undefined && before.serial !== next.serial) changed.serial = next.serial;
  if (before.model !== next.model) changed.model = next.model;
  if (before.version !== next.version) changed.version = next.version;
  if (before.firmware !== next.firmware) changed.firmware = next.firmware;
  if (before.cntlidMin !== next.cntlidMin) changed.cntlidMin = next.cntlidMin;
  if (before.cntlidMax !== next.cntlidMax) changed.cntlidMax = next.cntlidMax;
  if (before.qidMax !== next.qidMax) changed.qidMax = next.qidMax;
  return changed;
}

/** What a namespace is: a change here means a new namespace under the same NSID. A missing UUID keeps the running one. */
function sameIdentity(was: NamespaceEntry, next: NamespaceEntry): boolean {
  return (
    was.device === next.device &&
    (next.uuid === undefined || was.uuid === next.uuid) &&
    was.nguid === next.nguid &&
    was.blockSize === next.blockSize
  );
}

/** True when `a` and `b` agree on every field in `keys`. */
function sameFields<T>(a: T, b: T, keys: readonly (keyof T)[]): boolean {
  return keys.every((key) => a[key] === b[key]);
}

/** What a port listens on and offers: a change here means the port is removed and added again. */
const PORT_ADDRESS: readonly (keyof PortEntry)[] = ['trtype', 'adrfam', 'traddr', 'trsvcid', 'treq', 'tsas', 'inlineDataSize'];
const REFERRAL_FIELDS: readonly (keyof ReferralEntry)[] = ['portid', 'trtype', 'adrfam', 'traddr', 'trsvcid', 'treq', 'tsas', 'enabled'];

function sameAddress(was: PortEntry, next: PortEntry): boolean {
  return sameFields(was, next, PORT_ADDRESS);
}

function sameReferral(was: ReferralEntry, next: ReferralEntry): boolean {
  return sameFields(was, next, REFERRAL_FIELDS) && sameExtra(was.extra, next.extra);
}

function sameExtra(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

function hasGroup(groups: readonly AnaGroupEntry[], grpid: number): boolean {
  return groups.some((group) => group.grpid === grpid);
}

function byKey<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T> {
  return new Map(items.map((item) => [key(item), item]));
}

function portAddress(port: { traddr: string; trsvcid: number }): string {
  return `${port.traddr.includes(':') ? `[${port.traddr}]` : port.traddr}:${port.trsvcid}`;
}

function describeNamespace(ns: NamespaceEntry): string {
  return `${ns.device === '' ? 'no device' : ns.device}${ns.enabled ? '' : ', disabled'}${ns.anaGroupId === 1 ? '' : `, ANA group ${ns.anaGroupId}`}`;
}

function namespaceConfig(ns: NamespaceEntry): NamespaceEntry {
  return { ...ns, extra: { ...ns.extra } };
}

function subsystemConfig(sub: SubsystemEntry): SubsystemEntry {
  return { ...sub, allowedHosts: [...sub.allowedHosts], namespaces: sub.namespaces.map(namespaceConfig), extra: { ...sub.extra } };
}
