// What a target serves, as plain data, mirroring the Linux nvmet configfs tree
// (/sys/kernel/config/nvmet: hosts/, subsystems/<nqn>/{attr_*, allowed_hosts/, namespaces/<nsid>/},
// ports/<portid>/{addr_*, param_*, subsystems/, referrals/, ana_groups/}). TargetConfig is what code
// and scenarios write, with defaults for everything but names; normalizeTargetConfig checks it and
// returns the complete entries the live model (model.ts) starts from. nvmetcli.ts maps the
// /etc/nvmet/config.json format onto the same types and reuses these checks with its own field names.
import { backendSpecFromDevicePath } from '../storage/index.js';
import { UnitError } from '../core/index.js';
import { DISCOVERY_NQN } from '../nvme/index.js';
import { bytesFromHex, NQN_MAX_LENGTH, uuidToBytes } from '../nvme/index.js';
import { ConfigError } from './config-error.js';

/** Secure channel requirement of a port (configfs addr_treq). */
export type TreqName = 'not specified' | 'required' | 'not required';
/** ANA state of a group on a port (configfs ana_groups/<grpid>/ana_state). */
export type AnaStateName = 'optimized' | 'non-optimized' | 'inaccessible' | 'persistent-loss' | 'change';

/** Attributes nvmetcli knows that this target only carries along, keyed "group.name" (e.g. "device.buffered_io"). */
export type ExtraAttributes = Readonly<Record<string, string>>;

export interface HostConfig {
  readonly nqn: string;
  readonly extra?: ExtraAttributes;
}

export interface NamespaceConfig {
  /** Namespace ID, 1..0xFFFFFFFE. */
  readonly nsid: number;
  /**
   * Backend spec or nvmetcli device path: 'null:1GiB', 'ram:64MiB', 'file:/img', 'ssd:1GiB,...',
   * '/dev/nullb0' (a 250 GiB null device) or a file or block device path. May be empty only when
   * the namespace is disabled (configfs lets a namespace exist before its device_path is set).
   */
  readonly device?: string;
  /** configfs `enable`; default true. */
  readonly enabled?: boolean;
  /** Namespace UUID (device_uuid); default: generated from the target's seeded random stream, like Linux uuid_gen. */
  readonly uuid?: string | undefined;
  /** Namespace globally unique identifier (device_nguid), 16 bytes as hex; default zero (not reported). */
  readonly nguid?: string;
  /** ANA group, 1..128; default 1. */
  readonly anaGroupId?: number;
  /** LBA size, 512 (default) or 4096. Linux takes it from the device; here the backend is created with it. */
  readonly blockSize?: number;
  readonly extra?: ExtraAttributes;
}

export interface SubsystemConfig {
  readonly nqn: string;
  /** attr_allow_any_host. Default: true when allowedHosts is empty, else false. */
  readonly allowAnyHost?: boolean;
  /** Host NQNs linked under allowed_hosts/; each must also be a host (hosts/). */
  readonly allowedHosts?: readonly string[];
  /** attr_serial, up to 20 printable ASCII characters; default: 20 random hex digits like Linux. */
  readonly serial?: string | undefined;
  /** attr_model, up to 40 characters; default 'nvmf-sim'. */
  readonly model?: string;
  /** attr_version as "major.minor[.tertiary]"; default '1.3'. */
  readonly version?: string;
  /** attr_firmware, up to 8 characters; default '0.1.0'. */
  readonly firmware?: string;
  /** attr_ieee_oui as "0x" and 6 hex digits; default '0x000000'. */
  readonly ieeeOui?: string;
  /** attr_cntlid_min / attr_cntlid_max, 1..0xFFEF; defaults 1 and 0xFFEF (NVME_CNTLID_MIN/MAX). */
  readonly cntlidMin?: number;
  readonly cntlidMax?: number;
  /** attr_qid_max, the highest I/O queue ID, 1..128; default 128 (NVMET_NR_QUEUES). */
  readonly qidMax?: number;
  readonly namespaces?: readonly NamespaceConfig[];
  readonly extra?: ExtraAttributes;
}

export interface ReferralConfig {
  readonly name: string;
  /** The referred-to port's ID as reported in the discovery log. */
  readonly portid?: number;
  readonly trtype?: 'tcp';
  readonly adrfam?: 'ipv4' | 'ipv6';
  readonly traddr: string;
  readonly trsvcid?: number | string;
  readonly treq?: TreqName;
  readonly tsas?: 'none';
  readonly enabled?: boolean;
  readonly extra?: ExtraAttributes;
}

export interface AnaGroupConfig {
  readonly grpid: number;
  readonly state?: AnaStateName;
}

export interface PortConfig {
  /** Port ID reported in discovery log entries, 0..65535. */
  readonly portid: number;
  /** Only 'tcp' is served. */
  readonly trtype?: 'tcp';
  readonly adrfam?: 'ipv4' | 'ipv6';
  /** Listen address (an IP literal). */
  readonly traddr: string;
  /** Listen port; default 4420. 0 asks for an ephemeral port (tests); NvmeTarget.boundPorts reports it. */
  readonly trsvcid?: number | string;
  readonly treq?: TreqName;
  /** Transport security; only 'none' (TLS is not implemented). */
  readonly tsas?: 'none';
  /** param_inline_data_size in bytes; default 16 KiB (Linux NVMET_TCP_DEF_INLINE_DATA_SIZE, 4 pages). */
  readonly inlineDataSize?: number;
  /** NQNs of the subsystems exported on this port (ports/<id>/subsystems/ links). */
  readonly subsystems?: readonly string[];
  readonly referrals?: readonly ReferralConfig[];
  readonly anaGroups?: readonly AnaGroupConfig[];
  readonly extra?: ExtraAttributes;
}

export interface TargetConfig {
  /** Hosts (hosts/). Default: every host named in some subsystem's allowedHosts. */
  readonly hosts?: readonly (string | HostConfig)[];
  readonly subsystems?: readonly SubsystemConfig[];
  readonly ports?: readonly PortConfig[];
}

// ---- Normalized entries: every field present. The live model keeps mutable copies. ----

export interface HostEntry {
  nqn: string;
  extra: Record<string, string>;
}

export interface NamespaceEntry {
  nsid: number;
  device: string;
  enabled: boolean;
  /** Undefined until the model generates one. */
  uuid: string | undefined;
  nguid: string;
  anaGroupId: number;
  blockSize: number;
  extra: Record<string, string>;
}

export interface SubsystemEntry {
  nqn: string;
  allowAnyHost: boolean;
  allowedHosts: string[];
  /** Undefined until the model generates one. */
  serial: string | undefined;
  model: string;
  version: string;
  firmware: string;
  ieeeOui: string;
  cntlidMin: number;
  cntlidMax: number;
  qidMax: number;
  namespaces: NamespaceEntry[];
  extra: Record<string, string>;
}

export interface ReferralEntry {
  name: string;
  portid: number;
  trtype: 'tcp';
  adrfam: 'ipv4' | 'ipv6';
  traddr: string;
  trsvcid: number;
  treq: TreqName;
  tsas: 'none';
  enabled: boolean;
  extra: Record<string, string>;
}

export interface AnaGroupEntry {
  grpid: number;
  state: AnaStateName;
}

export interface PortEntry {
  portid: number;
  trtype: 'tcp';
  adrfam: 'ipv4' | 'ipv6';
  traddr: string;
  trsvcid: number;
  treq: TreqName;
  tsas: 'none';
  inlineDataSize: number;
  subsystems: string[];
  referrals: ReferralEntry[];
  anaGroups: AnaGroupEntry[];
  extra: Record<string, string>;
}

export interface TargetEntries {
  hosts: HostEntry[];
  subsystems: SubsystemEntry[];
  ports: PortEntry[];
}

// ---- Defaults and limits (Linux drivers/nvme/target/nvmet.h unless noted). ----

export const DEFAULT_MODEL = 'nvmf-sim';
export const DEFAULT_VERSION = '1.3';
export const DEFAULT_FIRMWARE = '0.1.0';
export const DEFAULT_IEEE_OUI = '0x000000';
/** NVME_CNTLID_MIN / NVME_CNTLID_MAX (include/linux/nvme.h): 0xFFF0.. are reserved. */
export const CNTLID_MIN = 1;
export const CNTLID_MAX = 0xffef;
/** NVMET_NR_QUEUES: the most I/O queues a subsystem offers, and attr_qid_max's upper bound. */
export const QID_MAX_LIMIT = 128;
/** NVME_NSID_ALL is 0xFFFFFFFF; the highest valid NSID is one below. */
export const NSID_MAX = 0xfffffffe;
/** NVMET_MAX_ANAGRPS. */
export const ANA_GROUP_MAX = 128;
/** NVMET_DEFAULT_ANA_GRPID: the group every port has and every namespace starts in. */
export const DEFAULT_ANA_GROUP = 1;
/** NVMET_TCP_DEF_INLINE_DATA_SIZE = 4 * PAGE_SIZE. */
export const DEFAULT_INLINE_DATA_SIZE = 16384;
/** Our bound on param_inline_data_size, so one CapsuleCmd PDU never needs more than ~1 MiB. */
export const INLINE_DATA_SIZE_MAX = 1024 * 1024;
/** NVMe/TCP I/O port (nvme-cli and blktests default). */
export const DEFAULT_TRSVCID = 4420;
/** Serial Number and Model Number and Firmware Revision field widths (Identify Controller). */
export const SERIAL_MAX_LENGTH = 20;
export const MODEL_MAX_LENGTH = 40;
export const FIRMWARE_MAX_LENGTH = 8;

// ---- Field names: code and nvmetcli spell the same fields differently; errors use the reader's spelling. ----

export type FieldKey =
  | 'sub.allowAnyHost'
  | 'sub.allowedHosts'
  | 'sub.serial'
  | 'sub.model'
  | 'sub.version'
  | 'sub.firmware'
  | 'sub.ieeeOui'
  | 'sub.cntlidMin'
  | 'sub.cntlidMax'
  | 'sub.qidMax'
  | 'ns.device'
  | 'ns.enabled'
  | 'ns.uuid'
  | 'ns.nguid'
  | 'ns.anaGroupId'
  | 'ns.blockSize'
  | 'port.trtype'
  | 'port.adrfam'
  | 'port.traddr'
  | 'port.trsvcid'
  | 'port.treq'
  | 'port.tsas'
  | 'port.inlineDataSize'
  | 'ref.portid'
  | 'ref.enabled';

export type FieldNames = Readonly<Record<FieldKey, string>>;

/** The spelling of TargetConfig itself. */
export const CODE_FIELD_NAMES: FieldNames = {
  'sub.allowAnyHost': 'allowAnyHost',
  'sub.allowedHosts': 'allowedHosts',
  'sub.serial': 'serial',
  'sub.model': 'model',
  'sub.version': 'version',
  'sub.firmware': 'firmware',
  'sub.ieeeOui': 'ieeeOui',
  'sub.cntlidMin': 'cntlidMin',
  'sub.cntlidMax': 'cntlidMax',
  'sub.qidMax': 'qidMax',
  'ns.device': 'device',
  'ns.enabled': 'enabled',
  'ns.uuid': 'uuid',
  'ns.nguid': 'nguid',
  'ns.anaGroupId': 'anaGroupId',
  'ns.blockSize': 'blockSize',
  'port.trtype': 'trtype',
  'port.adrfam': 'adrfam',
  'port.traddr': 'traddr',
  'port.trsvcid': 'trsvcid',
  'port.treq': 'treq',
  'port.tsas': 'tsas',
  'port.inlineDataSize': 'inlineDataSize',
  'ref.portid': 'portid',
  'ref.enabled': 'enabled',
};

export interface NormalizeOptions {
  /** Names the configuration in errors: a file name, or 'config' (default). */
  readonly source?: string;
  readonly names?: FieldNames;
}

/** Checks a configuration and fills in defaults. Throws ConfigError naming the first bad field. */
export function normalizeTargetConfig(config: TargetConfig, options: NormalizeOptions = {}): TargetEntries {
  const check = new Checker(options.source ?? 'config', options.names ?? CODE_FIELD_NAMES);
  const subsystems = (config.subsystems ?? []).map((sub, index) => check.subsystem(sub, `subsystems[${index}]`));
  const hosts = check.hosts(config.hosts, subsystems);
  const ports = (config.ports ?? []).map((port, index) => check.port(port, `ports[${index}]`));
  check.unique(subsystems.map((sub) => sub.nqn), (index) => `subsystems[${index}].nqn`, 'subsystem');
  check.unique(ports.map((port) => port.portid), (index) => `ports[${index}].portid`, 'port');
  const known = new Set(subsystems.map((sub) => sub.nqn));
  ports.forEach((port, index) => {
    port.subsystems.forEach((nqn, at) => {
      if (!known.has(nqn)) check.fail(`ports[${index}].subsystems[${at}]`, `no subsystem named '${nqn}'`);
    });
    check.unique(port.subsystems, (at) => `ports[${index}].subsystems[${at}]`, 'subsystem link');
  });
  const hostNames = new Set(hosts.map((host) => host.nqn));
  subsystems.forEach((sub, index) => {
    sub.allowedHosts.forEach((nqn, at) => {
      const field = `subsystems[${index}].${check.names['sub.allowedHosts']}[${at}]`;
      if (!hostNames.has(nqn)) check.fail(field, `host '${nqn}' is not in hosts`);
    });
  });
  return { hosts, subsystems, ports };
}

/** Parses "1.3" / "2.0" / "1.2.1" into the VS register value (major << 16 | minor << 8 | tertiary). */
export function versionToVs(version: string): number {
  const match = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?$/.exec(version);
  if (match === null) throw new RangeError(`version '${version}' is not major.minor[.tertiary]`);
  const [major, minor, tertiary] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  if (major > 0xffff || minor > 0xff || tertiary > 0xff) throw new RangeError(`version '${version}' is out of range`);
  return (major << 16) | (minor << 8) | tertiary;
}

/** Port numbers for trsvcid given as a number or a decimal string; NaN when malformed. */
export function parseTrsvcid(value: number | string): number {
  const number = typeof value === 'number' ? value : /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(number) && number >= 0 && number <= 0xffff ? number : Number.NaN;
}

const ADRFAMS: readonly string[] = ['ipv4', 'ipv6'];
const TREQS: readonly string[] = ['not specified', 'required', 'not required'];
const ANA_STATES: readonly string[] = ['optimized', 'non-optimized', 'inaccessible', 'persistent-loss', 'change'];

/** The per-field checks, bound to a source name and a field spelling. */
class Checker {
  readonly source: string;
  readonly names: FieldNames;

  constructor(source: string, names: FieldNames) {
    this.source = source;
    this.names = names;
  }

  fail(field: string, problem: string): never {
    throw new ConfigError(this.source, field, problem);
  }

  at(base: string, key: FieldKey): string {
    return `${base}.${this.names[key]}`;
  }

  unique<T>(values: readonly T[], field: (index: number) => string, what: string): void {
    const seen = new Set<T>();
    values.forEach((value, index) => {
      if (seen.has(value)) this.fail(field(index), `duplicate ${what} ${JSON.stringify(value)}`);
      seen.add(value);
    });
  }

  nqn(value: unknown, field: string): string {
    if (typeof value !== 'string' || value === '') this.fail(field, 'must be a non-empty string');
    // NVMe Base 2.0 section 4.5: an NQN is at most 223 bytes of UTF-8 (NVMF_NQN_SIZE).
    if (new TextEncoder().encode(value).byteLength > NQN_MAX_LENGTH) this.fail(field, `longer than ${NQN_MAX_LENGTH} bytes`);
    if (value.includes('\0') || value.includes('/')) this.fail(field, 'must not contain NUL or /');
    return value;
  }

  integer(value: unknown, field: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `must be an integer ${min}..${max}`);
    }
    return value;
  }

  boolean(value: unknown, field: string, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(field, 'must be true or false');
    return value;
  }

  ascii(value: unknown, field: string, maxLength: number, fallback: string): string {
    if (value === undefined) return fallback;
    // Identify Controller SN/MN/FR are printable ASCII (Base 2.0 section 1.5), space padded.
    if (typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value) || value.length > maxLength) {
      this.fail(field, `must be at most ${maxLength} printable ASCII characters`);
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly string[], fallback: T): T {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !allowed.includes(value)) {
      this.fail(field, `must be one of ${allowed.map((name) => `'${name}'`).join(', ')}`);
    }
    return value as T;
  }

  extra(value: ExtraAttributes | undefined): Record<string, string> {
    return { ...(value ?? {}) };
  }

  hosts(hosts: TargetConfig['hosts'], subsystems: readonly SubsystemEntry[]): HostEntry[] {
    if (hosts === undefined) {
      const names = [...new Set(subsystems.flatMap((sub) => sub.allowedHosts))];
      return names.map((nqn) => ({ nqn, extra: {} }));
    }
    const entries = hosts.map((host, index) =>
      typeof host === 'string'
        ? { nqn: this.nqn(host, `hosts[${index}]`), extra: {} }
        : { nqn: this.nqn(host.nqn, `hosts[${index}].nqn`), extra: this.extra(host.extra) },
    );
    this.unique(entries.map((host) => host.nqn), (index) => `hosts[${index}]`, 'host');
    return entries;
  }

  subsystem(sub: SubsystemConfig, base: string): SubsystemEntry {
    const nqn = this.nqn(sub.nqn, `${base}.nqn`);
    // The discovery subsystem is built in (Linux nvmet_disc_subsys); configfs refuses to mkdir it.
    if (nqn === DISCOVERY_NQN) this.fail(`${base}.nqn`, 'is the discovery subsystem, which is built in');
    const allowedField = this.at(base, 'sub.allowedHosts');
    const allowedHosts = (sub.allowedHosts ?? []).map((host, index) => this.nqn(host, `${allowedField}[${index}]`));
    this.unique(allowedHosts, (index) => `${allowedField}[${index}]`, 'allowed host');
    const cntlidMin = this.integer(sub.cntlidMin ?? CNTLID_MIN, this.at(base, 'sub.cntlidMin'), CNTLID_MIN, CNTLID_MAX);
    const cntlidMax = this.integer(sub.cntlidMax ?? CNTLID_MAX, this.at(base, 'sub.cntlidMax'), CNTLID_MIN, CNTLID_MAX);
    // Linux configfs nvmet_subsys_attr_cntlid_min_store/max_store keep min <= max.
    if (cntlidMin > cntlidMax) this.fail(this.at(base, 'sub.cntlidMin'), `must not exceed cntlid max ${cntlidMax}`);
    const version = this.ascii(sub.version, this.at(base, 'sub.version'), 11, DEFAULT_VERSION);
    try {
      versionToVs(version);
    } catch {
      this.fail(this.at(base, 'sub.version'), `'${version}' is not major.minor[.tertiary] (e.g. 1.3)`);
    }
    const ieeeOui = this.ascii(sub.ieeeOui, this.at(base, 'sub.ieeeOui'), 8, DEFAULT_IEEE_OUI);
    if (!/^0x[0-9a-fA-F]{6}$/.test(ieeeOui)) this.fail(this.at(base, 'sub.ieeeOui'), "must be '0x' and 6 hex digits");
    const namespaces = (sub.namespaces ?? []).map((ns, index) => this.namespace(ns, `${base}.namespaces[${index}]`));
    this.unique(namespaces.map((ns) => ns.nsid), (index) => `${base}.namespaces[${index}].nsid`, 'nsid');
    return {
      nqn,
      allowAnyHost: this.boolean(sub.allowAnyHost, this.at(base, 'sub.allowAnyHost'), allowedHosts.length === 0),
      allowedHosts,
      serial: sub.serial === undefined ? undefined : this.ascii(sub.serial, this.at(base, 'sub.serial'), SERIAL_MAX_LENGTH, ''),
      model: this.ascii(sub.model, this.at(base, 'sub.model'), MODEL_MAX_LENGTH, DEFAULT_MODEL),
      version,
      firmware: this.ascii(sub.firmware, this.at(base, 'sub.firmware'), FIRMWARE_MAX_LENGTH, DEFAULT_FIRMWARE),
      ieeeOui,
      cntlidMin,
      cntlidMax,
      // Linux nvmet_subsys_attr_qid_max_store: 1..NVMET_NR_QUEUES.
      qidMax: this.integer(sub.qidMax ?? QID_MAX_LIMIT, this.at(base, 'sub.qidMax'), 1, QID_MAX_LIMIT),
      namespaces,
      extra: this.extra(sub.extra),
    };
  }

  namespace(ns: NamespaceConfig, base: string): NamespaceEntry {
    const nsid = this.integer(ns.nsid, `${base}.nsid`, 1, NSID_MAX);
    const enabled = this.boolean(ns.enabled, this.at(base, 'ns.enabled'), true);
    const blockSize = ns.blockSize ?? 512;
    if (blockSize !== 512 && blockSize !== 4096) this.fail(this.at(base, 'ns.blockSize'), 'must be 512 or 4096');
    const deviceField = this.at(base, 'ns.device');
    const device = ns.device ?? '';
    if (typeof device !== 'string') this.fail(deviceField, 'must be a string');
    if (device === '') {
      // Linux nvmet_ns_enable fails without a device_path; a disabled namespace may lack one.
      if (enabled) this.fail(deviceField, 'an enabled namespace needs a device');
    } else {
      this.device(device, deviceField, blockSize);
    }
    let uuid: string | undefined;
    if (ns.uuid !== undefined) {
      uuid = this.uuid(ns.uuid, this.at(base, 'ns.uuid'));
    }
    const nguid = ns.nguid === undefined ? ZERO_NGUID : this.nguid(ns.nguid, this.at(base, 'ns.nguid'));
    return {
      nsid,
      device,
      enabled,
      uuid,
      nguid,
      anaGroupId: this.integer(ns.anaGroupId ?? 1, this.at(base, 'ns.anaGroupId'), 1, ANA_GROUP_MAX),
      blockSize,
      extra: this.extra(ns.extra),
    };
  }

  device(device: string, field: string, blockSize: number): void {
    try {
      backendSpecFromDevicePath(device, field, { blockSize });
    } catch (error) {
      if (error instanceof UnitError) this.fail(field, error.message.slice(error.field.length + 2));
      throw error;
    }
  }

  uuid(value: unknown, field: string): string {
    if (typeof value !== 'string') this.fail(field, 'must be a UUID string');
    try {
      uuidToBytes(value);
    } catch {
      this.fail(field, `'${value}' is not a UUID (8-4-4-4-12 hex digits)`);
    }
    return value.toLowerCase();
  }

  nguid(value: unknown, field: string): string {
    if (typeof value !== 'string') this.fail(field, 'must be a string of 32 hex digits');
    try {
      bytesFromHex(value, 16, field);
    } catch {
      this.fail(field, `'${value}' is not 16 bytes of hex (e.g. a UUID)`);
    }
    return value.toLowerCase();
  }

  address(base: string, value: { traddr: unknown; trsvcid?: unknown; trtype?: unknown; adrfam?: unknown }): {
    trtype: 'tcp';
    adrfam: 'ipv4' | 'ipv6';
    traddr: string;
    trsvcid: number;
  } {
    const trtype = value.trtype ?? 'tcp';
    // Only the TCP transport exists here (Linux loads nvmet-transport-<trtype> on demand).
    if (trtype !== 'tcp') this.fail(this.at(base, 'port.trtype'), `unsupported transport ${JSON.stringify(trtype)} (only 'tcp')`);
    const adrfam = this.oneOf<'ipv4' | 'ipv6'>(value.adrfam, this.at(base, 'port.adrfam'), ADRFAMS, 'ipv4');
    if (typeof value.traddr !== 'string' || value.traddr === '' || value.traddr.length > 255) {
      this.fail(this.at(base, 'port.traddr'), 'must be a non-empty address of at most 255 characters');
    }
    const raw = value.trsvcid ?? DEFAULT_TRSVCID;
    const trsvcid = typeof raw === 'number' || typeof raw === 'string' ? parseTrsvcid(raw) : Number.NaN;
    if (Number.isNaN(trsvcid)) this.fail(this.at(base, 'port.trsvcid'), 'must be a port number 0..65535');
    return { trtype: 'tcp', adrfam, traddr: value.traddr, trsvcid };
  }

  port(port: PortConfig, base: string): PortEntry {
    const portid = this.integer(port.portid, `${base}.portid`, 0, 0xffff);
    const address = this.address(base, port);
    const tsas = port.tsas ?? 'none';
    if (tsas !== 'none') this.fail(this.at(base, 'port.tsas'), "must be 'none' (TLS is not supported)");
    const referrals = (port.referrals ?? []).map((ref, index) => this.referral(ref, `${base}.referrals[${index}]`));
    this.unique(referrals.map((ref) => ref.name), (index) => `${base}.referrals[${index}].name`, 'referral');
    const anaGroups = (port.anaGroups ?? []).map((group, index) => ({
      grpid: this.integer(group.grpid, `${base}.ana_groups[${index}].grpid`, 1, ANA_GROUP_MAX),
      state: this.oneOf<AnaStateName>(group.state, `${base}.ana_groups[${index}].ana.state`, ANA_STATES, 'optimized'),
    }));
    this.unique(anaGroups.map((group) => group.grpid), (index) => `${base}.ana_groups[${index}].grpid`, 'ANA group');
    // Every Linux port has ANA group 1 (NVMET_DEFAULT_ANA_GRPID), created with the port.
    if (!anaGroups.some((group) => group.grpid === 1)) anaGroups.unshift({ grpid: 1, state: 'optimized' });
    const subsystems = (port.subsystems ?? []).map((nqn, index) => this.nqn(nqn, `${base}.subsystems[${index}]`));
    return {
      portid,
      ...address,
      treq: this.oneOf<TreqName>(port.treq, this.at(base, 'port.treq'), TREQS, 'not specified'),
      tsas: 'none',
      inlineDataSize: this.integer(
        port.inlineDataSize ?? DEFAULT_INLINE_DATA_SIZE,
        this.at(base, 'port.inlineDataSize'),
        0,
        INLINE_DATA_SIZE_MAX,
      ),
      subsystems,
      referrals,
      anaGroups,
      extra: this.extra(port.extra),
    };
  }

  referral(ref: ReferralConfig, base: string): ReferralEntry {
    if (typeof ref.name !== 'string' || ref.name === '' || ref.name.includes('/')) {
      this.fail(`${base}.name`, 'must be a non-empty name without /');
    }
    const tsas = ref.tsas ?? 'none';
    if (tsas !== 'none') this.fail(this.at(base, 'port.tsas'), "must be 'none' (TLS is not supported)");
    return {
      name: ref.name,
      portid: this.integer(ref.portid ?? 0, this.at(base, 'ref.portid'), 0, 0xffff),
      ...this.address(base, ref),
      treq: this.oneOf<TreqName>(ref.treq, this.at(base, 'port.treq'), TREQS, 'not specified'),
      tsas: 'none',
      enabled: this.boolean(ref.enabled, this.at(base, 'ref.enabled'), true),
      extra: this.extra(ref.extra),
    };
  }
}

/** NGUID of a namespace that reports none (all zero), in the UUID-like form nvmetcli writes. */
export const ZERO_NGUID = '00000000-0000-0000-0000-000000000000';
