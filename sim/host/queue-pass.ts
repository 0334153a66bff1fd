// The deferred half of a host queue's CPU work items. A host queue updates protocol state (tags,
// data placement, R2T bookkeeping) as soon as a PDU is decoded, and leaves what the kernel would do
// inside nvme_tcp_io_work - completing requests, sending capsules and H2CData - for the work item
// that pays for it. A PassEffect is one such deferred action; the queue pools them, so the hot path
// allocates none once the pool has grown to the queue's peak.
import type { QueueCommand } from './queue-types.js';
import type { Slot } from './queue-slot.js';

export const PassAction = {
  /** Run a completed command's callback (nvme_tcp_process_nvme_cqe -> nvme_complete_rq). */
  COMPLETE: 0,
  /** Send the H2CData PDUs an R2T asked for (nvme_tcp_handle_r2t -> nvme_tcp_try_send_data_pdu). */
  SEND_H2C: 1,
  /** The ICResp was accepted: the queue goes live. */
  GO_LIVE: 2,
  /** Send a command capsule (nvme_tcp_try_send_cmd_pdu). */
  SEND_CAPSULE: 3,
} as const;

export type PassActionCode = (typeof PassAction)[keyof typeof PassAction];

export class PassEffect {
  action: PassActionCode = PassAction.COMPLETE;
  slot: Slot | null = null;
  command: QueueCommand | null = null;
  /** SEND_*: the CID the command was sent under (the slot may have moved on by the time it runs). */
  cid = 0;
  /** COMPLETE: NVMe status and CQE dwords 0 and 1. */
  status = 0;
  dw0 = 0;
  dw1 = 0;
  /** SEND_H2C: the R2T's offset, length and transfer tag. */
  offset = 0;
  length = 0;
  ttag = 0;
}

/** Recycled PassEffects. */
export class PassEffectPool {
  readonly #free: PassEffect[] = [];

  take(action: PassActionCode): PassEffect {
    const effect = this.#free.pop() ?? new PassEffect();
    effect.action = action;
    return effect;
  }

  /** Returns an effect once its fields have been read; drops the references it held. */
  give(effect: PassEffect): void {
    effect.slot = null;
    effect.command = null;
    this.#free.push(effect);
  }
}
