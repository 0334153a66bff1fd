import { loadScenario } from '../sim/scenario/load.js';
import { runScenario } from '../sim/scenario/runner.js';
for (const file of ['digest-corruption', 'target-restart', 'keepalive-expiry', 'link-flap']) {
  for (const seed of ['1', '2']) {
    const t0 = performance.now();
    const s = await loadScenario(`scenarios/${file}.ts`, { seed }, [{ path: 'hosts[*].workload.rw', value: 'randwrite' }]);
    const r = await runScenario(s, {});
    console.log(file, seed, ((performance.now() - t0) / 1000).toFixed(2), r.ok, r.perHost.map((h) => [h.ios, h.write?.ios, h.verify.blocksChecked, h.verify.mismatches, h.errors]).join(' | '), r.invariants.filter((i) => !i.ok).map((i) => i.name + ': ' + i.detail));
  }
}
