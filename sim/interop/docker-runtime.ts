// Choosing where a real Linux peer runs: a QEMU VM started directly ('qemu', qemu-vm.ts) or the same
// VM inside the nvmf-sim/linux-vm container ('docker', docker-vm.ts). Both are a LinuxPeer, so
// linux-target.ts, linux-host.ts and scenario runs do not care which one they got.
import { DockerVm, type DockerVmOptions } from './docker-vm.js';
import type { LinuxPeer } from './linux-peer.js';
import { QemuVm } from './qemu-vm.js';

export type LinuxVmRuntime = 'qemu' | 'docker';

export const LINUX_VM_RUNTIMES: readonly LinuxVmRuntime[] = ['qemu', 'docker'];

/** Options for either runtime: `image`/`docker` apply to 'docker', `buildDir` and 'auto' accel to 'qemu'. */
export type LinuxVmOptions = DockerVmOptions & {
  buildDir?: string;
};

/** The runtime named by $NVMF_LINUX_RUNTIME ('qemu' or 'docker'), if any. */
export function envLinuxVmRuntime(): LinuxVmRuntime | undefined {
  const value = process.env.NVMF_LINUX_RUNTIME;
  return value === 'qemu' || value === 'docker' ? value : undefined;
}

/** Boots a Linux peer in the named runtime; stop() it (always) when done. */
export async function bootLinuxVm(runtime: LinuxVmRuntime, options: LinuxVmOptions = {}): Promise<LinuxPeer> {
  if (runtime === 'docker') {
    const { buildDir: _buildDir, ...dockerOptions } = options;
    return DockerVm.boot(dockerOptions);
  }
  const { image: _image, docker: _docker, ...qemuOptions } = options;
  return QemuVm.boot(qemuOptions);
}
