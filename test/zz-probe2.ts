import { loadScenario } from '../sim/scenario/load.js';
import { runScenario } from '../sim/scenario/runner.js';
const [file] = process.argv.slice(2);
const s = await loadScenario(file!);
const live: number[] = []; const conn: number[] = [];
const r = await runScenario(s, { trace: { record: (x) => { if (x.kind === 'host-state' && x.state === 'live') live.push(x.tNs); if (x.kind === 'host-state' && x.state === 'connecting') conn.push(x.tNs); } } });
console.log(r.ok, r.wallSeconds, r.errors, live.length, conn.length, Math.min(...conn) / 1e6, Math.max(...conn) / 1e6, Math.min(...live) / 1e6, Math.max(...live) / 1e6, r.invariants.filter((i) => !i.ok).map((i) => i.name + ': ' + i.detail), r.cpu ? JSON.stringify(r.cpu).slice(0, 0) : '');
