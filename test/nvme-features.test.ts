// Feature values in Set/Get Features CDW11 and completion dword 0, and the Asynchronous Event
// Request completion the target sends when a namespace or the discovery log changes.
import test from 'ava';
import { AsyncEventNotice, AsyncEventType, LogPageId } from '../sim/nvme/constants.js';
import {
  decodeAsyncEvent,
  decodeAsyncEventConfig,
  decodeKato,
  decodeNumQueues,
  decodeVolatileWriteCache,
  encodeAsyncEvent,
  encodeAsyncEventConfig,
  encodeKato,
  encodeNumQueues,
  encodeVolatileWriteCache,
  isValidNumQueuesRequest,
  roundKato,
} from '../sim/nvme/features.js';

test('nvme-features: number of queues, KATO, write cache', (t) => {
  // The Linux host asks for N-1 in both halves (host/core.c nvme_set_queue_count).
  t.is(encodeNumQueues({ sqCount: 4, cqCount: 4 }), 0x00030003);
  t.deepEqual(decodeNumQueues(0x00070003), { sqCount: 4, cqCount: 8 });
  t.true(isValidNumQueuesRequest(0x00030003));
  t.false(isValidNumQueuesRequest(0x0000ffff));
  t.false(isValidNumQueuesRequest(0xffff0000));
  t.throws(() => encodeNumQueues({ sqCount: 0, cqCount: 1 }), { message: 'sqCount - 1: -1 is not an unsigned 16-bit integer' });
  t.is(encodeKato(5000), 5000);
  t.is(decodeKato(5000), 5000);
  t.is(roundKato(1500, 10), 2000);
  t.is(roundKato(1500, 0), 1500);
  t.true(decodeVolatileWriteCache(encodeVolatileWriteCache(true)));
  t.false(decodeVolatileWriteCache(encodeVolatileWriteCache(false)));
});

test('nvme-features: asynchronous event configuration and completions', (t) => {
  const config = { smartCriticalWarnings: 0x1f, namespaceAttribute: true, firmwareActivation: false, telemetryLog: false, anaChange: true, discoveryLogChange: true };
  const dword = encodeAsyncEventConfig(config);
  t.is(dword, (0x80000000 | (1 << 11) | (1 << 8) | 0x1f) >>> 0);
  t.deepEqual(decodeAsyncEventConfig(dword), config);

  // Namespace attribute changed: notice, info 0, read the Changed Namespace List.
  const nsChanged = { type: AsyncEventType.NOTICE, info: AsyncEventNotice.NS_CHANGED, lid: LogPageId.CHANGED_NS };
  t.is(encodeAsyncEvent(nsChanged), 0x00040002);
  t.deepEqual(decodeAsyncEvent(0x00040002), nsChanged);
  t.is(encodeAsyncEvent({ type: AsyncEventType.NOTICE, info: AsyncEventNotice.DISC_CHANGED, lid: LogPageId.DISCOVERY }), 0x0070f002);
});
