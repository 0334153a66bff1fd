// Controller IDs and the live controllers. Linux nvmet allocates CNTLIDs from one target-wide IDA,
// lowest free first, within the subsystem's [cntlid_min, cntlid_max] (core.c nvmet_alloc_ctrl,
// ida_alloc_range(&cntlid_ida, ...)), and frees the ID when the controller goes.
import type { Controller } from './controller.js';

export class ControllerRegistry {
  readonly #byId = new Map<number, Controller>();

  /** Lowest free ID in min..max, or undefined when all are taken (Connect then fails with CONTROLLER_BUSY). */
  allocate(min: number, max: number): number | undefined {
    for (let id = min; id <= max; id++) {
      if (!this.#byId.has(id)) return id;
    }
    return undefined;
  }

  add(controller: Controller): void {
    this.#byId.set(controller.cntlid, controller);
  }

  remove(controller: Controller): void {
    if (this.#byId.get(controller.cntlid) === controller) this.#byId.delete(controller.cntlid);
  }

  get(cntlid: number): Controller | undefined {
    return this.#byId.get(cntlid);
  }

  all(): Controller[] {
    return [...this.#byId.values()];
  }

  ofSubsystem(nqn: string): Controller[] {
    return this.all().filter((controller) => controller.subsystem.nqn === nqn);
  }

  get size(): number {
    return this.#byId.size;
  }
}
