/**
 * Several FOS1 routers with real FRR: each a lab namespace with its own state
 * directory and daemon set, wired by veth pairs made here (eth4, eth5), all
 * configured by commits. Two routers: OSPF reaches Full on two links, the
 * learned prefix is one ECMP route with two next hops in the kernel, and
 * taking the links down withdraws it. Three routers: iBGP through a route
 * reflector, an import route-map that changes what one router installs
 * without resetting its session, and a `commit confirmed` that cuts a
 * session, reverts, and the session comes back. Timers are set low (OSPF
 * hello 1 s / dead 3 s, BGP keepalive 1 s / hold 3 s) to keep wall time small.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frrAvailable } from '../src/apply/frr.js';
import { runFos } from './helpers/io.js';
import { makeLab, wireLabs, type Lab } from './helpers/lab.js';

interface KernelRoute {
  dst: string;
  protocol?: string;
  gateway?: string;
  nexthops?: { gateway: string; dev: string }[];
}

const routes = (lab: Lab, prefix: string): KernelRoute[] =>
  JSON.parse(lab.ip('-j', 'route', 'show', prefix)) as KernelRoute[];

const vtysh = (lab: Lab, command: string): unknown =>
  JSON.parse(
    execFileSync('vtysh', ['-N', lab.netns, '-c', command], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );

async function until<T>(what: string, probe: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    let value: T | undefined | false;
    try {
      value = probe();
    } catch {
      value = undefined; // a daemon not answering yet
    }
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function commit(lab: Lab, lines: string[], how = 'commit'): Promise<void> {
  const r = await runFos([...lab.flags, '-c', ['configure', ...lines, how].join('\n')]);
  expect(r.code, r.err + r.out).toBe(0);
}

/** The BGP neighbors of a router as `show bgp summary json` gives them. */
function peers(lab: Lab): Record<string, { state: string; connectionsEstablished?: number }> {
  const summary = vtysh(lab, 'show bgp ipv4 unicast summary json') as {
    peers?: Record<string, { state: string; connectionsEstablished?: number }>;
  };
  return summary.peers ?? {};
}

const established = (lab: Lab, peer: string): boolean => peers(lab)[peer]?.state === 'Established';

/** How many times a session came up (`show bgp neighbors json`): a reset counts one more. */
function sessionsUp(lab: Lab, peer: string): number {
  const n = vtysh(lab, `show bgp neighbors ${peer} json`) as Record<
    string,
    { connectionsEstablished: number }
  >;
  return n[peer]!.connectionsEstablished;
}

const OSPF_TIMERS = (port: string): string[] => [
  `set protocols ospf interface ${port} area '0'`,
  `set protocols ospf interface ${port} network 'point-to-point'`,
  `set protocols ospf interface ${port} hello-interval '1'`,
  `set protocols ospf interface ${port} dead-interval '3'`,
];

describe.skipIf(!frrAvailable())('two FOS1 routers with OSPF', () => {
  let a: Lab;
  let b: Lab;

  beforeAll(async () => {
    [a, b] = await Promise.all([makeLab(), makeLab()]);
    wireLabs(a, 'eth4', b, 'eth4');
    wireLabs(a, 'eth5', b, 'eth5');
  });
  afterAll(async () => {
    await a?.down();
    await b?.down();
  });

  it('reaches Full on both links and installs the learned prefix as one ECMP route', async () => {
    await Promise.all([
      commit(a, [
        "set interfaces ethernet eth4 address '10.0.1.1/30'",
        "set interfaces ethernet eth5 address '10.0.2.1/30'",
        "set protocols ospf parameters router-id '1.1.1.1'",
        ...OSPF_TIMERS('eth4'),
        ...OSPF_TIMERS('eth5'),
      ]),
      commit(b, [
        "set interfaces ethernet eth4 address '10.0.1.2/30'",
        "set interfaces ethernet eth5 address '10.0.2.2/30'",
        // The prefix B announces: a lab port, passive.
        "set interfaces ethernet eth1 address '172.16.0.1/24'",
        "set protocols ospf parameters router-id '2.2.2.2'",
        ...OSPF_TIMERS('eth4'),
        ...OSPF_TIMERS('eth5'),
        "set protocols ospf interface eth1 area '0'",
        'set protocols ospf interface eth1 passive',
      ]),
    ]);
    const full = await until('two Full adjacencies on A', () => {
      const text = execFileSync('vtysh', ['-N', a.netns, '-c', 'show ip ospf neighbor'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      return (text.match(/^2\.2\.2\.2\s.*Full/gm) ?? []).length === 2 ? text : undefined;
    });
    expect(full).toMatch(/eth4/);
    expect(full).toMatch(/eth5/);
    const ecmp = await until('the ECMP route in A', () =>
      routes(a, '172.16.0.0/24').find((r) => r.protocol === 'ospf' && r.nexthops?.length === 2),
    );
    expect(ecmp.nexthops!.map((h) => `${h.gateway} ${h.dev}`).sort()).toEqual([
      '10.0.1.2 eth4',
      '10.0.2.2 eth5',
    ]);
  });

  it('withdraws a path when its link goes down, and the route when both are down', async () => {
    await commit(b, ['set interfaces ethernet eth5 disable']);
    const single = await until('one path left', () =>
      routes(a, '172.16.0.0/24').find((r) => r.protocol === 'ospf' && !r.nexthops),
    );
    expect(single.gateway).toBe('10.0.1.2');
    await commit(b, ['set interfaces ethernet eth4 disable']);
    await until('the route withdrawn', () => routes(a, '172.16.0.0/24').length === 0);
    // And back when the links come up again.
    await commit(b, [
      'delete interfaces ethernet eth4 disable',
      'delete interfaces ethernet eth5 disable',
    ]);
    await until('the ECMP route again', () =>
      routes(a, '172.16.0.0/24').find((r) => r.nexthops?.length === 2),
    );
  });
});

const BGP_TIMERS = (peer: string): string[] => [
  `set protocols bgp neighbor ${peer} timers keepalive '1'`,
  `set protocols bgp neighbor ${peer} timers holdtime '3'`,
  `set protocols bgp neighbor ${peer} timers connect '1'`,
];

describe.skipIf(!frrAvailable())('three FOS1 routers with iBGP and a route reflector', () => {
  // r1 reflects; r2 announces 198.51.100.0/24 and 203.0.113.0/24; r3 learns them through r1 only.
  let r1: Lab;
  let r2: Lab;
  let r3: Lab;

  const neighbor = (peer: string, client = false): string[] => [
    `set protocols bgp neighbor ${peer} remote-as 'internal'`,
    ...BGP_TIMERS(peer),
    `set protocols bgp neighbor ${peer} address-family ipv4-unicast`,
    ...(client
      ? [`set protocols bgp neighbor ${peer} address-family ipv4-unicast route-reflector-client`]
      : []),
  ];

  beforeAll(async () => {
    [r1, r2, r3] = await Promise.all([makeLab(), makeLab(), makeLab()]);
    wireLabs(r1, 'eth4', r2, 'eth4');
    wireLabs(r1, 'eth5', r3, 'eth4');
  });
  afterAll(async () => {
    await r1?.down();
    await r2?.down();
    await r3?.down();
  });

  it('reflects r2’s prefixes to r3, which installs them in its kernel', async () => {
    await Promise.all([
      commit(r1, [
        "set interfaces ethernet eth4 address '10.0.12.1/30'",
        "set interfaces ethernet eth5 address '10.0.13.1/30'",
        "set protocols bgp system-as '65000'",
        "set protocols bgp parameters router-id '10.255.0.1'",
        ...neighbor('10.0.12.2', true),
        ...neighbor('10.0.13.2', true),
      ]),
      commit(r2, [
        "set interfaces ethernet eth4 address '10.0.12.2/30'",
        'set protocols static route 198.51.100.0/24 blackhole',
        'set protocols static route 203.0.113.0/24 blackhole',
        "set protocols bgp system-as '65000'",
        "set protocols bgp parameters router-id '10.255.0.2'",
        ...neighbor('10.0.12.1'),
        'set protocols bgp address-family ipv4-unicast network 198.51.100.0/24',
        'set protocols bgp address-family ipv4-unicast network 203.0.113.0/24',
      ]),
      commit(r3, [
        "set interfaces ethernet eth4 address '10.0.13.2/30'",
        // r2's next hop, reached through r1.
        "set protocols static route 10.0.12.0/30 next-hop '10.0.13.1'",
        "set protocols bgp system-as '65000'",
        "set protocols bgp parameters router-id '10.255.0.3'",
        ...neighbor('10.0.13.1'),
      ]),
    ]);
    for (const prefix of ['198.51.100.0/24', '203.0.113.0/24'])
      await until(`${prefix} in r3's kernel`, () =>
        routes(r3, prefix).find((r) => r.protocol === 'bgp' && r.gateway === '10.0.13.1'),
      );
    // Reflected: r2 originated it, r1 passed it on; r3 has no session with r2.
    const path = vtysh(r3, 'show bgp ipv4 unicast 198.51.100.0/24 json') as {
      paths: {
        originatorId?: string;
        clusterList?: { list: string[] };
        nexthops: { ip: string }[];
      }[];
    };
    expect(path.paths[0]).toMatchObject({
      originatorId: '10.255.0.2',
      clusterList: { list: ['10.255.0.1'] },
      nexthops: [expect.objectContaining({ ip: '10.0.12.2' })],
    });
    expect(Object.keys(peers(r3))).toEqual(['10.0.13.1']);
  });

  it('an import route-map committed on r3 changes what it installs, without a session reset', async () => {
    const before = sessionsUp(r3, '10.0.13.1');
    await commit(r3, [
      "set policy prefix-list NOT-TEST3 rule 10 action 'permit'",
      "set policy prefix-list NOT-TEST3 rule 10 prefix '203.0.113.0/24'",
      "set policy route-map IN rule 10 action 'deny'",
      "set policy route-map IN rule 10 match ip address prefix-list 'NOT-TEST3'",
      "set policy route-map IN rule 20 action 'permit'",
      "set protocols bgp neighbor 10.0.13.1 address-family ipv4-unicast route-map import 'IN'",
    ]);
    await until('203.0.113.0/24 gone from r3', () => routes(r3, '203.0.113.0/24').length === 0);
    expect(routes(r3, '198.51.100.0/24')).toHaveLength(1);
    await commit(r3, [
      'delete protocols bgp neighbor 10.0.13.1 address-family ipv4-unicast route-map',
    ]);
    await until('203.0.113.0/24 back in r3', () => routes(r3, '203.0.113.0/24').length === 1);
    expect(established(r3, '10.0.13.1')).toBe(true);
    expect(sessionsUp(r3, '10.0.13.1')).toBe(before);
  });

  it('commit confirmed of a change that cuts the session reverts, and the session comes back', async () => {
    // The fos binary with a short minute; it exits, and its watcher reverts at the deadline.
    const fos = (script: string): string =>
      execFileSync(process.execPath, ['bin/fos.js', ...r2.flags, '-c', script], {
        encoding: 'utf8',
        env: { ...process.env, FOS_TEST_MINUTE_MS: '3000' },
      });
    fos('configure\nset protocols bgp neighbor 10.0.12.1 shutdown\ncommit confirmed 1');
    await until('the session down', () => !established(r1, '10.0.12.2'), 10_000);
    await until('r3 losing the prefix', () => routes(r3, '198.51.100.0/24').length === 0, 10_000);
    // Nobody confirms: the revert runs, and the session returns.
    await until(
      'the revert',
      () => !fos('show configuration commands').includes('neighbor 10.0.12.1 shutdown'),
      20_000,
    );
    expect(fos('show system commit')).toMatch(/confirm/);
    await until('the session back', () => established(r1, '10.0.12.2'), 20_000);
    await until('r3 installing the prefix again', () => routes(r3, '198.51.100.0/24').length === 1);
  });
});
