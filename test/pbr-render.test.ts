/**
 * Policy-based routing, rendered (pure): the marks of `policy route` in
 * table inet fos_pbr, matched as firewall rules are, and the ip rules in
 * FOS1's priority range; the plan between observed and wanted rules.
 */
import { describe, expect, it } from 'vitest';
import { planIpRules } from '../src/backends/pbr.js';
import { loadSetForm } from '../src/config/index.js';
import { renderFirewall } from '../src/render/firewall.js';
import { tableText } from '../src/render/nft-model.js';
import { isPbrPriority, renderIpRules, tableMark, type IpRule } from '../src/render/pbr.js';
import { schema } from '../src/schema/index.js';
import { withDefaults } from '../src/verify/index.js';

const config = (lines: string[]) => {
  const { tree, report } = loadSetForm(lines.join('\n'), schema);
  expect(report.invalid).toEqual([]);
  return withDefaults(tree, schema);
};

const POLICY = [
  'set firewall group address-group SRC address 10.1.0.3',
  'set firewall group address-group OTHER address 10.9.9.9',
  'set policy route P interface eth0',
  "set policy route P interface 'eth*'",
  'set policy route P rule 10 source group address-group SRC',
  'set policy route P rule 10 set table 100',
  'set policy route P rule 20 protocol tcp',
  'set policy route P rule 20 destination port 80,443',
  'set policy route P rule 20 set mark 7',
  'set policy route P rule 20 set dscp 10',
  'set policy route P rule 30 disable',
  'set policy route P rule 30 set table 101',
  'set policy route P rule 40 source address 10.1.0.66',
  'set policy route P rule 40 action drop',
  'set policy route6 Q interface eth1',
  'set policy route6 Q rule 5 source address 2001:db8::/64',
  'set policy route6 Q rule 5 set table main',
  'set policy route6 Q rule 5 description \'v6 "home"\'',
  'set protocols static table 100 route 0.0.0.0/0 next-hop 10.12.0.2',
  'set protocols static table 101 route 0.0.0.0/0 next-hop 10.12.0.2',
];

describe('policy route in nft', () => {
  it('renders table inet fos_pbr: dispatch per interface and family, the rules, the groups they name', () => {
    const table = renderFirewall(config(POLICY)).tables.get('inet fos_pbr')!;
    expect(tableText(table)).toEqual([
      'table inet fos_pbr {',
      '\tset A4_SRC { type ipv4_addr; elements = { 10.1.0.3 }; }',
      '\tchain pbr4-P {',
      `\t\tip saddr @A4_SRC counter meta mark set ${0x7fffffff - 100} return comment "rule 10"`,
      '\t\ttcp dport { 80, 443 } counter ip dscp set 10 meta mark set 7 comment "rule 20"',
      '\t\tip saddr 10.1.0.66 counter drop comment "rule 40"',
      '\t}',
      '\tchain pbr6-Q {',
      `\t\tip6 saddr 2001:db8::/64 counter meta mark set ${0x7fffffff - 254} return comment "rule 5: v6 'home'"`,
      '\t}',
      '\tchain prerouting {',
      '\t\ttype filter hook prerouting priority mangle; policy accept;',
      '\t\tmeta nfproto ipv4 iifname "eth0" counter jump pbr4-P comment "route P"',
      '\t\tmeta nfproto ipv4 iifname "eth*" counter jump pbr4-P comment "route P"',
      '\t\tmeta nfproto ipv6 iifname "eth1" counter jump pbr6-Q comment "route6 Q"',
      '\t}',
      '}',
    ]);
    // Counters map back to config rules by position.
    expect(table.chains.get('pbr4-P')!.sources).toEqual([
      [{ chain: 'pbr4-P', rule: '10' }],
      [{ chain: 'pbr4-P', rule: '20' }],
      [{ chain: 'pbr4-P', rule: '40' }],
    ]);
  });

  it('renders no table without a policy, and the firewall table does not change for one', () => {
    const plain = renderFirewall(config(['set firewall group address-group SRC address 10.1.0.3']));
    expect(plain.tables.has('inet fos_pbr')).toBe(false);
    const withPolicy = renderFirewall(config(POLICY));
    expect([...withPolicy.tables.keys()]).toEqual(['inet fos_filter', 'inet fos_pbr']);
  });

  it('refuses a policy name that cannot be part of a chain name', () => {
    const { report } = loadSetForm('set policy route a+b rule 10 set table 100', schema);
    expect(report.invalid.map((i) => i.message).join('\n')).toMatch(/a\+b/);
  });
});

describe('policy route in ip rules', () => {
  it('makes one rule per family and table that an enabled rule sets, in the range', () => {
    const rules = renderIpRules(config(POLICY));
    expect(rules).toEqual([
      { family: 4, priority: 10100, fwmark: tableMark('100'), table: 100 },
      { family: 6, priority: 10254, fwmark: tableMark('main'), table: 254 },
    ]);
    expect(rules.every((r) => isPbrPriority(r.priority))).toBe(true);
    expect(isPbrPriority(32766)).toBe(false);
    expect(isPbrPriority(0)).toBe(false);
  });

  it('plans from what ip rule shows: extra or doubled rules in the range go, missing ones come', () => {
    const want: IpRule[] = [
      { family: 4, priority: 10100, fwmark: 1, table: 100 },
      { family: 4, priority: 10101, fwmark: 2, table: 101 },
    ];
    const stale: IpRule = { family: 4, priority: 10102, fwmark: 3, table: 102 };
    expect(planIpRules([want[0]!, want[0]!, stale], want)).toEqual({
      remove: [want[0], stale],
      add: [want[1]],
    });
    expect(planIpRules(want, want)).toEqual({ remove: [], add: [] });
  });
});
