/**
 * `firewall xdp`: the schema's words, the cross-checks with their paths, the
 * rendering into map elements and rule numbers, and TAB on interfaces and
 * group names. Pure: no kernel.
 */
import { describe, expect, it } from 'vitest';
import { completeLine } from '../src/cli/complete.js';
import { loadSetForm, type ConfigNode } from '../src/config/index.js';
import {
  canonicalPrefix,
  elementCounts,
  groupRules,
  memberPrefixes,
  renderXdp,
  xdpElements,
  XDP_FIRST_GROUP_RULE,
  XDP_LAST_RULE,
} from '../src/render/xdp.js';
import { schema } from '../src/schema/index.js';
import { verify, withDefaults } from '../src/verify/index.js';

const BASE = [
  "set interfaces ethernet eth0 address '192.0.2.1/24'",
  "set interfaces ethernet eth1 address '198.51.100.1/24'",
  'set firewall group address-group BAD address 203.0.113.7',
  'set firewall group address-group BAD address 203.0.113.10-203.0.113.20',
  'set firewall group network-group NETS network 198.18.0.0/15',
  'set firewall group ipv6-network-group NETS6 network 2001:db8:f::/48',
  'set firewall group ipv6-address-group HOSTS6 address 2001:DB8::0:1',
  'set firewall group network-group MGMT network 192.0.2.0/28',
];

function load(lines: string[]): ConfigNode {
  const { tree, report } = loadSetForm(lines.join('\n'), schema);
  expect(report.invalid).toEqual([]);
  return tree;
}
/** The verification errors under `firewall xdp` (the rest of the configuration is not the point). */
const issues = (lines: string[]) =>
  verify(load([...BASE, ...lines]), schema)
    .filter((i) => i.path[1] === 'xdp')
    .map((i) => `${i.path.join(' ')}: ${i.message}`);
const invalid = (line: string) =>
  loadSetForm(line, schema)
    .report.invalid.map((i) => i.message)
    .join('\n');

describe('firewall xdp: the schema', () => {
  it('takes the blocklists, the excludes, a limit per protocol and disable', () => {
    expect(
      issues([
        'set firewall xdp interface eth0 drop source address 192.0.2.99',
        'set firewall xdp interface eth0 drop source address 2001:db8:9::/48',
        'set firewall xdp interface eth0 drop source group address-group BAD',
        'set firewall xdp interface eth0 drop source group network-group NETS',
        'set firewall xdp interface eth0 drop source group ipv6-network-group NETS6',
        'set firewall xdp interface eth0 exclude source group network-group MGMT',
        'set firewall xdp interface eth0 rate-limit source protocol tcp-syn rate 100',
        'set firewall xdp interface eth0 rate-limit source protocol tcp-syn burst 20',
        'set firewall xdp interface eth0 rate-limit source protocol udp rate 1000',
        'set firewall xdp interface eth0 rate-limit source protocol udp burst 100',
        'set firewall xdp interface eth1 disable',
      ]),
    ).toEqual([]);
  });

  it('refuses a network with host bits, a protocol it does not know, and a burst of 0', () => {
    expect(invalid('set firewall xdp interface eth0 drop source address 192.0.2.1/24')).toMatch(
      /192\.0\.2\.1\/24/,
    );
    expect(
      invalid('set firewall xdp interface eth0 rate-limit source protocol icmp rate 1'),
    ).toMatch(/icmp/);
    expect(
      invalid('set firewall xdp interface eth0 rate-limit source protocol udp burst 0'),
    ).toMatch(/'0'/);
    expect(
      invalid('set firewall xdp interface eth0 rate-limit source protocol udp rate 0'),
    ).toMatch(/'0'/);
  });

  it('needs both rate and burst in a limit', () => {
    expect(
      issues(['set firewall xdp interface eth0 rate-limit source protocol udp rate 10']),
    ).toEqual([
      expect.stringMatching(/^firewall xdp interface eth0 rate-limit source protocol udp.*burst/),
    ]);
  });

  it('keeps one limit per protocol: a second one for the same protocol replaces the first', () => {
    const tree = load([
      ...BASE,
      'set firewall xdp interface eth0 rate-limit source protocol udp rate 10',
      'set firewall xdp interface eth0 rate-limit source protocol udp burst 5',
      'set firewall xdp interface eth0 rate-limit source protocol udp rate 20',
      'set firewall xdp interface eth0 rate-limit source protocol udp burst 5',
    ]);
    const eth0 = renderXdp(withDefaults(tree, schema)).interfaces.get('eth0')!;
    expect(eth0.limits).toEqual([{ protocol: 'udp', rate: 20, burst: 5, rule: 3 }]);
  });
});

describe('firewall xdp: cross-checks', () => {
  it('refuses an interface that is not configured', () => {
    expect(issues(['set firewall xdp interface eth7 drop source address 192.0.2.99'])).toEqual([
      "firewall xdp interface eth7: interface eth7 is not configured (XDP attaches to an interface under 'interfaces')",
    ]);
  });

  it('refuses a group that does not exist', () => {
    expect(
      issues(['set firewall xdp interface eth0 drop source group address-group NOPE']),
    ).toEqual([
      "firewall xdp interface eth0 drop source group address-group NOPE: firewall group address-group 'NOPE' does not exist",
    ]);
  });

  it('names the family when a group is named under the other family', () => {
    expect(
      issues(['set firewall xdp interface eth0 drop source group network-group NETS6']),
    ).toEqual([
      "firewall xdp interface eth0 drop source group network-group NETS6: firewall group network-group 'NETS6' does not exist; 'NETS6' is an IPv6 group (ipv6-network-group): name it under 'source group ipv6-network-group'",
    ]);
    expect(
      issues(['set firewall xdp interface eth0 exclude source group ipv6-address-group BAD']),
    ).toEqual([
      "firewall xdp interface eth0 exclude source group ipv6-address-group BAD: firewall group ipv6-address-group 'BAD' does not exist; 'BAD' is an IPv4 group (address-group): name it under 'source group address-group'",
    ]);
    expect(
      issues(['set firewall xdp interface eth0 drop source group address-group NETS']),
    ).toEqual([
      expect.stringMatching(
        /'NETS' is a network-group: name it under 'source group network-group'/,
      ),
    ]);
  });
});

describe('firewall xdp: rendering', () => {
  const rendered = (lines: string[]) =>
    renderXdp(withDefaults(load([...BASE, ...lines]), schema)).interfaces;

  it('makes canonical prefixes: hosts bare, IPv6 compressed, ranges as the fewest prefixes', () => {
    expect(canonicalPrefix('2001:DB8:0:0::1')).toBe('2001:db8::1');
    expect(canonicalPrefix('192.0.2.1/32')).toBe('192.0.2.1');
    expect(canonicalPrefix('2001:db8::/128')).toBe('2001:db8::');
    expect(memberPrefixes('203.0.113.10-203.0.113.20')).toEqual([
      '203.0.113.10/31',
      '203.0.113.12/30',
      '203.0.113.16/30',
      '203.0.113.20',
    ]);
    expect(memberPrefixes('0.0.0.0-255.255.255.255')).toEqual(['0.0.0.0/0']);
    expect(memberPrefixes('2001:db8::ffff-2001:db8::1:0')).toEqual([
      '2001:db8::ffff',
      '2001:db8::1:0',
    ]);
  });

  it('gives each source its rule, the first list holding a prefix winning', () => {
    const eth0 = rendered([
      'set firewall xdp interface eth0 drop source address 203.0.113.7',
      'set firewall xdp interface eth0 drop source group address-group BAD',
      'set firewall xdp interface eth0 drop source group ipv6-address-group HOSTS6',
      'set firewall xdp interface eth0 exclude source group network-group MGMT',
      'set firewall xdp interface eth0 rate-limit source protocol all rate 1000',
      'set firewall xdp interface eth0 rate-limit source protocol all burst 50',
    ]).get('eth0')!;
    const elements = xdpElements(eth0);
    expect(elements.block.get('203.0.113.7')).toBe(4);
    const bad = eth0.rules.find((r) => r.what === 'drop source group address-group BAD')!.rule;
    expect(bad).toBeGreaterThanOrEqual(XDP_FIRST_GROUP_RULE);
    expect(elements.block.get('203.0.113.12/30')).toBe(bad);
    expect(elements.block.get('2001:db8::1')).toBeDefined();
    expect(elements.exclude.get('192.0.2.0/28')).toBeDefined();
    expect(elementCounts(elements)).toEqual({
      block4: 2,
      block6: 1,
      blocknet4: 3,
      blocknet6: 0,
      exclude4: 1,
      exclude6: 0,
    });
    expect(eth0.limits).toEqual([{ protocol: 'all', rate: 1000, burst: 50, rule: 1 }]);
    expect(eth0.enabled).toBe(true);
  });

  it('keeps group rule numbers when other groups come and go', () => {
    const keys = Array.from({ length: 50 }, (_, i) => `drop source group network-group G${i}`);
    const all = groupRules(keys);
    const fewer = groupRules(keys.filter((_, i) => i % 7 !== 0));
    let moved = 0;
    for (const [k, n] of fewer) if (all.get(k) !== n) moved++;
    expect(moved).toBeLessThanOrEqual(2);
    for (const n of all.values()) {
      expect(n).toBeGreaterThanOrEqual(XDP_FIRST_GROUP_RULE);
      expect(n).toBeLessThanOrEqual(XDP_LAST_RULE);
    }
    expect(new Set(all.values()).size).toBe(50);
  });

  it('shares an unchanged group between renderings, and renders a changed one again', () => {
    const lines = [
      'set firewall xdp interface eth0 drop source group network-group NETS',
      'set firewall xdp interface eth0 drop source group address-group BAD',
    ];
    const before = rendered(lines).get('eth0')!;
    const after = rendered([
      ...lines,
      'set firewall group address-group BAD address 203.0.113.99',
    ]).get('eth0')!;
    const list = (d: typeof before, what: string) => d.drop.find((l) => l.what.endsWith(what))!;
    // Loaded apart, the trees share nothing; within one tree a group is computed once.
    expect(list(after, 'BAD').prefixes).toContain('203.0.113.99');
    expect(list(before, 'BAD').prefixes).not.toContain('203.0.113.99');
  });
});

describe('firewall xdp: TAB', () => {
  const tree = load(BASE);
  const words = (line: string) =>
    completeLine(line, line.length, schema, {
      mode: 'configuration',
      level: [],
      tree,
      runtime: () => [],
    }).choices.map((c) => c.word);

  it('completes configured interfaces and the group names of each kind', () => {
    expect(words('set firewall xdp interface ')).toEqual(expect.arrayContaining(['eth0', 'eth1']));
    expect(words('set firewall xdp interface eth0 drop source group network-group ')).toEqual(
      expect.arrayContaining(['MGMT', 'NETS']),
    );
    expect(words('set firewall xdp interface eth0 drop source group ipv6-network-group ')).toEqual([
      'NETS6',
    ]);
    expect(words('set firewall xdp interface eth0 rate-limit source protocol ')).toEqual([
      'all',
      'tcp-syn',
      'udp',
    ]);
  });
});
