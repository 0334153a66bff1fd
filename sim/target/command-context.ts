// What a command handler (fabrics-, admin-, io-commands.ts, discovery.ts, identify-data.ts) sees of
// the queue its command arrived on: the target's shared state, the port and local address of the
// connection, and Connect's one effect on the queue. The command itself (TargetCommand: its SQE, its
// host-to-controller data, complete/fail/returnData) and the controller are handed to the handler
// separately. The TCP queue (queue.ts) implements this; handlers never see the rest of it.
import type { Address } from '../core/index.js';
import type { TargetContext } from './context.js';
import type { Controller } from './controller.js';
import type { LivePort } from './model.js';

export interface CommandContext {
  /** The target's seams, options, live model, controllers and counters. */
  readonly ctx: TargetContext;
  /** The port the connection arrived on. */
  readonly port: LivePort;
  /** The connection's local address (what a wildcard port advertises in the discovery log). */
  readonly local: Address;
  /** Connect: binds the queue to `controller` as queue `qid` (nvmet_install_queue). */
  install(controller: Controller, qid: number, sqsize: number, sqflowDisabled: boolean): void;
}
