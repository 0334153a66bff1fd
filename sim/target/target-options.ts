// The target engine's options: what NvmeTarget accepts, their defaults and limits, and the resolved
// values every part of the engine reads.
import type { Logger } from '../core/index.js';
import type { BackendSpec } from '../storage/index.js';
import type { BlockBackend } from '../storage/index.js';

/** Opens the backend of one namespace; the default is sim/storage/backend-spec.ts openBackend. */
export type BackendFactory = (
  spec: BackendSpec,
  where: { readonly subsystem: string; readonly nsid: number },
) => Promise<BlockBackend> | BlockBackend;

export interface NvmeTargetOptions {
  /**
   * Opens namespace backends; default openBackend with an `ssd/<nqn>/<nsid>` random stream. Backends
   * from a custom factory stay open when namespaces are disabled or the target stops (the caller
   * owns them, e.g. a simulated device that outlives a target restart); default ones are closed.
   */
  readonly backendFactory?: BackendFactory;
  /** MAXH2CDATA advertised in ICResp; default 0x400000 (Linux NVMET_TCP_MAXH2CDATA). */
  readonly maxH2CData?: number;
  /** Split read data into C2HData PDUs of at most this many bytes; default: one PDU per command (Linux). */
  readonly c2hDataMax?: number;
  /** Where log lines go; default env.log. */
  readonly log?: Logger;
  /** MDTS exponent: largest transfer is 2^mdts * 4 KiB (CAP.MPSMIN = 0); default 9 (2 MiB). */
  readonly mdts?: number;
  /** Queue entries the controller supports (CAP.MQES + 1); default 1024 (Linux NVMET_MAX_QUEUE_SIZE). */
  readonly maxQueueSize?: number;
  /** Wait this long for the peer to close after a fatal error before resetting; default 10 s. */
  readonly lingerNs?: number;
}

export interface ResolvedTargetOptions {
  readonly maxH2CData: number;
  readonly c2hDataMax: number;
  readonly mdts: number;
  /** 2^mdts * 4096. */
  readonly maxTransferBytes: number;
  readonly maxQueueSize: number;
  readonly lingerNs: number;
}

/** NVMET_TCP_MAXH2CDATA. */
export const DEFAULT_MAX_H2C_DATA = 0x400000;
export const DEFAULT_MDTS = 9;
/** NVMET_MAX_QUEUE_SIZE. */
export const DEFAULT_MAX_QUEUE_SIZE = 1024;
/** The Linux host's admin capsule size (NVME_TCP_ADMIN_CCSZ): admin commands carry up to 8 KiB in-capsule. */
export const ADMIN_IN_CAPSULE_BYTES = 8192;
/** Smallest page (CAP.MPSMIN = 0): MDTS counts in these. */
export const MIN_PAGE_BYTES = 4096;

export function resolveOptions(options: NvmeTargetOptions): ResolvedTargetOptions {
  const maxH2CData = options.maxH2CData ?? DEFAULT_MAX_H2C_DATA;
  // The Linux host rejects MAXH2CDATA below 4096 or not a multiple of 4 (host/tcp.c nvme_tcp_init_connection).
  if (!Number.isInteger(maxH2CData) || maxH2CData < 4096 || maxH2CData % 4 !== 0 || maxH2CData > 0xffffffff) {
    throw new RangeError(`maxH2CData ${maxH2CData} must be a multiple of 4, at least 4096`);
  }
  const c2hDataMax = options.c2hDataMax ?? Number.POSITIVE_INFINITY;
  if (!(c2hDataMax >= 1)) throw new RangeError(`c2hDataMax ${c2hDataMax} must be at least 1`);
  const mdts = options.mdts ?? DEFAULT_MDTS;
  if (!Number.isInteger(mdts) || mdts < 1 || mdts > 12) throw new RangeError(`mdts ${mdts} must be 1..12`);
  const maxQueueSize = options.maxQueueSize ?? DEFAULT_MAX_QUEUE_SIZE;
  if (!Number.isInteger(maxQueueSize) || maxQueueSize < 2 || maxQueueSize > 0x10000) {
    throw new RangeError(`maxQueueSize ${maxQueueSize} must be 2..65536`);
  }
  return {
    maxH2CData,
    c2hDataMax,
    mdts,
    maxTransferBytes: 2 ** mdts * MIN_PAGE_BYTES,
    maxQueueSize,
    lingerNs: options.lingerNs ?? 10_000_000_000,
  };
}
