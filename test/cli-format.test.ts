// nvmf-sim output formats and argv parsing, without sockets: nvme-cli's discover layout and JSON
// keys, the nvme list row format, and getopt-style flag handling.
import test from 'ava';
import { ArgReader, parseArgs, UsageError, type OptionSpec } from '../sim/cli/args.js';
import { discoveryJson, formatDiscoveryText } from '../sim/cli/format-discovery.js';
import { formatListText, formatText, usageText } from '../sim/cli/format-list.js';

const ENTRY = {
  trtype: 3,
  adrfam: 1,
  subtype: 2,
  treq: 0,
  portid: 1,
  trsvcid: '4420',
  subnqn: 'nvmet-test',
  traddr: '10.0.0.1',
  eflags: 0,
  sectype: 0,
};

test('cli: discover prints nvme-cli layout', (t) => {
  t.is(
    formatDiscoveryText({ genctr: 3, records: [ENTRY, { ...ENTRY, subtype: 3, treq: 4, eflags: 2, portid: 2 }] }),
    [
      'Discovery Log Number of Records 2, Generation counter 3',
      '=====Discovery Log Entry 0======',
      'trtype:  tcp',
      'adrfam:  ipv4',
      'subtype: nvme subsystem',
      'treq:    not specified',
      'portid:  1',
      'trsvcid: 4420',
      'subnqn:  nvmet-test',
      'traddr:  10.0.0.1',
      'eflags:  none',
      'sectype: none',
      '=====Discovery Log Entry 1======',
      'trtype:  tcp',
      'adrfam:  ipv4',
      'subtype: current discovery subsystem',
      'treq:    not specified, sq flow control disable supported',
      'portid:  2',
      'trsvcid: 4420',
      'subnqn:  nvmet-test',
      'traddr:  10.0.0.1',
      'eflags:  explicit discovery connections',
      'sectype: none',
      '',
    ].join('\n'),
  );
});

test('cli: discover JSON uses nvme-cli keys', (t) => {
  t.deepEqual(discoveryJson({ genctr: 7, records: [{ ...ENTRY, trtype: 99 }] }), {
    genctr: 7,
    records: [
      {
        trtype: 'unrecognized',
        adrfam: 'ipv4',
        subtype: 'nvme subsystem',
        treq: 'not specified',
        portid: 1,
        trsvcid: '4420',
        subnqn: 'nvmet-test',
        traddr: '10.0.0.1',
        eflags: 'none',
      },
    ],
  });
});

test('cli: list usage and format columns follow nvme-cli', (t) => {
  t.is(usageText(2.2e9, 2.2e9), '  2.20  GB /   2.20  GB');
  t.is(usageText(0, 64 * 1024 * 1024), '  0.00   B /  67.11  MB');
  t.is(formatText(512, 0), '512   B +  0 B');
  t.is(formatText(4096, 8), '  4 KiB +  8 B');
  const text = formatListText([
    { node: 'nvmf-sim:127.0.0.1:4420/n1', serial: 'abc', model: 'nvmf-sim', firmware: '0.1.0', nsid: 1, usedBytes: 0, sizeBytes: 1e9, blockSize: 512, metadataBytes: 0 },
  ]);
  const [header, dashes, row] = text.split('\n');
  t.regex(header ?? '', /^Node {23}SN {19}Model {36}Namespace {2}Usage {22}Format {11}FW Rev$/);
  t.is(dashes?.split(' ')[0]?.length, 'nvmf-sim:127.0.0.1:4420/n1'.length);
  t.regex(row ?? '', /^nvmf-sim:127\.0\.0\.1:4420\/n1 abc .* 0x1 + {2}0\.00 {3}B \/ {3}1\.00 {2}GB +512 {3}B \+ {2}0 B +0\.1\.0$/);
});

const SPECS: OptionSpec[] = [
  { long: 'traddr', short: 'a', kind: 'value', help: '' },
  { long: 'hdr-digest', short: 'g', kind: 'flag', help: '' },
  { long: 'data-digest', short: 'G', kind: 'flag', help: '' },
  { long: 'ns', kind: 'list', help: '' },
];

test('cli: argv parsing accepts getopt spellings', (t) => {
  const args = new ArgReader(parseArgs(['-a127.0.0.1', '-gG', '--ns', 'ram:1M', '--ns=null:1G', 'rest'], SPECS, 'x'), SPECS);
  t.is(args.string('traddr'), '127.0.0.1');
  t.true(args.flag('hdr-digest'));
  t.true(args.flag('data-digest'));
  t.deepEqual(args.list('ns'), ['ram:1M', 'null:1G']);
  t.deepEqual(args.positionals, ['rest']);
  t.throws(() => parseArgs(['--hdr-digest=1'], SPECS, 'x'), { instanceOf: UsageError, message: '--hdr-digest (-g) takes no value (got \'1\')' });
});
