// The public surface of sim/host: what other folders may import from it.
export type { BlockDevice } from './block-device.js';
export { connectController } from './controller.js';
export type { HostController } from './controller.js';
export { discover } from './discovery.js';
export { DEFAULT_IOPOLICY, IO_POLICIES, isIoPolicy } from './iopolicy.js';
export type { IoPolicy } from './iopolicy.js';
export { connectMultipath } from './multipath.js';
export type { MultipathOptions, MultipathSubsystem } from './multipath.js';
export { MultipathError } from './multipath-error.js';
export type { DispatchListener, DispatchOutcome, MultipathNamespace, NoPathListener } from './namespace-head.js';
export type { PathReport } from './namespace-path.js';
export type { HeadStats, PathStats } from './path-stats.js';
export { ConnectOptionsError } from './options.js';
export type { ConnectOptions } from './options.js';
export { TransportError } from './transport-error.js';
