// CRC32C digests for NVMe/TCP (HDGST and DDGST). The spec uses CRC32C (Castagnoli) with initial value
// 0xFFFFFFFF and final XOR 0xFFFFFFFF, stored little-endian after the header or data (Linux
// drivers/nvme/target/tcp.c nvmet_tcp_hdgst: `~crc32c(~0, pdu, len)`; SPDK MAKE_DIGEST_WORD).
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * Standard (final) CRC32C of `data`. Pass the result of a previous call as `previous` to continue
 * over a following buffer: crc32c(b, crc32c(a)) === crc32c(a + b). Empty data returns `previous`
 * (or 0 when absent).
 */
export function crc32c(data: Uint8Array, previous?: number): number {
  return nativeCrc32c(data, previous ?? 0);
}
