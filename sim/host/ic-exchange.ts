// The host's side of NVMe/TCP connection initialisation (drivers/nvme/host/tcp.c
// nvme_tcp_init_connection): the ICReq parameters the Linux host asks for and every check it makes
// on the controller's ICResp, in its order.
import type { ICRespPdu } from '../nvme/index.js';
import { MIN_MAXH2CDATA, PFV_1_0 } from '../nvme/index.js';

/** host/tcp.c: the host supports one outstanding R2T per command (ICReq MAXR2T is 0's based). */
export const MAXR2T = 0;
/** host/tcp.c nvme_tcp_init_connection: the host asks for no PDU data alignment. */
export const HPDA = 0;
/** host/tcp.c: CPDA other than 0 is unsupported ("unsupported cpda returned"). */
const SUPPORTED_CPDA = 0;

/** The ICResp checks of host/tcp.c nvme_tcp_init_connection; null when acceptable. */
export function checkICResp(pdu: ICRespPdu, headerDigest: boolean, dataDigest: boolean): string | null {
  // pfv and plen are checked by the decoder (UNSUPPORTED_PARAMETER / INVALID_HEADER_FIELD).
  if (pdu.pfv !== PFV_1_0) return `bad pfv returned ${pdu.pfv}`;
  // The controller must echo exactly the digests the host asked for.
  if (pdu.dataDigest !== dataDigest) {
    return `data digest mismatch host: ${enabled(dataDigest)} ctrl: ${enabled(pdu.dataDigest)}`;
  }
  if (pdu.headerDigest !== headerDigest) {
    return `header digest mismatch host: ${enabled(headerDigest)} ctrl: ${enabled(pdu.headerDigest)}`;
  }
  if (pdu.cpda !== SUPPORTED_CPDA) return `unsupported cpda returned ${pdu.cpda}`;
  // NVME_TCP_MIN_MAXH2CDATA and dword granularity.
  if (pdu.maxh2cdata % 4 !== 0 || pdu.maxh2cdata < MIN_MAXH2CDATA) return `invalid maxh2cdata returned ${pdu.maxh2cdata}`;
  return null;
}

function enabled(on: boolean): string {
  return on ? 'enabled' : 'disabled';
}
