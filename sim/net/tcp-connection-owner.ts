// The TCP stack as one of its connections sees it: the node's shared state a connection reads
// (context, tunables, execution gate, counters), the few things it asks of the stack (send a RST
// for a segment it refuses, demultiplex a segment anew, leave the table), and nothing else. A
// connection sends its own segments through its own NIC, not through the stack. TcpStack
// implements this; connections import only this file, so stack and connection do not import
// each other.
import type { ExecutionGate } from '../core/index.js';
import type { NetContext, TcpCounters } from './net-context.js';
import type { Nic } from './nic.js';
import type { Packet } from './packet.js';
import type { ResolvedTcpOptions } from './tcp-options.js';
import type { TcpChrono } from './tcp-chrono.js';
import type { TcpStats } from './tcp-stats.js';

/** What the stack's table knows of a connection: where it is filed, and its final counters. */
export interface ConnectionTableEntry {
  readonly nic: Nic;
  readonly localPort: number;
  /** Key in the table of its NIC. */
  readonly key: number;
  /** The next connection with the same key in the table (the table's, not the connection's). */
  tableNext: ConnectionTableEntry | null;
  readonly stats: TcpStats;
  readonly chrono: TcpChrono;
}

export interface TcpConnectionOwner {
  readonly context: NetContext;
  readonly options: ResolvedTcpOptions;
  readonly gate: ExecutionGate;
  /** The node's TCP counters (all incarnations): connection events are counted here. */
  readonly counters: TcpCounters;
  /** Sends a RST from nic to the NIC with id remoteNicId (RFC 9293 3.10.7). */
  sendReset(nic: Nic, remoteNicId: number, localPort: number, remotePort: number, seq: number, ack: number, withAck: boolean): void;
  /** Demultiplexes a segment anew, as if it had just arrived on nic. */
  receive(packet: Packet, nic: Nic): void;
  /** Called once by a connection when it leaves the table: its counters are final. */
  remove(connection: ConnectionTableEntry): void;
}
