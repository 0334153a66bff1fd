// Invariant checking, split as TigerBeetle's VOPR splits it (docs/prior-art.md,
// "TigerBeetle"): safety holds at every moment whatever the faults, and
// liveness is judged only after a healing fault, against a bound. The per-I/O safety checks run in
// TrackedDevice as I/Os complete; this file turns its counters into verdicts, and tracks, for the
// liveness check, when each host's I/O resumed after each heal, restart, resume or repair.
import { NS_PER_MS } from '../core/index.js';
import type { ResolvedInvariant } from './resolved.js';
import type { InvariantResult } from './result.js';
import type { HostIoStats } from './tracked-device.js';

interface ResumeCheck {
  readonly faultIndex: number;
  readonly action: string;
  readonly atNs: number;
  readonly host: number;
  resumedAtNs: number;
}

/** Records healing faults and the first successful I/O of each affected host after each. */
export class ResumeTracker {
  readonly #checks: ResumeCheck[] = [];
  /** Open checks per host index. */
  readonly #open: ResumeCheck[][];

  constructor(hosts: number) {
    this.#open = Array.from({ length: hosts }, () => []);
  }

  /** A healing fault happened at atNs; every host with a running workload must resume. */
  healed(faultIndex: number, action: string, atNs: number, runningHosts: readonly number[]): void {
    for (const host of runningHosts) {
      const check: ResumeCheck = { faultIndex, action, atNs, host, resumedAtNs: -1 };
      this.#checks.push(check);
      this.#open[host]?.push(check);
    }
  }

  /** A host completed an I/O successfully: closes its open checks. O(1) when none is open. */
  succeeded(host: number, nowNs: number): void {
    const open = this.#open[host];
    if (open === undefined || open.length === 0) return;
    for (const check of open) check.resumedAtNs = nowNs;
    open.length = 0;
  }

  /** The host crashed: it cannot be expected to resume (its restart opens a new check). */
  hostGone(host: number): void {
    const open = this.#open[host];
    if (open === undefined) return;
    for (const check of open) {
      const index = this.#checks.indexOf(check);
      if (index >= 0) this.#checks.splice(index, 1);
    }
    open.length = 0;
  }

  /** Liveness verdict: each check resumed within `withinNs`, or the run ended too soon to tell. */
  evaluate(withinNs: number, endNs: number, hostNames: readonly string[]): InvariantResult {
    const late: string[] = [];
    let resumed = 0;
    let slowestNs = 0;
    let inconclusive = 0;
    for (const check of this.#checks) {
      const who = `${hostNames[check.host] ?? check.host} after ${check.action} at ${ms(check.atNs)}`;
      if (check.resumedAtNs >= 0) {
        const tookNs = check.resumedAtNs - check.atNs;
        if (tookNs > withinNs) late.push(`${who} resumed only after ${ms(tookNs)}`);
        else {
          resumed++;
          slowestNs = Math.max(slowestNs, tookNs);
        }
      } else if (endNs - check.atNs >= withinNs) {
        late.push(`${who}: no I/O completed within ${ms(withinNs)}`);
      } else {
        inconclusive++;
      }
    }
    if (late.length > 0) {
      return { name: 'io-resumes', ok: false, class: 'liveness', detail: `${late[0]}${late.length > 1 ? ` (and ${late.length - 1} more)` : ''}` };
    }
    const parts = [`${resumed} resumption(s) within ${ms(withinNs)}`];
    if (resumed > 0) parts.push(`slowest ${ms(slowestNs)}`);
    if (inconclusive > 0) parts.push(`${inconclusive} not observable before the run ended`);
    return { name: 'io-resumes', ok: true, class: 'liveness', detail: parts.join(', ') };
  }
}

function ms(ns: number): string {
  return `${(ns / NS_PER_MS).toFixed(3)} ms`;
}

/** What the verdicts need to know about one host. */
export interface HostVerdictInput {
  readonly name: string;
  readonly stats: HostIoStats;
  readonly verifyMismatches: number;
  readonly connectError: string | undefined;
}

/** Evaluates the scenario's invariants after the run (the resume tracker supplies io-resumes). */
export function evaluateInvariants(
  invariants: readonly ResolvedInvariant[],
  hosts: readonly HostVerdictInput[],
  resume: ResumeTracker,
  endNs: number,
): InvariantResult[] {
  const results: InvariantResult[] = [];
  const failedConnect = hosts.find((host) => host.connectError !== undefined);
  results.push({
    name: 'hosts-connect',
    ok: failedConnect === undefined,
    class: 'liveness',
    detail: failedConnect === undefined ? `${hosts.length} host(s) connected` : `${failedConnect.name}: ${failedConnect.connectError}`,
  });
  for (const invariant of invariants) {
    switch (invariant.check) {
      case 'ios-accounted':
        results.push(...accounted(hosts));
        break;
      case 'no-verify-mismatch': {
        const bad = hosts.find((host) => host.verifyMismatches > 0);
        results.push({
          name: 'no-verify-mismatch',
          ok: bad === undefined,
          class: 'correctness',
          detail: bad === undefined ? 'no mismatches' : `${bad.name}: ${bad.verifyMismatches} block(s) read back differently from what was written`,
        });
        break;
      }
      case 'no-io-errors': {
        const bad = hosts.find((host) => host.stats.failed > 0);
        const first = bad?.stats.firstFailure;
        results.push({
          name: 'no-io-errors',
          ok: bad === undefined,
          class: 'correctness',
          detail:
            bad === undefined || first === undefined
              ? 'no failed I/O'
              : `${bad.name}: ${bad.stats.failed} failed I/O(s), first status 0x${first.status.toString(16)} at ${ms(first.atNs)}`,
        });
        break;
      }
      case 'io-resumes':
        results.push(resume.evaluate(invariant.withinNs, endNs, hosts.map((host) => host.name)));
        break;
    }
  }
  return results;
}

/** Safety (each I/O completed at most once) is correctness; I/O left hanging is liveness. */
function accounted(hosts: readonly HostVerdictInput[]): InvariantResult[] {
  const violator = hosts.find((host) => host.stats.violations > 0);
  const hanging = hosts.find((host) => host.stats.outstanding > 0);
  const completed = hosts.reduce((sum, host) => sum + host.stats.succeeded + host.stats.failed, 0);
  return [
    {
      name: 'ios-complete-once',
      ok: violator === undefined,
      class: 'correctness',
      detail:
        violator === undefined
          ? `${completed} I/O(s) each completed exactly once`
          : `${violator.name}: ${violator.stats.violations} violation(s), first: ${violator.stats.firstViolation ?? ''}`,
    },
    {
      name: 'ios-accounted',
      ok: hanging === undefined,
      class: 'liveness',
      detail:
        hanging === undefined
          ? 'every I/O completed or failed'
          : `${hanging.name}: ${hanging.stats.outstanding} I/O(s) neither completed nor failed by the end of the drain`,
    },
  ];
}
