// The scenario documentation generated from the code: scenarios/README.md's fault table (the
// fault-verb records) and invariant table (invariants.ts), and scenarios/scenario.schema.json (the
// zod schema). Each must be current, and every verdict a run reports must be documented.
import test from 'ava';
import { generatedFiles } from '../sim/scenario/generated-docs.js';
import { CHECKED_INVARIANTS } from '../sim/scenario/invariants.js';
import { runScenario } from '../sim/scenario/runner.js';
import { resolveScenario } from '../sim/scenario/validate.js';

test('scenario: the generated documentation is current', (t) => {
  for (const file of generatedFiles()) {
    t.is(file.current, file.expected, `${file.path} is stale: run node --import=tsx sim/scenario/generated-docs.ts --write`);
  }
});

test('scenario: every verdict a simulated run reports is documented, in report order', async (t) => {
  const scenario = resolveScenario(
    {
      name: 'all-invariants',
      duration: '5ms',
      drain: '5ms',
      nodes: [{ name: 'h' }, { name: 't' }],
      links: [{ a: 'h', b: 't' }],
      targets: [{ node: 't', subsystems: [{ nqn: 'nqn.2024-01.io.test:d', namespaces: [{ backend: 'ram:64MiB' }] }] }],
      hosts: [{ node: 'h', connect: { target: 't' }, workload: { rw: 'randrw', iodepth: 2, verify: true } }],
      faults: [{ at: '1ms', action: 'heal' }],
      invariants: [{ check: 'workload-progress' }, { check: 'ios-accounted' }, { check: 'no-verify-mismatch' }, { check: 'no-io-errors' }, { check: 'no-app-errors-with-a-path' }, { check: 'io-resumes' }],
      steps: async () => {},
    },
    'docs.ts',
  );
  const result = await runScenario(scenario);
  t.deepEqual(
    result.invariants.map((inv) => inv.name),
    CHECKED_INVARIANTS.filter((inv) => inv.when !== 'real-time runs').map((inv) => inv.name),
  );
  for (const inv of result.invariants) t.is(CHECKED_INVARIANTS.find((doc) => doc.name === inv.name)?.class, inv.class, inv.name);
});
