/**
 * The routing commands of operational mode against real FRR daemons: two
 * FOS1 routers, each its own namespace, state directory and daemon set,
 * wired by a veth pair and configured by commits. `show ip route` reads the
 * kernel until zebra runs and zebra after; the BGP views are bgpd's json and
 * text; `reset ip bgp` and `restart bgp` act on the session; and a bgpd
 * killed with SIGKILL is started again by the daemon's heal timer with its
 * configuration, the session Established again with the same routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonPid, frrAvailable, frrSpace } from '../src/apply/frr.js';
import { HealTimer } from '../src/commit/heal-timer.js';
import { opSystem, opTree, resolveOp, type OpContext } from '../src/op/index.js';
import { schema } from '../src/schema/index.js';
import { runFos } from './helpers/io.js';
import { makeLab, wireLabs, type Lab } from './helpers/lab.js';
import { until as waitUntil } from './helpers/wait.js';

const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000) =>
  waitUntil(what, probe, ms);

const BGP_A = [
  "set interfaces ethernet eth1 address '198.51.100.1/24'",
  "set protocols bgp system-as '65001'",
  "set protocols bgp parameters router-id '10.0.0.1'",
  "set protocols bgp neighbor 10.0.0.2 remote-as '65002'",
  "set protocols bgp neighbor 10.0.0.2 timers keepalive '1'",
  "set protocols bgp neighbor 10.0.0.2 timers holdtime '3'",
  'set protocols bgp neighbor 10.0.0.2 address-family ipv4-unicast',
  'set protocols bgp address-family ipv4-unicast network 198.51.100.0/24',
  'set protocols bgp address-family ipv4-unicast network 203.0.113.0/24',
  'set protocols static route 203.0.113.0/24 blackhole',
];
const BGP_B = [
  "set protocols bgp system-as '65002'",
  "set protocols bgp parameters router-id '10.0.0.2'",
  "set protocols bgp neighbor 10.0.0.1 remote-as 'external'",
  "set protocols bgp neighbor 10.0.0.1 timers keepalive '1'",
  "set protocols bgp neighbor 10.0.0.1 timers holdtime '3'",
  'set protocols bgp neighbor 10.0.0.1 address-family ipv4-unicast soft-reconfiguration inbound',
];

describe.skipIf(!frrAvailable())('routing commands against real FRR', () => {
  let a: Lab;
  let b: Lab;

  const fos = (lab: Lab, script: string) => runFos([...lab.flags, '-c', script]);
  const commit = (lab: Lab, lines: string[]) =>
    fos(lab, ['configure', ...lines, 'commit'].join('\n'));
  async function json<T>(lab: Lab, command: string): Promise<T> {
    const r = await fos(lab, `${command} | display json`);
    expect(r.code, `${command}: ${r.err}`).toBe(0);
    return JSON.parse(r.out) as T;
  }
  type Summary = { ipv4Unicast?: { peers: Record<string, { state: string; pfxRcd?: number }> } };
  const peerState = async (lab: Lab, peer: string) =>
    (await json<Summary>(lab, 'show ip bgp summary')).ipv4Unicast?.peers[peer];
  type Rib = Record<string, { protocol: string; nexthops: { ip?: string }[] }[]>;
  const bgpRoutes = async (lab: Lab) =>
    Object.keys(await json<Rib>(lab, 'show ip route bgp')).sort();

  beforeAll(async () => {
    a = await makeLab();
    b = await makeLab();
    wireLabs(a, 'ab0', b, 'ab0');
    a.ip('address', 'add', '10.0.0.1/30', 'dev', 'ab0');
    b.ip('address', 'add', '10.0.0.2/30', 'dev', 'ab0');
    a.ip('link', 'set', 'ab0', 'up');
    b.ip('link', 'set', 'ab0', 'up');
  });

  afterAll(async () => {
    await a?.down();
    await b?.down();
  });

  it('show ip route reads the kernel while zebra does not run, in zebra json shape and VyOS layout', async () => {
    // Before any fos command (whose start-up starts zebra): the handler on B's router.
    expect(daemonPid(frrSpace({ netns: b.netns }), 'zebra')).toBeUndefined();
    const ctx = { system: opSystem(b.router()), schema } as unknown as OpContext;
    const show = async (words: string) => {
      const m = resolveOp(opTree, words.split(' '), 'operational');
      if (!m.ok) throw new Error(words);
      const data = await m.command.run(ctx, m.args);
      return { json: JSON.parse(JSON.stringify(data)) as Rib, text: m.command.text(data, m.args) };
    };
    const all = await show('show ip route');
    expect(all.json['10.0.0.0/30']?.[0]).toMatchObject({
      protocol: 'connected',
      nexthops: [{ directlyConnected: true, interfaceName: 'ab0' }],
    });
    expect(all.text).toContain('C>* 10.0.0.0/30 is directly connected, ab0');
    // An address takes its longest match; a prefix must be exact.
    expect(Object.keys((await show('show ip route 10.0.0.2')).json)).toEqual(['10.0.0.0/30']);
    expect((await show('show ip route 10.0.0.0/29')).json).toEqual({});
    expect((await show('show ip route bgp')).json).toEqual({});
    expect(daemonPid(frrSpace({ netns: b.netns }), 'zebra')).toBeUndefined();
  });

  it('brings up eBGP by commits; the summary, the routes and the neighbor views are FRR’s', async () => {
    const ra = await commit(a, BGP_A);
    expect(ra.code, ra.err).toBe(0);
    const rb = await commit(b, BGP_B);
    expect(rb.code, rb.err).toBe(0);
    await until('Established on B', async () =>
      (await peerState(b, '10.0.0.1'))?.state === 'Established' ? true : undefined,
    );
    await until('both prefixes in B', async () =>
      (await bgpRoutes(b)).length === 2 ? true : undefined,
    );
    expect(await bgpRoutes(b)).toEqual(['198.51.100.0/24', '203.0.113.0/24']);
    // zebra's view now: the BGP route with its next hop, and the text VyOS prints.
    const one = await json<Rib>(b, 'show ip route 198.51.100.7');
    expect(one['198.51.100.0/24']?.[0]).toMatchObject({ protocol: 'bgp' });
    expect(one['198.51.100.0/24']?.[0]?.nexthops[0]?.ip).toBe('10.0.0.1');
    const text = await fos(b, 'show ip route bgp');
    expect(text.out).toMatch(/^B>\* 198\.51\.100\.0\/24 \[20\/0\] via 10\.0\.0\.1, ab0/m);
    const summary = await fos(a, 'show ip bgp summary');
    expect(summary.out).toMatch(/^Neighbor\s+V\s+AS\s+MsgRcvd/m);
    expect(summary.out).toMatch(/^10\.0\.0\.2\s+4\s+65002\s/m);
    // The table, one prefix, and what was sent and received.
    const table = await json<{ routes: Record<string, unknown> }>(a, 'show ip bgp');
    expect(Object.keys(table.routes).sort()).toEqual(['198.51.100.0/24', '203.0.113.0/24']);
    const prefix = await json<{ prefix: string }>(a, 'show ip bgp 203.0.113.0/24');
    expect(prefix.prefix).toBe('203.0.113.0/24');
    const sent = await json<{ advertisedRoutes: Record<string, unknown> }>(
      a,
      'show ip bgp neighbors 10.0.0.2 advertised-routes',
    );
    expect(Object.keys(sent.advertisedRoutes).sort()).toEqual([
      '198.51.100.0/24',
      '203.0.113.0/24',
    ]);
    const received = await json<{ receivedRoutes: Record<string, unknown> }>(
      b,
      'show ip bgp neighbors 10.0.0.1 received-routes',
    );
    expect(Object.keys(received.receivedRoutes).sort()).toEqual([
      '198.51.100.0/24',
      '203.0.113.0/24',
    ]);
    const neighbor = await json<Record<string, { bgpState: string }>>(
      a,
      'show ip bgp neighbors 10.0.0.2',
    );
    expect(neighbor['10.0.0.2']?.bgpState).toBe('Established');
  });

  it('refuses bad arguments before FRR, and reports FRR’s own refusal in its words', async () => {
    for (const bad of ['10.0.0.2;reboot', '10.0.0.300', '-c show']) {
      const r = await fos(a, `show ip bgp neighbors '${bad}'`);
      expect(r.code, bad).toBe(1);
      expect(r.err, bad).toMatch(/is not a valid value for 'show ip bgp neighbors'/);
    }
    const unknown = await fos(a, 'show ip bgp neighbors 10.0.0.9');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/No such neighbor|Unknown neighbor/i);
    // A not configured, so its daemon does not run: said so, naming the path.
    const ospf = await fos(a, 'show ip ospf neighbor');
    expect(ospf.code).toBe(1);
    expect(ospf.err).toContain("OSPF is not configured ('protocols ospf')");
    const restart = await fos(a, 'restart ospf');
    expect(restart.code).toBe(1);
    expect(restart.err).toContain("OSPF is not configured ('protocols ospf')");
    // Configured but deactivated: not running either, and said so.
    const inactive = await fos(
      a,
      [
        'configure',
        "set protocols ospf area 0 network '192.0.2.0/24'",
        'deactivate protocols ospf',
        'commit',
      ].join('\n'),
    );
    expect(inactive.code, inactive.err).toBe(0);
    try {
      const r = await fos(a, 'show ip ospf neighbor');
      expect(r.code).toBe(1);
      expect(r.err).toContain('OSPF is configured but inactive (deactivated');
    } finally {
      await fos(a, ['configure', 'delete protocols ospf', 'commit'].join('\n'));
    }
  });

  it('reset ip bgp soft keeps the session; a hard reset and restart bgp bring it back', async () => {
    const up = await json<{ ipv4Unicast: { peers: Record<string, { peerUptimeMsec: number }> } }>(
      a,
      'show ip bgp summary',
    );
    const uptime = up.ipv4Unicast.peers['10.0.0.2']!.peerUptimeMsec;
    const soft = await fos(a, 'reset ip bgp 10.0.0.2 soft in');
    expect(soft.code, soft.err).toBe(0);
    expect(soft.out).toContain('were refreshed; the session stays');
    expect((await fos(a, 'reset ip bgp 10.0.0.2 soft out')).code).toBe(0);
    const after = await json<{
      ipv4Unicast: { peers: Record<string, { peerUptimeMsec: number; state: string }> };
    }>(a, 'show ip bgp summary');
    expect(after.ipv4Unicast.peers['10.0.0.2']!.state).toBe('Established');
    expect(after.ipv4Unicast.peers['10.0.0.2']!.peerUptimeMsec).toBeGreaterThanOrEqual(uptime);

    const hard = await fos(a, 'reset ip bgp 10.0.0.2');
    expect(hard.code, hard.err).toBe(0);
    expect(hard.out).toContain('The BGP session with 10.0.0.2 was reset.');
    await until('Established after the reset', async () =>
      (await peerState(b, '10.0.0.1'))?.state === 'Established' ? true : undefined,
    );

    const space = frrSpace({ netns: a.netns });
    const before = daemonPid(space, 'bgpd');
    const r = await json<{ daemon: string; pid: number; before: number }>(a, 'restart bgp');
    expect(r).toMatchObject({ daemon: 'bgpd', before });
    expect(r.pid).not.toBe(before);
    expect(daemonPid(space, 'bgpd')).toBe(r.pid);
    await until('Established after restart bgp', async () =>
      (await peerState(b, '10.0.0.1'))?.state === 'Established' ? true : undefined,
    );
    await until('both prefixes again', async () =>
      (await bgpRoutes(b)).length === 2 ? true : undefined,
    );
  });

  it('a bgpd killed with SIGKILL is started again with its configuration, and the routes come back', async () => {
    const space = frrSpace({ netns: a.netns });
    const routesBefore = await bgpRoutes(b);
    expect(routesBefore).toEqual(['198.51.100.0/24', '203.0.113.0/24']);
    const killed = daemonPid(space, 'bgpd')!;
    expect(killed).toBeDefined();
    // The daemon's heal timer (fos serve runs one), ticking faster than its second.
    const router = a.router();
    const told: string[] = [];
    const healer = new HealTimer(router, (line) => told.push(line), 200);
    try {
      process.kill(killed, 'SIGKILL');
      await until('bgpd gone', () => (daemonPid(space, 'bgpd') === killed ? undefined : true));
      const pid = await until('bgpd started again', () => daemonPid(space, 'bgpd'));
      expect(pid).not.toBe(killed);
      await until('Established again on B', async () =>
        (await peerState(b, '10.0.0.1'))?.state === 'Established' ? true : undefined,
      );
      await until('the same routes on B', async () =>
        JSON.stringify(await bgpRoutes(b)) === JSON.stringify(routesBefore) ? true : undefined,
      );
      expect(told).toEqual(['frr: bgpd had stopped; started again with its configuration']);
      // With its configuration: A's side is Established too, its networks announced.
      expect((await peerState(a, '10.0.0.2'))?.state).toBe('Established');
      const log = await fos(a, 'show log | display json');
      expect(log.out).toContain('bgpd had stopped');
    } finally {
      healer.stop();
    }
  });

  it('show ipv6 bgp mirrors show ip bgp: summary, table, prefix, neighbors and their routes', async () => {
    a.ip('address', 'add', '2001:db8:ab::1/64', 'dev', 'ab0', 'nodad');
    b.ip('address', 'add', '2001:db8:ab::2/64', 'dev', 'ab0', 'nodad');
    const ra = await commit(a, [
      "set protocols bgp neighbor 2001:db8:ab::2 remote-as '65002'",
      "set protocols bgp neighbor 2001:db8:ab::2 timers keepalive '1'",
      "set protocols bgp neighbor 2001:db8:ab::2 timers holdtime '3'",
      'set protocols bgp neighbor 2001:db8:ab::2 address-family ipv6-unicast',
      'set protocols bgp address-family ipv6-unicast network 2001:db8:a::/48',
    ]);
    expect(ra.code, ra.err).toBe(0);
    const rb = await commit(b, [
      "set protocols bgp neighbor 2001:db8:ab::1 remote-as 'external'",
      "set protocols bgp neighbor 2001:db8:ab::1 timers keepalive '1'",
      "set protocols bgp neighbor 2001:db8:ab::1 timers holdtime '3'",
      'set protocols bgp neighbor 2001:db8:ab::1 address-family ipv6-unicast soft-reconfiguration inbound',
    ]);
    expect(rb.code, rb.err).toBe(0);
    type Summary6 = { peers?: Record<string, { state: string; pfxRcd?: number }> };
    await until('IPv6 unicast Established on B, one prefix', async () => {
      const peer = (await json<Summary6>(b, 'show ipv6 bgp summary')).peers?.['2001:db8:ab::1'];
      return peer?.state === 'Established' && peer.pfxRcd === 1 ? true : undefined;
    });
    const summary = await fos(b, 'show ipv6 bgp summary');
    expect(summary.out).toMatch(/^Neighbor\s+V\s+AS\s+MsgRcvd/m);
    expect(summary.out, summary.out).toMatch(/^2001:db8:ab::1\s+4\s+65001\s/m);
    // The IPv6 table only: no IPv4 prefix in it, and the IPv4 table has no IPv6 one.
    const table = await json<{ routes: Record<string, unknown> }>(b, 'show ipv6 bgp');
    expect(Object.keys(table.routes)).toEqual(['2001:db8:a::/48']);
    const table4 = await json<{ routes: Record<string, unknown> }>(b, 'show ip bgp');
    expect(Object.keys(table4.routes)).not.toContain('2001:db8:a::/48');
    // An address takes the prefix it falls in.
    expect((await json<{ prefix: string }>(b, 'show ipv6 bgp 2001:db8:a::7')).prefix).toBe(
      '2001:db8:a::/48',
    );
    const sent = await json<{ advertisedRoutes: Record<string, unknown> }>(
      a,
      'show ipv6 bgp neighbors 2001:db8:ab::2 advertised-routes',
    );
    expect(Object.keys(sent.advertisedRoutes)).toEqual(['2001:db8:a::/48']);
    const received = await json<{ receivedRoutes: Record<string, unknown> }>(
      b,
      'show ipv6 bgp neighbors 2001:db8:ab::1 received-routes',
    );
    expect(Object.keys(received.receivedRoutes)).toEqual(['2001:db8:a::/48']);
    const neighbor = await json<Record<string, { bgpState: string }>>(
      a,
      'show ipv6 bgp neighbors 2001:db8:ab::2',
    );
    expect(neighbor['2001:db8:ab::2']?.bgpState).toBe('Established');
    // FRR's own refusal, in its words: A keeps no copy of what B sends it.
    const refused = await fos(a, 'show ipv6 bgp neighbors 2001:db8:ab::2 received-routes');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/Inbound soft reconfiguration not enabled/);
    // zebra installed it: B's IPv6 RIB has it from BGP.
    const rib = await json<Record<string, { protocol: string }[]>>(b, 'show ipv6 route bgp');
    expect(rib['2001:db8:a::/48']?.[0]?.protocol).toBe('bgp');
  });
});
