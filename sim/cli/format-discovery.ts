// `nvme discover` output, normal and JSON, as nvme-cli 2.x prints it (nvme-cli fabrics.c /
// nvme-print-stdout.c print_discovery_log, nvme-print-json.c json_discovery_log). Field values are
// named with libnvme's string tables (libnvme src/nvme/fabrics.c nvmf_trtype_str, nvmf_adrfam_str,
// nvmf_subtype_str, nvmf_treq_str, nvmf_eflags_str, nvmf_sectype_str); unknown values print as
// "unrecognized", like libnvme's arg_str.

/** One discovery log entry, as the host decodes it (numbers are the wire values). */
export interface DiscoveryRecord {
  readonly trtype: number;
  readonly adrfam: number;
  readonly subtype: number;
  readonly treq: number;
  readonly portid: number;
  readonly trsvcid: string;
  readonly subnqn: string;
  readonly traddr: string;
  readonly eflags?: number;
  /** TCP transport specific address subtype: the security type (TSAS byte 0). */
  readonly sectype?: number;
}

export interface DiscoveryListing {
  readonly genctr: number | bigint;
  readonly records: readonly DiscoveryRecord[];
}

const UNRECOGNIZED = 'unrecognized';

function lookup(table: Readonly<Record<number, string>>, value: number): string {
  return table[value] ?? UNRECOGNIZED;
}

/** NVMF_TRTYPE_*: 1 rdma, 2 fc, 3 tcp, 254 loop. */
const TRTYPES: Record<number, string> = { 1: 'rdma', 2: 'fc', 3: 'tcp', 254: 'loop' };
/** NVMF_ADDR_FAMILY_*. */
const ADRFAMS: Record<number, string> = { 0: 'pci', 1: 'ipv4', 2: 'ipv6', 3: 'infiniband', 4: 'fibre-channel' };
/** NVME_NQN_DISC (referral), NVME_NQN_NVME, NVME_NQN_CURR. */
const SUBTYPES: Record<number, string> = {
  1: 'discovery subsystem referral',
  2: 'nvme subsystem',
  3: 'current discovery subsystem',
};
/** NVMF_TREQ_* with the NVMF_TREQ_DISABLE_SQFLOW (bit 2) combinations. */
const TREQS: Record<number, string> = {
  0: 'not specified',
  1: 'required',
  2: 'not required',
  4: 'not specified, sq flow control disable supported',
  5: 'required, sq flow control disable supported',
  6: 'not required, sq flow control disable supported',
};
/** NVMF_DISC_EFLAGS_*: DUPRETINFO bit 0, EPCSD bit 1, NCC bit 2. */
const EFLAGS: Record<number, string> = {
  0: 'none',
  1: 'duplicate discovery information',
  2: 'explicit discovery connections',
  3: 'explicit discovery connections, duplicate discovery information',
  4: 'no cdc connectivity',
  5: 'duplicate discovery information, no cdc connectivity',
  6: 'explicit discovery connections, no cdc connectivity',
  7: 'explicit discovery connections, duplicate discovery information, no cdc connectivity',
};
/** NVMF_TCP_SECTYPE_*. */
const SECTYPES: Record<number, string> = { 0: 'none', 1: 'tls', 2: 'tls13' };
const TRTYPE_TCP = 3;

/** nvme-cli's normal discover output. */
export function formatDiscoveryText(log: DiscoveryListing): string {
  const lines = [`Discovery Log Number of Records ${log.records.length}, Generation counter ${log.genctr}`];
  log.records.forEach((e, i) => {
    lines.push(`=====Discovery Log Entry ${i}======`);
    lines.push(`trtype:  ${lookup(TRTYPES, e.trtype)}`);
    // nvme-cli prints the family only when the entry has an address.
    lines.push(`adrfam:  ${e.traddr.length > 0 ? lookup(ADRFAMS, e.adrfam) : ''}`);
    lines.push(`subtype: ${lookup(SUBTYPES, e.subtype)}`);
    lines.push(`treq:    ${lookup(TREQS, e.treq)}`);
    lines.push(`portid:  ${e.portid}`);
    lines.push(`trsvcid: ${e.trsvcid}`);
    lines.push(`subnqn:  ${e.subnqn}`);
    lines.push(`traddr:  ${e.traddr}`);
    lines.push(`eflags:  ${lookup(EFLAGS, e.eflags ?? 0)}`);
    if (e.trtype === TRTYPE_TCP) lines.push(`sectype: ${lookup(SECTYPES, e.sectype ?? 0)}`);
  });
  return `${lines.join('\n')}\n`;
}

export interface DiscoveryJsonRecord {
  trtype: string;
  adrfam: string;
  subtype: string;
  treq: string;
  portid: number;
  trsvcid: string;
  subnqn: string;
  traddr: string;
  eflags: string;
  sectype?: string;
}

/** nvme-cli 2.x `nvme discover -o json`: {"genctr": N, "records": [...]}. */
export function discoveryJson(log: DiscoveryListing): { genctr: number; records: DiscoveryJsonRecord[] } {
  return {
    genctr: Number(log.genctr),
    records: log.records.map((e) => {
      const record: DiscoveryJsonRecord = {
        trtype: lookup(TRTYPES, e.trtype),
        adrfam: lookup(ADRFAMS, e.adrfam),
        subtype: lookup(SUBTYPES, e.subtype),
        treq: lookup(TREQS, e.treq),
        portid: e.portid,
        trsvcid: e.trsvcid,
        subnqn: e.subnqn,
        traddr: e.traddr,
        eflags: lookup(EFLAGS, e.eflags ?? 0),
      };
      if (e.trtype === TRTYPE_TCP) record.sectype = lookup(SECTYPES, e.sectype ?? 0);
      return record;
    }),
  };
}
