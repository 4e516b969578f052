/** Cross-checks of protocols and policy: each error names its path. */
import { describe, expect, it } from 'vitest';
import { loadSetForm } from '../src/config/index.js';
import { schema } from '../src/schema/index.js';
import { verify } from '../src/verify/index.js';
import { ADMIN_LOGIN } from './helpers/fixtures.js';

function issues(lines: string[]): { path: string; message: string }[] {
  const { tree, report } = loadSetForm([ADMIN_LOGIN, ...lines].join('\n'), schema);
  expect(report.invalid).toEqual([]);
  return verify(tree, schema).map((i) => ({ path: i.path.join(' '), message: i.message }));
}

const BGP = ["set protocols bgp system-as '65001'"];
const ETH1 = ["set interfaces ethernet eth1 address '192.0.2.1/24'"];

describe('routing cross-checks', () => {
  it.each<[string, string[], string, RegExp]>([
    [
      'a route-map that does not exist',
      [
        ...BGP,
        "set protocols bgp neighbor 192.0.2.2 remote-as '65002'",
        "set protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast route-map import 'NOPE'",
      ],
      'protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast route-map import',
      /route-map 'NOPE' does not exist \(policy route-map NOPE\)/,
    ],
    [
      'a prefix-list of the wrong family',
      [
        ...BGP,
        "set protocols bgp neighbor 192.0.2.2 remote-as '65002'",
        "set policy prefix-list6 P6 rule 10 action 'permit'",
        "set policy prefix-list6 P6 rule 10 prefix '2001:db8::/32'",
        "set protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast prefix-list export 'P6'",
      ],
      'protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast prefix-list export',
      /prefix-list 'P6' does not exist \(policy prefix-list P6\)/,
    ],
    [
      'a peer-group that does not exist',
      [...BGP, "set protocols bgp neighbor 192.0.2.2 peer-group 'GHOST'"],
      'protocols bgp neighbor 192.0.2.2 peer-group',
      /peer-group 'GHOST' does not exist/,
    ],
    [
      'a neighbor without remote-as',
      [...BGP, "set protocols bgp neighbor 192.0.2.2 description 'no AS'"],
      'protocols bgp neighbor 192.0.2.2',
      /needs 'remote-as' \(directly or through its peer-group\)/,
    ],
    [
      'a neighbor whose peer-group has no remote-as',
      [
        ...BGP,
        'set protocols bgp peer-group PG capability dynamic',
        "set protocols bgp neighbor 192.0.2.2 peer-group 'PG'",
      ],
      'protocols bgp neighbor 192.0.2.2',
      /needs 'remote-as' \(peer-group PG has none\)/,
    ],
    [
      'BGP without system-as',
      ["set protocols bgp neighbor 192.0.2.2 remote-as '65002'"],
      'protocols bgp system-as',
      /BGP needs 'system-as'/,
    ],
    [
      'an unnumbered neighbor without its interface settings',
      [...BGP, "set protocols bgp neighbor eth1 remote-as 'external'", ...ETH1],
      'protocols bgp neighbor eth1',
      /set 'interface remote-as'/,
    ],
    [
      'a listen range whose peer-group has no remote-as',
      [
        ...BGP,
        'set protocols bgp peer-group DYN passive',
        "set protocols bgp listen range 192.0.2.0/24 peer-group 'DYN'",
      ],
      'protocols bgp listen range 192.0.2.0/24 peer-group',
      /peer-group DYN needs 'remote-as'/,
    ],
    [
      'an OSPF interface in two areas',
      [
        ...ETH1,
        "set protocols ospf area 0 network '192.0.2.0/24'",
        "set protocols ospf interface eth1 area '1'",
      ],
      'protocols ospf interface eth1 area',
      /in two areas: 1 here, and 0 through 'area 0 network 192.0.2.0\/24'/,
    ],
    [
      'an OSPF interface that is not configured',
      ["set protocols ospf interface eth9 area '0'"],
      'protocols ospf interface eth9',
      /interface eth9 is not configured/,
    ],
    [
      'a stub backbone',
      ['set protocols ospf area 0.0.0.0 area-type stub'],
      'protocols ospf area 0.0.0.0 area-type',
      /backbone area \(0\) cannot be a stub/,
    ],
    [
      'an OSPFv3 interface without area',
      [...ETH1, "set protocols ospfv3 interface eth1 cost '10'"],
      'protocols ospfv3 interface eth1 area',
      /needs an 'area'/,
    ],
    [
      'a route that goes nowhere',
      ["set protocols static route 198.51.100.0/24 description 'nothing'"],
      'protocols static route 198.51.100.0/24',
      /needs a 'next-hop', an 'interface', 'blackhole' or 'reject'/,
    ],
    [
      'blackhole and reject together',
      [
        'set protocols static route 198.51.100.0/24 blackhole',
        'set protocols static route 198.51.100.0/24 reject',
      ],
      'protocols static route 198.51.100.0/24 reject',
      /either 'blackhole' or 'reject'/,
    ],
    [
      'a PBR table with no routes',
      [
        "set policy route PBR rule 10 set table '20'",
        "set policy route PBR rule 10 source address '192.0.2.0/24'",
      ],
      'policy route PBR rule 10 set table',
      /table 20 has no routes/,
    ],
    [
      'a prefix-list ge not longer than the prefix',
      [
        "set policy prefix-list PL rule 10 action 'permit'",
        "set policy prefix-list PL rule 10 prefix '192.0.2.0/24'",
        "set policy prefix-list PL rule 10 ge '24'",
      ],
      'policy prefix-list PL rule 10 ge',
      /ge 24 must be longer than the prefix length 24/,
    ],
    [
      'a prefix-list le less than ge',
      [
        "set policy prefix-list PL rule 10 action 'permit'",
        "set policy prefix-list PL rule 10 prefix '192.0.2.0/24'",
        "set policy prefix-list PL rule 10 ge '28'",
        "set policy prefix-list PL rule 10 le '26'",
      ],
      'policy prefix-list PL rule 10 le',
      /le 26 cannot be less than ge 28/,
    ],
    [
      'a route-map continue to an earlier rule',
      [
        "set policy route-map RM rule 20 action 'permit'",
        "set policy route-map RM rule 20 continue '10'",
      ],
      'policy route-map RM rule 20 continue',
      /continue 10 must name a later rule than 20/,
    ],
    [
      'a route-map that calls itself',
      [
        "set policy route-map RM rule 10 action 'permit'",
        "set policy route-map RM rule 10 call 'RM'",
      ],
      'policy route-map RM rule 10 call',
      /cannot call itself/,
    ],
    [
      'a prefix-list rule without prefix',
      ["set policy prefix-list PL rule 10 action 'permit'"],
      'policy prefix-list PL rule 10',
      /'policy prefix-list PL rule 10 prefix' must be set/,
    ],
    [
      'an IPv6 BFD peer without source',
      ['set protocols bfd peer 2001:db8::2 multihop'],
      'protocols bfd peer 2001:db8::2 source',
      /needs a 'source address'/,
    ],
    [
      'a BFD profile that does not exist',
      ["set protocols bfd peer 192.0.2.2 profile 'FAST'"],
      'protocols bfd peer 192.0.2.2 profile',
      /BFD profile 'FAST' does not exist \(protocols bfd profile FAST\)/,
    ],
  ])('%s', (_, lines, path, message) => {
    const found = issues(lines);
    const at = found.filter((i) => i.path === path);
    expect(at.map((i) => i.message).join('\n'), JSON.stringify(found)).toMatch(message);
  });

  it('accepts a consistent routing configuration', () => {
    expect(
      issues([
        ...BGP,
        ...ETH1,
        "set protocols bgp peer-group UP remote-as 'external'",
        "set protocols bgp neighbor 192.0.2.2 peer-group 'UP'",
        "set protocols bgp neighbor eth1 interface v6only remote-as 'external'",
        "set protocols ospf area 0 network '192.0.2.0/24'",
        "set protocols ospf interface eth1 area '0.0.0.0'",
        "set protocols static table 20 route 0.0.0.0/0 next-hop '192.0.2.254'",
        "set policy route PBR rule 10 set table '20'",
        "set policy prefix-list PL rule 10 action 'permit'",
        "set policy prefix-list PL rule 10 prefix '192.0.2.0/24'",
        "set policy prefix-list PL rule 10 ge '25'",
        "set policy prefix-list PL rule 10 le '32'",
      ]),
    ).toEqual([]);
  });
});

describe('routing inside a VRF', () => {
  const RED = ["set vrf name red table '100'", "set interfaces ethernet eth2 vrf 'red'"];

  it.each<[string, string[], string, RegExp]>([
    [
      'a VRF with routes but no table',
      ['set vrf name pink protocols static route 0.0.0.0/0 next-hop 192.0.2.1'],
      'vrf name pink',
      /'vrf name pink table' must be set/,
    ],
    [
      'a VRF BGP instance without system-as',
      [...RED, "set vrf name red protocols bgp neighbor 192.0.2.2 remote-as '65002'"],
      'vrf name red protocols bgp system-as',
      /BGP needs 'system-as'/,
    ],
    [
      "a peer-group of the default instance named in a VRF's",
      [
        ...RED,
        ...BGP,
        "set protocols bgp peer-group UP remote-as 'external'",
        "set vrf name red protocols bgp system-as '65001'",
        "set vrf name red protocols bgp neighbor 192.0.2.2 peer-group 'UP'",
      ],
      'vrf name red protocols bgp neighbor 192.0.2.2 peer-group',
      /peer-group 'UP' does not exist \(vrf name red protocols bgp peer-group UP\)/,
    ],
    [
      'a VRF neighbor whose peer-group (of its own VRF) has no remote-as',
      [
        ...RED,
        "set vrf name red protocols bgp system-as '65001'",
        'set vrf name red protocols bgp peer-group PE capability dynamic',
        "set vrf name red protocols bgp neighbor 192.0.2.2 peer-group 'PE'",
      ],
      'vrf name red protocols bgp neighbor 192.0.2.2',
      /needs 'remote-as' \(peer-group PE has none\)/,
    ],
    [
      'a route leaked to a VRF that does not exist',
      [...RED, "set vrf name red protocols static route 10.0.0.0/8 next-hop 192.0.2.1 vrf 'blue'"],
      'vrf name red protocols static route 10.0.0.0/8 next-hop 192.0.2.1 vrf',
      /vrf 'blue' does not exist \(vrf name blue\)/,
    ],
    [
      'a VRF route with no gateway',
      [...RED, 'set vrf name red protocols static route 10.0.0.0/8 description x'],
      'vrf name red protocols static route 10.0.0.0/8',
      /needs a 'next-hop', an 'interface', 'blackhole' or 'reject'/,
    ],
    [
      "a VRF's OSPF on an interface outside the VRF",
      [...RED, ...ETH1, "set vrf name red protocols ospf interface eth1 cost '10'"],
      'vrf name red protocols ospf interface eth1',
      /interface eth1 is not in VRF red \(set 'vrf red' on the interface\)/,
    ],
    [
      'the default OSPF on an interface in a VRF',
      [
        ...RED,
        "set interfaces ethernet eth2 address '198.51.100.1/24'",
        "set protocols ospf interface eth2 cost '10'",
      ],
      'protocols ospf interface eth2',
      /interface eth2 is in VRF red: its OSPF belongs under 'vrf name red protocols ospf'/,
    ],
  ])('%s', (_, lines, path, message) => {
    const found = issues(lines);
    const at = found.filter((i) => i.path === path);
    expect(at.map((i) => i.message).join('\n'), JSON.stringify(found)).toMatch(message);
  });

  it('accepts routing in VRFs: own peer-groups, leaking to default and to a VRF', () => {
    expect(
      issues([
        ...RED,
        ...ETH1,
        ...BGP,
        "set interfaces ethernet eth2 address '198.51.100.1/24'",
        "set protocols bgp peer-group PE remote-as 'internal'",
        "set protocols static route 10.20.0.0/16 next-hop 198.51.100.2 vrf 'red'",
        "set vrf name red protocols static route 10.0.0.0/8 next-hop 192.0.2.254 vrf 'default'",
        "set vrf name red protocols bgp system-as '65001'",
        "set vrf name red protocols bgp peer-group PE remote-as 'internal'",
        "set vrf name red protocols bgp neighbor 198.51.100.2 peer-group 'PE'",
        "set vrf name red protocols ospf interface eth2 area '0'",
      ]),
    ).toEqual([]);
  });
});
