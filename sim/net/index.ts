// The public surface of sim/net: what other folders may import from it.
export { LINK_OPTION_DEFAULTS } from './link-options.js';
export type { LinkDirectionOptions } from './link-options.js';
export type { Link, LinkDirection, LinkOptions } from './link.js';
export type { Nic, NicOptions } from './nic.js';
export { DROP_REASONS } from './net-context.js';
export type { TcpCounters } from './net-context.js';
export { PacketCapture } from './packet-capture.js';
export type { PacketCaptureOptions } from './packet-capture.js';
export { PcapWriter } from './pcap-writer.js';
export { RealNetwork } from './real-network.js';
export { SimNetwork } from './sim-network.js';
export type { SimNode } from './sim-node.js';
export { connectEcmp, EcmpGroup } from './ecmp-group.js';
export type { EcmpPaths } from './ecmp-group.js';
export { healFlows, setFlowOptions } from './flow-faults.js';
export { flowHash, ipv4ToInt, seedFrom } from './flow-hash.js';
export { FlowSelector } from './flow-selector.js';
export type { ConnectionSet, FlowSelection } from './flow-selector.js';
