// The public surface of sim/net: what other folders may import from it.
export { LINK_OPTION_DEFAULTS } from './link-options.js';
export type { LinkDirectionOptions } from './link-options.js';
export type { Link, LinkOptions } from './link.js';
export type { Nic, NicOptions } from './nic.js';
export { DROP_REASONS } from './net-context.js';
export type { TcpCounters } from './net-context.js';
export { RealNetwork } from './real-network.js';
export { SimNetwork } from './sim-network.js';
export type { SimNode } from './sim-node.js';
