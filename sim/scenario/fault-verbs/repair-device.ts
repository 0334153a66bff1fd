// repairDevice: ends failDevice and slowDevice on a namespace's device. It heals: liveness is
// judged after it. Refused in a real-time run, as the verbs it ends are.
import { DEVICE_FIELDS, type DeviceSelector } from './selectors.js';
import { defineVerb } from './verb.js';

/** Ends failDevice and slowDevice. */
export interface RepairDeviceFault extends DeviceSelector {
  readonly action: 'repairDevice';
}

export const repairDevice = defineVerb<RepairDeviceFault>()({
  action: 'repairDevice',
  fields: { ...DEVICE_FIELDS },
  heals: true,
  check: (fault, path, context) => context.checkDevice(fault, path),
  simulate: (fault, world) => ({
    detail: world.withDevice(fault, (backend, where) => {
      backend.repair();
      backend.setSlow(1);
      backend.setAddedLatency(0);
      return `${where}: repaired`;
    }),
  }),
  real: { refused: 'has no equivalent on a real target (Linux null_blk/tmpfs namespaces)' },
  doc: {
    fields: '`target`, `nqn`, `nsid`',
    effect: 'ends `failDevice` and `slowDevice`',
  },
});
