// slowDevice: a slow namespace device: commands take `multiplier` times as long, plus
// addedLatencyUs. Refused in a real-time run (Linux null_blk and tmpfs namespaces have no knob).
import { num } from '../schema/kit.js';
import { DEVICE_FIELDS, type DeviceSelector } from './selectors.js';
import { defineVerb } from './verb.js';

/** A slow device: commands take `multiplier` times as long, plus addedLatencyUs. */
export interface SlowDeviceFault extends DeviceSelector {
  readonly action: 'slowDevice';
  /** >= 1; 1 turns it off. Default 1. */
  readonly multiplier?: number;
  /** Added to every completion, in µs; 0 turns it off. Default 0. */
  readonly addedLatencyUs?: number;
}

export const slowDevice = defineVerb<SlowDeviceFault>()({
  action: 'slowDevice',
  fields: { ...DEVICE_FIELDS, multiplier: num({ min: 1 }).optional(), addedLatencyUs: num({ min: 0 }).optional() },
  heals: false,
  check: (fault, path, context) => context.checkDevice(fault, path),
  simulate: (fault, world) => ({
    detail: world.withDevice(fault, (backend, where) => {
      const multiplier = fault.multiplier ?? 1;
      const addedUs = fault.addedLatencyUs ?? 0;
      backend.setSlow(multiplier);
      backend.setAddedLatency(addedUs);
      return `${where}: ${multiplier}x slower, +${addedUs} µs`;
    }),
  }),
  real: { refused: 'has no equivalent on a real target (Linux null_blk/tmpfs namespaces)' },
  doc: {
    fields: '`target`, `nqn`, `nsid`, `multiplier` (≥ 1), `addedLatencyUs`',
    effect: 'a slow namespace device',
  },
});
