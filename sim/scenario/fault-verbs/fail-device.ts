// failDevice: every command to a namespace's device fails with an NVMe status until repairDevice.
// Refused in a real-time run (Linux null_blk and tmpfs namespaces have no knob).
import { int } from '../schema/kit.js';
import { DEVICE_FIELDS, type DeviceSelector } from './selectors.js';
import { defineVerb } from './verb.js';

/** NVMe Internal Error (generic status 0x06, NVMe Base Specification, Generic Command Status), the default. */
const STATUS_INTERNAL_ERROR = 0x0006;

/** Device failure: every command fails (status default: Internal Error) until repairDevice. */
export interface FailDeviceFault extends DeviceSelector {
  readonly action: 'failDevice';
  /** NVMe status field to fail with. Default 0x0006 (Internal Error). */
  readonly status?: number;
}

export const failDevice = defineVerb<FailDeviceFault>()({
  action: 'failDevice',
  fields: { ...DEVICE_FIELDS, status: int(1, 0x7fff).optional() },
  heals: false,
  check: (fault, path, context) => context.checkDevice(fault, path),
  simulate: (fault, world) => ({
    detail: world.withDevice(fault, (backend, where) => {
      const status = fault.status ?? STATUS_INTERNAL_ERROR;
      backend.fail(status);
      return `${where}: failed (status 0x${status.toString(16)})`;
    }),
  }),
  real: { refused: 'has no equivalent on a real target (Linux null_blk/tmpfs namespaces)' },
  doc: {
    fields: '`target`, `nqn`, `nsid`, `status` (default 0x0006, Internal Error)',
    effect: 'every command fails until repaired',
  },
});
