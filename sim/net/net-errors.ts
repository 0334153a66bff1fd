// Errors the simulated network reports, shaped like Node's system errors (code, errno, syscall,
// address, port) so that target and host code handles simulated and real failures the same way.

/** Linux errno values (include/uapi/asm-generic/errno.h); Node reports them negated. */
const ERRNO: Record<NetErrorCode, number> = {
  ECONNREFUSED: 111,
  ECONNRESET: 104,
  ETIMEDOUT: 110,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETUNREACH: 101,
  ENETDOWN: 100,
  EPIPE: 32,
};

export type NetErrorCode =
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ETIMEDOUT'
  | 'EADDRINUSE'
  | 'EADDRNOTAVAIL'
  | 'ENETUNREACH'
  | 'ENETDOWN'
  | 'EPIPE';

export interface NetError extends Error {
  readonly code: NetErrorCode;
  readonly errno: number;
  readonly syscall: string;
  readonly address?: string;
  readonly port?: number;
}

export function netError(code: NetErrorCode, syscall: string, address?: string, port?: number): NetError {
  const where = address === undefined ? '' : port === undefined ? ` ${address}` : ` ${address}:${port}`;
  const error = new Error(`${syscall} ${code}${where}`);
  return Object.assign(error, {
    code,
    errno: -ERRNO[code],
    syscall,
    ...(address === undefined ? {} : { address }),
    ...(port === undefined ? {} : { port }),
  });
}
