// The nvmetcli configuration format (/etc/nvmet/config.json, `nvmetcli save` / `nvmetcli restore`),
// so one file configures both this target and a Linux nvmet target. The layout is nvmetcli's dump of
// configfs (linux-nvme/nvmetcli nvmet/nvme.py, Root/Subsystem/Namespace/Port/Referral/ANAGroup.dump):
//   {hosts:[{nqn}], ports:[{portid, addr:{trtype,adrfam,traddr,trsvcid,treq,tsas}, param:{inline_data_size},
//    referrals:[{name, addr:{...,portid}, enable}], ana_groups:[{grpid, ana:{state}}], subsystems:[nqn]}],
//    subsystems:[{nqn, allowed_hosts:[nqn], attr:{allow_any_host:'1', serial, model, version, ...},
//    namespaces:[{nsid, enable:1, device:{path, uuid, nguid}, ana_grpid}]}]}
// Attribute values are strings (they are configfs file contents); nvmetcli writes keys sorted with a
// two-space indent. Attributes this target does not use are kept ("extra") so a load/save round trip
// loses nothing. Errors are ConfigErrors with the nvmetcli field path.
import type {
  AnaGroupConfig,
  FieldNames,
  HostConfig,
  NamespaceConfig,
  PortConfig,
  ReferralConfig,
  SubsystemConfig,
  TargetConfig,
  TargetEntries,
  TreqName,
} from './config.js';
import { normalizeTargetConfig } from './config.js';
import { ConfigError } from './config-error.js';

export { ConfigError } from './config-error.js';

/** The nvmetcli spelling of each checked field, for error messages. */
export const NVMETCLI_FIELD_NAMES: FieldNames = {
  'sub.allowAnyHost': 'attr.allow_any_host',
  'sub.allowedHosts': 'allowed_hosts',
  'sub.serial': 'attr.serial',
  'sub.model': 'attr.model',
  'sub.version': 'attr.version',
  'sub.firmware': 'attr.firmware',
  'sub.ieeeOui': 'attr.ieee_oui',
  'sub.cntlidMin': 'attr.cntlid_min',
  'sub.cntlidMax': 'attr.cntlid_max',
  'sub.qidMax': 'attr.qid_max',
  'ns.device': 'device.path',
  'ns.enabled': 'enable',
  'ns.uuid': 'device.uuid',
  'ns.nguid': 'device.nguid',
  'ns.anaGroupId': 'ana_grpid',
  'ns.blockSize': 'device.block_size',
  'port.trtype': 'addr.trtype',
  'port.adrfam': 'addr.adrfam',
  'port.traddr': 'addr.traddr',
  'port.trsvcid': 'addr.trsvcid',
  'port.treq': 'addr.treq',
  'port.tsas': 'addr.tsas',
  'port.inlineDataSize': 'param.inline_data_size',
  'ref.portid': 'addr.portid',
  'ref.enabled': 'enable',
};

/** The default file name, used in error messages when the text came from elsewhere. */
export const NVMETCLI_DEFAULT_SOURCE = 'config.json';

/** Parses config.json text. Throws ConfigError (one line) for invalid JSON or an invalid field. */
export function parseNvmetcliConfig(text: string, source = NVMETCLI_DEFAULT_SOURCE): TargetEntries {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(source, '', `invalid JSON: ${oneLine(error)}`);
  }
  return nvmetcliToEntries(json, source);
}

/** Checks an already parsed config.json value. */
export function nvmetcliToEntries(json: unknown, source = NVMETCLI_DEFAULT_SOURCE): TargetEntries {
  const config = new Reader(source).root(json);
  return normalizeTargetConfig(config, { source, names: NVMETCLI_FIELD_NAMES });
}

/** Formats entries as nvmetcli would save them: sorted keys, two-space indent, trailing newline. */
export function formatNvmetcliConfig(entries: TargetEntries): string {
  const json = {
    hosts: entries.hosts.map((host) => withGroups({ nqn: host.nqn }, host.extra)),
    ports: entries.ports.map((port) =>
      withGroups(
        {
          addr: {
            adrfam: port.adrfam,
            traddr: port.traddr,
            treq: port.treq,
            trsvcid: String(port.trsvcid),
            trtype: port.trtype,
            tsas: port.tsas,
          },
          ana_groups: port.anaGroups.map((group) => ({ ana: { state: group.state }, grpid: group.grpid })),
          param: { inline_data_size: String(port.inlineDataSize) },
          portid: port.portid,
          referrals: port.referrals.map((ref) =>
            withGroups(
              {
                addr: {
                  adrfam: ref.adrfam,
                  portid: String(ref.portid),
                  traddr: ref.traddr,
                  treq: ref.treq,
                  trsvcid: String(ref.trsvcid),
                  trtype: ref.trtype,
                  tsas: ref.tsas,
                },
                enable: ref.enabled ? 1 : 0,
                name: ref.name,
              },
              ref.extra,
            ),
          ),
          subsystems: [...port.subsystems],
        },
        port.extra,
      ),
    ),
    subsystems: entries.subsystems.map((sub) =>
      withGroups(
        {
          allowed_hosts: [...sub.allowedHosts],
          attr: {
            allow_any_host: sub.allowAnyHost ? '1' : '0',
            cntlid_max: String(sub.cntlidMax),
            cntlid_min: String(sub.cntlidMin),
            firmware: sub.firmware,
            ieee_oui: sub.ieeeOui,
            model: sub.model,
            qid_max: String(sub.qidMax),
            ...(sub.serial === undefined ? {} : { serial: sub.serial }),
            version: sub.version,
          },
          namespaces: sub.namespaces.map((ns) =>
            withGroups(
              {
                ana_grpid: ns.anaGroupId,
                device: {
                  nguid: ns.nguid,
                  path: ns.device,
                  ...(ns.uuid === undefined ? {} : { uuid: ns.uuid }),
                  ...(ns.blockSize === 512 ? {} : { block_size: String(ns.blockSize) }),
                },
                enable: ns.enabled ? 1 : 0,
                nsid: ns.nsid,
              },
              ns.extra,
            ),
          ),
          nqn: sub.nqn,
        },
        sub.extra,
      ),
    ),
  };
  return `${JSON.stringify(sortKeys(json), null, 2)}\n`;
}

/** Merges "group.name" extra attributes back into their groups. */
function withGroups(node: Record<string, unknown>, extra: Readonly<Record<string, string>>): Record<string, unknown> {
  for (const [key, value] of Object.entries(extra)) {
    const dot = key.indexOf('.');
    if (dot < 0) continue;
    const group = key.slice(0, dot);
    const name = key.slice(dot + 1);
    const existing = node[group];
    const target: Record<string, unknown> =
      typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? (existing as Record<string, unknown>) : {};
    target[name] = value;
    node[group] = target;
  }
  return node;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}

type JsonObject = Record<string, unknown>;

/** Attribute groups (objects of configfs attribute values) that are consumed, per node kind. */
const SUBSYSTEM_ATTRS = ['allow_any_host', 'serial', 'model', 'version', 'firmware', 'ieee_oui', 'cntlid_min', 'cntlid_max', 'qid_max'];
const DEVICE_ATTRS = ['path', 'uuid', 'nguid', 'block_size'];
const ADDR_ATTRS = ['trtype', 'adrfam', 'traddr', 'trsvcid', 'treq', 'tsas'];

/** Structural checks and string-to-value conversion of the JSON, with nvmetcli field paths. */
class Reader {
  readonly source: string;

  constructor(source: string) {
    this.source = source;
  }

  fail(field: string, problem: string): never {
    throw new ConfigError(this.source, field, problem);
  }

  object(value: unknown, field: string): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, 'must be an object');
    return value as JsonObject;
  }

  array(value: unknown, field: string): unknown[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) this.fail(field, 'must be an array');
    return value;
  }

  /** An attribute group such as "attr" or "device": an object of string (or number) values. */
  group(node: JsonObject, name: string, field: string): Record<string, string> {
    const value = node[name];
    if (value === undefined) return {};
    const object = this.object(value, `${field}.${name}`);
    const out: Record<string, string> = {};
    for (const [key, item] of Object.entries(object)) {
      // nvmetcli writes str(value) into the configfs file, so numbers are as good as strings.
      if (typeof item === 'string') out[key] = item;
      else if (typeof item === 'number' && Number.isFinite(item)) out[key] = String(item);
      else this.fail(`${field}.${name}.${key}`, 'must be a string');
    }
    return out;
  }

  /** Extra attributes: every group of the node except those listed, plus unconsumed keys of consumed groups. */
  extras(node: JsonObject, field: string, skipKeys: readonly string[], consumed: Record<string, readonly string[]>): Record<string, string> {
    const extra: Record<string, string> = {};
    for (const [key, value] of Object.entries(node)) {
      if (skipKeys.includes(key) || typeof value !== 'object' || value === null || Array.isArray(value)) continue;
      const used = consumed[key] ?? [];
      for (const [name, text] of Object.entries(this.group(node, key, field))) {
        if (!used.includes(name)) extra[`${key}.${name}`] = text;
      }
    }
    return extra;
  }

  /** "0"/"1" (or 0/1, true/false) as nvmetcli and configfs spell booleans. */
  flag(value: unknown, field: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (value === '1' || value === 1 || value === true) return true;
    if (value === '0' || value === 0 || value === false) return false;
    this.fail(field, "must be '0' or '1'");
  }

  /** Decimal attribute text to a number; anything else becomes NaN and fails the range check later. */
  numeric(value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    return /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  }

  root(json: unknown): TargetConfig {
    const root = this.object(json, 'config');
    const hosts = this.array(root['hosts'], 'hosts').map((host, index) => this.host(host, `hosts[${index}]`));
    const subsystems = this.array(root['subsystems'], 'subsystems').map((sub, index) =>
      this.subsystem(sub, `subsystems[${index}]`),
    );
    const ports = this.array(root['ports'], 'ports').map((port, index) => this.port(port, `ports[${index}]`));
    return { hosts, subsystems, ports };
  }

  host(value: unknown, field: string): HostConfig {
    const node = this.object(value, field);
    if (typeof node['nqn'] !== 'string') this.fail(`${field}.nqn`, 'must be a string');
    return { nqn: node['nqn'], extra: this.extras(node, field, [], {}) };
  }

  subsystem(value: unknown, field: string): SubsystemConfig {
    const node = this.object(value, field);
    if (typeof node['nqn'] !== 'string') this.fail(`${field}.nqn`, 'must be a string');
    const attr = this.group(node, 'attr', field);
    const allowedHosts = this.array(node['allowed_hosts'], `${field}.allowed_hosts`).map((host, index) => {
      if (typeof host !== 'string') this.fail(`${field}.allowed_hosts[${index}]`, 'must be a string');
      return host;
    });
    const namespaces = this.array(node['namespaces'], `${field}.namespaces`).map((ns, index) =>
      this.namespace(ns, `${field}.namespaces[${index}]`),
    );
    // Linux creates subsystems with allow_any_host 0; nvmetcli configs almost always say "1".
    const allowAnyHost = this.flag(attr['allow_any_host'], `${field}.attr.allow_any_host`) ?? false;
    const numeric = (name: string): number | undefined => this.numeric(attr[name]);
    return {
      nqn: node['nqn'],
      allowAnyHost,
      allowedHosts,
      ...optional('serial', attr['serial']),
      ...optional('model', attr['model']),
      ...optional('version', attr['version']),
      ...optional('firmware', attr['firmware']),
      ...optional('ieeeOui', attr['ieee_oui']),
      ...optional('cntlidMin', numeric('cntlid_min')),
      ...optional('cntlidMax', numeric('cntlid_max')),
      ...optional('qidMax', numeric('qid_max')),
      namespaces,
      extra: this.extras(node, field, ['namespaces', 'allowed_hosts', 'passthru'], { attr: SUBSYSTEM_ATTRS }),
    };
  }

  namespace(value: unknown, field: string): NamespaceConfig {
    const node = this.object(value, field);
    const device = this.group(node, 'device', field);
    const ana = this.group(node, 'ana', field);
    const nsid = node['nsid'];
    const grpid = node['ana_grpid'] ?? this.numeric(ana['grpid']);
    const blockSize = this.numeric(device['block_size']);
    return {
      // A non-number nsid fails the range check ("must be an integer 1..4294967294").
      nsid: typeof nsid === 'number' ? nsid : Number.NaN,
      device: device['path'] ?? '',
      // nvmetcli leaves `enable` out for a namespace it could not enable; configfs defaults to 0.
      enabled: this.flag(node['enable'], `${field}.enable`) ?? false,
      ...optional('uuid', device['uuid']),
      ...optional('nguid', device['nguid']),
      ...optional('anaGroupId', typeof grpid === 'number' ? grpid : grpid === undefined ? undefined : Number.NaN),
      ...optional('blockSize', blockSize),
      extra: this.extras(node, field, [], { device: DEVICE_ATTRS, ana: ['grpid'] }),
    };
  }

  address(node: JsonObject, field: string): Record<string, string> {
    const addr = this.group(node, 'addr', field);
    if (addr['traddr'] === undefined) this.fail(`${field}.addr.traddr`, 'is required');
    return addr;
  }

  port(value: unknown, field: string): PortConfig {
    const node = this.object(value, field);
    const addr = this.address(node, field);
    const param = this.group(node, 'param', field);
    const portid = node['portid'];
    const subsystems = this.array(node['subsystems'], `${field}.subsystems`).map((nqn, index) => {
      if (typeof nqn !== 'string') this.fail(`${field}.subsystems[${index}]`, 'must be a string');
      return nqn;
    });
    const referrals = this.array(node['referrals'], `${field}.referrals`).map((ref, index) =>
      this.referral(ref, `${field}.referrals[${index}]`),
    );
    const anaGroups = this.array(node['ana_groups'], `${field}.ana_groups`).map((group, index) =>
      this.anaGroup(group, `${field}.ana_groups[${index}]`),
    );
    return {
      portid: typeof portid === 'number' ? portid : Number.NaN,
      ...addressConfig(addr),
      ...optional('inlineDataSize', this.numeric(param['inline_data_size'])),
      subsystems,
      referrals,
      anaGroups,
      extra: this.extras(node, field, ['subsystems', 'referrals', 'ana_groups'], {
        addr: ADDR_ATTRS,
        param: ['inline_data_size'],
      }),
    };
  }

  referral(value: unknown, field: string): ReferralConfig {
    const node = this.object(value, field);
    if (typeof node['name'] !== 'string') this.fail(`${field}.name`, 'must be a string');
    const addr = this.address(node, field);
    return {
      name: node['name'],
      ...optional('portid', this.numeric(addr['portid'])),
      ...addressConfig(addr),
      enabled: this.flag(node['enable'], `${field}.enable`) ?? false,
      extra: this.extras(node, field, [], { addr: [...ADDR_ATTRS, 'portid'] }),
    };
  }

  anaGroup(value: unknown, field: string): AnaGroupConfig {
    const node = this.object(value, field);
    const ana = this.group(node, 'ana', field);
    const grpid = node['grpid'];
    return {
      grpid: typeof grpid === 'number' ? grpid : Number.NaN,
      ...optional('state', ana['state'] as AnaGroupConfig['state']),
    };
  }
}

/** The address fields shared by ports and referrals, passed on for the checker to validate. */
function addressConfig(addr: Record<string, string>): {
  traddr: string;
  trtype?: 'tcp';
  adrfam?: 'ipv4' | 'ipv6';
  trsvcid?: string;
  treq?: TreqName;
  tsas?: 'none';
} {
  return {
    traddr: addr['traddr'] ?? '',
    // The checker rejects anything but tcp / ipv4 / ipv6 / a valid treq, naming the field.
    ...optional('trtype', addr['trtype'] as 'tcp' | undefined),
    ...optional('adrfam', addr['adrfam'] as 'ipv4' | 'ipv6' | undefined),
    ...optional('trsvcid', addr['trsvcid']),
    ...optional('treq', addr['treq'] as TreqName | undefined),
    ...optional('tsas', addr['tsas'] as 'none' | undefined),
  };
}

/** `{ [key]: value }` when value is defined, else `{}` (exactOptionalPropertyTypes forbids explicit undefined). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
