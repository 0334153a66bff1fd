// Field paths (study axes and `run --set`): parsing, setting on a copy, and one-line errors for
// paths that name nothing.
import test from 'ava';
import { FieldPathError, getFieldPath, parseFieldPath, parseSetValue, setFieldPath, splitAssignment } from '../sim/scenario/field-path.js';

const base = {
  name: 'x',
  nodes: [{ name: 'h', cpuProfile: 'tcp' }, { name: 't' }],
  hosts: [
    { node: 'h', connect: { target: 't', nrIoQueues: 4 }, workload: { rw: 'randread' } },
    { node: 'h', connect: { target: 't' }, workload: { rw: 'randwrite' } },
  ],
  links: [{ a: 'h', b: 't' }],
};

test('scenario field path: parses names, indices and [*]', (t) => {
  t.deepEqual(parseFieldPath('hosts[*].connect.nrIoQueues'), [
    { kind: 'field', name: 'hosts' },
    { kind: 'every' },
    { kind: 'field', name: 'connect' },
    { kind: 'field', name: 'nrIoQueues' },
  ]);
  t.deepEqual(parseFieldPath('links[0].options.lossRate').map((s) => s.kind), ['field', 'index', 'field', 'field']);
});

test('scenario field path: [*] sets every element, on a copy', (t) => {
  const set = setFieldPath(base, 'hosts[*].connect.nrIoQueues', 8);
  t.deepEqual(getFieldPath(set, 'hosts[0].connect.nrIoQueues'), 8);
  t.deepEqual(getFieldPath(set, 'hosts[1].connect.nrIoQueues'), 8);
  t.is(base.hosts[1]?.connect.nrIoQueues, undefined, 'the input is unchanged');
  t.is(getFieldPath(set, 'hosts[0].connect.target'), 't');
});

test('scenario field path: a missing optional object is created, an index is not', (t) => {
  const set = setFieldPath(base, 'links[0].options.lossRate', 0.005);
  t.deepEqual(getFieldPath(set, 'links[0].options'), { lossRate: 0.005 });
  const error = t.throws(() => setFieldPath(base, 'links[3].options.lossRate', 0.1), { instanceOf: FieldPathError });
  t.is(error?.message, 'links has 1 element(s), so [3] names nothing');
  t.is(t.throws(() => setFieldPath(base, 'name.first', 1))?.message, "name is not an object, so it has no field 'first'");
  t.is(t.throws(() => setFieldPath(base, 'nodes.cpuProfile', 'rdma'))?.message, "nodes is not an object, so it has no field 'cpuProfile'");
  t.regex(t.throws(() => parseFieldPath('hosts[x]'))?.message ?? '', /does not parse at '\[x\]'/);
});

test('scenario field path: --set values are JSON when they parse, text otherwise', (t) => {
  t.is(parseSetValue('8'), 8);
  t.is(parseSetValue('true'), true);
  t.is(parseSetValue('1ms'), '1ms');
  t.is(parseSetValue('"8"'), '8');
  t.deepEqual(splitAssignment('links[0].options.lossRate=0.01'), { path: 'links[0].options.lossRate', value: 0.01, text: '0.01' });
  t.is(splitAssignment('novalue'), null);
});
