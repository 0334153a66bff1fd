// A real Linux peer, whichever runtime runs it: the interop VM started directly (qemu-vm.ts) or
// inside the nvmf-sim/linux-vm container (docker-vm.ts). Everything that drives a peer (the target
// and host helpers, the port and counter helpers, scenario runs) takes this interface, so it never
// needs to know the runtime.
import type { ExecOptions, ExecResult } from './guest-jobs.js';
import type { Accel, PortForward } from './qemu-args.js';
import type { VmImage } from './vm-image.js';

export interface LinuxPeer {
  /** The kernel, initramfs and tool versions the guest runs. */
  readonly image: VmImage;
  /** How QEMU runs the guest ('kvm' or 'tcg'). */
  readonly accel: Accel;
  /** The TCP forwards 127.0.0.1:hostPort -> guest:guestPort, with the ports actually bound. */
  readonly forwards: readonly PortForward[];
  /** Wall-clock milliseconds from starting the runtime to the guest agent's READY. */
  readonly bootMs: number;
  /** False once the guest, QEMU or the container has ended. */
  readonly running: boolean;
  /** The host port forwarded to `guestPort` (throws if there is none). */
  hostPort(guestPort: number): number;
  /**
   * Runs `command` with sh in the guest and resolves with its status, whatever it is. Rejects
   * (VmExecError) only if it outlives timeoutMs or the peer ends first.
   */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Like exec, but rejects with stdout and stderr when the status is not 0; resolves with stdout. */
  execOk(command: string, options?: ExecOptions): Promise<string>;
  /** The guest kernel log. */
  dmesg(): Promise<string>;
  /** The last `lines` lines of the kernel console and the runtime's own messages. */
  consoleTail(lines?: number): string;
  /** Powers the guest off and leaves nothing running (no QEMU process, no container). Safe to call twice. */
  stop(): Promise<void>;
}
