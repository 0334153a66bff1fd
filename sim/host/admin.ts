// Promise-shaped admin and fabrics commands over a host queue: the edge of the host where latency
// does not matter (connect, identify, log pages, properties). Mirrors the helpers in Linux
// drivers/nvme/host/core.c and fabrics.c (nvme_submit_sync_cmd, nvmf_reg_read64, nvme_get_log).
import { LogPageId } from '../nvme/index.js';
import { buildGetLogPage, buildIdentify, buildSetFeatures } from '../nvme/index.js';
import { buildPropertyGet, buildPropertySet } from '../nvme/index.js';
import { IDENTIFY_DATA_LENGTH } from '../nvme/index.js';
import { NvmeStatusError } from '../nvme/index.js';
import type { HostQueue, QueueCommand } from './queue.js';

/** A successful completion: CQE dwords 0 and 1, and the data read (empty when none). */
export interface AdminCompletion {
  readonly dw0: number;
  readonly dw1: number;
  readonly data: Uint8Array;
}

export interface AdminRequest {
  readonly sqe: Uint8Array;
  readonly dataOut?: Uint8Array;
  readonly dataInLength?: number;
  /** Defaults to the client's admin timeout; 0 for none. */
  readonly timeoutNs?: number;
}

export interface LogPageOptions {
  /** Byte offset into the log (LPOL/LPOU), a multiple of 4. */
  readonly offset?: number;
  /** Retain Asynchronous Event; default true for the discovery log, else false. */
  readonly rae?: boolean;
  readonly nsid?: number;
}

const NO_DATA = new Uint8Array(0);

/** Runs admin commands on one admin queue. */
export class AdminClient {
  readonly queue: HostQueue;
  readonly #timeoutNs: number;
  /** Largest data transfer per command (MDTS-limited once Identify Controller is known). */
  maxTransferBytes: number;

  constructor(queue: HostQueue, timeoutNs: number, maxTransferBytes: number) {
    this.queue = queue;
    this.#timeoutNs = timeoutNs;
    this.maxTransferBytes = maxTransferBytes;
  }

  /** Sends a command; resolves on success, rejects with NvmeStatusError on a non-zero status. */
  run(request: AdminRequest): Promise<AdminCompletion> {
    return new Promise<AdminCompletion>((resolve, reject) => {
      const dataIn = request.dataInLength !== undefined && request.dataInLength > 0 ? new Uint8Array(request.dataInLength) : null;
      const command: QueueCommand = {
        sqe: request.sqe,
        dataOut: request.dataOut ?? null,
        dataIn,
        timeoutNs: request.timeoutNs ?? this.#timeoutNs,
        callback: (status, dw0, dw1) => {
          if (status === 0) resolve({ dw0, dw1, data: dataIn ?? NO_DATA });
          else reject(new NvmeStatusError(status));
        },
      };
      try {
        this.queue.submit(command);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** fabrics.c nvmf_reg_read32 / nvmf_reg_read64: Property Get; the value is in dw0 (and dw1). */
  async propertyGet(offset: number, size: 4 | 8): Promise<bigint> {
    const completion = await this.run({ sqe: buildPropertyGet({ cid: 0, offset, size }) });
    const low = BigInt(completion.dw0 >>> 0);
    return size === 8 ? (BigInt(completion.dw1 >>> 0) << 32n) | low : low;
  }

  /** fabrics.c nvmf_reg_write32: Property Set. */
  async propertySet(offset: number, size: 4 | 8, value: bigint): Promise<void> {
    await this.run({ sqe: buildPropertySet({ cid: 0, offset, size, value }) });
  }

  /** Identify with a 4 KiB data buffer. */
  async identify(cns: number, nsid = 0, csi = 0): Promise<Uint8Array> {
    const completion = await this.run({ sqe: buildIdentify({ cid: 0, cns, nsid, csi }), dataInLength: IDENTIFY_DATA_LENGTH });
    return completion.data;
  }

  /** Set Features without data; resolves with completion dword 0. */
  async setFeatures(fid: number, cdw11: number): Promise<number> {
    const completion = await this.run({ sqe: buildSetFeatures({ cid: 0, fid, cdw11 }) });
    return completion.dw0;
  }

  /**
   * Get Log Page of `length` bytes from `offset`, split into MDTS-sized reads with LPOL/LPOU as
   * Linux nvme_get_log and nvme-cli's nvme_get_log_page do. `length` must be a multiple of 4.
   */
  async getLogPage(lid: number, length: number, options: LogPageOptions = {}): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const chunkLimit = Math.max(4, this.maxTransferBytes - (this.maxTransferBytes % 4));
    const base = options.offset ?? 0;
    for (let done = 0; done < length; ) {
      const size = Math.min(chunkLimit, length - done);
      const sqe = buildGetLogPage({
        cid: 0,
        lid,
        numdBytes: size,
        offsetBytes: base + done,
        // The discovery log is read with RAE so a pending discovery AEN is not cleared mid-read.
        rae: options.rae ?? lid === LogPageId.DISCOVERY,
        nsid: options.nsid ?? 0,
      });
      const completion = await this.run({ sqe, dataInLength: size });
      out.set(completion.data, done);
      done += size;
    }
    return out;
  }
}
