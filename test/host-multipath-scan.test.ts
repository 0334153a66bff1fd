// Namespaces that appear after connect join the multipath device: the target adds a namespace,
// each controller gets a Namespace Attribute Changed notice and rescans (core.c nvme_scan_work),
// and the new namespace's path on the first controller to scan makes its head while the other
// controller's joins it (nvme_init_ns_head, nvme_mpath_add_disk). A namespace whose identifiers
// disagree with its head's stays out, as nvme_init_ns_head refuses it.
import test from 'ava';
import { BLOCK, MS, NQN, PORT_IPS, blockPattern, multipathWorld } from './helpers/multipath-world.js';

test('host multipath: a namespace added later gets a head with a path through each controller', async (t) => {
  const { subsystem, target, settle, runFor } = await multipathWorld(t);
  t.deepEqual(subsystem.nsids, [1]);
  await settle(target.addNamespace(NQN, { nsid: 2, device: 'ram:8MiB', uuid: '6a1c9c3e-3c1f-4a55-9b0e-8f0b8f6f1e02', nguid: '00112233445566778899aabbccddee02' }));
  await runFor(5 * MS);
  t.deepEqual(subsystem.nsids, [1, 2]);
  const head = subsystem.namespace(2);
  t.is(head.sizeBytes, 8 * 1024 * 1024);
  t.deepEqual(
    head.paths().map((path) => [path.name, path.anaState, path.usable]),
    [
      [`${PORT_IPS[0]}:4420`, 'optimized', true],
      [`${PORT_IPS[1]}:4420`, 'non-optimized', true],
    ],
  );
  const data = blockPattern(5, 2);
  await settle(head.write(5 * BLOCK, data));
  t.deepEqual(await settle(head.read(5 * BLOCK, BLOCK)), data);
  // The first head is untouched.
  t.is(subsystem.namespace(1).paths().length, 2);
  // A second notice with nothing new changes nothing.
  await settle(target.addNamespace(NQN, { nsid: 3, device: 'ram:8MiB', enabled: false }));
  await runFor(5 * MS);
  t.deepEqual(subsystem.nsids, [1, 2]);
  t.is(subsystem.namespace(2).paths().length, 2);
});

test('host multipath: a later namespace whose identifiers clash with another head stays out', async (t) => {
  const { subsystem, target, settle, runFor } = await multipathWorld(t);
  // The same NGUID as namespace 1 (helpers: 00112233445566778899aabbccddeeff): nvme_global_check_duplicate_ids refuses it.
  await settle(target.addNamespace(NQN, { nsid: 2, device: 'ram:8MiB', uuid: '6a1c9c3e-3c1f-4a55-9b0e-8f0b8f6f1e03', nguid: '00112233445566778899aabbccddeeff' }));
  await runFor(5 * MS);
  t.deepEqual(subsystem.nsids, [1]);
  t.true(subsystem.controllers.every((controller) => controller.state === 'live'));
});
