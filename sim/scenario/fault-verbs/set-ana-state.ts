// setAnaState: writes one ANA group's state on one port of a target, as
// `echo inaccessible > /sys/kernel/config/nvmet/ports/<port>/ana_groups/<group>/ana_state` does on
// Linux (drivers/nvme/target/configfs.c nvmet_ana_group_ana_state_store): the port's controllers
// get an ANA change notice, and I/O to the group's namespaces through that port then fails with
// the ANA path status (inaccessible, persistent loss, transition) until the state allows it again.
// In a real-time run the same configfs file is written in the guest.
import type { AnaStateName } from '../../target/index.js';
import { int, oneOf, str } from '../schema/kit.js';
import { defineVerb } from './verb.js';

/** The states nvmet's ana_state file accepts (nvmet_ana_state_names). */
export const ANA_STATE_NAMES: readonly AnaStateName[] = ['optimized', 'non-optimized', 'inaccessible', 'persistent-loss', 'change'];

/** NVMET_MAX_ANAGRPS. */
const ANA_GROUP_MAX = 128;

export interface SetAnaStateFault {
  readonly action: 'setAnaState';
  /** Target name. */
  readonly target: string;
  /** The port's ID (nvmet ports/<portid>): the target's `ports[].id`, or 1 for a target that lists none. */
  readonly port: number;
  /** ANA group ID: 1, or one of the target's anaGroups. */
  readonly group: number;
  readonly state: AnaStateName;
}

export const setAnaState = defineVerb<SetAnaStateFault>()({
  action: 'setAnaState',
  fields: { target: str(), port: int(0, 0xffff), group: int(1, ANA_GROUP_MAX), state: oneOf(ANA_STATE_NAMES) },
  heals: false,
  check: (fault, path, context) => {
    const ports = context.targetPorts(fault.target);
    if (ports === undefined) return context.fail(`${path}.target`, `no target named '${fault.target}'`);
    const port = ports.find((candidate) => candidate.portid === fault.port);
    if (port === undefined) {
      const ids = ports.map((candidate) => candidate.portid).join(', ');
      return context.fail(`${path}.port`, `target '${fault.target}' has no port ${fault.port} (port is the port ID, not the TCP port: ${ids})`);
    }
    if (!port.anaGroups.includes(fault.group)) {
      context.fail(`${path}.group`, `port ${fault.port} of target '${fault.target}' has no ANA group ${fault.group} (groups: ${port.anaGroups.join(', ')})`);
    }
  },
  simulate: (fault, world) => ({ detail: world.setAnaState(fault.target, fault.port, fault.group, fault.state) }),
  real: {
    doc: 'writes the state to the guest\'s configfs `ports/<port>/ana_groups/<group>/ana_state`',
    check: (fault, path, context) => {
      if (!context.realTargets.has(fault.target)) context.fail(`${path}.target`, `'${fault.target}' is not on a real-runtime node`);
    },
    apply: (fault, world) => world.setAnaState(fault.target, fault.port, fault.group, fault.state),
  },
  doc: {
    fields: '`target`, `port` (port ID: `ports[].id`, or 1 when the target lists none), `group`, `state`',
    effect: "the port's ANA group state (`optimized`, `non-optimized`, `inaccessible`, `persistent-loss`, `change`): a notice to the port's controllers; I/O through it fails with the ANA path status when not usable",
  },
});
