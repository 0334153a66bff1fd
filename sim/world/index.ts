// The public surface of sim/world: what other folders may import from it.
export { World } from './sim-world.js';
export { realEnv } from './real-world.js';
export type { RealEnvOptions } from './real-world.js';
