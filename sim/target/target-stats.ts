// The target's running counters, shared by every part of the engine and readable through
// NvmeTarget.stats.

/** Running totals. */
export interface TargetStats {
  /** Connections open now, and accepted since start. */
  connections: number;
  connectionsAccepted: number;
  /** Controllers alive now, and created since start. */
  controllers: number;
  controllersCreated: number;
  pdusReceived: number;
  pdusSent: number;
  commands: number;
  /** Commands completed with a non-zero status. */
  commandErrors: number;
  bytesRead: number;
  bytesWritten: number;
  /** Connections closed because of a fatal transport error (a C2HTermReq was sent). */
  fatalErrors: number;
  termReqsSent: number;
  termReqsReceived: number;
  keepAliveExpiries: number;
  asyncEventsCompleted: number;
}

export function emptyStats(): TargetStats {
  return {
    connections: 0,
    connectionsAccepted: 0,
    controllers: 0,
    controllersCreated: 0,
    pdusReceived: 0,
    pdusSent: 0,
    commands: 0,
    commandErrors: 0,
    bytesRead: 0,
    bytesWritten: 0,
    fatalErrors: 0,
    termReqsSent: 0,
    termReqsReceived: 0,
    keepAliveExpiries: 0,
    asyncEventsCompleted: 0,
  };
}
