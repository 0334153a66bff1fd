// One simulated TCP connection, seen by the application as a ByteStream (env.ts). It models what
// decides NVMe/TCP's behaviour under faults and load, in the way Linux does it:
// - 3-way handshake with SYN retransmission (1 s initial RTO, tcp_syn_retries) and RST refusal;
// - MSS segmentation (MTU - 40, the smaller of the two ends) with TSO/GSO: one output pass sends
//   the data as super-segments of up to 44 MSS frames (tcp-tso.ts: sk_gso_max_size, autosize),
//   each bounded by half the congestion window (tcp_cwnd_test) and by the peer's window; the
//   NIC puts them on the wire as separate frames (packet.ts), and faults strike frames (link.ts);
// - GRO on receive: a super-segment (or what is left of it) is processed once and handed to the
//   application as one chunk; cumulative ACKs, delayed ACKs (immediately once more than one full
//   frame is unacknowledged, so every multi-frame super-segment is ACKed at once, else 40 ms;
//   quick-ack for the first 16 packets; immediate ACK for out-of-order data, holes filled, FIN);
// - RTO per RFC 6298 with Linux's 200 ms floor, exponential backoff to 120 s, and failure with
//   ETIMEDOUT after tcp_retries2 (modelled time, tcp_model_timeout);
// - SACK (RFC 2018, on by default like net.ipv4.tcp_sack) with RACK-TLP (RFC 8985, tcp-rack.ts:
//   time-based loss marking, a reorder timer and tail loss probes) plus FACK marking; without
//   SACK, NewReno (RFC 6582). Fast recovery starts after 3 duplicate ACKs or when the scoreboard
//   marks a loss (tcp-congestion.ts);
// - slow start from 10 segments and the node's congestion control (CUBIC by default, Reno,
//   DCTCP; tcp-ca-ops.ts), growing only when cwnd-limited;
// - every packet count in frames, as Linux counts tcp_skb_pcount: cwnd, packets_out, sacked_out,
//   lost_out, retrans_out, cwnd growth per acknowledged frame; partial ACKs trim a super-segment,
//   SACK blocks and FACK cut it at MSS boundaries, and retransmissions send only the frames still
//   unacknowledged and unSACKed, as many as the window allows (tcp-rtx-queue.ts). An RTO resends
//   one MSS of the head (tcp_retransmit_timer -> tcp_retransmit_skb(sk, head, 1)), then ACKs clock
//   out the rest;
// - receive-window backpressure from a 6 MiB receive buffer that the application drains
//   instantly unless it is paused or has not installed handlers; zero-window probes;
// - a send buffer with a high-water mark (write() returns false; drain() at half of it);
// - FIN, RST and TIME_WAIT; a peer crash is seen as RST (after restart) or ETIMEDOUT.
// Simplifications, each also noted where it applies: no timestamps, no D-SACK (so no RACK
// reordering window growth and no undo), no PRR (cwnd drops to ssthresh at once), no Nagle (NVMe/TCP sets TCP_NODELAY),
// unbounded sequence numbers, writes in one event coalesced into full segments (autocorking), no
// TSO deferral (tcp_tso_should_defer), super-segments never merged again once cut (no
// tcp_shift_skb_data / retrans collapse), and GRO merges exactly what one super-segment carried
// (a real NIC may also merge back-to-back small packets of one flow within a NAPI poll).
import { CHRONO_BUSY, CHRONO_CWND_LIMITED, CHRONO_IDLE, CHRONO_RWND_LIMITED, type ChronoState, TcpChrono } from './tcp-chrono.js';
import type { Address, ByteStream, StreamHandlers } from '../core/index.js';
import type { ExecutionGate } from '../core/index.js';
import { LazyTimers, clearTimer, clearTimers, createTimerSlots, timerArmed, timerDeadlineNs } from './lazy-timer.js';
import { FP_APP_DATA, FP_TCP_EVENT } from './net-context.js';
import { type NetErrorCode, netError } from './net-errors.js';
import type { NetContext } from './net-context.js';
import type { Nic } from './nic.js';
import { Packet, TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_IP_HEADER_BYTES, TCP_PSH, TCP_RST, TCP_SYN } from './packet.js';
import { CongestionControl, createCongestionOps } from './tcp-congestion.js';
import { LossProbe, probeTimeoutNs, rackReorderWindowNs, rackSentAfter, TLP_TIMEOUT_MIN_NS } from './tcp-rack.js';
import { ECN_ACK_NOW, ECN_CWR_PENDING, ECN_OK, ECN_WANTED, ecnEcho, ecnInitial, ecnOnData, ecnOnSyn, ecnOnSynAck, ecnSynFlags } from './tcp-ecn.js';
import { Reassembly } from './tcp-reassembly.js';
import { RtoEstimator } from './tcp-rto.js';
import { RetransmitQueue, SentSegment } from './tcp-rtx-queue.js';
import { RangeSet } from './tcp-sack.js';
import { SendBuffer } from './tcp-send-buffer.js';
import { TSO_AUTOSIZE_FULL_BELOW_NS, autosizeFrames, sizeGoalFrames } from './tcp-tso.js';
import { type ResolvedTcpOptions, modelTimeoutNs } from './tcp-options.js';
import type { ConnectionTableEntry, TcpConnectionOwner } from './tcp-connection-owner.js';
import type { TcpStats } from './tcp-stats.js';

/** RFC 9293 connection states (LISTEN lives in the stack's listener table). */
export type TcpState =
  | 'SYN_SENT'
  | 'SYN_RECEIVED'
  | 'ESTABLISHED'
  | 'FIN_WAIT_1'
  | 'FIN_WAIT_2'
  | 'CLOSING'
  | 'TIME_WAIT'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'CLOSED';

const noHandlers: StreamHandlers = { data() {}, drain() {}, close() {}, error() {} };
/** Bound on (super-)segments sent by one output pass: a safety limit, far above any real window. */
const OUTPUT_BUDGET = 1 << 20;
/** Timers, by index in a connection's timer slots (lazy-timer.ts). */
const T_RTO = 0;
const T_DELACK = 1;
const T_PERSIST = 2;
const T_TIME_WAIT = 3;
/** Tail loss probe (ICSK_TIME_LOSS_PROBE) and RACK reorder (ICSK_TIME_REO_TIMEOUT). */
const T_PROBE = 4;
const T_REORDER = 5;
/** Bits of TcpConnection's #flags (one Smi instead of sixteen boolean fields). */
const F_DEAD = 1 << 0;
const F_FIN_QUEUED = 1 << 1;
const F_FIN_SENT = 1 << 2;
const F_FIN_ACKED = 1 << 3;
const F_NEED_DRAIN = 1 << 4;
const F_FLUSH_SCHEDULED = 1 << 5;
const F_SACK_ENABLED = 1 << 6;
const F_ACK_NOW = 1 << 7;
const F_FIN_RECEIVED = 1 << 8;
const F_HANDLERS_INSTALLED = 1 << 9;
const F_PENDING_DRAIN = 1 << 10;
const F_FIN_TO_APP = 1 << 11;
const F_END_CALLED = 1 << 12;
const F_DESTROYED = 1 << 13;
const F_PUMP_SCHEDULED = 1 << 14;
const F_PUMP_DEFERRED = 1 << 15;
/** Outcome of a connect attempt, settled once. */
export interface ConnectWaiter {
  resolve(stream: TcpConnection): void;
  reject(error: Error): void;
}

export class TcpConnection implements ByteStream, ConnectionTableEntry {
  readonly #remoteIp: string;
  /** Made when first asked for (rarely: a log line, a report). */
  #local: Address | null = null;
  #remote: Address | null = null;
  /** The stack whose table holds this connection. */
  readonly stack: TcpConnectionOwner;
  /** Our NIC: segments leave through it and arrive on it. */
  readonly nic: Nic;
  /** The peer's NIC, by the id packets carry. */
  readonly remoteNicId: number;
  readonly localPort: number;
  readonly remotePort: number;
  /** Key in the stack's table for this NIC. */
  readonly key: number;
  /** Kept by the stack's table: the next connection with the same key, and creation order. */
  tableNext: TcpConnection | null = null;
  tableOrder = 0;
  // Counters (TcpStats, read through `stats`): fields of the connection, which every segment touches anyway.
  #segmentsSent = 0;
  #segmentsReceived = 0;
  #payloadBytesSent = 0;
  #bytesAcked = 0;
  #bytesDelivered = 0;
  #retransmits = 0;
  #fastRetransmits = 0;
  #rtoCount = 0;
  #dupAcks = 0;
  #outOfOrderSegments = 0;
  #zeroWindowProbes = 0;
  #lossProbes = 0;
  #lossProbeRecoveries = 0;
  state: TcpState;
  /** Time spent sending and what held it back (tcp-chrono.ts), set at the end of each send pass. */
  readonly chrono = new TcpChrono();

  readonly #context: NetContext;
  readonly #options: ResolvedTcpOptions;
  /** SYN retransmissions allowed to an active open (TCP_SYNCNT, or tcp_syn_retries). */
  #synRetries = 0;
  readonly #gate: ExecutionGate;
  /** The connection's booleans (F_*), behind the accessors below. */
  #flags = 0;
  #mss: number;

  // Send side (RFC 9293 3.3.1 names).
  readonly #iss: number;
  sndUna: number;
  sndNxt: number;
  #sndWl1 = 0;
  #sndWl2 = 0;
  #peerWindow = 0;
  /** The largest window the peer has advertised (Linux max_window; bounds the TSO size goal). */
  #maxPeerWindow = 0;
  /** tcp_xmit_size_goal in frames, for the current MSS and #maxPeerWindow. */
  #sizeGoalFrames = 1;
  readonly #sendBuffer: SendBuffer;
  readonly #rtx: RetransmitQueue;
  #finSeq = 0;

  // Congestion control and loss recovery.
  readonly #cc: CongestionControl;
  /** What the peer reported in SACK blocks, above snd_una; made on the first block (most connections never see one). */
  #scoreboard: RangeSet | null = null;
  /** The latest send time of a segment delivered by the ACK being processed. */
  #deliveredSentAtNs = 0;
  /** RACK (tcp-rack.ts): send time (0 before any), end and RTT of the most recently sent delivered segment. */
  #rackSentAtNs = 0;
  #rackEndSeq = 0;
  #rackRttNs = 0;
  /** The outstanding tail loss probe; made when the first probe goes out (tcp-rack.ts). */
  #probe: LossProbe | null = null;
  /** ECN state bits (tcp-ecn.ts). */
  #ecn: number;
  /** What #ackedSegment found during the cumulative ACK being processed. */
  #rttSegment: SentSegment | null = null;
  /** Per segment a cumulative ACK removes or trims (one function for all connections: no closure each). */
  static readonly #onAcked = (segment: SentSegment, fully: boolean, connection: TcpConnection): void =>
    connection.#ackedSegment(segment, fully);

  // Timers.
  readonly #rto: RtoEstimator;
  #rtoBackoffNs = 0;
  #retransStampNs = 0;
  #synRetransmits = 0;
  #probesOut = 0;
  #probeBackoff = 0;
  /** The retransmission, delayed-ACK, persist, TIME_WAIT, loss probe and reorder timers (T_*). */
  readonly #timers = createTimerSlots(6);
  static readonly #timerKinds = new LazyTimers<TcpConnection>(
    [
      (c) => c.#onRetransmitTimer(),
      (c) => c.#onDelayedAckTimer(),
      (c) => c.#onPersistTimer(),
      (c) => c.#onTimeWaitTimer(),
      (c) => c.#onLossProbe(),
      (c) => c.#onReorderTimer(),
    ],
    (c) => c.#timers,
    (c) => c.#context.scheduler,
  );

  // Receive side.
  #irs = 0;
  rcvNxt = 0;
  /** rcv_nxt when we last sent an ACK (Linux rcv_wup). */
  #rcvWup = 0;
  #lastAdvertisedWindow = 0;
  #quickAcks: number;
  /** The out-of-order queue, made when the first segment arrives beyond rcv_nxt. */
  #reassembly: Reassembly | null = null;

  // Application side.
  #handlers: StreamHandlers = noHandlers;
  /**
   * In-order bytes not yet handed to the application: #appFirst, then entries [head, tail) of a
   * reused array. The array is made when a second chunk waits (the application was paused, or a
   * filled hole released several), so an idle connection keeps none.
   */
  #appFirst: Uint8Array | null = null;
  #appQueue: Uint8Array[] | null = null;
  #appQueueHead = 0;
  #appQueueTail = 0;
  #appQueuedBytes = 0;
  #pendingError: Error | null = null;
  /** 0: open; 1: close(false) pending; 2: close(true) pending; 3: close reported. */
  #closeState = 0;
  #connectWaiter: ConnectWaiter | null = null;
  /** Called once the passive open completes (the listener's accept). */
  #onEstablished: ((connection: TcpConnection) => void) | null = null;

  constructor(
    stack: TcpConnectionOwner,
    nic: Nic,
    localPort: number,
    remoteNicId: number,
    remoteIp: string,
    remotePort: number,
    key: number,
    iss: number,
    state: 'SYN_SENT' | 'SYN_RECEIVED',
  ) {
    this.stack = stack;
    this.nic = nic;
    this.remoteNicId = remoteNicId;
    this.localPort = localPort;
    this.remotePort = remotePort;
    this.key = key;
    this.#remoteIp = remoteIp;
    this.state = state;
    this.#context = stack.context;
    this.#options = stack.options;
    this.#gate = stack.gate;
    this.#mss = nic.mtuBytes - TCP_IP_HEADER_BYTES;
    this.#rtx = new RetransmitQueue(this.#mss);
    this.#iss = iss;
    this.sndUna = iss;
    this.sndNxt = iss;
    this.#sendBuffer = new SendBuffer(iss + 1);
    this.#cc = new CongestionControl(
      this.#options.initialCwndSegments,
      this.#options.dupAckThreshold,
      false,
      createCongestionOps(this.#options.congestionControl),
    );
    this.#ecn = ecnInitial(this.#cc.ops.needsEcn);
    this.#quickAcks = this.#options.quickAckSegments;
    this.#rto = new RtoEstimator(this.#options.rtoInitialNs, this.#options.rtoMinNs, this.#options.rtoMaxNs);
  }

  // ---------------------------------------------------------------- flags

  /** True once the connection left the stack's table (or its node crashed): no more work. */
  get #dead(): boolean {
    return (this.#flags & F_DEAD) !== 0;
  }
  set #dead(on: boolean) {
    this.#flags = on ? this.#flags | F_DEAD : this.#flags & ~F_DEAD;
  }
  get #finQueued(): boolean {
    return (this.#flags & F_FIN_QUEUED) !== 0;
  }
  set #finQueued(on: boolean) {
    this.#flags = on ? this.#flags | F_FIN_QUEUED : this.#flags & ~F_FIN_QUEUED;
  }
  get #finSent(): boolean {
    return (this.#flags & F_FIN_SENT) !== 0;
  }
  set #finSent(on: boolean) {
    this.#flags = on ? this.#flags | F_FIN_SENT : this.#flags & ~F_FIN_SENT;
  }
  get #finAcked(): boolean {
    return (this.#flags & F_FIN_ACKED) !== 0;
  }
  set #finAcked(on: boolean) {
    this.#flags = on ? this.#flags | F_FIN_ACKED : this.#flags & ~F_FIN_ACKED;
  }
  /** write() returned false: drain() is owed once the buffer is half empty. */
  get #needDrain(): boolean {
    return (this.#flags & F_NEED_DRAIN) !== 0;
  }
  set #needDrain(on: boolean) {
    this.#flags = on ? this.#flags | F_NEED_DRAIN : this.#flags & ~F_NEED_DRAIN;
  }
  get #flushScheduled(): boolean {
    return (this.#flags & F_FLUSH_SCHEDULED) !== 0;
  }
  set #flushScheduled(on: boolean) {
    this.#flags = on ? this.#flags | F_FLUSH_SCHEDULED : this.#flags & ~F_FLUSH_SCHEDULED;
  }
  /** Both ends agreed to use SACK. */
  get #sackEnabled(): boolean {
    return (this.#flags & F_SACK_ENABLED) !== 0;
  }
  set #sackEnabled(on: boolean) {
    this.#flags = on ? this.#flags | F_SACK_ENABLED : this.#flags & ~F_SACK_ENABLED;
  }
  /** An ACK is owed now. */
  get #ackNow(): boolean {
    return (this.#flags & F_ACK_NOW) !== 0;
  }
  set #ackNow(on: boolean) {
    this.#flags = on ? this.#flags | F_ACK_NOW : this.#flags & ~F_ACK_NOW;
  }
  get #finReceived(): boolean {
    return (this.#flags & F_FIN_RECEIVED) !== 0;
  }
  set #finReceived(on: boolean) {
    this.#flags = on ? this.#flags | F_FIN_RECEIVED : this.#flags & ~F_FIN_RECEIVED;
  }
  get #handlersInstalled(): boolean {
    return (this.#flags & F_HANDLERS_INSTALLED) !== 0;
  }
  set #handlersInstalled(on: boolean) {
    this.#flags = on ? this.#flags | F_HANDLERS_INSTALLED : this.#flags & ~F_HANDLERS_INSTALLED;
  }
  get #pendingDrain(): boolean {
    return (this.#flags & F_PENDING_DRAIN) !== 0;
  }
  set #pendingDrain(on: boolean) {
    this.#flags = on ? this.#flags | F_PENDING_DRAIN : this.#flags & ~F_PENDING_DRAIN;
  }
  get #finToApp(): boolean {
    return (this.#flags & F_FIN_TO_APP) !== 0;
  }
  set #finToApp(on: boolean) {
    this.#flags = on ? this.#flags | F_FIN_TO_APP : this.#flags & ~F_FIN_TO_APP;
  }
  get #endCalled(): boolean {
    return (this.#flags & F_END_CALLED) !== 0;
  }
  set #endCalled(on: boolean) {
    this.#flags = on ? this.#flags | F_END_CALLED : this.#flags & ~F_END_CALLED;
  }
  get #destroyed(): boolean {
    return (this.#flags & F_DESTROYED) !== 0;
  }
  set #destroyed(on: boolean) {
    this.#flags = on ? this.#flags | F_DESTROYED : this.#flags & ~F_DESTROYED;
  }
  get #pumpScheduled(): boolean {
    return (this.#flags & F_PUMP_SCHEDULED) !== 0;
  }
  set #pumpScheduled(on: boolean) {
    this.#flags = on ? this.#flags | F_PUMP_SCHEDULED : this.#flags & ~F_PUMP_SCHEDULED;
  }
  get #pumpDeferred(): boolean {
    return (this.#flags & F_PUMP_DEFERRED) !== 0;
  }
  set #pumpDeferred(on: boolean) {
    this.#flags = on ? this.#flags | F_PUMP_DEFERRED : this.#flags & ~F_PUMP_DEFERRED;
  }

  // ---------------------------------------------------------------- observers

  /** Its counters so far (a copy). */
  get stats(): TcpStats {
    return {
      segmentsSent: this.#segmentsSent,
      segmentsReceived: this.#segmentsReceived,
      payloadBytesSent: this.#payloadBytesSent,
      bytesAcked: this.#bytesAcked,
      bytesDelivered: this.#bytesDelivered,
      retransmits: this.#retransmits,
      fastRetransmits: this.#fastRetransmits,
      rtoCount: this.#rtoCount,
      dupAcks: this.#dupAcks,
      outOfOrderSegments: this.#outOfOrderSegments,
      zeroWindowProbes: this.#zeroWindowProbes,
      lossProbes: this.#lossProbes,
      lossProbeRecoveries: this.#lossProbeRecoveries,
    };
  }

  get local(): Address {
    return (this.#local ??= { host: this.nic.ip, port: this.localPort });
  }
  get remote(): Address {
    return (this.#remote ??= { host: this.#remoteIp, port: this.remotePort });
  }

  /** Current maximum segment size in bytes. */
  get mssBytes(): number {
    return this.#mss;
  }
  get cwndSegments(): number {
    return this.#cc.cwnd;
  }
  get ssthreshSegments(): number {
    return this.#cc.ssthresh;
  }
  /** True once both ends agreed to use SACK. */
  get sackEnabled(): boolean {
    return this.#sackEnabled;
  }
  get srttNs(): number {
    return this.#rto.srttNs;
  }
  /** Current retransmission timeout including backoff, in ns. */
  get rtoNs(): number {
    return this.#currentRtoNs();
  }
  /** Bytes written and not yet acknowledged. */
  get bufferedBytes(): number {
    return this.#sendBuffer.bytes;
  }
  /** Bytes received in order and not yet delivered to the application. */
  get receiveQueuedBytes(): number {
    return this.#appQueuedBytes;
  }
  /** Frames sent and not yet acknowledged (Linux packets_out). */
  get packetsOut(): number {
    return this.#rtx.packetsOut;
  }
  get peerWindowBytes(): number {
    return this.#peerWindow;
  }
  get closed(): boolean {
    return this.#closeState === 3 || this.#endCalled || this.#destroyed;
  }

  // ---------------------------------------------------------------- ByteStream

  setHandlers(handlers: StreamHandlers): void {
    this.#handlers = handlers;
    this.#handlersInstalled = true;
    this.#schedulePump();
  }

  write(chunk: Uint8Array): boolean {
    if (this.#endCalled || this.#destroyed || this.#dead) return false;
    if (chunk.length > 0) {
      this.#sendBuffer.push(chunk);
      this.#scheduleFlush();
    }
    const below = this.#sendBuffer.bytes < this.#options.sendBufferBytes;
    if (!below) this.#needDrain = true;
    return below;
  }

  end(): void {
    if (this.#endCalled || this.#destroyed) return;
    this.#endCalled = true;
    if (this.#dead) return;
    this.#finQueued = true;
    this.#finSeq = this.#sendBuffer.endSeq;
    this.#scheduleFlush();
  }

  destroy(error?: Error): void {
    if (this.#destroyed || this.#closeState === 3) return;
    this.#destroyed = true;
    if (!this.#dead && this.state !== 'TIME_WAIT' && this.state !== 'CLOSED') {
      // An abortive close sends RST (RFC 9293 3.10.4 ABORT; Linux tcp_disconnect).
      this.#emit(this.sndNxt, TCP_RST | TCP_ACK, null, 0);
    }
    this.#appFirst = null;
    this.#appQueue = null;
    this.#appQueueHead = 0;
    this.#appQueueTail = 0;
    this.#appQueuedBytes = 0;
    this.#teardown();
    if (error !== undefined) this.#pendingError = error;
    this.#requestClose(error !== undefined);
  }

  // ---------------------------------------------------------------- opening

  /** Active open: sends the SYN, retransmitted at most `synRetries` times (TCP_SYNCNT). */
  startConnect(waiter: ConnectWaiter, synRetries: number): void {
    this.#connectWaiter = waiter;
    this.#synRetries = synRetries;
    this.#sendSyn(false);
  }

  /** Passive open: records the peer's SYN and answers with SYN-ACK. */
  startAccept(syn: Packet, onEstablished: (connection: TcpConnection) => void): void {
    this.#onEstablished = onEstablished;
    this.#irs = syn.seq;
    this.rcvNxt = syn.seq + 1;
    this.#rcvWup = this.rcvNxt;
    this.#takePeerSynOptions(syn);
    this.#ecn = ecnOnSyn(this.#ecn, syn.flags);
    this.#sendSyn(true);
  }

  #takePeerSynOptions(syn: Packet): void {
    if (syn.mssBytes > 0 && syn.mssBytes < this.#mss) this.#mss = syn.mssBytes;
    this.#rtx.mss = this.#mss;
    this.#sackEnabled = this.#options.sack && syn.sackPermitted;
    this.#cc.sack = this.#sackEnabled;
    this.#peerWindow = syn.windowBytes;
    this.#maxPeerWindow = syn.windowBytes;
    this.#sizeGoalFrames = sizeGoalFrames(this.#mss, syn.windowBytes);
    this.#sndWl1 = syn.seq;
    this.#sndWl2 = syn.ack;
  }

  #sendSyn(withAck: boolean): void {
    const segment = new SentSegment(this.#iss, 0, true, false, this.#now(), this.#mss);
    this.#rtx.push(segment);
    this.sndNxt = this.#iss + 1;
    this.#transmitSyn(withAck);
    this.#setTimer(T_RTO, this.#now() + this.#options.rtoInitialNs);
  }

  #transmitSyn(withAck: boolean): void {
    const flags = (withAck ? TCP_SYN | TCP_ACK : TCP_SYN) | ecnSynFlags(this.#ecn, withAck ? TCP_ECE | TCP_CWR : null);
    this.#emit(this.#iss, flags, null, this.nic.mtuBytes - TCP_IP_HEADER_BYTES);
  }

  // ---------------------------------------------------------------- input

  /** Processes one segment addressed to this connection. */
  receive(packet: Packet): void {
    if (this.#dead) return;
    this.#segmentsReceived += packet.frames;
    switch (this.state) {
      case 'SYN_SENT':
        this.#receiveInSynSent(packet);
        return;
      case 'SYN_RECEIVED':
        if (!this.#receiveInSynReceived(packet)) return;
        break;
      default:
        break;
    }
    this.#receiveSynchronized(packet);
  }

  /** RFC 9293 3.10.7.3 (SYN-SENT). */
  #receiveInSynSent(packet: Packet): void {
    const flags = packet.flags;
    const ackOk = (flags & TCP_ACK) !== 0 && packet.ack === this.#iss + 1;
    if ((flags & TCP_ACK) !== 0 && !ackOk) {
      // An ACK for something we never sent (a stale connection's peer): reset it, keep waiting.
      if ((flags & TCP_RST) === 0) this.stack.sendReset(this.nic, this.remoteNicId, this.localPort, this.remotePort, packet.ack, 0, false);
      return;
    }
    if ((flags & TCP_RST) !== 0) {
      if (ackOk) {
        this.stack.counters.connectionsReset++;
        this.#fail('ECONNREFUSED');
      }
      return;
    }
    if ((flags & TCP_SYN) === 0 || !ackOk) return; // Simultaneous open is not modelled.
    this.#irs = packet.seq;
    this.rcvNxt = packet.seq + 1;
    this.#takePeerSynOptions(packet);
    this.#ecn = ecnOnSynAck(this.#ecn, packet.flags);
    this.#acknowledgeHandshake();
    this.state = 'ESTABLISHED';
    this.stack.counters.connectionsOpened++;
    this.#sendAck();
    this.#trace('established');
    const waiter = this.#connectWaiter;
    this.#connectWaiter = null;
    if (waiter !== null) this.#runApp(() => waiter.resolve(this));
  }

  /** Returns true if processing should continue in the synchronized states. */
  #receiveInSynReceived(packet: Packet): boolean {
    const flags = packet.flags;
    if ((flags & TCP_RST) !== 0) {
      // Back to LISTEN: the half-open connection just disappears.
      this.#teardown();
      return false;
    }
    if ((flags & TCP_SYN) !== 0) {
      // The client did not get our SYN-ACK: answer its retransmitted SYN again.
      if (packet.seq === this.#irs) this.#transmitSyn(true);
      return false;
    }
    if ((flags & TCP_ACK) === 0) return false;
    if (packet.ack !== this.#iss + 1) {
      this.stack.sendReset(this.nic, this.remoteNicId, this.localPort, this.remotePort, packet.ack, 0, false);
      return false;
    }
    this.#acknowledgeHandshake();
    this.state = 'ESTABLISHED';
    this.stack.counters.connectionsOpened++;
    this.#trace('established');
    const onEstablished = this.#onEstablished;
    this.#onEstablished = null;
    if (onEstablished !== null) onEstablished(this);
    return true;
  }

  /** The SYN was acknowledged: take the handshake RTT sample and reset the timers. */
  #acknowledgeHandshake(): void {
    const syn = this.#rtx.first();
    if (syn !== undefined && syn.syn && !syn.everRetransmitted) this.#rto.sample(this.#now() - syn.sentAtNs);
    this.#rtx.acknowledge(this.#iss + 1, ignoreAcked, null);
    this.sndUna = this.#iss + 1;
    clearTimer(this.#timers, T_RTO);
    this.#rtoBackoffNs = 0;
    this.#rcvWup = this.rcvNxt;
  }

  #receiveSynchronized(packet: Packet): void {
    const flags = packet.flags;
    if ((flags & TCP_RST) !== 0) {
      this.#receiveReset(packet);
      return;
    }
    if ((flags & TCP_SYN) !== 0) {
      this.#receiveSynInSynchronized(packet);
      return;
    }
    if ((flags & TCP_ACK) === 0) return; // RFC 9293: drop segments without ACK.
    if (!this.#receiveAck(packet)) {
      this.#flushAck();
      return;
    }
    if (this.#dead) return;
    const length = packet.payloadBytes;
    if (length > 0 && (this.#ecn & ECN_OK) !== 0) {
      const ecn = ecnOnData(this.#ecn, packet.ce, flags);
      this.#ecn = ecn & ~ECN_ACK_NOW;
      if ((ecn & ECN_ACK_NOW) !== 0) this.#ackNow = true;
    }
    if (length > 0 || (flags & TCP_FIN) !== 0) this.#receiveData(packet);
    else if (packet.seq < this.#rcvWup) this.#ackNow = true; // Zero-window probe or stale ACK.
    if (this.#dead) return;
    this.#output();
    this.#flushAck();
    this.#pump();
  }

  /** RFC 5961 3.2 (simplified): a RST is accepted if its sequence number is in the window. */
  #receiveReset(packet: Packet): void {
    const window = Math.max(this.#receiveWindow(), 1);
    if (packet.seq < this.rcvNxt || packet.seq >= this.rcvNxt + window) return;
    this.#trace('reset-received');
    this.stack.counters.connectionsReset++;
    if (this.#endCalled && this.#finReceived) {
      // Both sides had finished (LAST_ACK, CLOSING, TIME_WAIT): nobody is waiting for data.
      this.#teardown();
      this.#requestClose(false);
      return;
    }
    // Linux tcp_reset: ECONNRESET (EPIPE in CLOSE_WAIT; we report ECONNRESET for both).
    this.#fail('ECONNRESET');
  }

  /** RFC 5961 4.2: a SYN on a synchronized connection gets a challenge ACK. */
  #receiveSynInSynchronized(packet: Packet): void {
    if (this.state === 'TIME_WAIT') {
      // Linux tcp_timewait_state_process: a new SYN may reuse the 4-tuple; let the stack take it.
      this.#teardown();
      this.stack.receive(packet, this.nic);
      return;
    }
    this.#ackNow = true;
    this.#flushAck();
  }

  /** ACK processing (RFC 9293 3.10.7.4 fifth check). Returns false if the segment must be dropped. */
  #receiveAck(packet: Packet): boolean {
    const ack = packet.ack;
    if (ack > this.sndNxt) {
      // It acknowledges something not yet sent: send an ACK and drop the segment.
      this.#ackNow = true;
      return false;
    }
    this.#probesOut = 0;
    const priorWindow = this.#peerWindow;
    // RFC 9293 SND.WL1/WL2: only a newer segment may update the send window.
    if (packet.seq > this.#sndWl1 || (packet.seq === this.#sndWl1 && ack >= this.#sndWl2)) {
      this.#peerWindow = packet.windowBytes;
      if (packet.windowBytes > this.#maxPeerWindow) {
        this.#maxPeerWindow = packet.windowBytes;
        this.#sizeGoalFrames = sizeGoalFrames(this.#mss, packet.windowBytes);
      }
      this.#sndWl1 = packet.seq;
      this.#sndWl2 = ack;
    }
    const rtx = this.#rtx;
    const cc = this.#cc;
    const priorInFlight = cc.inFlight(rtx);
    const advanced = ack > this.sndUna;
    this.#deliveredSentAtNs = 0;
    const priorSacked = rtx.sackedOut;
    const ackedPackets = advanced ? this.#takeCumulativeAck(ack) : 0;
    if (this.#sackEnabled) this.#takeSack(packet.sackBlocks);
    const newlySacked = rtx.sackedOut > priorSacked;
    // RFC 5681's duplicate ACK; TLP's "pure" one also SACKs nothing new (Linux FLAG_DATA_SACKED).
    const duplicate = packet.payloadBytes === 0 && (packet.flags & (TCP_SYN | TCP_FIN)) === 0 && packet.windowBytes === priorWindow;
    const pureDuplicate = duplicate && !newlySacked;
    if (advanced) {
      const retransmitNow = cc.onNewAck(ack, ackedPackets, priorInFlight, rtx, this.#now());
      if (retransmitNow !== undefined) this.#retransmit(retransmitNow, 1);
      this.#afterCumulativeAck();
    } else if (ack === this.sndUna && rtx.packetsOut > 0 && duplicate) {
      this.#dupAcks++;
      cc.onDuplicateAck(rtx);
    }
    if ((this.#ecn & ECN_OK) !== 0) {
      const ece = (packet.flags & TCP_ECE) !== 0;
      cc.ops.onAckEvent(cc, ackedPackets, ece, ack, this.sndNxt);
      // RFC 3168 6.1.2: one reduction per window; the next new data carries CWR.
      if (ece && cc.onEcnEcho(this.sndNxt)) this.#ecn |= ECN_CWR_PENDING;
    }
    const probe = this.#probe;
    if (probe !== null && probe.onAck(ack, advanced, pureDuplicate)) {
      // RFC 8985 7.4.2 / Linux tcp_process_tlp_ack: the probe repaired a loss; reduce once.
      cc.reduceOnce();
      this.#lossProbeRecoveries++;
    }
    if (cc.shouldRecover(rtx)) this.#enterRecovery();
    else if (advanced || newlySacked) {
      // Linux tcp_set_xmit_timer: the probe timer moves on with every ACK of new data.
      if (!this.#scheduleLossProbe(true)) clearTimer(this.#timers, T_PROBE);
    }
    if (this.#peerWindow > 0) {
      clearTimer(this.#timers, T_PERSIST);
      this.#probeBackoff = 0;
    }
    return true;
  }

  /** Removes what `ack` covers from the queue and buffer; returns the number of frames. */
  #takeCumulativeAck(ack: number): number {
    this.#rttSegment = null;
    const ackedPackets = this.#rtx.acknowledge(ack, TcpConnection.#onAcked, this);
    // (The cast undoes TypeScript's narrowing to null: #ackedSegment set it during acknowledge.)
    const rttSegment = this.#rttSegment as SentSegment | null;
    this.#rttSegment = null;
    const end = this.#sendBuffer.endSeq;
    const ackedBytes = Math.min(ack, end) - Math.min(this.sndUna, end);
    if (ackedBytes > 0) this.#bytesAcked += ackedBytes;
    this.#sendBuffer.release(ack);
    this.sndUna = ack;
    if (rttSegment !== null) {
      const rttNs = this.#now() - rttSegment.sentAtNs;
      this.#rto.sample(rttNs);
      this.#cc.ops.pktsAcked(ackedPackets, rttNs, this.#now());
    }
    // Linux resets the backoff on any forward progress (tcp_ack_update_rtt with timestamps).
    this.#rtoBackoffNs = 0;
    this.#retransStampNs = 0;
    return ackedPackets;
  }

  #afterCumulativeAck(): void {
    if (this.#rtx.packetsOut === 0) clearTimer(this.#timers, T_RTO);
    else this.#setTimer(T_RTO, this.#now() + this.#currentRtoNs()); // RFC 6298 5.3
    if (this.#needDrain && this.#sendBuffer.bytes <= this.#options.sendBufferBytes / 2) {
      this.#needDrain = false;
      this.#pendingDrain = true;
    }
    if (this.#finAcked) this.#ourFinAcknowledged();
  }

  /** Applies SACK blocks to the scoreboard, then marks losses (FACK) and lost retransmissions. */
  #takeSack(blocks: number[] | null): void {
    const rtx = this.#rtx;
    let scoreboard = this.#scoreboard;
    if (blocks !== null) {
      if (scoreboard === null) {
        scoreboard = new RangeSet();
        this.#scoreboard = scoreboard;
      }
      for (let i = 0; i + 1 < blocks.length; i += 2) {
        const start = Math.max(blocks[i] as number, this.sndUna);
        const end = Math.min(blocks[i + 1] as number, this.sndNxt);
        if (end <= start) continue;
        scoreboard.add(start, end, (newStart, newEnd) =>
          rtx.markSacked(newStart, newEnd, (segment) => this.#noteDelivered(segment)),
        );
      }
    }
    if (scoreboard !== null) scoreboard.pruneBelow(this.sndUna);
    const sacked = scoreboard !== null && scoreboard.count > 0;
    if (this.#rackSentAtNs > 0 && (sacked || rtx.retransOut > 0)) this.#rackDetectLoss();
    if (sacked) rtx.markLostBelow((scoreboard as RangeSet).highestEnd - this.#cc.dupThreshold * this.#mss);
  }

  /**
   * Per segment a cumulative ACK removes or trims (pre-bound: an ACK allocates no closure). A
   * trimmed super-segment gives an RTT sample too (Linux tcp_clean_rtx_queue).
   */
  #ackedSegment(segment: SentSegment, fully: boolean): void {
    if (!segment.everRetransmitted) this.#rttSegment = segment;
    if (fully && segment.fin) this.#finAcked = true;
    this.#noteDelivered(segment);
  }

  /** RACK bookkeeping: a retransmitted segment counts only if its ACK cannot be for the original. */
  #noteDelivered(segment: SentSegment): void {
    if (segment.everRetransmitted && this.#now() - segment.sentAtNs < this.#rto.minRttNs) return;
    if (segment.sentAtNs > this.#deliveredSentAtNs) this.#deliveredSentAtNs = segment.sentAtNs;
    // tcp_rack_advance (its check for retransmissions is the one above).
    const sentAtNs = segment.sentAtNs;
    const end = segment.end;
    if (!rackSentAfter(sentAtNs, end, this.#rackSentAtNs, this.#rackEndSeq)) return;
    this.#rackSentAtNs = sentAtNs;
    this.#rackEndSeq = end;
    this.#rackRttNs = this.#now() - sentAtNs;
  }

  /**
   * RACK loss marking (tcp-rack.ts; Linux tcp_rack_mark_lost). A segment not yet due arms the
   * reorder timer, with Linux's TCP_TIMEOUT_MIN on top.
   */
  #rackDetectLoss(): void {
    const rtx = this.#rtx;
    const cc = this.#cc;
    const rto = this.#rto;
    const recovering = cc.state === 'recovery' || cc.state === 'loss';
    const reorderNs = rackReorderWindowNs(recovering, rtx.sackedOut, cc.dupThreshold, rto.minRttNs, rto.srttNs);
    const now = this.#now();
    const nextNs = rtx.rackDetectLoss(this.#rackSentAtNs, this.#rackEndSeq, this.#rackRttNs + reorderNs, now);
    if (nextNs > 0) this.#setTimer(T_REORDER, now + nextNs + TLP_TIMEOUT_MIN_NS);
  }

  /** RACK's reorder timer (Linux tcp_rack_reo_timeout): mark what is now due, and repair it. */
  #onReorderTimer(): void {
    if (this.#dead || !this.#canSend() || this.#rtx.packetsOut === 0 || this.#rackSentAtNs === 0) return;
    const cc = this.#cc;
    const prior = cc.inFlight(this.#rtx);
    this.#rackDetectLoss();
    if (cc.inFlight(this.#rtx) === prior) return;
    if (cc.state === 'open' || cc.state === 'cwr') this.#enterRecovery();
    this.#output();
  }

  /**
   * Linux tcp_schedule_loss_probe: arms the tail loss probe (tcp-rack.ts), in the Open or CWR
   * state with SACK only. advancingRto: the RTO is about to restart from now.
   */
  #scheduleLossProbe(advancingRto: boolean): boolean {
    const rtx = this.#rtx;
    const cc = this.#cc;
    if (!this.#sackEnabled || rtx.packetsOut === 0 || (cc.state !== 'open' && cc.state !== 'cwr') || !this.#canSend()) return false;
    const now = this.#now();
    const timers = this.#timers;
    const rtoLeftNs = advancingRto || !timerArmed(timers, T_RTO) ? this.#currentRtoNs() : timerDeadlineNs(timers, T_RTO) - now;
    const o = this.#options;
    this.#setTimer(T_PROBE, now + probeTimeoutNs(this.#rto.srttNs, rtx.packetsOut, o.rtoMinNs, o.rtoInitialNs, rtoLeftNs));
    return true;
  }

  /** Linux tcp_send_loss_probe: new data if the peer's window allows, else the last frame again. */
  #onLossProbe(): void {
    const rtx = this.#rtx;
    const cc = this.#cc;
    if (this.#dead || rtx.packetsOut === 0 || !this.#canSend() || (cc.state !== 'open' && cc.state !== 'cwr')) return;
    clearTimer(this.#timers, T_PROBE);
    const probe = (this.#probe ??= new LossProbe());
    if (probe.highSeq === 0) {
      const room = cc.cwnd - cc.inFlight(rtx);
      const maxFrames = this.#tsoMaxFrames();
      // The probe ignores cwnd (tcp_write_xmit push_one = 2), one segment.
      if (this.#sendNewSegment(room < 1 ? 1 : room < maxFrames ? room : maxFrames)) {
        probe.retransmitted = false;
        probe.highSeq = this.sndNxt;
        this.#lossProbes++;
      } else {
        const last = rtx.last();
        if (last !== undefined && !last.sacked && !last.syn) {
          if (last.frames > 1) rtx.split(last, (last.frames - 1) * this.#mss);
          this.#retransmit(rtx.last() as SentSegment, 1);
          probe.retransmitted = true;
          probe.highSeq = this.sndNxt;
          this.#lossProbes++;
          this.#trace('loss-probe');
        }
      }
    }
    this.#setTimer(T_RTO, this.#now() + this.#currentRtoNs());
  }

  /** Fast retransmit (RFC 5681 3.2, RFC 6582, RFC 6675). */
  #enterRecovery(): void {
    this.#cc.enterRecovery(this.sndNxt);
    if (this.#probe !== null) this.#probe.highSeq = 0;
    clearTimer(this.#timers, T_PROBE);
    this.#fastRetransmits++;
    this.#fingerprintEvent(1);
    this.#trace('fast-retransmit');
    if (!this.#sackEnabled || this.#rtx.lostOut === 0) this.#rtx.markHeadLost();
    const lost = this.#rtx.nextLost();
    // Linux PRR lets at least one frame out on entering recovery (tcp_cwnd_reduction).
    if (lost !== undefined) this.#retransmit(lost, Math.max(1, this.#cc.cwnd - this.#cc.inFlight(this.#rtx)));
  }

  #receiveData(packet: Packet): void {
    let seq = packet.seq;
    let data = packet.payload;
    let fin = (packet.flags & TCP_FIN) !== 0;
    let length = data === null ? 0 : data.length;
    const end = seq + length + (fin ? 1 : 0);
    if (end <= this.rcvNxt || this.#finReceived) {
      // A retransmission of what we already have (Linux tcp_data_queue): ACK at once.
      this.#ackNow = true;
      return;
    }
    const window = this.#receiveWindow();
    if (seq >= this.rcvNxt + window && !(window === 0 && seq === this.rcvNxt && length === 0)) {
      this.#ackNow = true; // Beyond the window (or a zero window): drop, tell the sender.
      return;
    }
    // Trim what lies beyond the window; a trimmed segment loses its FIN.
    const room = this.rcvNxt + window - seq;
    if (length > room && data !== null) {
      data = data.subarray(0, Math.max(0, room));
      length = data.length;
      fin = false;
    }
    if (seq > this.rcvNxt) {
      this.#outOfOrderSegments++;
      const reassembly = (this.#reassembly ??= new Reassembly());
      if (data !== null && length > 0) reassembly.insert(seq, data, fin);
      else if (fin) reassembly.insert(seq, EMPTY, true);
      this.#ackNow = true; // A duplicate ACK tells the sender about the hole.
      return;
    }
    if (data !== null && seq < this.rcvNxt) {
      data = data.subarray(this.rcvNxt - seq);
      seq = this.rcvNxt;
      length = data.length;
    }
    if (data !== null && length > 0) this.#accept(data);
    let finReached = fin;
    const reassembly = this.#reassembly;
    if (reassembly !== null && reassembly.size > 0) {
      const drained = reassembly.drain(this.rcvNxt, (bytes) => this.#accept(bytes));
      if (drained.finReached) finReached = true;
      // The hole is filled: an idle connection keeps no out-of-order queue.
      if (reassembly.size === 0) this.#reassembly = null;
      this.#ackNow = true; // A hole was (maybe) filled: ACK at once.
    }
    if (finReached) {
      this.rcvNxt++;
      this.#receiveFin();
      return;
    }
    this.#scheduleAck();
  }

  #accept(data: Uint8Array): void {
    if (this.#appFirst === null && this.#appQueueHead === this.#appQueueTail) {
      this.#appFirst = data;
    } else {
      const queue = (this.#appQueue ??= []);
      if (this.#appQueueTail === queue.length) queue.push(data);
      else queue[this.#appQueueTail] = data;
      this.#appQueueTail++;
    }
    this.#appQueuedBytes += data.length;
    this.rcvNxt += data.length;
  }

  /**
   * Linux __tcp_ack_snd_check: ACK now once more than one full-sized frame is unacknowledged (so
   * at once for a multi-frame GRO packet), else delay.
   */
  #scheduleAck(): void {
    if (this.#ackNow) return;
    if (this.#quickAcks > 0) {
      this.#quickAcks--;
      this.#ackNow = true;
      return;
    }
    if (this.rcvNxt - this.#rcvWup > this.#mss) {
      this.#ackNow = true;
      return;
    }
    if (!timerArmed(this.#timers, T_DELACK)) this.#setTimer(T_DELACK, this.#now() + this.#options.delayedAckNs);
  }

  #receiveFin(): void {
    this.#finReceived = true;
    this.#finToApp = true;
    this.#ackNow = true;
    this.#reassembly = null;
    if (this.state === 'ESTABLISHED') this.state = 'CLOSE_WAIT';
    else if (this.state === 'FIN_WAIT_1') this.state = 'CLOSING';
    else if (this.state === 'FIN_WAIT_2') this.#enterTimeWait();
    this.#trace('fin-received');
  }

  #ourFinAcknowledged(): void {
    if (this.state === 'FIN_WAIT_1') this.state = 'FIN_WAIT_2';
    else if (this.state === 'CLOSING') this.#enterTimeWait();
    else if (this.state === 'LAST_ACK') {
      this.state = 'CLOSED';
      this.#teardown();
      this.#requestClose(false);
    }
  }

  #enterTimeWait(): void {
    this.state = 'TIME_WAIT';
    clearTimer(this.#timers, T_RTO);
    clearTimer(this.#timers, T_PERSIST);
    this.#setTimer(T_TIME_WAIT, this.#now() + this.#options.timeWaitNs);
    this.#requestClose(false);
  }

  // ---------------------------------------------------------------- output

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#dead) return;
    this.#flushScheduled = true;
    const scheduler = this.#context.scheduler;
    scheduler.post(scheduler.now, flushConnection, this);
  }

  /** Called by the flush event: sends what write()/end() queued during the previous event. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#dead) return;
    this.#output();
    this.#flushAck();
  }

  #canSend(): boolean {
    return (
      this.state === 'ESTABLISHED' ||
      this.state === 'CLOSE_WAIT' ||
      this.state === 'FIN_WAIT_1' ||
      this.state === 'CLOSING' ||
      this.state === 'LAST_ACK'
    );
  }

  /**
   * Sends retransmissions, then new data, as far as cwnd and the peer's window allow, as
   * super-segments (Linux tcp_xmit_retransmit_queue, then tcp_write_xmit).
   */
  #output(): void {
    if (this.#dead) return;
    if (!this.#canSend()) {
      // FIN_WAIT_2, TIME_WAIT, CLOSED or not yet established: nothing of ours is outstanding.
      this.chrono.set(CHRONO_IDLE, this.#now());
      return;
    }
    const cc = this.#cc;
    const rtx = this.#rtx;
    const maxFrames = this.#tsoMaxFrames();
    let budget = OUTPUT_BUDGET;
    let sentNew = false;
    while (budget-- > 0) {
      const cwnd = cc.cwnd;
      const inFlight = cc.inFlight(rtx);
      if (inFlight >= cwnd) {
        cc.cwndLimited = true;
        break;
      }
      const room = cwnd - inFlight;
      const lost = rtx.nextLost();
      if (lost !== undefined) {
        // tcp_xmit_retransmit_queue: segs = cwnd - in_flight, at most tcp_tso_segs.
        this.#retransmit(lost, room < maxFrames ? room : maxFrames);
        continue;
      }
      // tcp_cwnd_test: at most half the window per super-segment, so two are in flight.
      const half = cwnd >> 1 > 1 ? cwnd >> 1 : 1;
      let quota = half < room ? half : room;
      if (maxFrames < quota) quota = maxFrames;
      if (!this.#sendNewSegment(quota)) break;
      sentNew = true;
    }
    if (rtx.packetsOut > 0 && !timerArmed(this.#timers, T_RTO)) this.#setTimer(T_RTO, this.#now() + this.#currentRtoNs());
    if (sentNew) this.#scheduleLossProbe(false);
    this.chrono.set(this.#chronoState(), this.#now());
  }

  /** What holds the sender back after a send pass (tcp_chrono_start's callers in tcp_write_xmit). */
  #chronoState(): ChronoState {
    const unsent = this.#sendBuffer.endSeq - this.sndNxt;
    const rtx = this.#rtx;
    if (unsent <= 0 && rtx.packetsOut === 0) return CHRONO_IDLE;
    if (unsent > 0 && this.sndUna + this.#peerWindow - this.sndNxt <= 0) return CHRONO_RWND_LIMITED;
    if ((unsent > 0 || rtx.lostOut > rtx.retransOut) && this.#cc.inFlight(rtx) >= this.#cc.cwnd) return CHRONO_CWND_LIMITED;
    return CHRONO_BUSY;
  }

  /** Most frames per super-segment right now (tcp-tso.ts: tcp_xmit_size_goal, tcp_tso_autosize). */
  #tsoMaxFrames(): number {
    const goal = this.#sizeGoalFrames;
    const rto = this.#rto;
    // A close peer (the usual case here) always gets the full size goal: skip the arithmetic.
    if (rto.minRttNs < TSO_AUTOSIZE_FULL_BELOW_NS) return goal;
    const cc = this.#cc;
    const auto = autosizeFrames(this.#mss, cc.cwnd, cc.ssthresh, this.#rtx.packetsOut, rto.srttNs, rto.minRttNs);
    return auto < goal ? auto : goal;
  }

  /**
   * Sends one new (super-)segment of at most maxFrames frames (data and/or FIN). Returns false
   * if nothing could be sent.
   */
  #sendNewSegment(maxFrames: number): boolean {
    const unsent = this.#sendBuffer.endSeq - this.sndNxt;
    if (unsent > 0) {
      const room = this.sndUna + this.#peerWindow - this.sndNxt;
      if (room <= 0) {
        if (this.#rtx.packetsOut === 0 && !timerArmed(this.#timers, T_PERSIST)) this.#armPersist();
        return false;
      }
      const length = Math.min(maxFrames * this.#mss, unsent, room);
      const fin = this.#finQueued && this.sndNxt + length === this.#finSeq;
      this.#sendFresh(new SentSegment(this.sndNxt, length, false, fin, this.#now(), this.#mss));
      return true;
    }
    if (this.#finQueued && !this.#finSent && this.sndNxt === this.#finSeq) {
      this.#sendFresh(new SentSegment(this.sndNxt, 0, false, true, this.#now(), this.#mss));
      return true;
    }
    return false;
  }

  #sendFresh(segment: SentSegment): void {
    this.#rtx.push(segment);
    this.sndNxt = segment.end;
    if (segment.fin) {
      this.#finSent = true;
      if (this.state === 'ESTABLISHED') this.state = 'FIN_WAIT_1';
      else if (this.state === 'CLOSE_WAIT') this.state = 'LAST_ACK';
    }
    this.#transmitSegment(segment);
  }

  /**
   * Retransmits a segment, or its first maxFrames frames when it is larger: Linux
   * __tcp_retransmit_skb cuts the skb to segs * MSS (tcp_fragment) and sends that part only. The
   * segment holds only unacknowledged, unSACKed data: ACKs trimmed it, SACKs cut it.
   */
  #retransmit(segment: SentSegment, maxFrames: number): void {
    if (segment.frames > maxFrames) this.#rtx.split(segment, maxFrames * this.#mss);
    this.#rtx.noteRetransmitted(segment, this.#now());
    this.#retransmits += segment.frames;
    if (segment.syn) this.#transmitSyn(this.state === 'SYN_RECEIVED');
    else this.#transmitSegment(segment);
  }

  #transmitSegment(segment: SentSegment): void {
    const payload = segment.len > 0 ? this.#sendBuffer.slice(segment.seq, segment.len) : null;
    let flags = TCP_ACK;
    if (segment.fin) flags |= TCP_FIN;
    if (segment.seq + segment.len === this.#sendBuffer.endSeq && segment.len > 0) flags |= TCP_PSH;
    this.#payloadBytesSent += segment.len;
    this.#emit(segment.seq, flags, payload, 0, this.#mss);
  }

  /** Sends a bare ACK if one is owed. */
  #flushAck(): void {
    if (this.#ackNow && !this.#dead) this.#sendAck();
  }

  #sendAck(): void {
    this.#emit(this.sndNxt, TCP_ACK, null, 0);
  }

  /**
   * Builds and sends one packet (a super-segment when the payload exceeds gsoSize); any segment
   * with ACK settles the ACK we owe.
   */
  #emit(seq: number, flags: number, payload: Uint8Array | null, mssBytes: number, gsoSize = 0): void {
    const window = this.#receiveWindow();
    const ecn = this.#ecn;
    const ecnOk = (ecn & ECN_OK) !== 0 && (flags & TCP_SYN) === 0;
    if (ecnOk) {
      if (ecnEcho(ecn) && (flags & TCP_ACK) !== 0) flags |= TCP_ECE;
      if ((ecn & ECN_CWR_PENDING) !== 0 && payload !== null) {
        flags |= TCP_CWR;
        this.#ecn = ecn & ~ECN_CWR_PENDING;
      }
    }
    const packet = new Packet(
      this.nic.id,
      this.remoteNicId,
      this.localPort,
      this.remotePort,
      seq,
      (flags & TCP_ACK) !== 0 ? this.rcvNxt : 0,
      flags,
      window,
      mssBytes,
      payload,
      gsoSize,
    );
    if ((flags & TCP_SYN) !== 0) packet.sackPermitted = this.#options.sack;
    // Linux tcp_ecn_send: new data is ECT; DCTCP makes every packet ECT.
    if (ecnOk && ((ecn & ECN_WANTED) !== 0 || (payload !== null && seq + payload.length + 1 >= this.sndNxt))) packet.ect = true;
    if ((flags & TCP_ACK) !== 0) {
      const reassembly = this.#reassembly;
      if (this.#sackEnabled && reassembly !== null && reassembly.size > 0) packet.sackBlocks = reassembly.sackBlocks();
      this.#ackNow = false;
      this.#rcvWup = this.rcvNxt;
      this.#lastAdvertisedWindow = window;
      clearTimer(this.#timers, T_DELACK);
    }
    this.#segmentsSent += packet.frames;
    this.nic.transmit(packet);
  }

  /**
   * Free receive buffer. Bytes an application that is running and listening will take before
   * this event ends do not count: the model's application reads instantly, and counting them
   * would make the window flicker, which would hide duplicate ACKs (RFC 5681 requires an
   * unchanged window). Linux gets the same steadiness from __tcp_select_window's hysteresis.
   */
  #receiveWindow(): number {
    const gate = this.#gate;
    if (this.#handlersInstalled && gate.alive && !gate.paused && !this.#destroyed) {
      return this.#options.receiveBufferBytes;
    }
    const free = this.#options.receiveBufferBytes - this.#appQueuedBytes;
    return free > 0 ? free : 0;
  }

  #currentRtoNs(): number {
    const base = this.#rtoBackoffNs > 0 ? this.#rtoBackoffNs : this.#rto.rtoNs;
    return Math.min(base, this.#options.rtoMaxNs);
  }

  // ---------------------------------------------------------------- timers

  #onRetransmitTimer(): void {
    if (this.#dead || this.#rtx.packetsOut === 0) return;
    if (this.state === 'SYN_SENT' || this.state === 'SYN_RECEIVED') {
      this.#onHandshakeTimeout();
      return;
    }
    const timers = this.#timers;
    if (timerArmed(timers, T_PROBE) && timerDeadlineNs(timers, T_PROBE) <= this.#now()) {
      // Linux keeps one timer for both: a probe due now takes the RTO's place.
      this.#onLossProbe();
      return;
    }
    const head = this.#rtx.first() as SentSegment;
    if (this.#retransStampNs === 0) this.#retransStampNs = head.firstSentAtNs;
    // Linux tcp_write_timeout -> retransmits_timed_out(): elapsed time against the model.
    const limitNs = modelTimeoutNs(this.#options.retries2, this.#options.rtoMinNs, this.#options.rtoMaxNs);
    // Only once this episode has retransmitted (Linux: icsk_retransmits > 0).
    if (this.#rtoBackoffNs > 0 && this.#now() - this.#retransStampNs >= limitNs) {
      this.#fail('ETIMEDOUT');
      return;
    }
    this.#enterLoss();
  }

  /** RTO: Linux tcp_enter_loss + tcp_retransmit_timer. */
  #enterLoss(): void {
    this.#cc.onRetransmitTimeout(this.sndNxt);
    this.#rtx.markAllLost();
    if (this.#probe !== null) this.#probe.highSeq = 0;
    clearTimer(this.#timers, T_PROBE);
    clearTimer(this.#timers, T_REORDER);
    this.#rtoCount++;
    this.#fingerprintEvent(2);
    this.#trace('rto');
    this.#rtoBackoffNs = Math.min(this.#currentRtoNs() * 2, this.#options.rtoMaxNs);
    // Linux tcp_retransmit_timer -> tcp_retransmit_skb(sk, head, 1): one MSS of the head.
    const head = this.#rtx.nextLost();
    if (head !== undefined) this.#retransmit(head, 1);
    this.#setTimer(T_RTO, this.#now() + this.#currentRtoNs());
  }

  /** SYN or SYN-ACK not answered: retransmit with backoff, or give up. */
  #onHandshakeTimeout(): void {
    const limit = this.state === 'SYN_SENT' ? this.#synRetries : this.#options.synAckRetries;
    if (this.#synRetransmits >= limit) {
      if (this.state === 'SYN_SENT') this.#fail('ETIMEDOUT');
      else this.#teardown(); // Linux drops the request sock silently.
      return;
    }
    this.#synRetransmits++;
    this.#rtoCount++;
    const syn = this.#rtx.first() as SentSegment;
    this.#retransmit(syn, 1);
    this.#rtoBackoffNs = Math.min(this.#currentRtoNs() * 2, this.#options.rtoMaxNs);
    this.#setTimer(T_RTO, this.#now() + this.#currentRtoNs());
  }

  #onDelayedAckTimer(): void {
    if (this.#dead) return;
    if (this.rcvNxt !== this.#rcvWup || this.#ackNow) this.#sendAck();
  }

  #armPersist(): void {
    const base = this.#rto.rtoNs;
    const delay = Math.min(base * 2 ** this.#probeBackoff, this.#options.rtoMaxNs);
    this.#setTimer(T_PERSIST, this.#now() + delay);
  }

  /** Zero-window probe (Linux tcp_probe_timer / tcp_xmit_probe_skb: seq = snd_una - 1). */
  #onPersistTimer(): void {
    if (this.#dead) return;
    const unsent = this.#sendBuffer.endSeq - this.sndNxt;
    if (this.#peerWindow > 0 || unsent <= 0 || this.#rtx.packetsOut > 0) return;
    this.#probesOut++;
    if (this.#probesOut > this.#options.retries2) {
      this.#fail('ETIMEDOUT');
      return;
    }
    this.#zeroWindowProbes++;
    this.#emit(this.sndUna - 1, TCP_ACK, null, 0);
    this.#probeBackoff++;
    this.#armPersist();
  }

  #onTimeWaitTimer(): void {
    if (this.#dead) return;
    this.state = 'CLOSED';
    this.#teardown();
  }

  // ---------------------------------------------------------------- application delivery

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    const scheduler = this.#context.scheduler;
    scheduler.post(scheduler.now, pumpConnection, this);
  }

  /** Called by the pump event and on resume. */
  pumpNow(): void {
    this.#pumpScheduled = false;
    this.#pump();
  }

  /**
   * Hands queued bytes and pending notifications to the application, in order: data, drain,
   * end-of-stream (answered with end(), like net.Socket without allowHalfOpen), error, close.
   * Nothing is delivered to a crashed incarnation; a paused one gets it all on resume.
   */
  #pump(): void {
    const gate = this.#gate;
    if (!gate.alive || !this.#handlersInstalled) return;
    if (gate.paused) {
      // A paused application reads nothing; pick up where we are when it resumes.
      if (!this.#pumpDeferred) {
        this.#pumpDeferred = true;
        gate.defer(() => {
          this.#pumpDeferred = false;
          this.#pump();
        });
      }
      return;
    }
    const context = this.#context;
    while (!this.#destroyed) {
      let chunk = this.#appFirst;
      if (chunk !== null) {
        this.#appFirst = null;
      } else if (this.#appQueueHead < this.#appQueueTail) {
        const queue = this.#appQueue as Uint8Array[];
        chunk = queue[this.#appQueueHead] as Uint8Array;
        queue[this.#appQueueHead++] = EMPTY;
      } else {
        break;
      }
      this.#appQueuedBytes -= chunk.length;
      this.#bytesDelivered += chunk.length;
      const fp = context.fingerprint;
      fp.mix32(FP_APP_DATA);
      if (context.fingerprintAllBytes) fp.mixBytes(chunk);
      else fp.mixBytesSampled(chunk);
      this.#handlers.data(chunk);
    }
    if (this.#appQueueHead === this.#appQueueTail && this.#appQueueHead > 0) {
      // Keep the array (a busy connection empties it after almost every segment).
      this.#appQueueHead = 0;
      this.#appQueueTail = 0;
    }
    this.#maybeSendWindowUpdate();
    if (this.#pendingDrain && !this.#destroyed) {
      this.#pendingDrain = false;
      this.#handlers.drain();
    }
    if (this.#finToApp && this.#appQueuedBytes === 0) {
      this.#finToApp = false;
      this.end();
    }
    this.#deliverClose();
  }

  #deliverClose(): void {
    if (this.#closeState !== 1 && this.#closeState !== 2) return;
    if (this.#appQueuedBytes > 0 && !this.#destroyed) return; // Data first.
    const error = this.#pendingError;
    this.#pendingError = null;
    if (error !== null) this.#handlers.error(error);
    const hadError = this.#closeState === 2;
    this.#closeState = 3;
    this.#handlers.close(hadError);
  }

  /** Linux tcp_cleanup_rbuf: after the application read, ACK if the window grew a lot. */
  #maybeSendWindowUpdate(): void {
    if (this.#dead || (!this.#canSend() && this.state !== 'FIN_WAIT_2')) return;
    const window = this.#receiveWindow();
    if (window - this.#lastAdvertisedWindow >= this.#mss && window >= 2 * this.#lastAdvertisedWindow) {
      this.#sendAck();
    }
  }

  #runApp(fn: () => void): void {
    const gate = this.#gate;
    if (!gate.alive) return;
    if (gate.paused) gate.defer(fn);
    else fn();
  }

  // ---------------------------------------------------------------- teardown

  #requestClose(hadError: boolean): void {
    if (this.#closeState !== 0) return;
    this.#closeState = hadError ? 2 : 1;
    this.#schedulePump();
  }

  /** A transport error: report it (or reject connect), close with hadError, forget the connection. */
  #fail(code: NetErrorCode): void {
    const error = netError(code, this.#connectWaiter !== null ? 'connect' : 'read', this.remote.host, this.remote.port);
    this.#trace(`error-${code}`);
    if (code === 'ETIMEDOUT') this.stack.counters.timeouts++;
    this.#teardown();
    const waiter = this.#connectWaiter;
    if (waiter !== null) {
      this.#connectWaiter = null;
      this.#closeState = 3;
      this.#runApp(() => waiter.reject(error));
      return;
    }
    if (this.#closeState !== 0) return;
    this.#pendingError = error;
    this.#requestClose(true);
  }

  /** Leaves the stack's table and stops all timers. Pending app notifications still happen. */
  #teardown(): void {
    if (this.#dead) return;
    this.#dead = true;
    this.chrono.set(CHRONO_IDLE, this.#now());
    clearTimers(this.#timers);
    this.#rtx.clear();
    this.#scoreboard = null;
    this.#sendBuffer.clear();
    this.#reassembly = null;
    if (this.state !== 'TIME_WAIT') this.state = 'CLOSED';
    this.stack.remove(this);
  }

  /** The node crashed: the connection vanishes without a word (no FIN, no RST, no callbacks). */
  kill(): void {
    this.#dead = true;
    this.chrono.set(CHRONO_IDLE, this.#now());
    this.#closeState = 3;
    this.#connectWaiter = null;
    clearTimers(this.#timers);
  }

  // ---------------------------------------------------------------- helpers

  #setTimer(timer: number, atNs: number): void {
    TcpConnection.#timerKinds.set(this.#context.scheduler, this, this.#timers, timer, atNs);
  }

  #now(): number {
    return this.#context.scheduler.now;
  }

  #fingerprintEvent(code: number): void {
    const fp = this.#context.fingerprint;
    fp.mix32(FP_TCP_EVENT);
    fp.mix32(code);
    fp.mixNumber(this.#now());
  }

  #trace(kind: string): void {
    const trace = this.#context.trace;
    if (trace === null) return;
    trace.record({
      tNs: this.#now(),
      kind: `tcp-${kind}`,
      local: `${this.local.host}:${this.local.port}`,
      remote: `${this.remote.host}:${this.remote.port}`,
      state: this.state,
      sndUna: this.sndUna,
      sndNxt: this.sndNxt,
      rcvNxt: this.rcvNxt,
      cwnd: this.#cc.cwnd,
      rtoNs: this.#currentRtoNs(),
    });
  }
}

const EMPTY = new Uint8Array(0);

function ignoreAcked(): void {}

function flushConnection(connection: TcpConnection): void {
  connection.flush();
}

function pumpConnection(connection: TcpConnection): void {
  connection.pumpNow();
}
