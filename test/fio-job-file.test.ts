// fio job files: the reader and option table on files written as fio's HOWTO and examples write
// them, each error class as one FILE:LINE line, and the job-file runner on an in-memory device
// on a manual clock (numjobs -> queues, stonewall order, group_reporting, overrides, size cap).
import test from 'ava';
import { readFileSync } from 'node:fs';
import type { Clock, Timer } from '../sim/core/env.js';
import { SeededRngSource } from '../sim/core/rng.js';
import {
  FioJobFileError,
  FioJobFileRun,
  fioJobFileOutput,
  fioReportEntries,
  planFioJobs,
  readFioJobFile,
  resolveFioJobs,
  type FioJobPlan,
} from '../sim/workload/index.js';
import { MemoryDevice } from '../sim/workload/memory-device.js';
import { offsetDistribution } from '../sim/workload/random-distribution.js';

class ManualClock implements Clock {
  #now = 0;
  #nextId = 1;
  #timers = new Map<number, { at: number; fn: () => void }>();
  nowNs(): number {
    return this.#now;
  }
  setTimer(delayNs: number, fn: () => void): Timer {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, delayNs), fn });
    return { id };
  }
  clearTimer(timer: Timer): void {
    this.#timers.delete(timer.id);
  }
  /** Fires the earliest timer; false when none is left. */
  step(): boolean {
    let nextId = -1;
    let next: { at: number; fn: () => void } | undefined;
    for (const [id, timer] of this.#timers) {
      if (next === undefined || timer.at < next.at) {
        next = timer;
        nextId = id;
      }
    }
    if (next === undefined) return false;
    this.#timers.delete(nextId);
    this.#now = next.at;
    next.fn();
    return true;
  }
}

const MiB = 1024 * 1024;

function plans(text: string, file = 'job.fio'): FioJobPlan[] {
  return planFioJobs(readFioJobFile(text, file));
}

/** Runs a job file's plans on a 4 MiB memory device (10 µs per I/O) to the end. */
async function runPlans(list: readonly FioJobPlan[], options: Parameters<typeof resolveFioJobs>[2] = {}, sizeBytes = 4 * MiB) {
  const clock = new ManualClock();
  const env = { clock, rng: new SeededRngSource('fio-job') };
  const device = new MemoryDevice(sizeBytes, { clock, latencyNs: 10_000 });
  const instances = resolveFioJobs(list, device, options);
  let finished = false;
  const promise = new FioJobFileRun(env, device, instances).run().then((done) => {
    finished = true;
    return done;
  });
  for (let n = 0; !finished && n < 5_000_000; n++) {
    if (!clock.step()) await new Promise((resolve) => setImmediate(resolve));
    else if (n % 1000 === 0) await Promise.resolve();
  }
  const done = await promise;
  return { device, instances, done, entries: fioReportEntries(done) };
}

const errorLine = (t: import('ava').ExecutionContext, text: string, pattern: RegExp): void => {
  const error = t.throws(() => plans(text), { instanceOf: FioJobFileError });
  t.false(error?.message.includes('\n'));
  t.regex(error?.message ?? '', pattern);
};

test('fio job: HOWTO-style file with [global], bare options and comments', (t) => {
  const list = plans(
    [
      '; -- start job file --',
      '[global]',
      'rw=randread',
      'size=128m',
      'ioengine=libaio',
      'direct=1',
      '',
      '[job1]',
      '',
      '[job2]',
      '# a comment',
      'rw=write:8k',
      'time_based',
      'runtime=30',
      'stonewall',
      '; -- end job file --',
    ].join('\n'),
  );
  t.deepEqual(
    list.map((plan) => [plan.name, plan.spec.rw, plan.spec.sizeBytes, plan.stonewall, plan.timeBased, plan.spec.runtimeNs]),
    [
      ['job1', 'randread', 128 * MiB, false, false, undefined],
      ['job2', 'write', 128 * MiB, true, true, 30e9],
    ],
  );
  t.is(list[1]?.spec.sequentialSkipBytes, 8192);
});

test('fio job: every supported option parses', (t) => {
  const [plan] = plans(
    `[global]
name=everything
numjobs=4
group_reporting
[x]
rw=randrw:8
rwmixwrite=30
bssplit=4k/67:8k/10:16k/7:32k/3:64k/13
blockalign=4k
size=1m
io_size=2m
offset=64k
iodepth=16
runtime=10s
time_based=1
ramp_time=1s
startdelay=500ms
rate_iops=1000
rate_process=poisson
random_distribution=zoned:50/5:30/15:20/80
norandommap
randrepeat=0
verify=crc32c
verify_pattern=0xdeadbeef
verify_fatal=1
thread
iodepth_batch_submit=8
cpus_allowed=0-3
`,
  );
  const spec = plan?.spec;
  t.is(plan?.name, 'everything');
  t.is(plan?.numjobs, 4);
  t.true(plan?.groupReporting);
  t.is(plan?.startDelayNs, 500e6);
  t.is(spec?.rw, 'randrw');
  t.is(spec?.randomRunLength, 8);
  t.is(spec?.rwmixread, 70);
  t.deepEqual(spec?.bssplit?.read.map((share) => share.bytes), [4096, 8192, 16384, 32768, 65536]);
  t.is(spec?.blockalignBytes, 4096);
  t.is(spec?.sizeBytes, MiB);
  t.is(spec?.ioSizeBytes, 2 * MiB);
  t.is(spec?.offsetBytes, 65536);
  t.is(spec?.iodepth, 16);
  t.is(spec?.rampNs, 1e9);
  t.is(spec?.rateIops, 1000);
  t.is(spec?.rateProcess, 'poisson');
  t.is(spec?.randomDistribution?.kind, 'zoned');
  t.is(spec?.verifyMethod, 'crc32c');
  t.true(spec?.verifyFatal);
  t.regex(spec?.streamPrefix ?? '', /norepeat/);
  const dist = plans('[a]\nrw=randread\nrandom_distribution=zipf:1.2\n[b]\nrandom_distribution=pareto:0.2\n[c]\nrandom_distribution=normal:10\n[d]\nrw=read:-8k');
  t.deepEqual(dist.map((p) => p.spec.randomDistribution?.kind), ['zipf', 'pareto', 'normal', undefined]);
  t.is(dist[3]?.spec.sequentialSkipBytes, -8192);
});

test('fio job: unknown option names file, line and option', errorLine, '[global]\nrw=read\n[a]\nbogus_option=1\n', /^job\.fio:4: option 'bogus_option': unknown/);
test('fio job: malformed value names file, line and option', errorLine, '[a]\nrw=read\nbs=12XB\n', /^job\.fio:3: option 'bs': malformed size '12XB'/);
test('fio job: bssplit not adding to 100', errorLine, '[a]\nrw=randread\n\nbssplit=4k/50:8k/40\n', /^job\.fio:4: option 'bssplit': percentages add up to 90, not 100/);
test('fio job: bad mode', errorLine, '[a]\nrw=sideways\n', /^job\.fio:2: option 'rw': unknown mode 'sideways'/);
test('fio job: zoned not adding to 100', errorLine, '[a]\nrandom_distribution=zoned:50/5:30/95\n', /^job\.fio:2: option 'random_distribution': zone access percentages add up to 80/);
test('fio job: bare boolean with a bad value', errorLine, '[a]\ntime_based=yes\n', /^job\.fio:2: option 'time_based': 'yes'/);
test('fio job: option before any section', errorLine, 'rw=read\n[a]\n', /^job\.fio:1: option before the first section/);

test('fio job: bssplit rows without a percentage share the rest', (t) => {
  const [plan] = plans('[a]\nrw=randread\nbssplit=4k/50:8k/:16k/\n');
  t.deepEqual(plan?.spec.bssplit?.read.map((share) => share.percent), [50, 25, 25]);
});

test('fio job: numjobs gives each clone its own I/O queue', async (t) => {
  const { device, instances, entries } = await runPlans(plans('[a]\nrw=randread\nbs=4k\nsize=256k\nnumjobs=3\niodepth=2\n'));
  t.deepEqual(instances.map((i) => i.job.queueOffset), [0, 1, 2]);
  t.deepEqual([...new Set(device.log.map((io) => io.queue))].sort(), [0, 1, 2]);
  t.is(entries.length, 3);
  t.deepEqual(entries.map((e) => e.result.queues.map((q) => q.queue)), [[0], [1], [2]]);
  t.true(entries.every((e) => e.result.read.ios === 64));
});

test('fio job: stonewall runs groups in order with rising groupid', async (t) => {
  const { device, entries } = await runPlans(plans('[global]\nbs=4k\nsize=128k\n[w]\nrw=write\n[r]\nstonewall\nrw=read\n'));
  t.deepEqual(entries.map((e) => [e.result.name, e.groupid]), [['w', 0], ['r', 1]]);
  const lastWrite = device.log.map((io) => io.kind).lastIndexOf('write');
  const firstRead = device.log.map((io) => io.kind).indexOf('read');
  t.true(lastWrite < firstRead, 'every write of group 0 before the first read of group 1');
});

test('fio job: group_reporting merges a group into one entry', async (t) => {
  const { entries } = await runPlans(plans('[global]\ngroup_reporting\nbs=4k\nsize=128k\nrw=randread\n[a]\nnumjobs=4\niodepth=2\n'));
  t.is(entries.length, 1);
  const json = fioJobFileOutput(entries);
  const job = json.jobs[0];
  t.is(job?.jobname, 'a');
  t.is(job?.read.total_ios, 4 * 32);
  t.is(job?.read.clat_ns.N, 4 * 32);
  t.is(job?.nvmf_sim.queues.length, 4);
  const bins = job?.read.clat_ns.bins ?? {};
  t.is(Object.values(bins).reduce((a, b) => a + b, 0), 128, 'json+ bins count every I/O');
  t.true('99.000000' in (job?.read.clat_ns.percentile ?? {}));
});

test('fio job: overrides apply to every job', async (t) => {
  const { entries } = await runPlans(plans('[global]\nsize=1m\n[a]\nrw=read\nbs=4k\n[b]\nrw=write\nbs=64k\n'), { overrides: { bs: 8192, sizeBytes: 64 * 1024 } });
  t.deepEqual(entries.map((e) => [e.job.minBs, e.job.sizeBytes]), [[8192, 65536], [8192, 65536]]);
});

test('fio job: a size beyond the namespace is capped with one note', async (t) => {
  const notes: string[] = [];
  const { entries } = await runPlans(plans('[a]\nrw=read\nbs=64k\nsize=64g\n', 'big.fio'), { onNote: (note) => notes.push(note) });
  t.is(entries[0]?.job.sizeBytes, 4 * MiB);
  t.is(notes.length, 1);
  t.regex(notes[0] ?? '', /^big\.fio:4: job 'a': size 68719476736 is beyond the 4194304-byte namespace; capped to 4194304$/);
});

test('fio job: verify writes then checks, bssplit and zipf draw only their sizes', async (t) => {
  const { device, entries } = await runPlans(plans('[a]\nrw=randwrite\nbssplit=4k/50:16k/50\nrandom_distribution=zipf:1.1\nsize=1m\nio_size=512k\nverify=md5\niodepth=4\n'));
  const result = entries[0]?.result;
  t.true((result?.verify.blocksChecked ?? 0) > 0);
  t.is(result?.verify.mismatches, 0);
  t.deepEqual([...new Set(device.log.filter((io) => io.kind === 'write').map((io) => io.length))].sort((a, b) => a - b), [4096, 16384]);
});

test('fio job: the shipped example parses and runs', async (t) => {
  const list = planFioJobs(readFioJobFile(readFileSync('scenarios/jobs/oltp-mix.fio', 'utf8'), 'oltp-mix.fio'));
  t.deepEqual(list.map((p) => [p.name, p.numjobs]), [['oltp', 2], ['log', 1]]);
  const { entries } = await runPlans(list, { overrides: { runtimeNs: 200e6 } });
  t.is(entries.length, 1, 'group_reporting: one entry for the group');
  t.true((entries[0]?.result.read.ios ?? 0) > 0);
  t.true((entries[0]?.result.write.ios ?? 0) > 0);
});

test('fio job: rw=randread:8 seeks once every 8 I/Os, sequential between', async (t) => {
  const { device } = await runPlans(plans('[a]\nrw=randread:8\nbs=4k\nsize=4m\nio_size=256k\n'));
  const offsets = device.log.map((io) => io.offset);
  t.is(offsets.length, 64);
  for (let i = 0; i < offsets.length; i++) {
    if (i % 8 !== 0) t.is(offsets[i], (offsets[i - 1] ?? 0) + 4096, `I/O ${i} continues the run`);
  }
  const seeks = offsets.filter((offset, i) => i > 0 && offset !== (offsets[i - 1] ?? 0) + 4096).length;
  t.true(seeks >= 6 && seeks <= 7, `a seek at most every 8 I/Os, got ${seeks}`);
});

test('fio job: rw=read:4k leaves holes, rw=read:-8k walks backwards', async (t) => {
  const holes = await runPlans(plans('[a]\nrw=read:4k\nbs=4k\nsize=1m\nio_size=16k\n'));
  t.deepEqual(holes.device.log.map((io) => io.offset), [0, 8192, 16384, 24576]);
  const back = await runPlans(plans('[a]\nrw=read:-8k\nbs=4k\nsize=1m\nio_size=16k\noffset=64k\n'));
  t.deepEqual(back.device.log.map((io) => io.offset - 65536), [0, 1048576 - 4096, 1048576 - 8192, 1048576 - 12288]);
});

test('fio job: zoned and zipf skew where random I/O lands', async (t) => {
  const zoned = await runPlans(plans('[a]\nrw=randread\nbs=4k\nsize=4m\nio_size=4m\nrandom_distribution=zoned:60/10:40/90\n'));
  const inFirstTenth = zoned.device.log.filter((io) => io.offset < 0.1 * 4 * MiB).length / zoned.device.log.length;
  t.true(inFirstTenth > 0.55 && inFirstTenth < 0.65, `60% of I/Os in the first 10%, got ${inFirstTenth}`);
  const zipf = await runPlans(plans('[a]\nrw=randread\nbs=4k\nsize=4m\nio_size=4m\nrandom_distribution=zipf:1.2\n'));
  const counts = new Map<number, number>();
  for (const io of zipf.device.log) counts.set(io.offset, (counts.get(io.offset) ?? 0) + 1);
  const top = [...counts.values()].sort((a, b) => b - a).slice(0, 10).reduce((a, b) => a + b, 0);
  t.true(top / zipf.device.log.length > 0.3, `the 10 hottest of 1024 blocks take over 30% of I/O, got ${top / zipf.device.log.length}`);
  const uniform = await runPlans(plans('[a]\nrw=randread\nbs=4k\nsize=4m\nio_size=4m\n'));
  const ucounts = new Map<number, number>();
  for (const io of uniform.device.log) ucounts.set(io.offset, (ucounts.get(io.offset) ?? 0) + 1);
  const utop = [...ucounts.values()].sort((a, b) => b - a).slice(0, 10).reduce((a, b) => a + b, 0);
  t.true(utop / uniform.device.log.length < 0.05);
});

test('fio job: blockalign aligns random offsets', async (t) => {
  const { device } = await runPlans(plans('[a]\nrw=randread\nbs=4k\nblockalign=64k\nsize=4m\nio_size=256k\n'));
  t.true(device.log.every((io) => io.offset % 65536 === 0));
});

test('fio job: startdelay and ramp_time', async (t) => {
  const { done } = await runPlans(plans('[a]\nrw=read\nbs=4k\nsize=1m\nruntime=10ms\ntime_based\nramp_time=5ms\n[b]\nrw=read\nbs=4k\nsize=1m\nio_size=4k\nstartdelay=20ms\n'));
  const [a, b] = done;
  // 10 µs per I/O at iodepth 1: 500 I/Os in the ramp are run but not counted, 1000 after it are.
  t.is(a?.result.read.ios, 1000);
  t.is(a?.result.elapsedNs, 15e6);
  t.is(b?.run.directions[0].firstIssueNs, 20e6);
});

test('fio job: verify_fatal stops at the first mismatch', async (t) => {
  const clock = new ManualClock();
  const device = new MemoryDevice(MiB, { clock, latencyNs: 10_000 });
  const instances = resolveFioJobs(plans('[a]\nrw=randrw\nbs=4k\nsize=64k\nio_size=8m\nverify=crc32c\nverify_fatal=1\n'), device);
  // Corrupt every block that is read after the first writes land.
  const original = device.submit.bind(device);
  device.submit = (io, callback) => original(io, (status, data) => {
    if (io.kind === 'read' && data !== undefined) data[100] = (data[100] ?? 0) ^ 0xff;
    callback(status, data);
  });
  let finished = false;
  const promise = new FioJobFileRun({ clock, rng: new SeededRngSource('fatal') }, device, instances).run().then((d) => ((finished = true), d));
  while (!finished) if (!clock.step()) await new Promise((resolve) => setImmediate(resolve));
  const [first] = await promise;
  t.is(first?.result.ended, 'error');
  t.is(first?.result.verify.mismatches, 1);
  t.true((first?.result.read.ios ?? 0) + (first?.result.write.ios ?? 0) < 2048);
});

test('fio job: pareto:0.2 sends about 80% of I/O to 20% of the blocks, spread over the region', (t) => {
  const dist = offsetDistribution({ kind: 'pareto', h: 0.2 }, 1000);
  const rng = new SeededRngSource('pareto').stream('offsets');
  const counts = new Array<number>(1000).fill(0);
  for (let i = 0; i < 100_000; i++) {
    const at = dist.draw(rng);
    counts[at] = (counts[at] ?? 0) + 1;
  }
  const hottest = [...counts].sort((a, b) => b - a);
  const share = hottest.slice(0, 200).reduce((a, b) => a + b, 0) / 100_000;
  t.true(share > 0.75 && share < 0.85, `20% of blocks take ${share}`);
  // The hottest blocks are not packed at the start of the region.
  const hot = counts.map((count, at) => [count, at] as const).sort((a, b) => b[0] - a[0]).slice(0, 50).map(([, at]) => at);
  t.true(hot.some((at) => at > 500));
});
