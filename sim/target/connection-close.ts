// How a target connection's stream ends: a FIN after what is queued, with a linger timer that
// resets the connection if the peer never closes its side; a reset (RST) at once; or the peer
// closing first. Once any of these happened the queue writes nothing more (its StreamSender's
// stream is cleared). What backpressure still holds at a FIN is dropped, not flushed.
import type { ByteStream, Clock, Timer } from '../core/index.js';
import type { StreamSender } from '../transport/index.js';

export class ConnectionClose {
  readonly #stream: ByteStream;
  readonly #sender: StreamSender;
  readonly #clock: Clock;
  readonly #lingerNs: number;
  #ended = false;
  #lingerTimer: Timer | undefined;

  constructor(stream: ByteStream, sender: StreamSender, clock: Clock, lingerNs: number) {
    this.#stream = stream;
    this.#sender = sender;
    this.#clock = clock;
    this.#lingerNs = lingerNs;
  }

  /** FIN: the stream is half-closed (its queued bytes still go out); reset if the peer lingers. */
  end(): void {
    if (this.#ended) return;
    this.#stop();
    this.#sender.clear();
    this.#stream.end();
    // A peer that never closes its side must not pin the connection forever.
    this.#clearLinger();
    this.#lingerTimer = this.#clock.setTimer(this.#lingerNs, () => {
      this.#lingerTimer = undefined;
      // With an error, not as a bare reset: Node's resetAndDestroy() after end() fails (EINVAL) and
      // leaves the socket handle spinning, and RealStream only resets when given no error.
      this.#stream.destroy(new Error('peer did not close after FIN'));
    });
  }

  /** Resets the connection at once (RST), unless it is already closing with a FIN. */
  abort(): void {
    this.#clearLinger();
    // After end() the FIN is on its way and the peer closes; a reset now would race it (and Node 20's
    // socket.resetAndDestroy() after end() fails with EINVAL and leaves the handle spinning).
    if (this.#ended || this.#stream.closed) return;
    this.#stop();
    this.#stream.destroy();
  }

  /** The stream reported close (the peer closed, or our FIN or RST completed). */
  closed(): void {
    this.#stop();
    this.#clearLinger();
  }

  #stop(): void {
    this.#ended = true;
    this.#sender.stream = null;
  }

  #clearLinger(): void {
    if (this.#lingerTimer !== undefined) this.#clock.clearTimer(this.#lingerTimer);
    this.#lingerTimer = undefined;
  }
}
