// One namespace reached through one controller: a path of a namespace head, the twin of a Linux
// struct nvme_ns that sits on its head's sibling list. It knows whether I/O may go its way
// (nvme_path_is_disabled, nvme_path_is_optimized), whether its controller could still come back
// (one term of nvme_available_path), its ANA state, the load on its controller (ctrl->nr_active)
// and what it carried.
import { AnaState, ANA_STATE_NAMES } from '../nvme/index.js';
import type { AnaStateCode } from '../nvme/index.js';
import type { ControllerState, NamespaceInfo, TcpHostController } from './controller.js';
import type { IoRequest } from './io-request.js';
import type { SelectablePath } from './iopolicy.js';
import { PathStats } from './path-stats.js';

/** I/Os in flight on one controller over all its heads (ctrl->nr_active). */
export interface ControllerLoad {
  active: number;
}

/** A path as the CLI and scenarios report it. */
export interface PathReport {
  /** "traddr:trsvcid". */
  readonly name: string;
  readonly traddr: string;
  readonly trsvcid: number;
  readonly state: ControllerState;
  /** ANA state name as nvme-cli prints it ("optimized", ...), or "unknown" before a log listed the namespace. */
  readonly anaState: string;
  readonly anaGroup: number;
  /** Whether the next I/O could go this way (not disabled and optimized or non-optimized). */
  readonly usable: boolean;
  readonly stats: PathStats;
}

export class NamespacePath implements SelectablePath {
  readonly controller: TcpHostController;
  readonly info: NamespaceInfo;
  readonly name: string;
  readonly stats = new PathStats();
  readonly #load: ControllerLoad;

  constructor(controller: TcpHostController, info: NamespaceInfo, load: ControllerLoad) {
    this.controller = controller;
    this.info = info;
    this.name = `${controller.options.traddr}:${controller.options.trsvcid}`;
    this.#load = load;
  }

  get nsid(): number {
    return this.info.nsid;
  }

  get anaState(): AnaStateCode | undefined {
    const ana = this.controller.ana;
    return ana === null ? AnaState.OPTIMIZED : ana.stateOf(this.info.nsid);
  }

  /**
   * nvme_path_is_disabled: the controller is not live, or an ANA error awaits a log re-read, or
   * no log listed the namespace yet. (Linux keeps a DELETING controller's paths; this host's
   * controllers refuse I/O once deleting, so such a path is disabled here.)
   */
  get disabled(): boolean {
    if (this.controller.state !== 'live') return true;
    const ana = this.controller.ana;
    return ana !== null && (ana.isPending(this.info.nsid) || this.anaState === undefined);
  }

  /** nvme_path_is_optimized. */
  get optimized(): boolean {
    return !this.disabled && this.anaState === AnaState.OPTIMIZED;
  }

  get usable(): boolean {
    const state = this.anaState;
    return !this.disabled && (state === AnaState.OPTIMIZED || state === AnaState.NON_OPTIMIZED);
  }

  /**
   * nvme_available_path, for this path: its controller may still carry I/O (live, or resetting or
   * reconnecting before fast_io_fail_tmo expired). A deleted controller never comes back.
   */
  get available(): boolean {
    if (this.controller.failfastExpired) return false;
    const state = this.controller.state;
    return state === 'live' || state === 'resetting' || state === 'connecting';
  }

  get depth(): number {
    return this.#load.active;
  }

  /** Sends a dispatch on this path's controller. */
  send(request: IoRequest): void {
    this.stats.inFlight++;
    this.#load.active++;
    this.controller.submitIo(request);
  }

  /** A dispatch on this path completed (any status). */
  settle(): void {
    this.stats.inFlight--;
    this.#load.active--;
  }

  report(): PathReport {
    const state = this.anaState;
    return {
      name: this.name,
      traddr: this.controller.options.traddr,
      trsvcid: this.controller.options.trsvcid,
      state: this.controller.state,
      anaState: state === undefined ? 'unknown' : (ANA_STATE_NAMES.get(state) ?? 'unknown'),
      anaGroup: this.controller.ana?.groupOf(this.info.nsid) ?? 0,
      usable: this.usable,
      stats: this.stats,
    };
  }
}
