/**
 * Real FRR daemons in two lab namespaces, each its own pathspace and state
 * directory, wired by a veth pair: static routes reach the kernel through
 * zebra, a BGP session comes up and routes are exchanged, a configuration FRR
 * refuses changes nothing, and `fos lab down` stops the daemons and removes
 * their files.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyFrr,
  askDaemon,
  checkFrr,
  compareFrr,
  daemonPid,
  frrAvailable,
  FrrError,
  frrSpace,
  lastApplied,
  observeFrr,
  restoreFrr,
  runningDaemons,
  type FrrSpace,
} from '../src/apply/frr.js';
import { labDown } from '../src/apply/lab.js';
import type { AnyBackend } from '../src/backends/contract.js';
import { BACKENDS } from '../src/backends/registry.js';
import { DEFAULT_CONFIG } from '../src/commit/defaults.js';
import { describeOutcome } from '../src/commit/outcome.js';
import { Router } from '../src/commit/router.js';
import { loadSetForm, type ConfigNode } from '../src/config/index.js';
import { renderFrr, type FrrConfig } from '../src/render/frr.js';
import { schema } from '../src/schema/index.js';
import { Store } from '../src/store/store.js';
import { withDefaults } from '../src/verify/index.js';
import { runFos } from './helpers/io.js';
import { makeLab, wireLabs, type Lab } from './helpers/lab.js';
import { until } from './helpers/wait.js';

/** The default login: a configuration nobody can log in to is refused. */
const LOGIN = DEFAULT_CONFIG.split('\n').filter((l) => l.startsWith('set system login'));

const render = (text: string): FrrConfig => {
  const { tree, report } = loadSetForm(text, schema);
  expect(report.invalid).toEqual([]);
  return renderFrr(withDefaults(tree, schema));
};

function routes(
  lab: Lab,
  ...args: string[]
): { dst: string; protocol?: string; nexthops?: unknown[]; gateway?: string }[] {
  return JSON.parse(lab.ip('-j', 'route', 'show', ...args)) as {
    dst: string;
    protocol?: string;
  }[];
}

describe.skipIf(!frrAvailable())('FRR in lab namespaces', () => {
  let a: Lab;
  let b: Lab;
  let fa: FrrSpace;
  let fb: FrrSpace;

  beforeAll(async () => {
    a = await makeLab();
    b = await makeLab();
    fa = frrSpace({ netns: a.netns }, a.state);
    fb = frrSpace({ netns: b.netns }, b.state);
    // A wire between the two routers, outside the stand-in ports.
    wireLabs(a, 'ab0', b, 'ab0');
    a.ip('address', 'add', '10.0.0.1/30', 'dev', 'ab0');
    b.ip('address', 'add', '10.0.0.2/30', 'dev', 'ab0');
    a.ip('link', 'set', 'ab0', 'up');
    b.ip('link', 'set', 'ab0', 'up');
    a.ip('address', 'add', '192.0.2.1/24', 'dev', 'eth1');
    a.ip('address', 'add', '198.51.100.1/24', 'dev', 'eth2');
  });

  afterAll(async () => {
    await a?.down();
    await b?.down();
  });

  it('runs zebra and staticd in its own pathspace, and puts static routes in the kernel', async () => {
    const config = render(
      [
        "set protocols static route 203.0.113.0/24 next-hop '192.0.2.254'",
        "set protocols static route 203.0.113.0/24 next-hop '198.51.100.254'",
        'set protocols static route 198.18.0.0/15 blackhole',
        "set protocols static table 10 route 0.0.0.0/0 next-hop '192.0.2.253'",
      ].join('\n'),
    );
    expect(await checkFrr(lastApplied(fa), config)).toEqual([]);
    const applied = await applyFrr(fa, lastApplied(fa), config);
    expect(applied.started).toEqual(['zebra', 'staticd']);
    expect([...runningDaemons(fa).keys()]).toEqual(['zebra', 'staticd']);
    // Its own pathspace: sockets under /var/run/frr/NS, nothing in /etc/frr.
    expect(existsSync(join('/var/run/frr', a.netns, 'staticd.vty'))).toBe(true);
    expect(existsSync(join('/etc/frr', a.netns))).toBe(false);
    const ecmp = await until('the ECMP route', () =>
      routes(a, '203.0.113.0/24').find((r) => (r.nexthops?.length ?? 0) === 2),
    );
    expect(ecmp.dst).toBe('203.0.113.0/24');
    await until('the blackhole route', () =>
      JSON.parse(a.ip('-j', 'route', 'show', 'type', 'blackhole')).find(
        (r: { dst: string }) => r.dst === '198.18.0.0/15',
      ),
    );
    await until('the table 10 route', () =>
      routes(a, 'table', '10').find((r) => r.dst === 'default' && r.gateway === '192.0.2.253'),
    );
    expect(compareFrr(config, await observeFrr(fa))).toEqual([]);
  });

  it('brings up eBGP between the two namespaces and exchanges routes', async () => {
    const ca = render(
      [
        'set protocols static route 198.51.100.0/24 blackhole',
        "set protocols bgp system-as '65001'",
        "set protocols bgp parameters router-id '10.0.0.1'",
        "set protocols bgp neighbor 10.0.0.2 remote-as '65002'",
        "set protocols bgp neighbor 10.0.0.2 timers keepalive '1'",
        "set protocols bgp neighbor 10.0.0.2 timers holdtime '3'",
        'set protocols bgp neighbor 10.0.0.2 address-family ipv4-unicast',
        'set protocols bgp address-family ipv4-unicast network 198.51.100.0/24',
        "set protocols bgp neighbor 10.0.0.2 password 'S3cret!x'",
      ].join('\n'),
    );
    const cb = render(
      [
        "set protocols bgp system-as '65002'",
        "set protocols bgp parameters router-id '10.0.0.2'",
        "set protocols bgp neighbor 10.0.0.1 remote-as 'external'",
        "set protocols bgp neighbor 10.0.0.1 timers keepalive '1'",
        "set protocols bgp neighbor 10.0.0.1 timers holdtime '3'",
        'set protocols bgp neighbor 10.0.0.1 address-family ipv4-unicast',
        "set protocols bgp neighbor 10.0.0.1 password 'S3cret!x'",
      ].join('\n'),
    );
    // A's static routes of the first test go: the delta removes them.
    await applyFrr(fa, lastApplied(fa), ca);
    await applyFrr(fb, lastApplied(fb), cb);
    expect(daemonPid(fa, 'bgpd')).toBeDefined();
    expect(routes(a, '203.0.113.0/24')).toEqual([]);
    const learned = await until('198.51.100.0/24 from BGP in B', () =>
      routes(b, '198.51.100.0/24').find((r) => r.protocol === 'bgp'),
    );
    expect(learned.gateway).toBe('10.0.0.1');
    expect(compareFrr(cb, await observeFrr(fb))).toEqual([]);
    // The password reached FRR, and is kept 0600 in the state directory.
    expect(
      execFileSync('stat', ['-c', '%a', join(fa.configDir!, 'bgpd.conf')], {
        encoding: 'utf8',
      }).trim(),
    ).toBe('600');
  });

  it('changes nothing when FRR refuses the configuration', async () => {
    const before = await observeFrr(fa);
    const good = lastApplied(fa);
    const bad: FrrConfig = {
      ...good,
      staticd: [
        ...good.staticd,
        { text: 'ip route 300.0.0.0/8 blackhole', path: ['protocols', 'static', 'route', 'X'] },
      ],
    };
    const problems = await checkFrr(good, bad);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      daemon: 'staticd',
      path: ['protocols', 'static', 'route', 'X'],
      line: 'ip route 300.0.0.0/8 blackhole',
    });
    // Applied anyway, FRR refuses the line; the restore puts everything back.
    const alsoGood = render(
      [
        'set protocols static route 198.51.100.0/24 blackhole',
        'set protocols static route 100.64.0.0/10 blackhole',
        "set protocols bgp system-as '65001'",
        "set protocols bgp neighbor 10.0.0.2 remote-as '65009'",
      ].join('\n'),
    );
    const attempted: FrrConfig = {
      ...alsoGood,
      staticd: [...alsoGood.staticd, ...bad.staticd.slice(-1)],
    };
    const error = await applyFrr(fa, good, attempted).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrrError);
    expect((error as FrrError).message).toContain('[protocols static route X]');
    expect(await restoreFrr(fa, good, attempted)).toEqual([]);
    expect(await observeFrr(fa)).toEqual(before);
    expect(routes(a, '100.64.0.0/10')).toEqual([]);
    await until('the session back', () =>
      routes(b, '198.51.100.0/24').find((r) => r.protocol === 'bgp'),
    );
  });

  it('fos lab down stops the daemons by their PIDs and removes their files', async () => {
    const pids = [...runningDaemons(fb).values()];
    expect(pids.length).toBeGreaterThanOrEqual(3);
    expect(existsSync(join(fb.configDir!, 'applied.json'))).toBe(true);
    const said = await labDown(b.netns);
    expect(said.join('\n')).toContain('FRR daemons stopped: ');
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(existsSync(fb.runDir)).toBe(false);
    // FOS1's record goes; the state directory itself is the store's, and stays.
    expect(existsSync(fb.configDir!)).toBe(false);
    expect(existsSync(b.state)).toBe(true);
  });
});

describe.skipIf(!frrAvailable())('FRR through a commit', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await makeLab();
  });
  afterAll(async () => lab?.down());

  const fos = (...lines: string[]) =>
    runFos([...lab.flags, '-c', ['configure', ...lines, 'commit'].join('\n')]);

  it('commits static routes into the kernel, and shows the plan', async () => {
    const r = await fos(
      "set interfaces ethernet eth1 address '192.0.2.1/24'",
      "set protocols static route 203.0.113.0/24 next-hop '192.0.2.254'",
    );
    expect(r.code, r.err).toBe(0);
    await until('the route', () =>
      routes(lab, '203.0.113.0/24').find((x) => x.gateway === '192.0.2.254'),
    );
    const space = frrSpace({ netns: lab.netns });
    expect([...runningDaemons(space).keys()]).toEqual(['zebra', 'staticd']);
    // A commit of something else makes no FRR round trip and keeps the daemons.
    const pids = [...runningDaemons(space).values()];
    expect((await fos("set interfaces ethernet eth2 description 'x'")).code).toBe(0);
    expect([...runningDaemons(space).values()]).toEqual(pids);
  });

  it('turns a refusal of FRR into a commit error naming the config path, and changes nothing', async () => {
    const space = frrSpace({ netns: lab.netns });
    const before = await observeFrr(space);
    // ospfd refuses an interface area while `network ... area` statements exist.
    const r = await fos(
      "set interfaces ethernet eth3 address '198.51.100.1/24'",
      "set protocols ospf area 0 network '10.99.0.0/24'",
      "set protocols ospf interface eth3 area '0'",
    );
    expect(r.code).not.toBe(0);
    expect(r.err + r.out).toMatch(/\[protocols ospf (interface eth3 area|area 0 network)\]/);
    expect(await observeFrr(space)).toEqual(before);
    expect(daemonPid(space, 'ospfd')).toBeUndefined();
  });

  it('fails a commit at check when FRR refuses a line of its delta, touching no daemon', async () => {
    const space = frrSpace({ netns: lab.netns });
    const rib = async (): Promise<string[]> =>
      Object.keys(JSON.parse((await askDaemon(space, 'zebra', ['show ip route json']))[0]!)).sort();
    // The frr backend as it is, but a new route also renders a line FRR's parser refuses:
    // the real check, daemons and restore see a delta with a good line and a refused one.
    const refused = {
      text: 'ip route 198.18.0.0/15 frobnicate now',
      path: ['protocols', 'static', 'route', '198.18.0.0/15'],
    };
    const backends = BACKENDS.map((b) =>
      b.name !== 'frr'
        ? b
        : ({
            ...b,
            render(config: ConfigNode) {
              const r = b.render(config) as FrrConfig;
              const adds = r.staticd.some(
                (l) => 'text' in l && l.text.startsWith('ip route 198.18.'),
              );
              return adds ? { ...r, staticd: [...r.staticd, refused] } : r;
            },
          } as AnyBackend),
    );
    const store = new Store(lab.state);
    try {
      const router = new Router(store, { netns: lab.netns }, schema, backends);
      const commit = (...lines: string[]) => {
        const running = router.running();
        return router.commit({
          candidate: loadSetForm([...LOGIN, ...lines].join('\n'), schema, running.tree).tree,
          baseId: running.id,
          baseTree: running.tree,
          user: 't',
          origin: 'cli',
          session: 't',
        });
      };
      // Routes in FRR and the kernel already (the first test of this block commits the same).
      const base = await commit(
        "set interfaces ethernet eth1 address '192.0.2.1/24'",
        "set protocols static route 203.0.113.0/24 next-hop '192.0.2.254'",
      );
      expect(base.kind).toMatch(/^(committed|no-changes)$/);
      const running = router.running();
      const before = { frr: await observeFrr(space), rib: await rib(), kernel: routes(lab) };
      expect(before.rib).toContain('203.0.113.0/24');
      expect(routes(lab, '203.0.113.0/24')).toHaveLength(1);
      const outcome = await commit(
        "set protocols static route 198.18.0.0/15 next-hop '192.0.2.254'",
      );
      expect(outcome.kind).toBe('check-failed');
      expect(describeOutcome(outcome).join('\n')).toContain(
        "[protocols static route 198.18.0.0/15] FRR (staticd) refuses 'ip route 198.18.0.0/15 frobnicate now': Unknown command",
      );
      // Nothing reached FRR: not the good line either (staticd, zebra's RIB, the kernel), and running stays.
      expect(router.running().id).toBe(running.id);
      expect(await observeFrr(space)).toEqual(before.frr);
      expect(await rib()).toEqual(before.rib);
      expect(routes(lab)).toEqual(before.kernel);
      expect(routes(lab, '198.18.0.0/15')).toEqual([]);
    } finally {
      store.close();
    }
  });
});
