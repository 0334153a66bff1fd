// The QEMU command line of the interop VM when it runs inside the nvmf-sim/linux-vm container:
// exactly qemu-args.ts's, with the two serial back-ends swapped for ones a container can offer.
// - Command channel (ttyS1): a TCP server on 127.0.0.1 instead of QEMU's stdio. The container
//   shares the host's network, so the harness connects to it directly. wait=on makes QEMU start
//   the guest only once the harness is connected, so the agent's @@READY cannot be missed.
// - Kernel console (ttyS0): the container's stdout (a pipe, which QEMU's file back-end can open
//   by path) instead of an inherited socket; the harness reads it through `docker attach`.
// Port forwards stay hostfwd=tcp:127.0.0.1:<hostPort>, which on the host network is the host's
// loopback. Everything else (machine, devices, kernel command line) is unchanged.
import { CONSOLE_FD, qemuArgs, type QemuArgsInput } from './qemu-args.js';

/** Where the nvmf-sim/linux-vm image keeps the VM (images/docker/Dockerfile). */
export const CONTAINER_VM_DIR = '/opt/nvmf-sim/vm';

const HOST_CONSOLE_CHARDEV = `socket,id=console,fd=${CONSOLE_FD}`;
const HOST_CHANNEL_CHARDEV = 'stdio,id=channel,signal=off';

export function dockerQemuArgs(input: QemuArgsInput, channelPort: number): string[] {
  const args = qemuArgs(input);
  const console = args.indexOf(HOST_CONSOLE_CHARDEV);
  const channel = args.indexOf(HOST_CHANNEL_CHARDEV);
  // A changed qemu-args.ts must fail loudly here rather than boot a VM nobody can talk to.
  if (console < 0 || channel < 0) {
    throw new Error('docker-qemu-args: qemu-args.ts no longer has the console/channel chardevs this file replaces');
  }
  args[console] = 'file,id=console,path=/dev/stdout';
  args[channel] = `socket,id=channel,host=127.0.0.1,port=${channelPort},server=on,wait=on,nodelay=on`;
  return args;
}
