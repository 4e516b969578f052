/** The delta between two FRR renders: FRR commands in FRR's contexts, `no ...` for what went away. */
import { describe, expect, it } from 'vitest';
import {
  applyDelete,
  applySet,
  editTree,
  loadSetForm,
  toSetForm,
  type ConfigNode,
} from '../src/config/index.js';
import { addedLines, frrDelta } from '../src/render/frr-delta.js';
import { frrText, renderFrr, type Daemon } from '../src/render/frr.js';
import { schema } from '../src/schema/index.js';

const r = (lines: string[]) => renderFrr(loadSetForm(lines.join('\n'), schema).tree);
const delta = (daemon: Daemon, before: string[], after: string[]) =>
  frrDelta(r(before)[daemon], r(after)[daemon]).map((c) => c.text);

const BGP = ["set protocols bgp system-as '65001'"];
const N2 = [
  "set protocols bgp neighbor 192.0.2.2 remote-as '65002'",
  "set protocols bgp neighbor 192.0.2.2 description 'two'",
  'set protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast soft-reconfiguration inbound',
];

describe('FRR delta', () => {
  it('is empty when nothing changed', () => {
    expect(delta('bgpd', [...BGP, ...N2], [...BGP, ...N2])).toEqual([]);
    expect(delta('staticd', [], [])).toEqual([]);
  });

  it('adds and removes static routes with one command each', () => {
    expect(
      delta(
        'staticd',
        [
          'set protocols static route 10.1.0.0/16 blackhole',
          "set protocols static route 10.2.0.0/16 next-hop '192.0.2.1'",
        ],
        [
          'set protocols static route 10.1.0.0/16 blackhole',
          "set protocols static route 10.3.0.0/16 next-hop '192.0.2.1'",
        ],
      ),
    ).toEqual(['no ip route 10.2.0.0/16 192.0.2.1', 'ip route 10.3.0.0/16 192.0.2.1']);
  });

  it('removes a neighbor with one `no neighbor`, whatever it had', () => {
    expect(delta('bgpd', [...BGP, ...N2], BGP)).toEqual([
      'router bgp 65001',
      'no neighbor 192.0.2.2',
      'exit',
    ]);
  });

  it('changes a remote-as without deleting the neighbor', () => {
    expect(
      delta('bgpd', [...BGP, ...N2], [...BGP, ...N2.map((l) => l.replace("'65002'", "'65003'"))]),
    ).toEqual(['router bgp 65001', 'neighbor 192.0.2.2 remote-as 65003', 'exit']);
  });

  it('changes a setting inside an address family in its context', () => {
    expect(
      delta(
        'bgpd',
        [...BGP, ...N2],
        [
          ...BGP,
          ...N2.slice(0, 2),
          "set protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast route-map import 'RM'",
          "set policy route-map RM rule 10 action 'permit'",
        ],
      ),
    ).toEqual([
      'route-map RM permit 10',
      'exit',
      'router bgp 65001',
      'address-family ipv4 unicast',
      'no neighbor 192.0.2.2 soft-reconfiguration inbound',
      'neighbor 192.0.2.2 route-map RM in',
      'exit-address-family',
      'exit',
    ]);
  });

  it('deletes route-maps and BGP as a whole, and interface settings line by line', () => {
    const ospf = [
      "set interfaces ethernet eth1 address '192.0.2.1/24'",
      "set protocols ospf interface eth1 cost '10'",
      "set protocols ospf area 0 network '192.0.2.0/24'",
    ];
    expect(
      delta(
        'ospfd',
        ospf,
        ospf.filter((l) => !l.includes('cost')),
      ),
    ).toEqual(['interface eth1', 'no ip ospf cost 10', 'exit']);
    const rm = ["set policy route-map RM rule 10 action 'permit'", ...BGP];
    expect(delta('bgpd', rm, BGP)).toEqual(['no route-map RM permit 10']);
    expect(delta('bgpd', BGP, ["set protocols bgp system-as '65009'"])[0]).toBe(
      'no router bgp 65001',
    );
  });

  it('turns a removed `no X` into X', () => {
    expect(
      delta('bgpd', BGP, [...BGP, 'set protocols bgp parameters ebgp-requires-policy']),
    ).toEqual(['router bgp 65001', 'no bgp ebgp-requires-policy'.replace(/^no /, ''), 'exit']);
  });

  it('gives the dry run only what is new, in its contexts', () => {
    const before = r([...BGP, ...N2]).bgpd;
    const after = r([...BGP, ...N2, "set protocols bgp neighbor 192.0.2.3 remote-as '65003'"]).bgpd;
    expect(frrText(addedLines(before, after))).toBe(
      'router bgp 65001\n neighbor 192.0.2.3 remote-as 65003\nexit\n!\n',
    );
  });
});

describe('FRR delta of a kept render', () => {
  // A session's edit shares every node it did not touch, and the render keeps their lines:
  // the delta then skips what both renders share. It must be the delta of two fresh renders.
  const fresh = (tree: ConfigNode) => renderFrr(loadSetForm(toSetForm(tree, schema), schema).tree);
  it('is the delta of fresh renders, for edits anywhere in a large config', () => {
    const base = [
      ...BGP,
      ...N2,
      "set policy prefix-list PL rule 10 action 'permit'",
      "set policy prefix-list PL rule 10 prefix '10.0.0.0/8'",
    ];
    for (let i = 0; i < 300; i++)
      base.push(`set protocols static route 10.${i >> 4}.${i & 15}.0/24 next-hop '192.0.2.1'`);
    const edits: [string, string][] = [
      ['set', "protocols static route 10.0.0.0/24 next-hop '192.0.2.9'"],
      ['set', 'protocols static route 9.0.0.0/24 blackhole'],
      ['set', 'protocols static route 99.0.0.0/24 blackhole'],
      ['set', "protocols static route 10.7.3.128/25 interface 'eth1'"],
      ['delete', 'protocols static route 10.18.11.0/24'],
      ['delete', 'protocols static route 10.0.0.0/24'],
      ['set', "protocols bgp neighbor 192.0.2.3 remote-as '65003'"],
      ['delete', 'protocols bgp neighbor 192.0.2.2'],
      ['set', "policy prefix-list PL rule 20 action 'deny'"],
    ];
    let tree = loadSetForm(base.join('\n'), schema).tree;
    let before = renderFrr(tree);
    for (const [verb, path] of edits) {
      const words = path.split(' ').map((w) => w.replace(/^'|'$/g, ''));
      const next = editTree(tree, (e) =>
        verb === 'set' ? applySet(e, schema, words) : applyDelete(e, schema, words),
      );
      const after = renderFrr(next);
      for (const d of ['staticd', 'bgpd', 'zebra'] as const) {
        const wanted = frrDelta(fresh(tree)[d], fresh(next)[d]).map((c) => c.text);
        expect(
          frrDelta(before[d], after[d]).map((c) => c.text),
          `${verb} ${path}`,
        ).toEqual(wanted);
        expect(
          addedLines(before[d], after[d]).map((i) => JSON.stringify(i)),
          `${verb} ${path}`,
        ).toEqual(addedLines(fresh(tree)[d], fresh(next)[d]).map((i) => JSON.stringify(i)));
      }
      // Every edit changes some daemon (an edit that failed would change none).
      expect(
        (['staticd', 'bgpd', 'zebra'] as const).some((d) => frrDelta(before[d], after[d]).length),
        `${verb} ${path}`,
      ).toBe(true);
      tree = next;
      before = after;
    }
  });
});

describe('FRR delta inside VRFs', () => {
  const RED = ["set vrf name red table '100'", "set vrf name red protocols bgp system-as '65001'"];
  const RED_N2 = N2.map((l) => l.replace('set protocols', 'set vrf name red protocols'));

  it("adds and removes a VRF's static routes inside its vrf block", () => {
    const route = 'set vrf name red protocols static route 10.2.0.0/16 next-hop 192.0.2.1';
    expect(
      delta('staticd', ["set vrf name red table '100'"], ["set vrf name red table '100'", route]),
    ).toEqual(['vrf red', 'ip route 10.2.0.0/16 192.0.2.1', 'exit-vrf']);
    expect(
      delta('staticd', ["set vrf name red table '100'", route], ["set vrf name red table '100'"]),
    ).toEqual(['vrf red', 'no ip route 10.2.0.0/16 192.0.2.1', 'exit-vrf']);
  });

  it("removes a VRF's neighbor with one `no neighbor`, leaving the same address in the default instance", () => {
    expect(delta('bgpd', [...BGP, ...N2, ...RED, ...RED_N2], [...BGP, ...N2, ...RED])).toEqual([
      'router bgp 65001 vrf red',
      'no neighbor 192.0.2.2',
      'exit',
    ]);
    expect(delta('bgpd', [...BGP, ...N2, ...RED, ...RED_N2], [...BGP, ...RED, ...RED_N2])).toEqual([
      'router bgp 65001',
      'no neighbor 192.0.2.2',
      'exit',
    ]);
  });

  it('deletes VRF instances whole, before the default instance', () => {
    expect(delta('bgpd', [...BGP, ...RED], [])).toEqual([
      'no router bgp 65001 vrf red',
      'no router bgp 65001',
    ]);
    expect(
      delta(
        'ospfd',
        [
          "set vrf name red table '100'",
          "set vrf name red protocols ospf area 0 network '192.0.2.0/24'",
        ],
        [],
      ),
    ).toEqual(['no router ospf vrf red']);
  });
});
