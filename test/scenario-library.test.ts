// The library of field failures (scenarios/README.md, "Shipped scenarios"): each shipped scenario
// is run and the outcome it exists to show is asserted, not only that it runs.
import test from 'ava';
import type { TraceRecord } from '../sim/core/index.js';
import { loadScenario } from '../sim/scenario/load.js';
import type { FieldAssignment } from '../sim/scenario/load.js';
import { FAILURE_EXIT_STATUS } from '../sim/scenario/result.js';
import type { ScenarioResult } from '../sim/scenario/result.js';
import { runScenario } from '../sim/scenario/runner.js';

interface Run {
  readonly result: ScenarioResult;
  /** The hosts' and targets' log lines at 'info' and above. */
  readonly log: readonly string[];
  /** Trace records other than packets and TCP events: faults, node and host states, workloads. */
  readonly events: readonly TraceRecord[];
}

async function run(file: string, sets: readonly FieldAssignment[] = []): Promise<Run> {
  const log: string[] = [];
  const events: TraceRecord[] = [];
  const trace = { record: (record: TraceRecord): void => void (record.kind === 'drop' || record.kind.startsWith('tcp-') ? 0 : events.push(record)) };
  const result = await runScenario(await loadScenario(file, {}, sets), { logLevel: 'info', logSink: (line) => log.push(line), trace });
  return { result, log, events };
}

/** When `host` first entered `state`, in seconds, or undefined. */
function stateAt(events: readonly TraceRecord[], host: string, state: string): number | undefined {
  const found = events.find((event) => event.kind === 'host-state' && event.host === host && event.state === state);
  return found === undefined ? undefined : found.tNs / 1e9;
}

function verdict(result: ScenarioResult, name: string): { ok: boolean; detail: string } {
  const found = result.invariants.find((invariant) => invariant.name === name);
  if (found === undefined) throw new Error(`no verdict ${name}`);
  return found;
}

test('digest-corruption: with digests, damaged data is caught and retried and every block verifies', async (t) => {
  const { result, log } = await run('scenarios/digest-corruption.ts');
  t.true(result.ok, JSON.stringify(result.invariants));
  t.true(log.filter((line) => line.includes('data digest error')).length > 0, 'the host caught damaged reads');
  t.is(result.errors, 0);
  t.true(verdict(result, 'no-verify-mismatch').ok);
  t.true((result.perHost[0]?.verify.blocksChecked ?? 0) > 1000);
});

test('digest-corruption: without the data digest the data-integrity invariant fails (exit 129)', async (t) => {
  const { result } = await run('scenarios/digest-corruption.ts', [{ path: 'hosts[0].connect.dataDigest', value: false }]);
  t.false(result.ok);
  t.is(result.failure, 'correctness');
  t.is(FAILURE_EXIT_STATUS[result.failure ?? 'crash'], 129);
  t.false(verdict(result, 'no-verify-mismatch').ok);
  t.true((result.perHost[0]?.verify.mismatches ?? 0) > 0);
});

test('target-restart: ctrl_loss_tmo 600 rides out a 20 s outage without errors; ctrl_loss_tmo 10 fails I/O about 10 s after the loss', async (t) => {
  const { result, events } = await run('scenarios/target-restart.ts');
  t.true(result.ok, JSON.stringify(result.invariants));
  const [patient, impatient] = result.perHost;
  if (patient === undefined || impatient === undefined) return t.fail('two hosts');
  // Both notice the loss by keep-alive and start reconnecting.
  const lostP = stateAt(events, 'patient', 'connecting') ?? 0;
  const lostI = stateAt(events, 'impatient', 'connecting') ?? 0;
  t.true(lostP > 1 && lostP < 1 + 2 * 5, `patient noticed at ${lostP} s`);
  t.true(lostI > 1 && lostI < 1 + 2 * 5, `impatient noticed at ${lostI} s`);
  // patient: back live after the target returned at 21 s, nothing failed, everything verified.
  t.is(patient.state, 'live');
  t.is(patient.errors, 0);
  t.is(patient.reconnects, 1);
  t.true((stateAt(events, 'patient', 'live') ?? 0) > 21);
  t.true(patient.verify.blocksChecked > 0);
  t.is(patient.verify.mismatches, 0);
  // impatient: removed 10 s (ctrl_loss_tmo) plus one failed connect attempt after the loss, before the target returned.
  t.is(impatient.state, 'deleted');
  t.true(impatient.errors > 0);
  const removed = stateAt(events, 'impatient', 'deleted') ?? 0;
  t.true(removed - lostI >= 10 && removed - lostI < 10 + 5, `removed ${removed - lostI} s after the loss was noticed`);
  t.true(removed < 21);
  const end = events.find((event) => event.kind === 'workload-end' && event.host === 'impatient');
  t.is(end?.ended, 'error');
  t.is((end?.tNs ?? 0) / 1e9, removed);
});

/** The simulated second a log line was written at ("12.500553848s host info: ..."). */
function loggedAt(log: readonly string[], text: string): number | undefined {
  const line = log.find((entry) => entry.includes(text));
  return line === undefined ? undefined : Number.parseFloat(line);
}

test('keepalive-expiry: a partition longer than KATO expires the controller at the target; the host reconnects after the heal and I/O resumes', async (t) => {
  const { result, log, events } = await run('scenarios/keepalive-expiry.ts');
  t.true(result.ok, JSON.stringify(result.invariants));
  // The partition runs from 1 s to 12 s; KATO is 5 s.
  const expired = loggedAt(log, 'keep-alive timer (5 seconds) expired');
  t.true(expired !== undefined && expired > 1 + 5 && expired < 12, `target expired the controller at ${expired} s`);
  t.true(log.some((line) => line.includes('ctrl 1 removed (keep-alive timeout)')));
  const noticed = stateAt(events, 'host', 'connecting') ?? 0;
  t.true(noticed > 1 + 5 && noticed < 12, `host noticed at ${noticed} s`);
  const live = events.filter((event) => event.kind === 'host-state' && event.state === 'live').map((event) => event.tNs / 1e9);
  t.true(live.length === 1 && (live[0] ?? 0) > 12, `live again at ${live.join(', ')} s`);
  const host = result.perHost[0];
  t.is(host?.reconnects, 1);
  t.is(host?.errors, 0);
  t.is(host?.verify.mismatches, 0);
  t.true(verdict(result, 'io-resumes').ok);
});

test('slow-ssd: commands outliving io_timeout time out, the controller resets, and I/O recovers without errors', async (t) => {
  const { result, log, events } = await run('scenarios/slow-ssd.ts');
  t.true(result.ok, JSON.stringify(result.invariants));
  // The device stalls from 1 s; io_timeout is 1 s.
  const timeouts = log.filter((line) => /queue [1-9]\d*: timeout cid/.test(line));
  t.true(timeouts.length > 0, 'an I/O command timed out');
  const first = loggedAt(log, ': timeout cid') ?? 0;
  t.true(first >= 2 && first < 2.1, `first timeout at ${first} s`);
  t.is(stateAt(events, 'host', 'resetting'), first);
  t.true((stateAt(events, 'host', 'live') ?? 0) > 2.5, 'reconnected once the device recovered');
  const host = result.perHost[0];
  t.is(host?.reconnects, 1);
  t.is(host?.errors, 0);
  t.true((host?.verify.blocksChecked ?? 0) > 0);
  t.is(host?.verify.mismatches, 0);
  // The caught commands waited for the timeout and the reconnect.
  t.true(result.latencyUs.max > 1_000_000, `max ${result.latencyUs.max} µs`);
  t.true(verdict(result, 'io-resumes').ok);
});

/** Stretches of more than 300 ms in which `host` completed no I/O: [fromMs, toMs] pairs. */
function stalls(result: ScenarioResult): [number, number][] {
  const found: [number, number][] = [];
  let last = 0;
  for (const interval of result.timeSeries.perHost[0]?.intervals ?? []) {
    if (interval.ios === 0) continue;
    if (interval.tMs - last > 300) found.push([last, interval.tMs]);
    last = interval.tMs;
  }
  return found;
}

test('link-flap: I/O stalls during each flap and continues between them, with nothing lost', async (t) => {
  const { result } = await run('scenarios/link-flap.ts');
  t.true(result.ok, JSON.stringify(result.invariants));
  // Flaps at 1, 5, 9, 13 s, 1 s each: one stall per flap, ending within a second of the link's return.
  const found = stalls(result);
  t.is(found.length, 4, JSON.stringify(found));
  for (const [index, [fromMs, toMs]] of found.entries()) {
    const downMs = 1000 + 4000 * index;
    t.true(fromMs >= downMs - 20 && fromMs <= downMs, `stall ${index} starts with the flap (${fromMs} ms)`);
    t.true(toMs > downMs + 1000 && toMs < downMs + 2000, `stall ${index} ends ${toMs - downMs - 1000} ms after the link is back`);
  }
  const host = result.perHost[0];
  t.is(host?.reconnects, 0);
  t.is(host?.errors, 0);
  t.true((host?.verify.blocksChecked ?? 0) > 0);
  t.is(host?.verify.mismatches, 0);
});

test('link-flap: flaps in step with the retransmission backoff stall I/O from the first flap to past the last', async (t) => {
  // 1.5 s down every 3 s: retransmissions at 1.2, 1.6, 2.4 s (down), 4.0 s (down again), 7.2 s (down), 13.6 s.
  const times = [1000, 2500, 4000, 5500, 7000, 8500, 10000, 11500];
  const { result } = await run('scenarios/link-flap.ts', times.map((ms, index) => ({ path: `faults[${index}].at`, value: `${ms}ms` })));
  t.true(result.ok, JSON.stringify(result.invariants));
  const found = stalls(result);
  t.is(found.length, 1, JSON.stringify(found));
  const [fromMs, toMs] = found[0] ?? [0, 0];
  t.true(fromMs <= 1000 && toMs > 11500, `one stall, ${fromMs}..${toMs} ms`);
  t.is(result.errors, 0);
});

test('reconnect-storm: all 200 hosts reconnect after the target restarts, within a second of reconnect_delay', async (t) => {
  const { result, events } = await run('scenarios/reconnect-storm.ts');
  t.true(result.ok, JSON.stringify(result.invariants));
  t.is(result.perHost.length, 200);
  t.true(result.perHost.every((host) => host.state === 'live' && host.reconnects === 1 && host.errors === 0 && host.ios > 0));
  // The restart is at 100 ms; reconnect_delay is 1 s.
  const live = new Map<string, number>();
  for (const event of events) if (event.kind === 'host-state' && event.state === 'live') live.set(String(event.host), event.tNs / 1e6);
  t.is(live.size, 200);
  const lastMs = Math.max(...live.values());
  const firstMs = Math.min(...live.values());
  t.true(firstMs > 100 + 1000, `first live again at ${firstMs} ms`);
  t.true(lastMs < 100 + 1000 + 100, `all live ${lastMs - 100} ms after the restart`);
  t.true(result.perHost.every((host) => host.verify.mismatches === 0));
});
