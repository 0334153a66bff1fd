// The paths of a multipath namespace as list and io print them: `nvme list-subsys` style for list
// (nvme-cli nvme-print-stdout.c stdout_subsys_list: "<subsys> - NQN=", hostnqn, iopolicy, then one
// " +- <ctrl> <transport> traddr=...,trsvcid=... <state> <ana state>" line per path) and a per-path
// statistics table for io (I/Os, errors, failovers, latency percentiles of each path).
import type { CliPath } from './stack.js';

export interface SubsystemListing {
  readonly nqn: string;
  readonly hostnqn: string;
  readonly iopolicy: string;
  readonly paths: readonly CliPath[];
}

/** `nvme list-subsys` text; controllers are named by their place in the path list (nvme0, nvme1...). */
export function formatSubsystemText(subsystem: SubsystemListing): string {
  const lines = [
    `nvme-subsys0 - NQN=${subsystem.nqn}`,
    `               hostnqn=${subsystem.hostnqn}`,
    `               iopolicy=${subsystem.iopolicy}`,
    '\\',
    ...subsystem.paths.map((path, index) => ` +- nvme${index} tcp traddr=${path.traddr},trsvcid=${path.trsvcid} ${path.state} ${path.anaState}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** nvme-print-json.c json_print_nvme_subsystem_list's shape: Subsystems with their Paths. */
export function subsystemJson(subsystem: SubsystemListing): Record<string, unknown> {
  return {
    HostNQN: subsystem.hostnqn,
    Subsystems: [
      {
        Name: 'nvme-subsys0',
        NQN: subsystem.nqn,
        IOPolicy: subsystem.iopolicy,
        Paths: subsystem.paths.map((path, index) => ({
          Name: `nvme${index}`,
          Transport: 'tcp',
          Address: `traddr=${path.traddr},trsvcid=${path.trsvcid}`,
          State: path.state,
          ANAState: path.anaState,
          ANAGroup: path.anaGroup,
        })),
      },
    ],
  };
}

function fixed(value: number): string {
  return value.toFixed(1);
}

/** io's per-path table, after fio's summary. */
export function formatPathsText(iopolicy: string, paths: readonly CliPath[]): string {
  const header = ['path', 'state', 'ana', 'ios', 'errors', 'failovers', 'p50 us', 'p99 us'];
  const rows = paths.map((path) => [path.name, path.state, path.anaState, String(path.ios), String(path.errors), String(path.failovers), fixed(path.p50Us), fixed(path.p99Us)]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  // Names and states read left-aligned, numbers right-aligned, as fio aligns its columns.
  const line = (cells: readonly string[]): string =>
    `    ${cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`.trimEnd();
  return `  paths (iopolicy ${iopolicy}):\n${[header, ...rows].map(line).join('\n')}\n`;
}

/** The `paths` array io adds under nvmf_sim in its JSON. */
export function pathsJson(paths: readonly CliPath[]): Record<string, string | number | boolean>[] {
  return paths.map((path) => ({
    name: path.name,
    traddr: path.traddr,
    trsvcid: path.trsvcid,
    state: path.state,
    ana_state: path.anaState,
    ana_group: path.anaGroup,
    usable: path.usable,
    ios: path.ios,
    errors: path.errors,
    failovers: path.failovers,
    p50_us: path.p50Us,
    p99_us: path.p99Us,
  }));
}
