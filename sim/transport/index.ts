// The public surface of sim/transport: NVMe/TCP connection plumbing shared by host and target
// queues (send backpressure on the byte stream, CPU work in io_work passes).
export { IoWork } from './io-work.js';
export type { IoWorkInit, PassHandler } from './io-work.js';
export { StreamSender } from './stream-sender.js';
