// The public surface of sim/cli: what other folders may import from it.
export { cliEnv, startTarget } from './stack.js';
