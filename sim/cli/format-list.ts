// `nvme list` output for namespaces of one connected controller: nvme-cli's simple list table
// (nvme-print-stdout.c stdout_simple_list / list_item: Usage "%6.2f %2sB / %6.2f %2sB" with SI
// suffixes, Format "%3.0f %2sB + %2d B" with binary suffixes) and its JSON ({"Devices": [...]},
// nvme-print-json.c json_simple_list). Node names the remote namespace, since there is no /dev node.

export interface ListRow {
  /** e.g. "nvmf-sim:127.0.0.1:4420/n1". */
  readonly node: string;
  readonly serial: string;
  readonly model: string;
  readonly firmware: string;
  readonly nsid: number;
  readonly usedBytes: number;
  readonly sizeBytes: number;
  readonly blockSize: number;
  readonly metadataBytes: number;
}

/** libnvme/nvme-cli util/suffix.c suffix_si_get: divide by 1000 while >= 1000. */
function siSuffix(value: number): [number, string] {
  const suffixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let scaled = value;
  let i = 0;
  while (scaled >= 1000 && i < suffixes.length - 1) {
    scaled /= 1000;
    i++;
  }
  return [scaled, suffixes[i] ?? ''];
}

/** util/suffix.c suffix_binary_get: divide by 1024 while >= 1024. */
function binarySuffix(value: number): [number, string] {
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  let scaled = value;
  let i = 0;
  while (scaled >= 1024 && i < suffixes.length - 1) {
    scaled /= 1024;
    i++;
  }
  return [scaled, suffixes[i] ?? ''];
}

function fixed(value: number, width: number, digits: number): string {
  return value.toFixed(digits).padStart(width);
}

export function usageText(usedBytes: number, sizeBytes: number): string {
  const [used, usedSuffix] = siSuffix(usedBytes);
  const [size, sizeSuffix] = siSuffix(sizeBytes);
  return `${fixed(used, 6, 2)} ${usedSuffix.padStart(2)}B / ${fixed(size, 6, 2)} ${sizeSuffix.padStart(2)}B`;
}

export function formatText(blockSize: number, metadataBytes: number): string {
  const [lba, suffix] = binarySuffix(blockSize);
  return `${fixed(lba, 3, 0)} ${suffix.padStart(2)}B + ${String(metadataBytes).padStart(2)} B`;
}

const COLUMNS = [
  { title: 'Node', width: 21 },
  { title: 'SN', width: 20 },
  { title: 'Model', width: 40 },
  { title: 'Namespace', width: 10 },
  { title: 'Usage', width: 26 },
  { title: 'Format', width: 16 },
  { title: 'FW Rev', width: 8 },
] as const;

/** The table; columns widen to fit long values (our Node names are longer than /dev paths). */
export function formatListText(rows: readonly ListRow[]): string {
  const cells = rows.map((row) => [
    row.node,
    row.serial,
    row.model,
    `0x${row.nsid.toString(16)}`,
    usageText(row.usedBytes, row.sizeBytes),
    formatText(row.blockSize, row.metadataBytes),
    row.firmware,
  ]);
  const widths = COLUMNS.map((column, i) => Math.max(column.width, ...cells.map((line) => (line[i] ?? '').length)));
  const line = (values: readonly string[]): string =>
    values
      .map((value, i) => value.padEnd(widths[i] ?? 0))
      .join(' ')
      .trimEnd();
  const lines = [line(COLUMNS.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  return `${lines.join('\n')}\n`;
}

export function listJson(rows: readonly ListRow[]): { Devices: Record<string, string | number>[] } {
  return {
    Devices: rows.map((row) => ({
      NameSpace: row.nsid,
      DevicePath: row.node,
      Firmware: row.firmware,
      ModelNumber: row.model,
      SerialNumber: row.serial,
      UsedBytes: row.usedBytes,
      MaximumLBA: row.sizeBytes / row.blockSize,
      PhysicalSize: row.sizeBytes,
      SectorSize: row.blockSize,
    })),
  };
}
