import { describe, expect, it } from 'vitest';
import { INERT_RULES } from '../src/schema/areas/inert.js';
import {
  buildSchema,
  checkSchema,
  container,
  interfaceName,
  ipv4,
  ipv4AddressPrefix,
  ipv4Prefix,
  ipv6,
  ipv6AddressPrefix,
  ipv6Prefix,
  leaf,
  mac,
  parseIPv6,
  port,
  portList,
  portRange,
  schema,
  tag,
  text,
  u32,
  hostname,
  domainName,
  type ValueType,
  type SchemaNode,
} from '../src/schema/index.js';

const table: [ValueType, string[], string[]][] = [
  [
    ipv4,
    ['0.0.0.0', '192.0.2.1', '255.255.255.255'],
    ['256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', ''],
  ],
  [
    ipv6,
    ['::', '::1', '2001:db8::1', 'fe80::1:2:3:4', '::ffff:192.0.2.1', '1:2:3:4:5:6:7:8'],
    ['1:2:3:4:5:6:7:8:9', '2001:db8:::1', 'g::1', '1::2::3', ':1', ''],
  ],
  [
    ipv4AddressPrefix,
    ['192.0.2.1/24', '10.0.0.0/8', '1.1.1.1/32'],
    ['192.0.2.1', '192.0.2.1/33', '192.0.2.1/024', '192.0.2.1/'],
  ],
  [ipv6AddressPrefix, ['2001:db8::1/64', '::1/128'], ['2001:db8::1', '2001:db8::1/129']],
  [ipv4Prefix, ['192.0.2.0/24', '0.0.0.0/0', '10.1.2.3/32'], ['192.0.2.1/24', '10.0.0.0/33']],
  [ipv6Prefix, ['2001:db8::/32', '::/0', 'fe80::/64'], ['2001:db8::1/64', '2001:db8::/129']],
  [
    mac,
    ['00:53:00:aa:bb:cc', '02:AA:bb:CC:dd:EE'],
    ['00:53:00:aa:bb', '00-53-00-aa-bb-cc', '0053.00aa.bbcc'],
  ],
  [u32(68, 16000), ['68', '1500', '16000'], ['67', '16001', '-1', '1.5', '0x10', '01500', '']],
  [port, ['1', '65535'], ['0', '65536', 'http']],
  [portRange, ['1000-2000', '22-22'], ['2000-1000', '0-10', '10-']],
  [portList, ['22', '22,80,443', '1000-2000,22'], ['22,', ',22', '22,,80', '70000']],
  [
    interfaceName,
    ['eth0', 'br10', 'vxlan100', 'eth0.100', 'a-very-long-nam'],
    ['', 'a-very-long-name', 'eth/0', 'eth 0', 'eth:0', '.', '..'],
  ],
  [hostname, ['r1', 'edge-router-1', 'a'], ['-r1', 'r1-', 'r_1', 'r1.example.com', 'x'.repeat(64)]],
  [domainName, ['example.com', 'vyos.net', 'a.b.c.'], ['-x.com', 'x..com']],
  [
    text(20),
    ['hello world', 'it\'s "quoted"', ''],
    ['line\nbreak', 'tab\there', 'bell\u0007', 'x'.repeat(21), 'sep\u2028'],
  ],
];

describe('value types', () => {
  it.each(table.map(([type, good, bad]) => [type.name, type, good, bad] as const))(
    '%s',
    (_, type, good, bad) => {
      for (const v of good)
        expect(type.accepts(v), `${type.name} should accept ${JSON.stringify(v)}`).toBe(true);
      for (const v of bad)
        expect(type.accepts(v), `${type.name} should refuse ${JSON.stringify(v)}`).toBe(false);
    },
  );

  it('expands IPv6 addresses to eight groups', () => {
    expect(parseIPv6('2001:db8::1')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('::ffff:192.0.2.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x201]);
  });
});

describe('schema self-check', () => {
  it('finds nothing wrong with the built-in schema', () => {
    expect(checkSchema(schema)).toEqual([]);
  });

  it('is deterministic', () => {
    expect([...buildSchema().children.keys()]).toEqual([...schema.children.keys()]);
  });

  it('reports missing help, unknown owners, bad defaults and lower priorities', () => {
    const broken = container('', 'root', [
      container(
        'area',
        'An area',
        [
          leaf('nohelp', '', text()),
          leaf('mtu', 'MTU', u32(68, 9000), { default: '10' }),
          container('early', 'Too early', [], { priority: 10 }),
        ],
        // @ts-expect-error an owner that does not exist
        { owner: 'nobody', priority: 50 },
      ),
      tag('orphan', 'No owner', interfaceName, []),
    ]);
    const problems = checkSchema(broken).map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        "area: names owner 'nobody', which does not exist",
        'area nohelp: has no help text',
        "area mtu: default '10' is not a valid value",
        "area early: priority 10 is lower than its parent's 50",
        'orphan: has no owner (no backend would apply it)',
      ]),
    );
  });
});

describe('inert marks', () => {
  it('are keyed by schema path: exactly the declared paths are marked, nothing else of the same name', () => {
    const declared = new Set(INERT_RULES.flatMap((r) => r.paths));
    const marked: string[] = [];
    const visit = (n: SchemaNode, path: string): void => {
      if (n.inert && n.kind !== 'entry' && declared.has(path)) marked.push(path);
      else if (n.inert && n.kind !== 'entry' && !path.startsWith('system conntrack modules'))
        throw new Error(`${path} is inert but not declared`);
      const next: [string, SchemaNode][] =
        n.kind === 'tag'
          ? [['*', n.entry]]
          : n.kind === 'container' || n.kind === 'entry'
            ? [...n.children.values()].map((c) => [c.name, c])
            : [];
      for (const [w, c] of next) visit(c, path ? `${path} ${w}` : w);
    };
    visit(schema, '');
    expect(marked.sort()).toEqual([...declared].sort());
  });
});
