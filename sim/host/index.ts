// The public surface of sim/host: what other folders may import from it.
export type { BlockDevice } from './block-device.js';
export { connectController } from './controller.js';
export type { HostController } from './controller.js';
export { discover } from './discovery.js';
export { ConnectOptionsError } from './options.js';
export type { ConnectOptions } from './options.js';
export { TransportError } from './transport-error.js';
