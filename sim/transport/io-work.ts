// One connection's CPU work in passes, the way Linux io_work spends it on both sides of NVMe/TCP
// (drivers/nvme/host/tcp.c nvme_tcp_io_work, drivers/nvme/target/tcp.c nvmet_tcp_io_work): a
// receive pass handles everything decoded from one received chunk, a send pass writes what was
// queued, and what a receive pass produces goes out in one send pass after it. Each pass is charged
// to the connection's core as one Cpu work item whose cost is summed while its entries are
// collected; the entries are handled in order when the item runs, so a busy core delays them.
//
// An idle connection pays a wake-up before its next pass, as Linux does: data arriving raises the
// NIC's receive interrupt (moderated), and the socket's data_ready callback runs in softirq and
// only queues io_work on the connection's CPU (host/tcp.c nvme_tcp_data_ready and target/tcp.c
// nvmet_tcp_data_ready call queue_work_on); nvmet-tcp also queues io_work when a backend completes
// a command (nvmet_tcp_queue_response), so a response queued from outside the worker wakes it too.
// A kworker then has to be scheduled and switched to: the Cpu's wake() gives the latency, and the
// pass it starts carries one Work.handoffs for the switch's CPU cost. queue_work_on does nothing
// for work already pending, and a running io_work loops while the socket has data, so the wake-up
// is paid once per burst, not per PDU: while a wake-up waits, what arrives joins the pass it will
// start, and while passes are queued or running none is paid.
//
// What an entry is (a decoded PDU, a deferred effect) and what handling it means stays with the
// peer; this file only batches, charges and replays. Hot path: no allocation per entry or per pass
// (WorkTally and BatchFifo, sim/core/work-batch.ts; the two item callbacks are bound once).
import type { Cpu, Wake } from '../core/index.js';
import { BatchFifo, WorkTally } from '../core/index.js';

/** Handles one entry of a pass; `flag` is the boolean added with it (e.g. "data digest OK"). */
export type PassHandler<T> = (entry: T, flag: boolean) => void;

export interface IoWorkInit<R, S> {
  readonly cpu: Cpu;
  /** Core the connection's work is charged to. */
  readonly core: number;
  readonly receive: PassHandler<R>;
  readonly send: PassHandler<S>;
  /**
   * Sends queued while a receive pass runs that make the open send pass be charged at once
   * (nvmet-tcp NVMET_TCP_SEND_BUDGET); default no limit: one send pass after the receive pass.
   */
  readonly sendBudget?: number;
  /**
   * Which peer this is, for where its worker is woken (Cpu.wake); default 'host'. On the target a
   * send charged while the connection is idle wakes the worker too (nvmet_tcp_queue_response
   * queues io_work to send a response); the host's sender runs the send pass itself, as Linux
   * does for a request submitted on the queue's io_cpu (host/tcp.c nvme_tcp_queue_request).
   */
  readonly side?: 'host' | 'target';
}

export class IoWork<R, S> {
  /** The open receive pass's cost, summed as its entries are decoded. */
  readonly receiveWork = new WorkTally();
  /** The open send pass's cost. */
  readonly sendWork = new WorkTally();
  readonly #rx = new BatchFifo<R>();
  readonly #tx = new BatchFifo<S>();
  readonly #cpu: Cpu;
  readonly #core: number;
  readonly #receive: PassHandler<R>;
  readonly #send: PassHandler<S>;
  readonly #sendBudget: number;
  readonly #sendWakes: boolean;
  readonly #receiveSite: Wake;
  #inReceivePass = false;
  /** Passes charged to the core and not yet finished: the worker is busy while this is above 0. */
  #queued = 0;
  /** A wake-up is under way; passes wait for it (the worker starts with everything collected). */
  #waking = false;
  /** Sends queued into the open send pass since it was last charged. */
  #sends = 0;
  readonly #runReceivePass = (): void => this.#receivePass();
  readonly #runSendPass = (): void => this.#sendPass();
  readonly #woken = (): void => this.#wakeDone();

  constructor(init: IoWorkInit<R, S>) {
    this.#cpu = init.cpu;
    this.#core = init.core;
    this.#receive = init.receive;
    this.#send = init.send;
    this.#sendBudget = init.sendBudget ?? Number.POSITIVE_INFINITY;
    this.#sendWakes = init.side === 'target';
    this.#receiveSite = init.side === 'target' ? 'target-receive' : 'host-receive';
  }

  /** A receive pass is running (what it queues to send waits for the send pass after it). */
  get inReceivePass(): boolean {
    return this.#inReceivePass;
  }

  /** Entries in the open receive pass. */
  get receiveOpen(): number {
    return this.#rx.openSize;
  }

  /** Entries in the open send pass. */
  get sendOpen(): number {
    return this.#tx.openSize;
  }

  /** Adds an entry to the open receive pass (its cost goes to receiveWork separately). */
  addReceive(entry: R, flag = true): void {
    this.#rx.add(entry, flag);
  }

  /** Charges the open receive pass, unless it has neither entries nor cost. */
  chargeReceive(): void {
    if (this.#rx.openSize === 0 && this.receiveWork.empty) return;
    if (this.#waking) return;
    if (this.#queued === 0 && this.#wake(this.#receiveSite)) return;
    this.#chargeReceiveNow();
  }

  #chargeReceiveNow(): void {
    this.#rx.seal();
    this.#queued++;
    this.#cpu.run(this.#core, this.receiveWork, this.#runReceivePass);
    this.receiveWork.clear();
  }

  /**
   * An idle worker is woken: the pass it starts pays the hand-off. True when the wake-up waits
   * (the pass is charged when it ends); false when the CPU wakes nothing or at once.
   */
  #wake(site: Wake): boolean {
    const cpu = this.#cpu;
    if (cpu.wake === undefined) return false;
    this.#waking = true;
    if (cpu.handsOff?.(site) === true) (site === 'target-send' ? this.sendWork : this.receiveWork).addHandoff();
    cpu.wake(site, this.#woken);
    // A wake-up without latency has already run #wakeDone, which charged what was collected.
    return true;
  }

  /** The worker runs: one receive pass for what arrived meanwhile, then one send pass. */
  #wakeDone(): void {
    this.#waking = false;
    if (this.#rx.openSize > 0 || !this.receiveWork.empty) this.#chargeReceiveNow();
    // Sends collected meanwhile go out after the receive pass, as io_work receives then sends.
    if (this.#tx.openSize > 0) this.#chargeSendNow();
  }

  /** Adds an entry to the open send pass (its cost goes to sendWork separately). */
  addSend(entry: S, flag = true): void {
    this.#tx.add(entry, flag);
  }

  /**
   * One send (a command's capsule, a command's responses) is complete in the open send pass: charge
   * it now, unless a receive pass is running and the send budget is not used up.
   */
  sendQueued(): void {
    this.#sends++;
    if (!this.#inReceivePass || this.#sends >= this.#sendBudget) this.chargeSend();
  }

  /** Charges the open send pass, unless it is empty. */
  chargeSend(): void {
    this.#sends = 0;
    if (this.#tx.openSize === 0) return;
    if (this.#waking) return;
    if (this.#sendWakes && this.#queued === 0 && this.#wake('target-send')) return;
    this.#chargeSendNow();
  }

  #chargeSendNow(): void {
    this.#sends = 0;
    this.#tx.seal();
    this.#queued++;
    this.#cpu.run(this.#core, this.sendWork, this.#runSendPass);
    this.sendWork.clear();
  }

  /** The receive pass's item: its entries in order, then one send pass for what they queued. */
  #receivePass(): void {
    const rx = this.#rx;
    const receive = this.#receive;
    rx.begin();
    this.#inReceivePass = true;
    try {
      for (let entry = rx.next(); entry !== undefined; entry = rx.next()) receive(entry, rx.flag);
    } finally {
      this.#inReceivePass = false;
      this.chargeSend();
      this.#queued--;
    }
  }

  /** The send pass's item: its entries in order. */
  #sendPass(): void {
    const tx = this.#tx;
    const send = this.#send;
    tx.begin();
    try {
      for (let entry = tx.next(); entry !== undefined; entry = tx.next()) send(entry, tx.flag);
    } finally {
      this.#queued--;
    }
  }
}
