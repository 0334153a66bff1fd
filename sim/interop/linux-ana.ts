// ANA on a real Linux target (nvmet) through configfs, as nvmetcli and blktests drive it:
//   ports/<portid>/ana_groups/<grpid>/ana_state   (group 1 exists with every port; others by mkdir)
//   subsystems/<nqn>/namespaces/<nsid>/ana_grpid
// plus a second port exporting a subsystem configureLinuxTarget made, so one subsystem can be
// reached over two paths. Linux raises an ANA change notice to the port's controllers on each write
// (drivers/nvme/target/configfs.c nvmet_ana_group_ana_state_store).
import type { LinuxPeer } from './linux-peer.js';
import { shellQuote } from './shell.js';

const NVMET = '/sys/kernel/config/nvmet';

/** The states nvmet's ana_state file takes (configfs.c nvmet_ana_state). */
export type LinuxAnaState = 'optimized' | 'non-optimized' | 'inaccessible' | 'persistent-loss' | 'change';

/** Exports subsystem `nqn` on another nvmet port listening on `port` (all addresses). */
export async function addLinuxPort(vm: LinuxPeer, init: { readonly nqn: string; readonly portId: number; readonly port: number }): Promise<void> {
  const q = shellQuote;
  const dir = `${NVMET}/ports/${init.portId}`;
  await vm.execOk(
    [
      `mkdir ${q(dir)}`,
      `echo tcp > ${q(`${dir}/addr_trtype`)}`,
      `echo ipv4 > ${q(`${dir}/addr_adrfam`)}`,
      `echo 0.0.0.0 > ${q(`${dir}/addr_traddr`)}`,
      `echo ${init.port} > ${q(`${dir}/addr_trsvcid`)}`,
      `ln -s ${q(`${NVMET}/subsystems/${init.nqn}`)} ${q(`${dir}/subsystems/${init.nqn}`)}`,
    ].join('\n'),
  );
}

/** Unexports the subsystem from a port addLinuxPort made and deletes the port and its ANA groups. */
export async function removeLinuxPort(vm: LinuxPeer, init: { readonly nqn: string; readonly portId: number }): Promise<void> {
  const q = shellQuote;
  const dir = `${NVMET}/ports/${init.portId}`;
  await vm.exec(
    [
      `rm -f ${q(`${dir}/subsystems/${init.nqn}`)}`,
      `for g in ${q(dir)}/ana_groups/*; do [ "$(basename "$g")" = 1 ] || rmdir "$g" 2>/dev/null; done`,
      `rmdir ${q(dir)} 2>/dev/null`,
    ].join('\n'),
  );
}

/** Writes a group's state on a port, creating the group first when it is not the default one. */
export async function setLinuxAnaState(vm: LinuxPeer, portId: number, grpid: number, state: LinuxAnaState): Promise<void> {
  const q = shellQuote;
  const group = `${NVMET}/ports/${portId}/ana_groups/${grpid}`;
  await vm.execOk([`[ -d ${q(group)} ] || mkdir ${q(group)}`, `echo ${state} > ${q(`${group}/ana_state`)}`].join('\n'));
}

/** Moves a namespace to another ANA group (configfs ana_grpid). */
export async function setLinuxNamespaceAnaGroup(vm: LinuxPeer, nqn: string, nsid: number, grpid: number): Promise<void> {
  await vm.execOk(`echo ${grpid} > ${shellQuote(`${NVMET}/subsystems/${nqn}/namespaces/${nsid}/ana_grpid`)}`);
}
