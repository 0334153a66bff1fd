// nvmf-sim CLI: every user mistake prints exactly one line `nvmf-sim: ...` naming the flag or field
// and exits 2; help and version work. Runs the real bin as a child process.
import test from 'ava';
import { nvmfSim } from './helpers/cli-run.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';



const usageError = test.macro(async (t, args: readonly string[], pattern: RegExp) => {
  const run = await nvmfSim(args);
  t.is(run.code, 2, run.stderr);
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0] ?? '', /^nvmf-sim: /);
  t.regex(lines[0] ?? '', pattern);
  t.notRegex(run.stderr, /\n\s+at /);
});

const tmp = mkdtempSync(join(tmpdir(), 'nvmf-sim-cli-'));
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));
const badJson = join(tmp, 'bad.json');
writeFileSync(badJson, '{ "subsystems": [ ');
const badField = join(tmp, 'bad-field.json');
writeFileSync(
  badField,
  JSON.stringify({ hosts: [], ports: [], subsystems: [{ nqn: 'nqn.2014-08.org.example:s', attr: { allow_any_host: '1' }, namespaces: [{ nsid: 0, enable: 1, device: { path: 'null:1GiB' } }] }] }),
);

const IO = ['io', '-t', 'tcp', '-a', '127.0.0.1', '-s', '4420', '-n', 'nqn.2014-08.org.example:s'];

test('cli: unknown command', usageError, ['frobnicate'], /unknown command 'frobnicate'/);
test('cli: unknown flag', usageError, ['discover', '-a', '127.0.0.1', '--bogus'], /unknown option '--bogus' for 'discover'/);
test('cli: unknown short flag', usageError, ['list', '-Z'], /unknown option '-Z'/);
test('cli: malformed size names the flag', usageError, [...IO, '--bs', '12XB'], /--bs: malformed size '12XB'/);
test('cli: malformed duration names the flag', usageError, [...IO, '--runtime', '5parsecs'], /--runtime: malformed duration/);
test('cli: malformed range names the flag', usageError, [...IO, '--bsrange', '4k'], /--bsrange: malformed range/);
test('cli: bad mode names the flag', usageError, [...IO, '--rw', 'sideways'], /--rw: unknown mode 'sideways'/);
test('cli: missing required flag', usageError, ['discover', '-t', 'tcp'], /--traddr \(-a\) is required/);
test('cli: missing NQN for io', usageError, ['io', '-a', '127.0.0.1'], /--nqn \(-n\) is required/);
test('cli: flag without its value', usageError, ['discover', '-a'], /--traddr \(-a\) needs a value/);
test('cli: out-of-range integer', usageError, [...IO, '-Q', '5000'], /--queue-size \(-Q\): 5000 is outside 16..1024/);
test('cli: unsupported transport', usageError, ['discover', '-t', 'rdma', '-a', '127.0.0.1'], /--transport \(-t\): only 'tcp'/);
test('cli: bad output format', usageError, ['discover', '-a', '127.0.0.1', '-o', 'xml'], /--output-format \(-o\): unknown format 'xml'/);
test('cli: invalid nvmetcli JSON', usageError, ['target', '--config', badJson], /bad\.json: invalid JSON/);
test('cli: invalid nvmetcli field', usageError, ['target', '--config', badField], /subsystems\[0\]\.namespaces\[0\]\.nsid/);
test('cli: unreadable nvmetcli file', usageError, ['target', '--config', join(tmp, 'missing.json')], /--config: cannot read .*ENOENT/);
test('cli: malformed --listen', usageError, ['target', '--listen', 'localhost'], /--listen: 'localhost' is not ADDR:PORT/);
test('cli: malformed --ns', usageError, ['target', '--listen', '127.0.0.1:0', '--ns', 'tape:1G'], /--ns: unknown backend 'tape'/);

test('cli: connection refused is a usage error naming the address', async (t) => {
  // A port that was free a moment ago: nothing listens on it.
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await usageError.exec(t, ['discover', '-t', 'tcp', '-a', '127.0.0.1', '-s', String(port)], new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
});

test('cli: --help lists the commands', async (t) => {
  const run = await nvmfSim(['--help']);
  t.is(run.code, 0);
  for (const command of ['target', 'discover', 'list', 'io', 'help']) t.regex(run.stdout, new RegExp(`\\n  ${command} `));
});

test('cli: <command> --help and help <command> show its options', async (t) => {
  const [a, b] = await Promise.all([nvmfSim(['io', '--help']), nvmfSim(['help', 'io'])]);
  t.is(a.code, 0);
  t.is(b.stdout, a.stdout);
  t.regex(a.stdout, /^usage: nvmf-sim io /);
  t.regex(a.stdout, /-i, --nr-io-queues N/);
  t.regex(a.stdout, /--verify/);
});

test('cli: --version prints the package version', async (t) => {
  const run = await nvmfSim(['--version']);
  t.is(run.code, 0);
  t.regex(run.stdout, /^nvmf-sim \d+\.\d+\.\d+\n$/);
});
