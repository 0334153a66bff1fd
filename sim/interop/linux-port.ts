// Taking a Linux nvmet port down and up again, for target crash and restart faults. The subsystems,
// namespaces and their devices stay configured (a restarted target serves the same data, as the
// simulator's devices outlive a target restart); only the port goes away:
// - removing ports/<id>/subsystems/<nqn> runs nvmet_port_subsys_drop_link
//   (drivers/nvme/target/configfs.c), which deletes every controller of that subsystem on the port
//   (nvmet_port_del_ctrls) and, once the port has no subsystem left, disables it
//   (nvmet_disable_port -> nvmet_tcp_remove_port): the listener closes and every queue is released;
// - rmdir of the port then frees it, and configuring it again re-creates the listener.
// The configfs layout is the one linux-target.ts writes.
import type { LinuxPeer } from './linux-peer.js';
import { shellQuote } from './shell.js';

const NVMET = '/sys/kernel/config/nvmet';

/** One nvmet port and the subsystems exported on it. */
export interface NvmetPort {
  readonly portId: number;
  /** TCP port in the guest. */
  readonly port: number;
  readonly nqns: readonly string[];
}

/** Drops every controller and connection on the port and removes the port. */
export async function takeNvmetPortDown(guest: LinuxPeer, port: NvmetPort): Promise<void> {
  const q = shellQuote;
  const dir = `${NVMET}/ports/${port.portId}`;
  const lines = ['set -e', `[ -d ${q(dir)} ] || exit 0`];
  for (const nqn of port.nqns) lines.push(`rm -f ${q(`${dir}/subsystems/${nqn}`)}`);
  // A port with ANA groups besides the default one cannot be removed until they are.
  lines.push(`for g in ${q(dir)}/ana_groups/*; do [ "$(basename "$g")" = 1 ] || rmdir "$g"; done`);
  lines.push(`rmdir ${q(dir)}`);
  await guest.execOk(lines.join('\n'));
}

/** Re-creates the port (TCP, IPv4, every guest address) and exports the subsystems on it again. */
export async function bringNvmetPortUp(guest: LinuxPeer, port: NvmetPort): Promise<void> {
  const q = shellQuote;
  const dir = `${NVMET}/ports/${port.portId}`;
  const lines = [
    'set -e',
    // An enabled port refuses address writes (nvmet_addr_*_store: -EACCES), so only a new one gets them.
    `if [ ! -d ${q(dir)} ]; then`,
    `  mkdir ${q(dir)}`,
    `  echo tcp > ${q(`${dir}/addr_trtype`)}`,
    `  echo ipv4 > ${q(`${dir}/addr_adrfam`)}`,
    // The same wildcard address linux-target.ts uses: forwarded connections arrive on 10.0.2.15.
    `  echo 0.0.0.0 > ${q(`${dir}/addr_traddr`)}`,
    `  echo ${port.port} > ${q(`${dir}/addr_trsvcid`)}`,
    'fi',
  ];
  for (const nqn of port.nqns) {
    const link = `${dir}/subsystems/${nqn}`;
    lines.push(`[ -L ${q(link)} ] || ln -s ${q(`${NVMET}/subsystems/${nqn}`)} ${q(link)}`);
  }
  await guest.execOk(lines.join('\n'));
}
