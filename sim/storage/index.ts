// The public surface of sim/storage: what other folders may import from it.
export { backendSpecFromDevicePath, openBackend, parseBackendSpec } from './backend-spec.js';
export type { BackendSpec } from './backend-spec.js';
export type { BlockBackend } from './backend.js';
export { FaultyBackend } from './faulty-backend.js';
export type { SsdBackend } from './ssd-backend.js';
