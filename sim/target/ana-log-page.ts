// The ANA log page this target returns (Linux drivers/nvme/target/admin-cmd.c
// nvmet_execute_get_log_page_ana / nvmet_format_ana_group): one descriptor per enabled group, in
// ascending group ID, with the state as seen through the port the command arrived on, and the
// enabled namespaces of the controller's subsystem in that group unless the host asked for groups
// only (RGO). Every descriptor carries the target-wide change count, as nvmet's does.
import { AnaState, encodeAnaLog } from '../nvme/index.js';
import type { AnaGroupDescriptor, AnaStateCode } from '../nvme/index.js';
import type { AnaStateName } from './config.js';
import type { LivePort, LiveSubsystem, TargetModel } from './model.js';

const STATE_CODES: Readonly<Record<AnaStateName, AnaStateCode>> = {
  optimized: AnaState.OPTIMIZED,
  'non-optimized': AnaState.NON_OPTIMIZED,
  inaccessible: AnaState.INACCESSIBLE,
  'persistent-loss': AnaState.PERSISTENT_LOSS,
  change: AnaState.CHANGE,
};

export function anaStateCode(state: AnaStateName): AnaStateCode {
  return STATE_CODES[state];
}

export function anaLogImage(model: TargetModel, port: LivePort, subsystem: LiveSubsystem, groupsOnly: boolean): Uint8Array {
  const chgcnt = model.anaChangeCount;
  const groups: AnaGroupDescriptor[] = model.enabledAnaGroups().map((grpid) => ({
    grpid,
    chgcnt,
    state: anaStateCode(model.anaState(port, grpid)),
    nsids: groupsOnly
      ? []
      : [...subsystem.namespaces.values()]
          .filter((ns) => ns.enabled && ns.anaGroupId === grpid)
          .map((ns) => ns.nsid)
          .sort((a, b) => a - b),
  }));
  return encodeAnaLog({ chgcnt, groups });
}
