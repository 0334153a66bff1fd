// The environment a target or host runs in: the five seams (network, stream, clock, cpu, rng)
// that let one NVMe/TCP implementation run on real sockets and inside the simulator unchanged.
// See docs/DESIGN.md, "Seams". Target and host code touches the outside world only through these.

/** An address on the (real or simulated) network. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/**
 * Callbacks a stream owner installs. They are plain callbacks, not EventEmitter events, so that a
 * simulated PDU costs a handful of scheduler events and no listener bookkeeping.
 */
export interface StreamHandlers {
  /** Bytes arrived in order. The view is only valid during the call unless the receiver copies it. */
  data(chunk: Uint8Array): void;
  /** The send buffer has room again after write() returned false. */
  drain(): void;
  /** The stream is closed for good (after end, destroy, RST or error). Called exactly once. */
  close(hadError: boolean): void;
  /** A transport error (reset, retry limit, refused). close() follows. */
  error(error: Error): void;
}

/** A reliable, ordered byte stream: a net.Socket or a simulated TCP connection. */
export interface ByteStream {
  readonly local: Address;
  readonly remote: Address;
  /** Installs the callbacks. Bytes that arrived earlier are delivered once handlers are set. */
  setHandlers(handlers: StreamHandlers): void;
  /**
   * Queues bytes for sending. Returns false when the send buffer is above its high-water mark;
   * the caller should wait for drain(). Bytes are never dropped: a false return is backpressure,
   * not failure. The stream may keep a reference to the chunk until it is sent.
   */
  write(chunk: Uint8Array): boolean;
  /**
   * Optional: room for `length` more bytes at the end of what is queued, for a small PDU that is
   * encoded in place instead of built and copied (real sockets stage a tick's small writes in one
   * buffer). The caller fills bytes[offset, offset + length) before its next call on the stream;
   * null when the stream has no such room (then write() as usual). The object is reused per call.
   */
  stage?(length: number): StagedBytes | null;
  /** Half-closes after queued bytes are sent (FIN). */
  end(): void;
  /** Closes at once (RST); queued bytes are discarded. */
  destroy(error?: Error): void;
  /** True once close has been reported or destroy/end was called. */
  readonly closed: boolean;
}

/** Room ByteStream.stage gave: bytes[offset, offset + length) is the caller's to fill. */
export interface StagedBytes {
  bytes: Uint8Array;
  offset: number;
  /** write()'s answer for these bytes: false when the stream is now above its high-water mark. */
  belowHighWater: boolean;
}

/** A listening endpoint. */
export interface Listener {
  readonly address: Address;
  close(): Promise<void>;
}

/** Socket options of an active open. */
export interface ConnectSocketOptions {
  /**
   * SYN retransmissions before connect() fails with ETIMEDOUT (TCP_SYNCNT), instead of the stack's
   * net.ipv4.tcp_syn_retries. Default: the stack's. Real sockets keep the OS's setting (Node has
   * no TCP_SYNCNT).
   */
  readonly synRetries?: number;
}

/** Accepting and opening streams. */
export interface Network {
  /** Listens; rejects with an Error whose `code` is 'EADDRINUSE' when the port is taken. */
  listen(address: Address, onStream: (stream: ByteStream) => void): Promise<Listener>;
  /** Connects; rejects with 'ECONNREFUSED' / 'ETIMEDOUT' style errors. */
  connect(address: Address, options?: ConnectSocketOptions): Promise<ByteStream>;
}

/** A handle returned by Clock.setTimer. */
export interface Timer {
  readonly id: number;
}

/** Time in integer nanoseconds (a JS number: exact up to 104 days of simulated time). */
export interface Clock {
  nowNs(): number;
  setTimer(delayNs: number, callback: () => void): Timer;
  clearTimer(timer: Timer): void;
}

/**
 * What a piece of work costs, described in units the cost profile prices (sim/cpu). Target and host
 * say what they do; they never say how long it takes. Omitted fields are zero.
 */
export interface Work {
  /** PDUs parsed or built (fixed per-PDU stack and driver cost). */
  readonly pdus?: number;
  /** Payload bytes copied between socket buffers and I/O buffers. */
  readonly copyBytes?: number;
  /** Bytes run through CRC32C for header or data digests. */
  readonly crcBytes?: number;
  /** NVMe commands executed (target) or submitted and completed (host). */
  readonly commands?: number;
  /**
   * Hand-offs to the connection's io_work worker: Linux nvme-tcp and nvmet-tcp queue io_work on a
   * workqueue from the socket callbacks, so an idle connection's next pass starts with a kworker
   * wake-up and context switch (sim/transport io-work.ts decides when one happens).
   */
  readonly handoffs?: number;
}

/**
 * Where an idle connection's worker is woken: data arriving at the host or the target (through the
 * NIC's receive interrupt and softirq), or a target's response queued from outside the worker (the
 * backend's completion). Each transport hands off to a worker at some of these sites and not others.
 */
export type Wake = 'host-receive' | 'target-receive' | 'target-send';

/** CPU: runs work on a core. Real: runs it now. Simulated: queues it on the modelled core. */
export interface Cpu {
  readonly cores: number;
  /** Runs `fn` on core `core % cores` after the work's cost has been paid. FIFO per core. */
  run(core: number, work: Work, fn: () => void): void;
  /**
   * Calls `fn` once an idle connection's worker would start at `site`: the simulated CPU waits the
   * latency its cost profile gives (receive interrupt moderation, the workqueue hand-off); a CPU
   * without it (the real one) wakes nothing, and callers then charge their pass at once.
   */
  wake?(site: Wake, fn: () => void): void;
  /** Whether waking at `site` hands off to a worker thread (the pass then carries Work.handoffs). */
  handsOff?(site: Wake): boolean;
}

/** A seeded random stream. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/** Named random streams derived from one seed, so adding a stream never shifts another's draws. */
export interface RngSource {
  stream(name: string): Random;
}

/** Levelled, structured log lines. Simulated runs stamp them with simulated time. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Log levels, quietest last; a logger prints lines at or above its level. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Each level's rank: a line prints when its rank is at least the logger's. */
export const LOG_LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** Everything a target or host gets from the world it runs in. */
export interface NodeEnv {
  readonly network: Network;
  readonly clock: Clock;
  readonly cpu: Cpu;
  readonly rng: RngSource;
  readonly log: Logger;
}

/** One second, one millisecond, one microsecond in the clock's unit. */
export const NS_PER_S = 1_000_000_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_US = 1_000;
