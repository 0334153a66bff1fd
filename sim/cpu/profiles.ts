// Transport cost profiles: what the simulator charges a core for the Work (sim/core/env.ts) that the
// target and host report, and the waits on the latency path that are not CPU work. A profile prices
// a PDU parsed or built, a payload byte copied, a byte run through CRC32C, an NVMe command
// executed, and a hand-off to a connection's io_work worker; and it gives the waits an idle
// connection pays before its worker runs (receive interrupt, hand-off scheduling) and where its
// transport hands off at all (sim/transport io-work.ts applies them). `tcp` models the Linux kernel
// NVMe/TCP path; `rdma` models NVMe/RDMA, where the NIC places data (no copies) and there are no
// NVMe/TCP digests, on a lossless (PFC) fabric. Receive and transmit are priced the same.
//
// The numbers are for one ~3 GHz server core. Some come from published measurements or kernel
// defaults, some are estimates, and the rest were fitted so the seed study
// (scenarios/studies/seed-tcp-vs-rdma.ts) reproduces the three statements of the Oracle Linux UEK6
// NVMe/TCP article. Each field's comment says which; docs/calibration.md has the whole table. They
// are meant to get ratios right (TCP vs RDMA, digests on vs off, 4 KiB vs 128 KiB) rather than to
// predict absolute IOPS; calibrate against a real run before trusting them.
import { UnitError } from '../core/index.js';
import type { Wake, Work } from '../core/index.js';

/**
 * What a transport costs. Each profile's comment (TCP_PROFILE, RDMA_PROFILE) gives every value
 * with its source or what it was fitted to; docs/calibration.md has them as one table.
 */
export interface CostProfile {
  /** Name used on the command line and in reports. */
  readonly name: string;
  /** Fixed cost of one PDU (capsule, data or response) received or sent, in ns. */
  readonly nsPerPdu: number;
  /** Cost of copying one payload byte between socket buffers and I/O buffers, in ns. */
  readonly nsPerCopyByte: number;
  /** Cost of one byte through CRC32C (header and data digests), in ns. */
  readonly nsPerCrcByte: number;
  /** Cost of executing (target) or submitting and completing (host) one NVMe command, in ns. */
  readonly nsPerCommand: number;
  /**
   * CPU cost of one hand-off to a connection's io_work worker, in ns: the context switch from the
   * interrupted or idle task into the kworker (and the scheduler work around it). Charged to the
   * first pass of an idle connection (Work.handoffs).
   */
  readonly nsPerHandoff: number;
  /**
   * Latency of one hand-off beyond its CPU cost, in ns: from queue_work_on in softirq (or in the
   * backend's completion) until the kworker is scheduled. Pure waiting; the core is free meanwhile.
   */
  readonly handoffLatencyNs: number;
  /** The host hands received data to a worker (nvme-tcp io_work) instead of handling it in softirq. */
  readonly hostReceiveHandoff: boolean;
  /** The target hands received commands to a worker (nvmet-tcp io_work, nvmet-rdma's CQ workqueue). */
  readonly targetReceiveHandoff: boolean;
  /** The target hands a response completed by the backend to a worker before sending it. */
  readonly targetSendHandoff: boolean;
  /**
   * Latency from a frame reaching an idle receive path to its softirq processing, in ns: the NIC's
   * receive interrupt moderation (the coalescing timer) plus interrupt delivery. Paid only when the
   * connection's receive path was idle; a busy one is already being polled (NAPI, io_work's loop).
   */
  readonly rxInterruptDelayNs: number;
  /** True when the fabric never drops (RDMA over a PFC-lossless network). */
  readonly lossless: boolean;
}

/**
 * Linux kernel NVMe/TCP (nvme-tcp host, nvmet-tcp target).
 * - nsPerCopyByte 0.1: a single core copies at roughly 10 GB/s. Cai et al., "Understanding Host
 *   Network Stack Overheads" (SIGCOMM 2021) find the kernel-to-application data copy is the main
 *   receive-side cost and that one core cannot keep up with 100 Gb/s (12.5 GB/s); 0.1 ns/B is an
 *   estimate consistent with that, not a number quoted from the paper.
 * - nsPerCrcByte 0.05: about 20 GB/s. Intel's CRC32 instruction (SSE4.2) has a 3-cycle latency and
 *   1-cycle throughput on 8 bytes (Gueron, "Speeding up CRC32C computations with Intel CRC32
 *   instruction", IPL 2012: ~2.67 B/cycle serial, almost 3x that interleaved, i.e. ~8 B/cycle);
 *   corsix/fast-crc32 benchmarks 25-31 GB/s on Cascade Lake. Linux's crc32c-intel uses the
 *   interleaved method, so ~20 GB/s per core, allowing for setup on short buffers, is an estimate.
 * - nsPerCommand 2500: an estimate (the block layer and nvmet core, the same as rdma). Hwang et
 *   al., "TCP ≈ RDMA: CPU-efficient Remote Storage Access with i10" (NSDI 2020) cite traditional
 *   iSCSI at ~70K IOPS per core (~14 µs of CPU per I/O) as the baseline NVMe/TCP improves on.
 * - nsPerPdu 820: fitted. It was a 1000 ns estimate; with the hand-offs and interrupt waits now
 *   priced on their own it was lowered until the seed study's single-thread QD32 ratio (RDMA over
 *   TCP IOPS, the article's first statement, read as at least 1.3) came out at ~1.34: that ratio
 *   is the host core's CPU per I/O, TCP over RDMA. The 3 PDUs of a read per side are the command
 *   capsule and C2HData and response: Linux nvmet-tcp sets NVME_TCP_F_DATA_SUCCESS (no response)
 *   only when SQ head updates are disabled (drivers/nvme/target/tcp.c, nvmet_setup_c2h_data_pdu).
 * - nsPerHandoff 1000: one context switch into the io_work kworker, of the order of a measured
 *   thread switch (~1.07 µs per switch by a pipe ping-pong between two threads, Linux 6.6 on an
 *   11th-gen Core i7: the "Context switch overhead" experiment on ddumbying.vercel.app, an
 *   informal measurement). Used as found, not fitted.
 * - handoffLatencyNs 0: fitted (to the QD1 statement). io_work is queued on the CPU whose softirq
 *   just ran (nvme_tcp_data_ready and nvmet_tcp_data_ready call queue_work_on(io_cpu)), so the
 *   kworker runs when the softirq ends, without an IPI or an idle exit; its only cost is the switch.
 * - hand-offs at host receive, target receive and target send: drivers/nvme/host/tcp.c
 *   nvme_tcp_data_ready and drivers/nvme/target/tcp.c nvmet_tcp_data_ready queue io_work from the
 *   socket callback, and nvmet_tcp_queue_response queues it for a response the backend completed.
 *   A host request submitted on the queue's io_cpu is sent inline (nvme_tcp_queue_request), so
 *   host sends do not hand off.
 * - rxInterruptDelayNs 3000: fitted (to the QD1 statement), as the rdma profile's 2000 ns of
 *   interrupt delivery plus 1 µs of receive interrupt moderation. 1 µs is the lowest RX profile of
 *   the kernel's adaptive moderation (lib/dim/net_dim.c NET_DIM_RX_EQE_PROFILES: 1, 8, 64, 128,
 *   256 µs), which mlx5 uses for its Ethernet queues; the static mlx5 defaults are 16 µs, or 3 µs
 *   when the timer starts from the completion (drivers/net/ethernet/mellanox/mlx5/core/en.h
 *   MLX5E_PARAMS_DEFAULT_RX_CQ_MODERATION_USEC 0x10, _USEC_FROM_CQE 0x3, 32 packets).
 */
export const TCP_PROFILE: CostProfile = {
  name: 'tcp',
  nsPerPdu: 820,
  nsPerCopyByte: 0.1,
  nsPerCrcByte: 0.05,
  nsPerCommand: 2500,
  nsPerHandoff: 1000,
  handoffLatencyNs: 0,
  hostReceiveHandoff: true,
  targetReceiveHandoff: true,
  targetSendHandoff: true,
  rxInterruptDelayNs: 3000,
  lossless: false,
};

/**
 * NVMe over RDMA (kernel nvmet-rdma / nvme-rdma).
 * - nsPerCopyByte 0: the RNIC DMAs payloads straight into registered buffers.
 * - nsPerCrcByte 0: NVMe/RDMA has no NVMe-level digests; RoCE's ICRC is computed by the NIC.
 * - nsPerPdu 400 (a work request posted or a completion polled) and nsPerCommand 2500 (the same
 *   block-layer and nvmet core cost as tcp): estimates, chosen so a 4 KiB read (receive the
 *   command, RDMA-write the data, send the response: 3 work requests) costs ~3.7 µs of target CPU,
 *   ~270K IOPS per core. That matches the SPDK NVMe-oF RDMA report (SPDK 24.05:
 *   10.94M 4 KiB random-read IOPS on 8 target cores, ~1.37M per core) divided by the up-to-5.09x
 *   per-core advantage SPDK reports over the Linux kernel target (as summarised in public
 *   write-ups of that report); derived, not measured here.
 * - hand-offs at target receive only: nvmet-rdma polls its CQ from a workqueue
 *   (drivers/nvme/target/rdma.c nvmet_rdma_create_queue_ib, IB_POLL_WORKQUEUE) and posts the
 *   response from the completion; the host polls its I/O CQs in softirq
 *   (drivers/nvme/host/rdma.c, IB_POLL_SOFTIRQ). nsPerHandoff 1000 and handoffLatencyNs 0 as tcp.
 * - rxInterruptDelayNs 2000: an estimate, fitted with tcp's to the QD1 statement: a completion
 *   interrupt's delivery and the softirq it raises, without Ethernet receive moderation.
 * - lossless: RoCEv2 deployments for NVMe/RDMA run over PFC-lossless Ethernet.
 */
export const RDMA_PROFILE: CostProfile = {
  name: 'rdma',
  nsPerPdu: 400,
  nsPerCopyByte: 0,
  nsPerCrcByte: 0,
  nsPerCommand: 2500,
  nsPerHandoff: 1000,
  handoffLatencyNs: 0,
  hostReceiveHandoff: false,
  targetReceiveHandoff: true,
  targetSendHandoff: false,
  rxInterruptDelayNs: 2000,
  lossless: true,
};

/** A profile that charges nothing: the real-machine and "ideal CPU" case. */
export const FREE_PROFILE: CostProfile = {
  name: 'free',
  nsPerPdu: 0,
  nsPerCopyByte: 0,
  nsPerCrcByte: 0,
  nsPerCommand: 0,
  nsPerHandoff: 0,
  handoffLatencyNs: 0,
  hostReceiveHandoff: false,
  targetReceiveHandoff: false,
  targetSendHandoff: false,
  rxInterruptDelayNs: 0,
  lossless: false,
};

const PROFILES: ReadonlyMap<string, CostProfile> = new Map([
  ['tcp', TCP_PROFILE],
  ['rdma', RDMA_PROFILE],
  ['free', FREE_PROFILE],
]);

/** Looks a profile up by name; errors name the field (e.g. `--cpu-profile`). */
export function profileByName(name: string, field: string): CostProfile {
  const profile = PROFILES.get(name);
  if (profile === undefined) {
    throw new UnitError(field, `unknown cost profile '${name}' (expected ${[...PROFILES.keys()].join(', ')})`);
  }
  return profile;
}

/** Prices `work` under `profile` in whole nanoseconds (rounded once, after summing). */
export function workCostNs(profile: CostProfile, work: Work): number {
  const ns =
    (work.pdus ?? 0) * profile.nsPerPdu +
    (work.copyBytes ?? 0) * profile.nsPerCopyByte +
    (work.crcBytes ?? 0) * profile.nsPerCrcByte +
    (work.commands ?? 0) * profile.nsPerCommand +
    (work.handoffs ?? 0) * profile.nsPerHandoff;
  return Math.round(ns);
}

/** Whether the transport hands off to a worker thread when an idle connection is woken at `site`. */
export function handsOff(profile: CostProfile, site: Wake): boolean {
  switch (site) {
    case 'host-receive':
      return profile.hostReceiveHandoff;
    case 'target-receive':
      return profile.targetReceiveHandoff;
    case 'target-send':
      return profile.targetSendHandoff;
  }
}

/** How long an idle connection's worker waits after being woken at `site` before its pass, in ns. */
export function wakeDelayNs(profile: CostProfile, site: Wake): number {
  return (site === 'target-send' ? 0 : profile.rxInterruptDelayNs) + (handsOff(profile, site) ? profile.handoffLatencyNs : 0);
}
