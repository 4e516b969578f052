/**
 * Routing inside a VRF in operational mode (`show ip|ipv6 route vrf NAME`, `show ip|ipv6
 * bgp vrf NAME ...`, `show ip ospf vrf NAME ...`) against real FRR daemons in throwaway
 * labs: the VRF is a name of the running configuration (TAB offers those, any other is
 * refused naming it before FRR is asked), and what FRR is asked is its own VRF's view.
 *
 * This development kernel has no VRF links (../shared/design/ARCHITECTURE.md), so a commit
 * with `vrf name` is refused at its check here and the test with a kernel VRF skips, saying
 * so; it runs where the kernel has VRFs. FRR itself keeps a VRF's instances without the
 * kernel link (bgpd's `router bgp ASN vrf red` holds its table and neighbors, never
 * connected): the last part records such a revision in the lab's store without a commit
 * (the kernel step is what cannot run), gives FRR's daemons its rendering, and reads their
 * real answers through `fos -c`. test/image/links.test.ts has `show ip route vrf` in a
 * kernel VRF.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelFeatures } from '../src/apply/kernel-features.js';
import { frrAvailable, frrSpace, restartDaemon, stopDaemon } from '../src/apply/frr.js';
import { completeLine } from '../src/cli/complete.js';
import { loadSetForm, toSetForm } from '../src/config/index.js';
import { CompletionValues, opSystem, opTree } from '../src/op/index.js';
import { renderFrr } from '../src/render/frr.js';
import { schema } from '../src/schema/index.js';
import { Store } from '../src/store/store.js';
import { withDefaults } from '../src/verify/index.js';
import { runFos } from './helpers/io.js';
import { makeLab, wireLabs, type Lab } from './helpers/lab.js';
import { until as waitUntil } from './helpers/wait.js';

const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000) =>
  waitUntil(what, probe, ms);

const fos = (lab: Lab, script: string) => runFos([...lab.flags, '-c', script]);
const commit = async (lab: Lab, lines: readonly string[]) => {
  const r = await fos(lab, ['configure', ...lines, 'commit'].join('\n'));
  expect(r.code, r.err).toBe(0);
};
async function json<T>(lab: Lab, command: string): Promise<T> {
  const r = await fos(lab, `${command} | display json`);
  expect(r.code, `${command}: ${r.err}`).toBe(0);
  return JSON.parse(r.out) as T;
}
/** What TAB offers at the end of an operational line, from the lab's own completion sources. */
function tab(lab: Lab, line: string): string[] {
  const values = new CompletionValues(opTree.sources, opSystem(lab.router()));
  return completeLine(line, line.length, schema, {
    mode: 'operational',
    level: [],
    tree: lab.router().running().tree,
    runtime: (source, args) => values.get(source, args),
  }).choices.map((c) => c.word);
}

/** The default instance: BGP with a neighbor and a static route, so every daemon runs. */
const BASE = [
  "set interfaces ethernet eth1 address '198.51.100.1/24'",
  "set protocols bgp system-as '65001'",
  "set protocols bgp parameters router-id '10.0.0.1'",
  "set protocols bgp neighbor 10.0.0.2 remote-as '65002'",
  'set protocols bgp neighbor 10.0.0.2 address-family ipv4-unicast',
  'set protocols bgp address-family ipv4-unicast network 198.51.100.0/24',
  'set protocols static route 203.0.113.0/24 blackhole',
];

type Rib = Record<string, { protocol: string; table?: number; vrfName?: string }[]>;
type BgpTable = { vrfName: string; routes: Record<string, unknown> };

describe.skipIf(!frrAvailable())('routing inside a VRF in operational mode', () => {
  let a: Lab;

  beforeAll(async () => {
    a = await makeLab();
    await commit(a, BASE);
  });
  afterAll(async () => a?.down());

  it('refuses a VRF the configuration does not have, naming it, and a value that is no VRF name', async () => {
    for (const command of [
      'show ip route vrf red',
      'show ipv6 route vrf red 2001:db8::1',
      'show ip route vrf red bgp',
      'show ip bgp vrf red summary',
      'show ipv6 bgp vrf red neighbors 10.1.0.2',
      'show ip ospf vrf red neighbor',
      'show ipv6 ospfv3 vrf red route',
    ]) {
      const r = await fos(a, command);
      expect(r.code, command).not.toBe(0);
      expect(r.err, command).toMatch(
        /VRF 'red' does not exist \(vrf name red\); no VRF is configured/,
      );
    }
    // Names the schema refuses never reach FRR: an interface's name, a reserved one, words of
    // a shell or of vtysh, a name too long.
    for (const bad of ['eth0', 'default', 'a;b', 'red json', 'x'.repeat(16)]) {
      const r = await fos(a, `show ip route vrf '${bad}'`);
      expect(r.code, bad).not.toBe(0);
      expect(r.err, bad).toMatch(/is not a valid value for 'show ip route vrf'/);
    }
    // The words an operator may mean by a VRF that is no VRF name say what to type instead.
    expect((await fos(a, 'show ip route vrf default')).err).toMatch(
      /; the default VRF is the command without 'vrf NAME'/,
    );
    expect((await fos(a, 'show ip bgp vrf all summary')).err).toMatch(/; name one VRF/);
    expect(tab(a, 'show ip route vrf ')).toEqual(['all']);
    expect(tab(a, 'show ip route ')).toContain('vrf');
  });

  it('in a kernel VRF: its static route and connected network, and a BGP session inside it', async (ctx) => {
    const features = await kernelFeatures();
    if (!features.get('vrf')) {
      ctx.skip('this kernel has no VRF support (a VRF link cannot be made): see test/image');
      return;
    }
    // Labs of its own: the last test's lab has no VRF link.
    const c = await makeLab();
    const b = await makeLab();
    try {
      wireLabs(c, 'eth7', b, 'eth7');
      const inVrf = (address: string, id: string) => [
        "set vrf name red table '100'",
        "set interfaces ethernet eth7 vrf 'red'",
        `set interfaces ethernet eth7 address '${address}'`,
        `set vrf name red protocols bgp system-as '6500${id}'`,
        `set vrf name red protocols bgp parameters router-id '10.1.0.${id}'`,
      ];
      await commit(c, [
        ...inVrf('10.1.0.1/30', '1'),
        'set vrf name red protocols static route 10.9.0.0/16 blackhole',
        "set vrf name red protocols bgp neighbor 10.1.0.2 remote-as '65002'",
        "set vrf name red protocols bgp neighbor 10.1.0.2 timers keepalive '1'",
        "set vrf name red protocols bgp neighbor 10.1.0.2 timers holdtime '3'",
        'set vrf name red protocols bgp neighbor 10.1.0.2 address-family ipv4-unicast',
        'set vrf name red protocols bgp address-family ipv4-unicast network 10.9.0.0/16',
      ]);
      await commit(b, [
        ...inVrf('10.1.0.2/30', '2'),
        "set vrf name red protocols bgp neighbor 10.1.0.1 remote-as 'external'",
        "set vrf name red protocols bgp neighbor 10.1.0.1 timers keepalive '1'",
        "set vrf name red protocols bgp neighbor 10.1.0.1 timers holdtime '3'",
        'set vrf name red protocols bgp neighbor 10.1.0.1 address-family ipv4-unicast',
      ]);
      const routes = await json<Rib>(c, 'show ip route vrf red');
      expect(routes['10.9.0.0/16']?.[0]).toMatchObject({ protocol: 'static', vrfName: 'red' });
      expect(routes['10.1.0.0/30']?.[0]).toMatchObject({ protocol: 'connected' });
      expect(Object.keys(await json<Rib>(c, 'show ip route vrf red static'))).toEqual([
        '10.9.0.0/16',
      ]);
      // The default table has neither.
      const main = await json<Rib>(c, 'show ip route');
      expect(main['10.9.0.0/16']).toBeUndefined();
      expect((await fos(c, 'show ip route vrf red')).out).toMatch(/S>\* 10\.9\.0\.0\/16/);
      // B learns A's network over the session inside the VRF, into the VRF's table only.
      await until('BGP in VRF red', async () => {
        const r = await json<Rib>(b, 'show ip route vrf red bgp');
        return r['10.9.0.0/16'] ? true : undefined;
      });
      type Summary = { ipv4Unicast?: { peers: Record<string, { state: string }> } };
      const summary = await json<Summary>(b, 'show ip bgp vrf red summary');
      expect(summary.ipv4Unicast?.peers['10.1.0.1']?.state).toBe('Established');
      expect((await json<Rib>(b, 'show ip route'))['10.9.0.0/16']).toBeUndefined();
    } finally {
      await c.down();
      await b.down();
    }
  });

  it("reads FRR's own views of a VRF it holds without a kernel VRF link", async () => {
    const lines = [
      ...BASE,
      "set vrf name red table '100'",
      'set vrf name red protocols static route 10.9.0.0/16 blackhole',
      "set vrf name red protocols bgp system-as '65001'",
      "set vrf name red protocols bgp neighbor 10.1.0.2 remote-as '65003'",
      'set vrf name red protocols bgp neighbor 10.1.0.2 address-family ipv4-unicast',
      'set vrf name red protocols bgp address-family ipv4-unicast network 10.9.0.0/16',
      'set vrf name red protocols bgp address-family ipv6-unicast network 2001:db8:9::/48',
      "set vrf name red protocols ospf area 0 network '10.9.0.0/16'",
      "set vrf name red protocols ospfv3 area 0 range '2001:db8:9::/48'",
      "set vrf name blue table '101'",
    ];
    const tree = loadSetForm(lines.join('\n'), schema).tree;
    // What a commit would record, recorded without one: the kernel here cannot make VRF red.
    const store = new Store(a.state);
    try {
      store.record(
        {
          user: 'test',
          origin: 'cli',
          comment: 'VRFs without the kernel step',
          config: toSetForm(tree, schema),
          plan: '',
        },
        { keep: 100 },
      );
    } finally {
      store.close();
    }
    const frr = renderFrr(withDefaults(tree, schema));
    const space = frrSpace({ netns: a.netns });
    for (const daemon of ['staticd', 'bgpd', 'ospfd', 'ospf6d'] as const)
      expect(await restartDaemon(space, daemon, frr[daemon]), daemon).toEqual([]);

    // TAB offers the configured VRFs, and a VRF's own neighbors after its name.
    expect(tab(a, 'show ip route vrf ').sort()).toEqual(['all', 'blue', 'red']);
    expect(tab(a, 'show ip bgp vrf ').sort()).toEqual(['blue', 'red']);
    expect(tab(a, 'show ip bgp vrf red neighbors ')).toEqual(['10.1.0.2']);
    expect(tab(a, 'show ip bgp neighbors ')).toEqual(['10.0.0.2']);
    expect(tab(a, 'show ip route vrf red ')).toEqual(
      expect.arrayContaining(['bgp', 'connected', 'kernel', 'ospf', 'static']),
    );

    // bgpd's table of the VRF: its own network, none of the default instance's.
    const table = await json<BgpTable>(a, 'show ip bgp vrf red');
    expect(table.vrfName).toBe('red');
    expect(Object.keys(table.routes)).toEqual(['10.9.0.0/16']);
    expect((await json<BgpTable>(a, 'show ip bgp')).routes['10.9.0.0/16']).toBeUndefined();
    const six = await json<BgpTable>(a, 'show ipv6 bgp vrf red');
    expect(Object.keys(six.routes)).toEqual(['2001:db8:9::/48']);
    expect((await json<{ prefix: string }>(a, 'show ip bgp vrf red 10.9.1.1')).prefix).toBe(
      '10.9.0.0/16',
    );
    const text = await fos(a, 'show ip bgp vrf red');
    expect(text.out).toMatch(/^\*> 10\.9\.0\.0\/16\s+0\.0\.0\.0/m);
    // Its neighbor, never connected (no VRF link to bind to), and not the default's.
    type Summary = { ipv4Unicast?: { peers: Record<string, { state: string }> } };
    const summary = await json<Summary>(a, 'show ip bgp vrf red summary');
    expect(Object.keys(summary.ipv4Unicast?.peers ?? {})).toEqual(['10.1.0.2']);
    expect(summary.ipv4Unicast?.peers['10.1.0.2']?.state).not.toBe('Established');
    const neighbors = await json<Record<string, { remoteAs: number }>>(
      a,
      'show ip bgp vrf red neighbors',
    );
    expect(Object.keys(neighbors)).toEqual(['10.1.0.2']);
    expect(neighbors['10.1.0.2']?.remoteAs).toBe(65003);
    expect((await fos(a, 'show ip bgp vrf red neighbors 10.1.0.2')).out).toMatch(
      /BGP neighbor is 10\.1\.0\.2, remote AS 65003/,
    );
    // A neighbor of the default instance is not one of the VRF's: FRR's own words.
    const other = await fos(a, 'show ip bgp vrf red neighbors 10.0.0.2');
    expect(other.code).not.toBe(0);
    expect(other.err).toMatch(/No such neighbor/i);
    // A session of the VRF is reset there; a neighbor of another instance is not one of its own.
    expect(tab(a, 'reset ip bgp vrf red ')).toEqual(['10.1.0.2']);
    const reset = await fos(a, 'reset ip bgp vrf red 10.1.0.2 soft in');
    expect(reset.code, reset.err).toBe(0);
    expect(reset.out).toContain('The BGP routes from 10.1.0.2 in VRF red were refreshed');
    const hard = await fos(a, 'reset ip bgp vrf red 10.1.0.2');
    expect(hard.code, hard.err).toBe(0);
    expect(hard.out).toContain('The BGP session with 10.1.0.2 in VRF red was reset.');
    expect((await fos(a, 'reset ip bgp vrf red 10.0.0.2')).code).not.toBe(0);
    expect((await fos(a, 'reset ip bgp vrf blue 10.1.0.2')).err).toMatch(
      /BGP is not configured in VRF 'blue'/,
    );
    // ospf6d's VRF instance; ospfd keeps its own disabled until the VRF's link exists, and says so.
    const ospf6 = await json<{ neighbors: unknown[] }>(a, 'show ipv6 ospfv3 vrf red neighbor');
    expect(ospf6.neighbors).toEqual([]);
    expect((await fos(a, 'show ip ospf vrf red neighbor')).err).toMatch(
      /OSPF is not enabled in vrf red/,
    );

    // A VRF without the protocol, and one the configuration lacks, are refused by FOS1.
    const blue = await fos(a, 'show ip bgp vrf blue summary');
    expect(blue.err).toMatch(
      /BGP is not configured in VRF 'blue' \('vrf name blue protocols bgp'\)/,
    );
    const green = await fos(a, 'show ip route vrf green');
    expect(green.err).toMatch(
      /VRF 'green' does not exist \(vrf name green\); configured: blue, red/,
    );

    // zebra knows a VRF only from its kernel link, which this kernel cannot make: said so.
    const zebra = await fos(a, 'show ip route vrf red');
    expect(zebra.code).not.toBe(0);
    expect(zebra.err).toMatch(
      /zebra: VRF red not found .*configured, but zebra knows a VRF only from its kernel link 'red'/,
    );

    // Every VRF at once: the ones zebra cannot show say so in their place.
    const all = await fos(a, 'show ip route vrf all');
    expect(all.code, all.err).toBe(0);
    expect(all.out).toMatch(/^VRF default:\n[^]*^B>\* 198\.51\.100\.0\/24|^VRF default:/m);
    expect(all.out).toMatch(/^VRF blue:\nzebra: VRF blue not found \(VRF 'blue' is configured/m);
    expect(all.out).toMatch(/^VRF red:\nzebra: VRF red not found/m);

    // Without zebra, the VRF's kernel table (100) in zebra's shape.
    await stopDaemon(space, 'zebra');
    a.ip('route', 'add', '10.8.0.0/16', 'dev', 'eth1', 'table', '100');
    a.ip('route', 'add', 'local', '10.8.0.1', 'dev', 'eth1', 'table', '100');
    const kernel = await json<Rib>(a, 'show ip route vrf red');
    expect(Object.keys(kernel)).toEqual(['10.8.0.0/16']);
    expect(kernel['10.8.0.0/16']?.[0]).toMatchObject({ protocol: 'kernel', table: 100 });
    expect(Object.keys(await json<Rib>(a, 'show ip route vrf red 10.8.3.4'))).toEqual([
      '10.8.0.0/16',
    ]);
    expect(await json<Rib>(a, 'show ip route vrf red static')).toEqual({});
    expect((await json<Rib>(a, 'show ip route'))['10.8.0.0/16']).toBeUndefined();
    // VRF blue's table (101) has no route yet, so the kernel has no such table: an empty view.
    expect(await json<Rib>(a, 'show ip route vrf blue')).toEqual({});
    expect(await json<Rib>(a, 'show ipv6 route vrf blue')).toEqual({});
    const every = await json<Record<string, Rib>>(a, 'show ip route vrf all');
    expect(Object.keys(every)).toEqual(['default', 'blue', 'red']);
    expect(Object.keys(every['red']!)).toEqual(['10.8.0.0/16']);
    expect(every['blue']).toEqual({});
    expect(Object.keys(every['default']!)).toContain('198.51.100.0/24');
  });
});
