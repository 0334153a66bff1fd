// A Linux guest's TCP counters, from /proc/net/snmp (the Tcp: MIB, RFC 4022) and /proc/net/netstat
// (TcpExt: Linux's own), in the vocabulary of the simulator's TcpCounters (sim/net/net-context.ts).
// Both files are pairs of lines: a header line of names and a line of values, per group.
import type { TcpResult } from '../stats/index.js';
import type { LinuxPeer } from './linux-peer.js';

/** The counters the scenario report carries, with the simulator's names (scenario/result.ts). */
export type LinuxTcpCounters = TcpResult;

export const READ_TCP_COUNTERS_COMMAND = 'cat /proc/net/snmp /proc/net/netstat';

/** Parses `Group: name name ...` / `Group: value value ...` pairs into "Group.name" -> value. */
export function parseProcNetCounters(text: string): Map<string, number> {
  const values = new Map<string, number>();
  const lines = text.split('\n').filter((line) => line.includes(':'));
  for (let index = 0; index + 1 < lines.length; index += 2) {
    const [group, ...names] = (lines[index] ?? '').trim().split(/\s+/);
    const [sameGroup, ...numbers] = (lines[index + 1] ?? '').trim().split(/\s+/);
    if (group === undefined || group !== sameGroup) continue;
    names.forEach((name, at) => values.set(`${group.slice(0, -1)}.${name}`, Number(numbers[at] ?? 0)));
  }
  return values;
}

/** The simulator's counters from Linux's (each named by the MIB field it comes from). */
export function linuxTcpCounters(values: ReadonlyMap<string, number>): LinuxTcpCounters {
  const get = (...names: string[]): number => names.reduce((sum, name) => sum + (values.get(name) ?? 0), 0);
  return {
    segmentsSent: get('Tcp.OutSegs'),
    segmentsReceived: get('Tcp.InSegs'),
    retransmits: get('Tcp.RetransSegs'),
    // Entries into fast recovery, as tcp_enter_recovery counts them.
    fastRetransmits: get('TcpExt.TCPRenoRecovery', 'TcpExt.TCPSackRecovery'),
    rtoCount: get('TcpExt.TCPTimeouts'),
    // Linux counts no plain duplicate ACKs; DSACKs received are the nearest it keeps.
    dupAcks: get('TcpExt.TCPDSACKRecv'),
    outOfOrderSegments: get('TcpExt.TCPOFOQueue'),
    zeroWindowProbes: get('TcpExt.TCPWinProbe'),
    connectionsOpened: get('Tcp.ActiveOpens', 'Tcp.PassiveOpens'),
    connectionsReset: get('Tcp.EstabResets'),
    timeouts: get('TcpExt.TCPAbortOnTimeout'),
  };
}

/** Reads the guest's counters now. */
export async function readLinuxTcpCounters(guest: LinuxPeer): Promise<LinuxTcpCounters> {
  return linuxTcpCounters(parseProcNetCounters(await guest.execOk(READ_TCP_COUNTERS_COMMAND)));
}

/** after - before, field by field (the counters only grow). */
export function tcpCountersSince(before: LinuxTcpCounters, after: LinuxTcpCounters): LinuxTcpCounters {
  const result: Record<string, number> = {};
  for (const key of Object.keys(after) as (keyof LinuxTcpCounters)[]) result[key] = after[key] - before[key];
  return result as unknown as LinuxTcpCounters;
}
