// `nvmf-sim run FILE --pcap OUT.pcap [--pcap-node NAME]`: the simulated frames as a pcap file
// (sim/net packet-capture.ts). The file is opened before the run starts, so a path that cannot be
// written is a usage error (one line, exit 2) and not a failure after minutes of simulation. The
// writer gathers frames into 1 MiB chunks, written synchronously: a run produces frames faster
// than a stream would drain them, and blocking keeps memory flat however long the run.
import { closeSync, openSync, writeSync } from 'node:fs';
import { PacketCapture, PcapWriter } from '../net/index.js';
import type { ResolvedScenario } from '../scenario/index.js';
import type { World } from '../world/index.js';
import { UsageError } from './args.js';

export class PcapOutput {
  readonly path: string;
  readonly #node: string | undefined;
  #fd: number | null;
  readonly #writer: PcapWriter;
  #capture: PacketCapture | null = null;

  private constructor(path: string, fd: number, node: string | undefined) {
    this.path = path;
    this.#fd = fd;
    this.#node = node;
    this.#writer = new PcapWriter((chunk) => this.#write(chunk));
  }

  /**
   * Checks the options against the scenario and opens the file. Throws a UsageError for a node
   * the scenario lacks, a run with real peers, or a path that cannot be written.
   */
  static open(path: string, node: string | undefined, scenario: ResolvedScenario): PcapOutput {
    if (scenario.nodes.some((n) => n.runtime !== 'sim')) {
      throw new UsageError('--pcap: this scenario runs real Linux peers in real time; capture their traffic with tcpdump');
    }
    if (node !== undefined && !scenario.nodes.some((n) => n.name === node)) {
      throw new UsageError(`--pcap-node: no node '${node}' in the scenario (nodes: ${scenario.nodes.map((n) => n.name).join(', ')})`);
    }
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(`--pcap: cannot write '${path}': ${reason}`);
    }
    return new PcapOutput(path, fd, node);
  }

  /** Starts capturing (RunOptions.onWorld: the nodes and links exist, nothing has run). */
  attach(world: World): void {
    this.#capture = new PacketCapture(world.network, this.#writer, this.#node === undefined ? {} : { node: this.#node });
  }

  /** Writes what is left and closes the file; returns the frames written. */
  close(): number {
    if (this.#capture !== null) this.#capture.close();
    else this.#writer.flush();
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    return this.#writer.frames;
  }

  #write(chunk: Uint8Array): void {
    const fd = this.#fd;
    if (fd === null) return;
    let offset = 0;
    while (offset < chunk.length) offset += writeSync(fd, chunk, offset, chunk.length - offset);
  }
}
