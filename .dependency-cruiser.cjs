// The layering of nvmf-sim, checked by dependency-cruiser in `npm test` (tools/check-layers.mjs).
// Folders of sim/ stack from the bottom up; a folder may import its own files and folders below it,
// through their index.ts. docs/DESIGN.md renders the graph and says why each layer sits where it does.
'use strict';

/** Bottom first. A folder imports only folders of lower rows. */
const LAYERS = [
  ['core'], // seams, scheduler, clocks, RNG, fingerprint, trace, units, small collections
  ['nvme'], // the NVMe/TCP codec: bytes to PDUs and back, no I/O
  ['storage', 'cpu', 'net', 'stats', 'transport'], // backends and models; the simulated network; latency statistics; stream plumbing
  ['target', 'host', 'workload'], // the two peers (they meet only on the wire) and the fio-like engine
  ['world'], // assembles the simulated or real environment that nodes run in
  ['interop'], // real Linux peers (QEMU, Docker)
  ['scenario'], // scenarios and runs
  ['study'], // studies: many runs of a scenario over a pool of workers
  ['report'], // reports people read, from run and study results
  ['cli'], // the nvmf-sim command
  ['soak'], // npm run soak: the library's safety scenarios over many seeds
  ['bench'], // npm run bench: measures everything below it
];

// Named rules below cover target <-> host; every other pair of one row is a sideways import.
const PEERS = new Set(['target', 'host']);
const upward = LAYERS.flatMap((row, i) => {
  const above = LAYERS.slice(i + 1).flat();
  return row.flatMap((folder) => {
    const sideways = row.filter((f) => f !== folder && !(PEERS.has(f) && PEERS.has(folder)));
    const rules = [];
    if (above.length > 0)
      rules.push({
        name: 'no-upward-import',
        comment: `sim/${folder} sits in layer ${i}; it may import only lower layers (and itself).`,
        severity: 'error',
        from: { path: `^sim/${folder}/` },
        to: { path: `^sim/(${above.join('|')})/` },
      });
    if (sideways.length > 0)
      rules.push({
        name: 'no-sideways-import',
        comment: `sim/${folder} and sim/{${sideways.join(',')}} share layer ${i}; neither imports the other.`,
        severity: 'error',
        from: { path: `^sim/${folder}/` },
        to: { path: `^sim/(${sideways.join('|')})/` },
      });
    return rules;
  });
});

module.exports = {
  forbidden: [
    {
      name: 'core-is-the-bottom',
      comment: 'sim/core holds the seams and the simulation kernel; it imports nothing else of the project.',
      severity: 'error',
      from: { path: '^sim/core/' },
      to: { path: '^(sim/(?!core/)|scenarios/)' },
    },
    {
      name: 'nvme-only-core',
      comment: 'The codec imports only sim/core.',
      severity: 'error',
      from: { path: '^sim/nvme/' },
      to: { path: '^(sim/(?!core/|nvme/)|scenarios/)' },
    },
    {
      name: 'peers-meet-on-the-wire',
      comment: 'Target and host import neither the network, nor each other, nor anything above them.',
      severity: 'error',
      from: { path: '^sim/(target|host)/' },
      to: { path: '^sim/(net|world|scenario|study|cli|interop|bench)/' },
    },
    {
      name: 'target-not-host',
      severity: 'error',
      from: { path: '^sim/target/' },
      to: { path: '^sim/host/' },
    },
    {
      name: 'host-not-target',
      severity: 'error',
      from: { path: '^sim/host/' },
      to: { path: '^sim/target/' },
    },
    {
      name: 'interop-below-scenario',
      comment: 'Real Linux peers know nothing of scenarios or the command line.',
      severity: 'error',
      from: { path: '^sim/interop/' },
      to: { path: '^sim/(scenario|study|cli|bench)/' },
    },
    {
      name: 'scenario-report-not-cli',
      comment: 'Scenarios and reports are a library; the command line sits on top of them.',
      severity: 'error',
      from: { path: '^sim/(scenario|study|report)/' },
      to: { path: '^sim/(cli|bench)/' },
    },
    ...upward,
    {
      name: 'enter-through-index',
      comment: 'From outside a folder, only its index.ts is imported: the index is the public surface.',
      severity: 'error',
      from: { path: '^(sim/[^/]+)/' },
      to: { path: '^sim/[^/]+/', pathNot: ['^$1/', '^sim/[^/]+/index\\.ts$'] },
    },
    {
      name: 'scenarios-through-index',
      comment: 'Shipped scenarios use the public API only.',
      severity: 'error',
      from: { path: '^scenarios/' },
      to: { path: '^sim/', pathNot: ['^sim/[^/]+/index\\.ts$', '^sim/index\\.ts$'] },
    },
    {
      name: 'entry-is-for-users',
      comment: "sim/index.ts ('nvmf-sim') is the package's entry for scenario and study files; the code inside sim/ never imports it.",
      severity: 'error',
      from: { path: '^sim/[^/]+/' },
      to: { path: '^sim/index\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'No import circles, type-only imports included.',
      severity: 'error',
      from: { path: '^(sim|scenarios)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['source', 'import', 'types', 'default'] },
  },
  // Known violations, each with its reason. tools/check-layers.mjs fails on a violation missing here
  // and on an entry here that no longer matches any violation, so the list only ever shrinks.
  exceptions: [],
};
