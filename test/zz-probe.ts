import { loadScenario } from '../sim/scenario/load.js';
import { runScenario } from '../sim/scenario/runner.js';
const [file, ...sets] = process.argv.slice(2);
const s = await loadScenario(file!, {}, sets.map((x) => { const [p, v] = x.split('='); return { path: p!, value: JSON.parse(v!) }; }));
const r = await runScenario(s, { logLevel: 'info', logSink: (l) => process.stdout.write(l), trace: { record: (x) => { if (x.kind !== 'drop' && !x.kind.startsWith('tcp-')) console.log(JSON.stringify(x)); } } });
console.log(r.ok, r.errors, r.perHost.map((h) => [h.state, h.ios, h.errors, h.reconnects]), r.invariants.filter((i) => !i.ok).map((i) => i.name + ': ' + i.detail));
const iv = r.timeSeries.perHost[0]!.intervals; let last = 0, worst: number[] = [];
for (const x of iv) { if (x.ios > 0) { if (x.tMs - last > 300) worst.push(last, x.tMs); last = x.tMs; } }
console.log('gaps', worst.join(' '));
