// Admin commands that NVM and discovery controllers share (drivers/nvme/target/admin-cmd.c):
// Keep Alive, setting the keep-alive timeout and the asynchronous event configuration, and checking
// a Get Log Page request before anything is allocated for it.
import { getLogPageFields } from '../nvme/index.js';
import type { GetLogPageFields, Sqe } from '../nvme/index.js';
import { Status, STATUS_DNR } from '../nvme/index.js';
import { ErrorLocation } from './command.js';
import type { Completion } from './command.js';
import type { Controller } from './controller.js';

/** nvmet_execute_keep_alive: restarts the timer; KATO 0 makes the command invalid. */
export function keepAlive(controller: Controller): Completion {
  if (controller.keepAlive.seconds === 0) return { status: Status.KA_TIMEOUT_INVALID };
  controller.keepAlive.restart();
  return { status: 0 };
}

/** nvmet_set_feat_kato: whole seconds, rounded up; the completion reports the seconds. */
export function setKato(controller: Controller, ms: number): Completion {
  const seconds = Math.ceil(ms / 1000);
  controller.keepAlive.start(seconds);
  return { status: 0, dw0: seconds };
}

/** nvmet_set_feat_async_event: bits outside `mask` are invalid. */
export function setAsyncEventConfig(controller: Controller, value: number, mask: number): Completion {
  if ((value & ~mask) >>> 0 !== 0) return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.CDW11 };
  controller.aenEnabled = value >>> 0;
  return { status: 0, dw0: value >>> 0 };
}

/**
 * The fields of a Get Log Page, or the error for one this target will not serve: an offset beyond
 * 2^53 or a length beyond what one command may move (MDTS), so the reply is never allocated in
 * proportion to a length the host merely claims.
 */
export function checkLogPageRequest(sqe: Sqe, maxBytes: number): GetLogPageFields | Completion {
  let fields: GetLogPageFields;
  try {
    fields = getLogPageFields(sqe);
  } catch {
    return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.LPO };
  }
  if (fields.numdBytes > maxBytes) return { status: Status.INVALID_FIELD | STATUS_DNR, errorLocation: ErrorLocation.CDW10 };
  return fields;
}
