// The live target model: what Linux keeps under /sys/kernel/config/nvmet while a target runs. Hosts,
// subsystems (with their namespaces and allowed hosts), ports (with their exported subsystems and
// referrals) and the built-in discovery subsystem. Every change goes through a mutator here, which
// checks it, increments the discovery generation counter and reports the change to listeners, so the
// engine (target.ts) can raise asynchronous events and drop controllers that lost access. Backends
// are opened by the engine; the model only holds them.
//
// Linux bumps nvmet_genctr only for discovery-visible changes (drivers/nvme/target/discovery.c
// nvmet_port_disc_changed / nvmet_subsys_disc_changed). Here EVERY change bumps it: the counter
// must strictly increase across the changes blktests nvme/030 makes, and extra increments are
// harmless to hosts, which only compare it for inequality.
import type { Random } from '../core/index.js';
import { DISCOVERY_NQN } from '../nvme/index.js';
import { uuidFromBytes } from '../nvme/index.js';
import type { BlockBackend } from '../storage/index.js';
import type {
  AnaStateName,
  HostEntry,
  NamespaceConfig,
  NamespaceEntry,
  PortEntry,
  ReferralConfig,
  ReferralEntry,
  SubsystemConfig,
  SubsystemEntry,
  TargetEntries,
} from './config.js';
import { ANA_GROUP_MAX, CNTLID_MAX, CNTLID_MIN, DEFAULT_ANA_GROUP, DEFAULT_FIRMWARE, DEFAULT_MODEL, DEFAULT_VERSION, normalizeTargetConfig } from './config.js';

/** Per-namespace I/O counters, reported in the SMART / Health log like nvmet's bdev part_stat. */
export interface NamespaceIoCounters {
  reads: number;
  writes: number;
  bytesRead: number;
  bytesWritten: number;
}

export interface LiveNamespace extends NamespaceEntry {
  uuid: string;
  /** Open while the namespace is enabled. */
  backend: BlockBackend | undefined;
  readonly io: NamespaceIoCounters;
}

export interface LiveSubsystem extends Omit<SubsystemEntry, 'namespaces' | 'serial'> {
  /** 'discovery' for the built-in discovery subsystem (Linux NVME_NQN_DISC). */
  readonly kind: 'nvm' | 'discovery';
  serial: string;
  /** By NSID, in insertion order; lists sort by NSID when they need to. */
  namespaces: Map<number, LiveNamespace>;
}

export type LivePort = PortEntry;

/** A change to the model, reported to listeners after it took effect. */
export type ModelChange =
  | { readonly kind: 'host-added' | 'host-removed'; readonly host: string }
  | { readonly kind: 'subsystem-added' | 'subsystem-removed' | 'subsystem-changed'; readonly subsystem: string }
  | { readonly kind: 'host-allowed' | 'host-disallowed'; readonly subsystem: string; readonly host: string }
  | {
      readonly kind: 'namespace-added' | 'namespace-removed' | 'namespace-enabled' | 'namespace-disabled';
      readonly subsystem: string;
      readonly nsid: number;
    }
  | { readonly kind: 'port-added' | 'port-removed'; readonly portid: number }
  | { readonly kind: 'port-linked' | 'port-unlinked'; readonly portid: number; readonly subsystem: string }
  | { readonly kind: 'referral-added' | 'referral-removed'; readonly portid: number; readonly name: string }
  /** A port's ANA group was created, removed or changed state: its controllers get an ANA notice. */
  | { readonly kind: 'ana-port-changed'; readonly portid: number; readonly grpid: number }
  /** A namespace moved to another ANA group: every controller of its subsystem gets an ANA notice. */
  | { readonly kind: 'ana-namespace-changed'; readonly subsystem: string; readonly nsid: number };

export type ModelListener = (change: ModelChange) => void;

/** Subsystem attributes that may change on a live subsystem (configfs attr_* files). */
export interface SubsystemAttributes {
  readonly allowAnyHost?: boolean;
  readonly serial?: string;
  readonly model?: string;
  readonly version?: string;
  readonly firmware?: string;
  readonly cntlidMin?: number;
  readonly cntlidMax?: number;
  readonly qidMax?: number;
}

export class TargetModel {
  readonly hosts = new Map<string, HostEntry>();
  readonly subsystems = new Map<string, LiveSubsystem>();
  readonly ports = new Map<number, LivePort>();
  /** The discovery subsystem every port serves (Linux nvmet_disc_subsys). */
  readonly discovery: LiveSubsystem;
  readonly #random: Random;
  readonly #listeners: ModelListener[] = [];
  #genctr = 0;
  #anaChangeCount = 0;

  constructor(entries: TargetEntries, random: Random) {
    this.#random = random;
    this.discovery = {
      kind: 'discovery',
      nqn: DISCOVERY_NQN,
      allowAnyHost: true,
      allowedHosts: [],
      serial: this.#randomSerial(),
      model: DEFAULT_MODEL,
      version: DEFAULT_VERSION,
      firmware: DEFAULT_FIRMWARE,
      ieeeOui: '0x000000',
      cntlidMin: CNTLID_MIN,
      cntlidMax: CNTLID_MAX,
      // Discovery controllers have no I/O queues (nvmet_subsys_alloc: max_qid = 0 for NVME_NQN_DISC).
      qidMax: 0,
      namespaces: new Map(),
      extra: {},
    };
    for (const host of entries.hosts) this.hosts.set(host.nqn, { nqn: host.nqn, extra: { ...host.extra } });
    for (const sub of entries.subsystems) this.subsystems.set(sub.nqn, this.#liveSubsystem(sub));
    for (const port of entries.ports) this.ports.set(port.portid, clonePort(port));
  }

  /** Discovery log generation counter. */
  get genctr(): number {
    return this.#genctr;
  }

  /**
   * The ANA change count (Linux nvmet_ana_chgcnt): one counter for the whole target, raised by
   * every ANA state write and every namespace moved between groups; hosts compare it to see change.
   */
  get anaChangeCount(): number {
    return this.#anaChangeCount;
  }

  /**
   * The state of ANA group `grpid` as seen through `port`. A group the port has no directory for is
   * inaccessible there: nvmet_ports_make starts every group but the default one inaccessible.
   */
  anaState(port: LivePort, grpid: number): AnaStateName {
    return port.anaGroups.find((group) => group.grpid === grpid)?.state ?? 'inaccessible';
  }

  /**
   * The groups an ANA log reports, ascending: the default group, every group some port created,
   * and every group a namespace names (nvmet_ana_group_enabled counts all three).
   */
  enabledAnaGroups(): number[] {
    const groups = new Set<number>([DEFAULT_ANA_GROUP]);
    for (const port of this.ports.values()) for (const group of port.anaGroups) groups.add(group.grpid);
    for (const sub of this.subsystems.values()) for (const ns of sub.namespaces.values()) groups.add(ns.anaGroupId);
    return [...groups].sort((a, b) => a - b);
  }

  /** Creates ports/<portid>/ana_groups/<grpid> (2..128; group 1 always exists) with a state. */
  addAnaGroup(portid: number, grpid: number, state: AnaStateName): void {
    const port = this.port(portid);
    // nvmet_ana_groups_make_group: "grpid <= 1 || grpid > NVMET_MAX_ANAGRPS" is -EINVAL.
    if (!Number.isInteger(grpid) || grpid <= DEFAULT_ANA_GROUP || grpid > ANA_GROUP_MAX) {
      throw new Error(`ANA group ${grpid} cannot be created (2..${ANA_GROUP_MAX}; group 1 always exists)`);
    }
    if (port.anaGroups.some((group) => group.grpid === grpid)) throw new Error(`port ${portid} already has ANA group ${grpid}`);
    port.anaGroups.push({ grpid, state });
    port.anaGroups.sort((a, b) => a.grpid - b.grpid);
    this.#anaChangeCount++;
    this.#changed({ kind: 'ana-port-changed', portid, grpid });
  }

  /** Removes an ANA group from a port; the port then sees it inaccessible (nvmet_ana_group_release). */
  removeAnaGroup(portid: number, grpid: number): void {
    const port = this.port(portid);
    if (grpid === DEFAULT_ANA_GROUP) throw new Error('ANA group 1 is the port\'s default group and cannot be removed');
    const index = port.anaGroups.findIndex((group) => group.grpid === grpid);
    if (index < 0) throw new Error(`port ${portid} has no ANA group ${grpid}`);
    port.anaGroups.splice(index, 1);
    this.#anaChangeCount++;
    this.#changed({ kind: 'ana-port-changed', portid, grpid });
  }

  /** Writes ports/<portid>/ana_groups/<grpid>/ana_state (nvmet_ana_group_ana_state_store). */
  setAnaState(portid: number, grpid: number, state: AnaStateName): void {
    const port = this.port(portid);
    const group = port.anaGroups.find((candidate) => candidate.grpid === grpid);
    if (group === undefined) throw new Error(`port ${portid} has no ANA group ${grpid}`);
    group.state = state;
    this.#anaChangeCount++;
    this.#changed({ kind: 'ana-port-changed', portid, grpid });
  }

  /** Writes a namespace's ana_grpid (nvmet_ns_ana_grpid_store): 1..128. */
  setNamespaceAnaGroup(subsystem: string, nsid: number, grpid: number): void {
    const ns = this.namespace(subsystem, nsid);
    if (!Number.isInteger(grpid) || grpid < 1 || grpid > ANA_GROUP_MAX) throw new Error(`ANA group ${grpid} is outside 1..${ANA_GROUP_MAX}`);
    if (ns.anaGroupId === grpid) return;
    ns.anaGroupId = grpid;
    this.#anaChangeCount++;
    this.#changed({ kind: 'ana-namespace-changed', subsystem, nsid });
  }

  onChange(listener: ModelListener): void {
    this.#listeners.push(listener);
  }

  /** A snapshot of the configuration (for nvmetcli save), with generated serials and UUIDs filled in. */
  toEntries(): TargetEntries {
    return {
      hosts: [...this.hosts.values()].map((host) => ({ nqn: host.nqn, extra: { ...host.extra } })),
      subsystems: [...this.subsystems.values()].map((sub) => ({
        nqn: sub.nqn,
        allowAnyHost: sub.allowAnyHost,
        allowedHosts: [...sub.allowedHosts],
        serial: sub.serial,
        model: sub.model,
        version: sub.version,
        firmware: sub.firmware,
        ieeeOui: sub.ieeeOui,
        cntlidMin: sub.cntlidMin,
        cntlidMax: sub.cntlidMax,
        qidMax: sub.qidMax,
        namespaces: [...sub.namespaces.values()]
          .sort((a, b) => a.nsid - b.nsid)
          .map((ns) => ({
            nsid: ns.nsid,
            device: ns.device,
            enabled: ns.enabled,
            uuid: ns.uuid,
            nguid: ns.nguid,
            anaGroupId: ns.anaGroupId,
            blockSize: ns.blockSize,
            extra: { ...ns.extra },
          })),
        extra: { ...sub.extra },
      })),
      ports: [...this.ports.values()].map(clonePort),
    };
  }

  /** Looks up a subsystem by NQN, including the discovery subsystem. */
  findSubsystem(nqn: string): LiveSubsystem | undefined {
    return nqn === DISCOVERY_NQN ? this.discovery : this.subsystems.get(nqn);
  }

  /**
   * Whether `host` may connect to `sub` (Linux core.c nvmet_host_allowed): any host when
   * allow_any_host is set, and any host to the discovery subsystem.
   */
  hostAllowed(sub: LiveSubsystem, host: string): boolean {
    return sub.kind === 'discovery' || sub.allowAnyHost || sub.allowedHosts.includes(host);
  }

  // ---- Mutators. Each throws (Error with a one-line message) when the change is impossible. ----

  addHost(nqn: string): void {
    if (this.hosts.has(nqn)) throw new Error(`host '${nqn}' already exists`);
    const entries = normalizeTargetConfig({ hosts: [nqn] }, { source: 'addHost' });
    this.hosts.set(nqn, entries.hosts[0] ?? { nqn, extra: {} });
    this.#changed({ kind: 'host-added', host: nqn });
  }

  removeHost(nqn: string): void {
    if (!this.hosts.has(nqn)) throw new Error(`no host '${nqn}'`);
    // configfs refuses to remove a host that allowed_hosts links still point to (the links pin it).
    for (const sub of this.subsystems.values()) {
      if (sub.allowedHosts.includes(nqn)) throw new Error(`host '${nqn}' is still allowed on subsystem '${sub.nqn}'`);
    }
    this.hosts.delete(nqn);
    this.#changed({ kind: 'host-removed', host: nqn });
  }

  addSubsystem(config: SubsystemConfig): LiveSubsystem {
    if (this.findSubsystem(config.nqn) !== undefined) throw new Error(`subsystem '${config.nqn}' already exists`);
    const hosts = [...this.hosts.keys()];
    const entries = normalizeTargetConfig({ hosts, subsystems: [config] }, { source: 'addSubsystem' });
    const entry = entries.subsystems[0];
    if (entry === undefined) throw new Error('addSubsystem: no subsystem');
    const sub = this.#liveSubsystem(entry);
    this.subsystems.set(sub.nqn, sub);
    this.#changed({ kind: 'subsystem-added', subsystem: sub.nqn });
    return sub;
  }

  removeSubsystem(nqn: string): LiveSubsystem {
    const sub = this.#subsystem(nqn);
    for (const port of this.ports.values()) {
      if (port.subsystems.includes(nqn)) this.unlinkSubsystem(port.portid, nqn);
    }
    this.subsystems.delete(nqn);
    this.#changed({ kind: 'subsystem-removed', subsystem: nqn });
    return sub;
  }

  setSubsystemAttributes(nqn: string, attributes: SubsystemAttributes): void {
    const sub = this.#subsystem(nqn);
    const merged: SubsystemConfig = {
      nqn,
      allowAnyHost: attributes.allowAnyHost ?? sub.allowAnyHost,
      allowedHosts: sub.allowedHosts,
      serial: attributes.serial ?? sub.serial,
      model: attributes.model ?? sub.model,
      version: attributes.version ?? sub.version,
      firmware: attributes.firmware ?? sub.firmware,
      ieeeOui: sub.ieeeOui,
      cntlidMin: attributes.cntlidMin ?? sub.cntlidMin,
      cntlidMax: attributes.cntlidMax ?? sub.cntlidMax,
      qidMax: attributes.qidMax ?? sub.qidMax,
    };
    const entry = normalizeTargetConfig({ hosts: [...this.hosts.keys()], subsystems: [merged] }, { source: nqn })
      .subsystems[0];
    if (entry === undefined) return;
    sub.allowAnyHost = entry.allowAnyHost;
    sub.serial = entry.serial ?? sub.serial;
    sub.model = entry.model;
    sub.version = entry.version;
    sub.firmware = entry.firmware;
    sub.cntlidMin = entry.cntlidMin;
    sub.cntlidMax = entry.cntlidMax;
    sub.qidMax = entry.qidMax;
    this.#changed({ kind: 'subsystem-changed', subsystem: nqn });
  }

  allowHost(subsystem: string, host: string): void {
    const sub = this.#subsystem(subsystem);
    if (!this.hosts.has(host)) throw new Error(`no host '${host}' (add it first)`);
    if (sub.allowedHosts.includes(host)) throw new Error(`host '${host}' is already allowed on '${subsystem}'`);
    sub.allowedHosts.push(host);
    this.#changed({ kind: 'host-allowed', subsystem, host });
  }

  disallowHost(subsystem: string, host: string): void {
    const sub = this.#subsystem(subsystem);
    const index = sub.allowedHosts.indexOf(host);
    if (index < 0) throw new Error(`host '${host}' is not allowed on '${subsystem}'`);
    sub.allowedHosts.splice(index, 1);
    this.#changed({ kind: 'host-disallowed', subsystem, host });
  }

  /** Adds a namespace in the disabled state; the engine enables it once its backend is open. */
  addNamespace(subsystem: string, config: NamespaceConfig): LiveNamespace {
    const sub = this.#subsystem(subsystem);
    if (sub.namespaces.has(config.nsid)) throw new Error(`nsid ${config.nsid} already exists in '${subsystem}'`);
    const entry = normalizeTargetConfig(
      { subsystems: [{ nqn: subsystem, namespaces: [config] }] },
      { source: `${subsystem} namespace` },
    ).subsystems[0]?.namespaces[0];
    if (entry === undefined) throw new Error('addNamespace: no namespace');
    const ns = this.#liveNamespace({ ...entry, enabled: false });
    sub.namespaces.set(ns.nsid, ns);
    this.#changed({ kind: 'namespace-added', subsystem, nsid: ns.nsid });
    return ns;
  }

  removeNamespace(subsystem: string, nsid: number): LiveNamespace {
    const ns = this.namespace(subsystem, nsid);
    if (ns.enabled) this.setNamespaceEnabled(subsystem, nsid, false, undefined);
    this.#subsystem(subsystem).namespaces.delete(nsid);
    this.#changed({ kind: 'namespace-removed', subsystem, nsid });
    return ns;
  }

  /** Flips `enable`; enabling needs the opened backend. Returns the backend that was detached, if any. */
  setNamespaceEnabled(subsystem: string, nsid: number, enabled: boolean, backend: BlockBackend | undefined): BlockBackend | undefined {
    const ns = this.namespace(subsystem, nsid);
    if (ns.enabled === enabled) return undefined;
    const detached = ns.backend;
    ns.enabled = enabled;
    ns.backend = enabled ? backend : undefined;
    this.#changed({ kind: enabled ? 'namespace-enabled' : 'namespace-disabled', subsystem, nsid });
    return enabled ? undefined : detached;
  }

  namespace(subsystem: string, nsid: number): LiveNamespace {
    const ns = this.#subsystem(subsystem).namespaces.get(nsid);
    if (ns === undefined) throw new Error(`no nsid ${nsid} in '${subsystem}'`);
    return ns;
  }

  addPort(port: PortEntry): void {
    if (this.ports.has(port.portid)) throw new Error(`port ${port.portid} already exists`);
    for (const nqn of port.subsystems) this.#subsystem(nqn);
    this.ports.set(port.portid, clonePort(port));
    this.#changed({ kind: 'port-added', portid: port.portid });
  }

  removePort(portid: number): LivePort {
    const port = this.port(portid);
    this.ports.delete(portid);
    this.#changed({ kind: 'port-removed', portid });
    return port;
  }

  port(portid: number): LivePort {
    const port = this.ports.get(portid);
    if (port === undefined) throw new Error(`no port ${portid}`);
    return port;
  }

  linkSubsystem(portid: number, subsystem: string): void {
    const port = this.port(portid);
    this.#subsystem(subsystem);
    if (port.subsystems.includes(subsystem)) throw new Error(`subsystem '${subsystem}' is already on port ${portid}`);
    port.subsystems.push(subsystem);
    this.#changed({ kind: 'port-linked', portid, subsystem });
  }

  unlinkSubsystem(portid: number, subsystem: string): void {
    const port = this.port(portid);
    const index = port.subsystems.indexOf(subsystem);
    if (index < 0) throw new Error(`subsystem '${subsystem}' is not on port ${portid}`);
    port.subsystems.splice(index, 1);
    this.#changed({ kind: 'port-unlinked', portid, subsystem });
  }

  addReferral(portid: number, referral: ReferralConfig): void {
    const port = this.port(portid);
    if (port.referrals.some((ref) => ref.name === referral.name)) throw new Error(`referral '${referral.name}' exists`);
    const entry = normalizeTargetConfig(
      { ports: [{ portid, traddr: port.traddr, referrals: [referral] }] },
      { source: `port ${portid} referral` },
    ).ports[0]?.referrals[0];
    if (entry === undefined) throw new Error('addReferral: no referral');
    port.referrals.push(entry);
    this.#changed({ kind: 'referral-added', portid, name: entry.name });
  }

  removeReferral(portid: number, name: string): void {
    const port = this.port(portid);
    const index = port.referrals.findIndex((ref) => ref.name === name);
    if (index < 0) throw new Error(`no referral '${name}' on port ${portid}`);
    port.referrals.splice(index, 1);
    this.#changed({ kind: 'referral-removed', portid, name });
  }

  #subsystem(nqn: string): LiveSubsystem {
    const sub = this.subsystems.get(nqn);
    if (sub === undefined) throw new Error(`no subsystem '${nqn}'`);
    return sub;
  }

  #changed(change: ModelChange): void {
    this.#genctr++;
    for (const listener of this.#listeners) listener(change);
  }

  #liveSubsystem(entry: SubsystemEntry): LiveSubsystem {
    const namespaces = new Map<number, LiveNamespace>();
    for (const ns of entry.namespaces) namespaces.set(ns.nsid, this.#liveNamespace(ns));
    return {
      ...entry,
      kind: 'nvm',
      allowedHosts: [...entry.allowedHosts],
      serial: entry.serial ?? this.#randomSerial(),
      namespaces,
      extra: { ...entry.extra },
    };
  }

  #liveNamespace(entry: NamespaceEntry): LiveNamespace {
    return {
      ...entry,
      uuid: entry.uuid ?? this.#randomUuid(),
      backend: undefined,
      io: { reads: 0, writes: 0, bytesRead: 0, bytesWritten: 0 },
      extra: { ...entry.extra },
    };
  }

  /** 20 hex digits from 10 random bytes, like Linux nvmet_subsys_alloc (get_random_bytes + bin2hex). */
  #randomSerial(): string {
    let serial = '';
    for (let index = 0; index < 10; index++) serial += this.#random.int(256).toString(16).padStart(2, '0');
    return serial;
  }

  /** A random (version 4) UUID, like Linux uuid_gen in nvmet_ns_alloc. */
  #randomUuid(): string {
    const bytes = new Uint8Array(16);
    for (let index = 0; index < 16; index++) bytes[index] = this.#random.int(256);
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
    return uuidFromBytes(bytes);
  }
}

function cloneReferral(ref: ReferralEntry): ReferralEntry {
  return { ...ref, extra: { ...ref.extra } };
}

function clonePort(port: PortEntry): PortEntry {
  return {
    ...port,
    subsystems: [...port.subsystems],
    referrals: port.referrals.map(cloneReferral),
    anaGroups: port.anaGroups.map((group) => ({ ...group })),
    extra: { ...port.extra },
  };
}
