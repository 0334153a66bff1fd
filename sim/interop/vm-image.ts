// The interop VM image on disk: where images/vm/build.sh put it, what it contains (vm.json), and
// what is missing before a VM can boot.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** images/build/ in this checkout (build.sh's default output directory). */
export const DEFAULT_BUILD_DIR = fileURLToPath(new URL('../../images/build/', import.meta.url));

/** The QEMU binary the runtime starts. */
export const QEMU_BINARY = 'qemu-system-x86_64';

/** vm.json, written by images/vm/build.sh next to the kernel and initramfs. */
export interface VmImage {
  buildDir: string;
  kernelPath: string;
  initramfsPath: string;
  kernelPackage: string;
  kernelVersion: string;
  /** The guest's /etc/nvme/hostnqn and hostid (what nvme-cli in the guest presents). */
  hostnqn: string;
  hostid: string;
  nvmeCli: string;
  fio: string;
}

/** The build directory to use: the argument, else $NVMF_VM_BUILD_DIR, else images/build. */
export function resolveBuildDir(buildDir?: string): string {
  return buildDir ?? process.env.NVMF_VM_BUILD_DIR ?? DEFAULT_BUILD_DIR;
}

/** Finds an executable on $PATH; undefined when there is none. */
export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; keep looking.
    }
  }
  return undefined;
}

/** What is missing to boot the VM (files of the image and the QEMU binary). */
export function vmImageStatus(buildDir?: string): { ready: boolean; missing: string[] } {
  const dir = resolveBuildDir(buildDir);
  const missing: string[] = [];
  for (const file of ['vmlinuz', 'initramfs.cpio.gz', 'vm.json']) {
    if (!existsSync(join(dir, file))) missing.push(join(dir, file));
  }
  if (findExecutable(QEMU_BINARY) === undefined) missing.push(QEMU_BINARY);
  return { ready: missing.length === 0, missing };
}

/** Reads vm.json; throws naming the build command when the image is incomplete. */
export function readVmImage(buildDir?: string): VmImage {
  const dir = resolveBuildDir(buildDir);
  const status = vmImageStatus(dir);
  if (!status.ready) {
    throw new Error(
      `interop VM image is not ready (missing: ${status.missing.join(', ')}); ` +
        'build it with `bash images/vm/build.sh` (and `apt-get install -y qemu-system-x86` for QEMU)',
    );
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'vm.json'), 'utf8')) as Record<string, unknown>;
  const text = (key: string): string => {
    const value = manifest[key];
    if (typeof value !== 'string') throw new Error(`${join(dir, 'vm.json')}: field '${key}' is missing`);
    return value;
  };
  return {
    buildDir: dir,
    kernelPath: join(dir, text('kernel')),
    initramfsPath: join(dir, text('initramfs')),
    kernelPackage: text('kernelPackage'),
    kernelVersion: text('kernelVersion'),
    hostnqn: text('hostnqn'),
    hostid: text('hostid'),
    nvmeCli: text('nvmeCli'),
    fio: text('fio'),
  };
}
