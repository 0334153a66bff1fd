// What sees each I/O of a host as it is accounted (tracked-device.ts): a submission, a completion
// with its latency, a failure, or the loss of an in-flight I/O in a host crash. The time series
// (time-series-recorder.ts) is one; the hook is an interface so the tracker does not know it.
// Calls carry only numbers, so nothing is allocated per I/O.

export interface IoObserver {
  submitted(queue: number, nowNs: number): void;
  completed(queue: number, nowNs: number, latencyNs: number, bytes: number): void;
  failed(queue: number, nowNs: number): void;
  /** In flight when its host crashed: it will never complete. */
  lost(queue: number, nowNs: number): void;
}
