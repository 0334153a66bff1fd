// Why a host connection failed below the NVMe command level: the TCP connect, the ICReq/ICResp
// exchange, a protocol violation by the controller, a C2HTermReq, or the connection closing. NVMe
// status failures are NvmeStatusError (sim/nvme/status.ts) instead.

export type TransportErrorKind = 'connect' | 'timeout' | 'protocol' | 'terminated' | 'closed';

export class TransportError extends Error {
  readonly kind: TransportErrorKind;
  constructor(kind: TransportErrorKind, message: string) {
    super(message);
    this.name = 'TransportError';
    this.kind = kind;
  }
}
