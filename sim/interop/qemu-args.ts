// The QEMU command line for the interop VM. Pure, so it can be read (and printed) in one place.
//
// Why these choices:
// - q35 rather than microvm: microvm has no HPET or ACPI PM timer, and under TCG on a busy host
//   the kernel's PIT-based TSC calibration fails and boot hangs silently. q35 boots just as fast
//   here (about 5 s to a ready agent) and always has a reference clock.
// - Two serial ports: ttyS0 is the kernel console, streamed over an inherited socket (fd 3, see
//   CONSOLE_FD); ttyS1 is the command channel on QEMU's stdin/stdout. Kernel messages never mix
//   with command output. (Node's stdio pipes are socketpairs, which QEMU's socket chardev takes
//   by number; its file chardev cannot reopen them through /proc/self/fd.)
// - -no-reboot: a guest reboot, triple fault or panic (panic=-1) ends QEMU instead of looping.
// - QEMU user networking: the guest is 10.0.2.15, the host's loopback is 10.0.2.2 from inside,
//   and hostfwd maps 127.0.0.1:hostPort to the guest's port.
import type { VmImage } from './vm-image.js';

export type Accel = 'kvm' | 'tcg';

export interface PortForward {
  hostPort: number;
  guestPort: number;
}

export interface QemuArgsInput {
  image: VmImage;
  accel: Accel;
  memoryMiB: number;
  cpus: number;
  forwards: readonly PortForward[];
  /** Seconds of host silence after which the guest powers itself off (0: never). */
  watchdogSec: number;
}

/** The guest's address on QEMU's user network, and the host loopback as the guest sees it. */
export const GUEST_ADDRESS = '10.0.2.15';
export const HOST_ADDRESS_FROM_GUEST = '10.0.2.2';

/** The file descriptor QEMU inherits for the kernel console (a connected stream socket). */
export const CONSOLE_FD = 3;

export function qemuArgs(input: QemuArgsInput): string[] {
  const hostfwd = input.forwards
    .map((f) => `,hostfwd=tcp:127.0.0.1:${f.hostPort}-:${f.guestPort}`)
    .join('');
  const cmdline = [
    'console=ttyS0',
    'quiet',
    'panic=-1',
    // No need to wait for a keyboard controller or probe for floppies/parallel ports.
    'i8042.noaux',
    'i8042.nokbd',
    `nvmfsim.watchdog=${input.watchdogSec}`,
  ].join(' ');
  return [
    '-M', 'q35',
    '-accel', input.accel,
    '-cpu', input.accel === 'kvm' ? 'host' : 'max',
    '-m', String(input.memoryMiB),
    '-smp', String(input.cpus),
    '-nodefaults',
    '-no-user-config',
    '-display', 'none',
    '-no-reboot',
    '-kernel', input.image.kernelPath,
    '-initrd', input.image.initramfsPath,
    '-append', cmdline,
    '-chardev', `socket,id=console,fd=${CONSOLE_FD}`,
    '-serial', 'chardev:console',
    '-chardev', 'stdio,id=channel,signal=off',
    '-serial', 'chardev:channel',
    '-netdev', `user,id=n0${hostfwd}`,
    '-device', 'virtio-net-pci,netdev=n0',
  ];
}
