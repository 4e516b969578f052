/**
 * `protocols` and `policy` at VyOS 1.4 paths: every corpus line accepted,
 * values checked, nothing that could add a line to frr.conf, secrets hidden.
 */
import { describe, expect, it } from 'vitest';
import { parseScript } from '../grammar/index.js';
import { loadSetForm, redactSecrets, toSetForm, type ConfigNode } from '../src/config/index.js';
import { schema } from '../src/schema/index.js';
import { verify } from '../src/verify/index.js';
import { ADMIN_LOGIN } from './helpers/fixtures.js';
import { corpusFiles } from './helpers/paths.js';

const ROUTING =
  /^set ((vrf name \S+ )?protocols (static|bgp|ospf|ospfv3|bfd)|policy (prefix-list6?|access-list6?|community-list|extcommunity-list|large-community-list|as-path-list|route-map|route6?))( |$)/;

const load = (text: string): ConfigNode => {
  const { tree, report } = loadSetForm(text, schema);
  expect(report.invalid).toEqual([]);
  expect(report.unsupported).toEqual([]);
  return tree;
};

describe('routing schema', () => {
  it.each(corpusFiles('set').map((f) => [f.name, f]))(
    '%s: every line under protocols and policy is accepted',
    (_, f) => {
      const lines = parseScript(f.text)
        .commands.map((c) => f.text.split('\n')[c.line - 1]!)
        .filter((l) => ROUTING.test(l));
      for (const line of lines) {
        const report = loadSetForm(line, schema).report;
        expect(report.invalid, line).toEqual([]);
        expect(report.unsupported, line).toEqual([]);
        expect(report.accepted, line).toBe(1);
      }
    },
  );

  it('covers the corpus: hundreds of routing lines', () => {
    const all = corpusFiles('set').flatMap((f) =>
      f.text.split('\n').filter((l) => ROUTING.test(l)),
    );
    expect(all.length).toBeGreaterThan(1000);
  });

  it('accepts the forms of the issue', () => {
    const tree = load(
      [
        ADMIN_LOGIN,
        "set interfaces ethernet eth1 address '192.0.2.1/24'",
        "set interfaces ethernet eth2 address '198.51.100.1/25'",
        "set protocols static route 0.0.0.0/0 next-hop 192.0.2.1 distance '10'",
        "set protocols static route 0.0.0.0/0 next-hop 192.0.2.2 distance '10'",
        "set protocols static route 203.0.113.0/24 blackhole distance '200'",
        "set protocols static route 198.51.100.0/24 reject distance '250'",
        "set protocols static route 198.51.100.128/25 interface eth1 distance '5'",
        "set protocols static route6 2001:db8:1::/48 next-hop 2001:db8::1 interface 'eth0'",
        "set protocols static table 10 route 0.0.0.0/0 next-hop '192.0.2.254'",
        "set protocols bgp system-as '65001'",
        "set protocols bgp parameters router-id '192.0.2.1'",
        'set protocols bgp parameters bestpath as-path multipath-relax',
        "set protocols bgp parameters graceful-restart stalepath-time '360'",
        'set protocols bgp parameters log-neighbor-changes',
        "set protocols bgp peer-group UP remote-as 'external'",
        "set protocols bgp neighbor 192.0.2.2 peer-group 'UP'",
        "set protocols bgp neighbor 192.0.2.2 password 'S3cret!'",
        "set protocols bgp neighbor 192.0.2.2 description 'Transit A (AS 64500)'",
        "set protocols bgp neighbor 192.0.2.2 ebgp-multihop '2'",
        "set protocols bgp neighbor 192.0.2.2 timers holdtime '9'",
        "set protocols bgp neighbor 192.0.2.2 timers keepalive '3'",
        'set protocols bgp neighbor 192.0.2.2 bfd',
        'set protocols bgp neighbor 192.0.2.2 capability extended-nexthop',
        "set protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast route-map import 'IN'",
        "set protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast prefix-list export 'OUT'",
        "set protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast filter-list import 'ASP'",
        "set protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast allowas-in number '2'",
        "set protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast maximum-prefix '1000'",
        'set protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast remove-private-as',
        'set protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast default-originate',
        "set protocols bgp neighbor 2001:db8::2 remote-as 'internal'",
        'set protocols bgp neighbor 2001:db8::2 address-family ipv6-unicast route-reflector-client',
        'set protocols bgp address-family ipv4-unicast network 198.51.100.0/24',
        "set protocols bgp address-family ipv4-unicast redistribute connected route-map 'IN'",
        'set protocols bgp address-family ipv4-unicast aggregate-address 198.51.0.0/16 summary-only',
        "set protocols bgp address-family ipv4-unicast maximum-paths ebgp '4'",
        "set protocols ospf area 0 network '192.0.2.0/24'",
        'set protocols ospf area 1 area-type stub no-summary',
        'set protocols ospf area 2 area-type nssa',
        "set protocols ospf interface eth1 area '0'",
        "set protocols ospf interface eth1 cost '10'",
        "set protocols ospf interface eth1 network 'point-to-point'",
        "set protocols ospf interface eth1 authentication md5 key-id 1 md5-key 'k3y'",
        'set protocols ospf interface eth2 passive',
        "set protocols ospf passive-interface 'default'",
        "set protocols ospf redistribute static metric '20'",
        'set protocols ospf default-information originate always',
        "set protocols ospfv3 interface eth1 area '0.0.0.0'",
        "set protocols bfd peer 192.0.2.2 interval transmit '300'",
        "set protocols bfd profile FAST interval multiplier '3'",
        "set policy prefix-list OUT rule 10 action 'permit'",
        "set policy prefix-list OUT rule 10 prefix '198.51.100.0/24'",
        "set policy prefix-list OUT rule 10 le '32'",
        "set policy as-path-list ASP rule 10 action 'permit'",
        "set policy as-path-list ASP rule 10 regex '^64500_'",
        "set policy community-list CL rule 10 action 'permit'",
        "set policy community-list CL rule 10 regex '64500:1'",
        "set policy route-map IN rule 10 action 'permit'",
        "set policy route-map IN rule 10 match ip address prefix-list 'OUT'",
        "set policy route-map IN rule 10 set as-path prepend '65001 65001'",
        "set policy route-map IN rule 10 set community add '64500:100'",
        "set policy route-map IN rule 10 set local-preference '200'",
        "set policy route-map IN rule 10 set metric '+10'",
        "set policy route-map IN rule 10 set ip-next-hop 'peer-address'",
        "set policy route-map IN rule 10 set weight '100'",
        "set policy route-map IN rule 10 set tag '7'",
        'set policy route-map IN rule 10 on-match next',
        "set policy route-map IN rule 20 action 'deny'",
        "set policy route-map IN rule 20 call 'IN2'",
        "set policy route-map IN rule 20 continue '30'",
        "set policy route-map IN2 rule 10 action 'permit'",
        "set policy route PBR rule 10 set table '10'",
        "set policy route PBR rule 10 source address '192.0.2.0/24'",
        "set policy route PBR interface 'eth1'",
      ].join('\n'),
    );
    expect(verify(tree, schema)).toEqual([]);
  });

  it.each([
    ["set protocols bgp system-as '0'", 'system-as'],
    ["set protocols bgp system-as '4294967295'", 'system-as'],
    ["set protocols bgp neighbor 192.0.2.2 remote-as 'extern'", 'remote-as'],
    ["set protocols bgp neighbor 'not an address' remote-as '1'", 'neighbor'],
    ["set protocols static route 192.0.2.1/24 next-hop '192.0.2.254'", 'route'],
    ["set protocols static route 192.0.2.0/24 next-hop 'eth0'", 'next-hop'],
    ["set protocols static route 192.0.2.0/24 next-hop 192.0.2.1 distance '256'", 'distance'],
    ["set protocols static route6 2001:db8::/32 next-hop '192.0.2.1'", 'next-hop'],
    ['set protocols static table 201 route 0.0.0.0/0 blackhole', 'table'],
    ["set protocols bgp neighbor 192.0.2.2 password 'two words'", 'password'],
    ["set protocols bgp neighbor 192.0.2.2 password 'quo\"te'", 'password'],
    ["set protocols bgp neighbor 192.0.2.2 password '" + 'x'.repeat(81) + "'", 'password'],
    [
      "set protocols ospf interface eth0 authentication md5 key-id 1 md5-key '" +
        'k'.repeat(17) +
        "'",
      'md5-key',
    ],
    ["set protocols ospf area 'backbone' network '192.0.2.0/24'", 'area'],
    ["set protocols ospf interface eth0 network 'ptp'", 'network'],
    ["set policy route-map 'has space' rule 10 action 'permit'", 'route-map'],
    ["set policy route-map RM rule 10 action 'allow'", 'action'],
    ["set policy route-map RM rule 10 set community add '65536:1'", 'add'],
    ["set policy route-map RM rule 10 set as-path prepend '65001,65002'", 'prepend'],
    ["set policy route-map RM rule 10 set metric 'lots'", 'metric'],
    ["set policy prefix-list PL rule 10 le '33'", 'le'],
    ["set policy prefix-list6 PL rule 10 prefix '192.0.2.0/24'", 'prefix'],
    ["set policy large-community-list LC rule 10 regex ' leading space'", 'regex'],
    ["set policy as-path-list AP rule 10 regex '_65001_ or letters'", 'regex'],
    ["set protocols bfd peer 192.0.2.2 interval transmit '5'", 'transmit'],
  ])('refuses %s (naming %s)', (line, word) => {
    const report = loadSetForm(line, schema).report;
    expect(report.invalid).toHaveLength(1);
    expect(report.invalid[0]!.path.split(' ')).toContain(word);
  });

  it.each([
    'protocols bgp neighbor 192.0.2.2 description',
    'protocols bgp neighbor 192.0.2.2 password',
    'policy route-map RM description',
    'policy as-path-list A rule 10 regex',
    'protocols ospf interface eth0 authentication plaintext-password',
  ])('a value with a line break cannot reach FRR: %s', (path) => {
    for (const hostile of ['x\nrouter bgp 1', 'x\rexit', 'x\u2028line']) {
      const set = `set ${path} ${JSON.stringify(hostile)}`;
      const report = loadSetForm(set, schema).report;
      expect(report.accepted, set).toBe(0);
    }
  });

  it('keeps passwords and keys secret in show', () => {
    const tree = load(
      [
        "set protocols bgp neighbor 192.0.2.2 password 'S3cret!'",
        "set protocols bgp peer-group PG password 'groupsecret'",
        "set protocols ospf interface eth1 authentication md5 key-id 1 md5-key 'k3y'",
        "set protocols ospf interface eth2 authentication plaintext-password 'pl41n'",
        "set protocols ospf area 0 virtual-link 192.0.2.9 authentication md5 key-id 2 md5-key 'vlk'",
      ].join('\n'),
    );
    const shown = toSetForm(redactSecrets(tree, schema), schema);
    for (const secret of ['S3cret!', 'groupsecret', 'k3y', 'pl41n', 'vlk'])
      expect(shown).not.toContain(secret);
    expect(shown).toContain("password '********'");
  });

  it('completes route-maps, prefix-lists and peer-groups by TAB', async () => {
    const { completeLine } = await import('../src/cli/complete.js');
    const tree = load(
      [
        "set policy route-map IN rule 10 action 'permit'",
        "set policy route-map OUT rule 10 action 'permit'",
        "set policy prefix-list PL4 rule 10 action 'permit'",
        "set policy prefix-list PL4 rule 10 prefix '192.0.2.0/24'",
        "set policy prefix-list6 PL6 rule 10 action 'permit'",
        "set policy prefix-list6 PL6 rule 10 prefix '2001:db8::/32'",
        "set protocols bgp peer-group UP remote-as 'external'",
        "set vrf name red table '100'",
        "set vrf name red protocols bgp peer-group PE remote-as 'internal'",
      ].join('\n'),
    );
    const words = (line: string): string[] =>
      completeLine(line, line.length, schema, {
        mode: 'configuration',
        level: [],
        tree,
        runtime: () => [],
      }).choices.map((c) => c.word);
    const nb = 'set protocols bgp neighbor 192.0.2.2 ';
    expect(words(`${nb}address-family ipv4-unicast route-map import `)).toEqual(['IN', 'OUT']);
    expect(words(`${nb}address-family ipv4-unicast prefix-list import `)).toEqual(['PL4']);
    expect(words(`${nb}address-family ipv6-unicast prefix-list import `)).toEqual(['PL6']);
    expect(words(`${nb}peer-group `)).toEqual(['UP']);
    expect(words('set policy route-map IN rule 20 call O')).toEqual(['OUT']);
    // A VRF's instance names its own peer-groups; a leaked route names a VRF or default.
    expect(words('set vrf name red protocols bgp neighbor 192.0.2.2 peer-group ')).toEqual(['PE']);
    expect(
      words('set vrf name red protocols static route 10.0.0.0/8 next-hop 192.0.2.1 vrf ').sort(),
    ).toEqual(['default', 'red']);
  });

  it("completes inside a VRF's BGP instance its own peer-groups and the global policies", async () => {
    const { completeLine } = await import('../src/cli/complete.js');
    const { renameEntry } = await import('../src/config/index.js');
    const tree = load(
      [
        "set policy route-map IN rule 10 action 'permit'",
        "set policy prefix-list PL4 rule 10 action 'permit'",
        "set policy prefix-list PL4 rule 10 prefix '192.0.2.0/24'",
        "set policy prefix-list6 PL6 rule 10 action 'permit'",
        "set policy prefix-list6 PL6 rule 10 prefix '2001:db8::/32'",
        "set protocols bgp peer-group UP remote-as 'external'",
        "set vrf name red table '100'",
        "set vrf name red protocols bgp peer-group PE remote-as 'internal'",
        "set vrf name blue table '101'",
        "set vrf name blue protocols bgp peer-group BL remote-as 'internal'",
        "set vrf name blue protocols bgp neighbor 192.0.2.3 peer-group 'BL'",
      ].join('\n'),
    );
    const words = (line: string, level: string[] = []): string[] =>
      completeLine(line, line.length, schema, {
        mode: 'configuration',
        level,
        tree,
        runtime: () => [],
      }).choices.map((c) => c.word);
    const red = 'set vrf name red protocols bgp';
    const nb = `${red} neighbor 192.0.2.2`;
    // Each VRF's peer-groups are its own: red's neighbors are offered PE, never UP or BL.
    for (const line of [
      `${nb} peer-group `,
      `${nb} interface peer-group `,
      `${nb} interface v6only peer-group `,
      `${red} listen range 10.0.0.0/8 peer-group `,
    ])
      expect(words(line), line).toEqual(['PE']);
    expect(words('set vrf name blue protocols bgp neighbor 192.0.2.2 peer-group ')).toEqual(['BL']);
    // Route-maps and prefix-lists are global, as in the default instance.
    expect(words(`${nb} address-family ipv4-unicast route-map import `)).toEqual(['IN']);
    expect(words(`${nb} address-family ipv4-unicast prefix-list export `)).toEqual(['PL4']);
    expect(words(`${nb} address-family ipv6-unicast prefix-list import `)).toEqual(['PL6']);
    expect(words(`${red} peer-group PE address-family ipv4-unicast route-map export `)).toEqual([
      'IN',
    ]);
    expect(words(`${red} address-family ipv4-unicast network 10.0.0.0/8 route-map `)).toEqual([
      'IN',
    ]);
    expect(words(`${red} address-family ipv4-unicast redistribute static route-map `)).toEqual([
      'IN',
    ]);
    // At an edit level inside the VRF, and deeper, the VRF is still the one of the level.
    const blue = ['vrf', 'name', 'blue', 'protocols', 'bgp'];
    expect(words('set neighbor 192.0.2.2 peer-group ', blue)).toEqual(['BL']);
    expect(words('set peer-group ', [...blue, 'neighbor', '192.0.2.2'])).toEqual(['BL']);
    expect(
      words('set address-family ipv4-unicast route-map import ', [...blue, 'peer-group', 'BL']),
    ).toEqual(['IN']);
    // A rename of a VRF's peer-group rewrites its own VRF's references only.
    const renamed = renameEntry(
      tree,
      schema,
      ['vrf', 'name', 'blue', 'protocols', 'bgp', 'peer-group', 'BL'],
      'BL2',
    );
    const text = toSetForm(renamed, schema);
    expect(text).toContain("set vrf name blue protocols bgp neighbor 192.0.2.3 peer-group 'BL2'");
    expect(text).toContain("set vrf name red protocols bgp peer-group PE remote-as 'internal'");
    expect(verify(renamed, schema).filter((e) => /peer-group/.test(e.message))).toEqual([]);
  });
});
