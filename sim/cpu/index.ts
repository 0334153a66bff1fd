// The public surface of sim/cpu: what other folders may import from it.
export { profileByName } from './profiles.js';
export { SimCpu } from './sim-cpu.js';
