// The public surface of sim/interop: what other folders may import from it.
export { DOCKER_VM_IMAGE } from './docker-image.js';
export { bootLinuxVm } from './docker-runtime.js';
export { bringNvmetPortUp, takeNvmetPortDown } from './linux-port.js';
export type { NvmetPort } from './linux-port.js';
export { addLinuxPort, removeLinuxPort, setLinuxAnaState, setLinuxNamespaceAnaGroup } from './linux-ana.js';
export type { LinuxAnaState } from './linux-ana.js';
export { configureLinuxTarget } from './linux-target.js';
export type { LinuxNamespaceSpec, LinuxTargetConfig } from './linux-target.js';
export { readLinuxTcpCounters, tcpCountersSince } from './linux-tcp-counters.js';
export type { LinuxTcpCounters } from './linux-tcp-counters.js';
export { NETEM_FIELDS, netemCommand, netemProblem, qdiscShowCommand } from './netem.js';
export type { NetemOptions } from './netem.js';
export type { LinuxPeer } from './linux-peer.js';
export { shellQuote } from './shell.js';
export { DEFAULT_BUILD_DIR, QEMU_BINARY, resolveBuildDir, vmImageStatus } from './vm-image.js';
