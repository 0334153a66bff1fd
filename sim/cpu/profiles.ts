// Transport cost profiles: what the simulator charges a core for the Work (sim/core/env.ts) that the
// target and host report. A profile prices four things: a PDU parsed or built, a payload byte
// copied, a byte run through CRC32C, and an NVMe command executed. `tcp` models the Linux kernel
// NVMe/TCP path; `rdma` models NVMe/RDMA, where the NIC places data (no copies) and there are no
// NVMe/TCP digests, on a lossless (PFC) fabric. Receive and transmit are priced the same.
//
// The numbers are estimates for one ~3 GHz server core, built from the published measurements
// cited on each field. They are meant to get ratios right (TCP vs RDMA, digests on vs off, 4 KiB vs
// 128 KiB) rather than to predict absolute IOPS; calibrate against a real run before trusting them.
import { UnitError } from '../core/index.js';
import type { Wake, Work } from '../core/index.js';

const TCP_NS_PER_HANDOFF = 1000;
const TCP_HANDOFF_LATENCY_NS = 0;
const TCP_RX_INTERRUPT_DELAY_NS = 3000;
const RDMA_RX_INTERRUPT_DELAY_NS = 2000;
const RDMA_NS_PER_HANDOFF = 1000;

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
 * Linux kernel NVMe/TCP.
 * - nsPerCopyByte 0.1: a single core copies at roughly 10 GB/s. Cai et al., "Understanding Host
 *   Network Stack Overheads" (SIGCOMM 2021) find the kernel-to-application data copy is the main
 *   receive-side cost and that one core cannot keep up with 100 Gb/s (12.5 GB/s); 0.1 ns/B is an
 *   estimate consistent with that, not a number quoted from the paper.
 * - nsPerCrcByte 0.05: about 20 GB/s. Intel's CRC32 instruction (SSE4.2) has a 3-cycle latency and
 *   1-cycle throughput on 8 bytes (Gueron, "Speeding up CRC32C computations with Intel CRC32
 *   instruction", IPL 2012: ~2.67 B/cycle serial, almost 3x that interleaved, i.e. ~8 B/cycle);
 *   corsix/fast-crc32 benchmarks 25-31 GB/s on Cascade Lake. Linux's crc32c-intel uses the
 *   interleaved method, so ~20 GB/s per core, allowing for setup on short buffers, is an estimate.
 * - nsPerPdu 1000 and nsPerCommand 2500: estimates. Hwang et al., "TCP ≈ RDMA: CPU-efficient
 *   Remote Storage Access with i10" (NSDI 2020) cite traditional iSCSI at ~70K IOPS per core
 *   (~14 µs of CPU per I/O) as the unsustainable baseline NVMe/TCP improves on. With these values
 *   a 4 KiB read costs the target 1 command + 3 PDUs + 4 KiB copied ≈ 5.9 µs (~170K IOPS per
 *   core). The 3 PDUs are the command capsule in and C2HData and response out: Linux nvmet-tcp
 *   sets NVME_TCP_F_DATA_SUCCESS (no response) only when SQ head updates are disabled
 *   (drivers/nvme/target/tcp.c, nvmet_setup_c2h_data_pdu). That is ~2.2 µs per side more than the
 *   rdma profile, in line with the seed document (Oracle Linux UEK6 NVMe/TCP article,
 *   "NVMe-RDMA vs NVMe-TCP"; docs/protocol.md summarises it): TCP QD1 latency was ~30% above RDMA, "much of the difference is due to
 *   the buffer copies required by TCP".
 */
export const TCP_PROFILE: CostProfile = {
  name: 'tcp',
  nsPerPdu: 820,
  nsPerCopyByte: 0.1,
  nsPerCrcByte: 0.05,
  nsPerCommand: 2500,
  nsPerHandoff: TCP_NS_PER_HANDOFF,
  handoffLatencyNs: TCP_HANDOFF_LATENCY_NS,
  hostReceiveHandoff: true,
  targetReceiveHandoff: true,
  targetSendHandoff: true,
  rxInterruptDelayNs: TCP_RX_INTERRUPT_DELAY_NS,
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
 * - lossless: RoCEv2 deployments for NVMe/RDMA run over PFC-lossless Ethernet.
 */
export const RDMA_PROFILE: CostProfile = {
  name: 'rdma',
  nsPerPdu: 400,
  nsPerCopyByte: 0,
  nsPerCrcByte: 0,
  nsPerCommand: 2500,
  nsPerHandoff: RDMA_NS_PER_HANDOFF,
  handoffLatencyNs: 0,
  hostReceiveHandoff: false,
  targetReceiveHandoff: true,
  targetSendHandoff: false,
  rxInterruptDelayNs: RDMA_RX_INTERRUPT_DELAY_NS,
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
