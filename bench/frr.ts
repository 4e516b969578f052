/**
 * FRR bench: 10,000 static routes in staticd, against raw FRR tools doing
 * the same work: the first commit against `vtysh -f` of the same rendered
 * configuration; a one-route change against one transaction written
 * straight to staticd's vty socket (and `vtysh -c`); a commit that changes
 * nothing of FRR's part against one without FRR configured; a BGP neighbor
 * added to a 100-neighbor configuration (the whole commit); an eBGP session from the
 * second router's commit to its prefix in the first one's kernel, against the same work raw.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frrDown, frrRoundTrips, frrSpace, startDaemon, transaction } from '../src/apply/frr.js';
import { labDown, labUp } from '../src/apply/lab.js';
import { run } from '../src/apply/run.js';
import { DEFAULT_CONFIG } from '../src/commit/defaults.js';
import { Router } from '../src/commit/router.js';
import { editTree, loadSetForm, type ConfigNode } from '../src/config/index.js';
import { frrText, renderFrr } from '../src/render/frr.js';
import { schema } from '../src/schema/index.js';
import { Store } from '../src/store/store.js';
import { commit } from './commit.js';
import { machine, median, ms, record, table } from './record.js';

const ROUTES = 10_000;
/** One-route changes per round, FOS1's and the raw tools' in turn. */
const ONE_ROUTE_TURNS = 4;
const login = DEFAULT_CONFIG.split('\n').filter((l) => l.startsWith('set system login'));

function routes(n: number): string[] {
  const out: string[] = ["set interfaces ethernet eth1 address '192.0.2.1/24'"];
  for (let i = 0; i < n; i++)
    out.push(
      `set protocols static route 10.${Math.floor(i / 250)}.${i % 250}.0/24 next-hop '192.0.2.254'`,
    );
  return out;
}

function neighbors(n: number): string[] {
  const out = [
    "set interfaces ethernet eth1 address '192.0.2.1/24'",
    "set protocols bgp system-as '65001'",
  ];
  for (let i = 0; i < n; i++) {
    out.push(
      `set protocols bgp neighbor 198.51.${Math.floor(i / 200)}.${(i % 200) + 2} remote-as '${65100 + i}'`,
    );
    out.push(
      `set protocols bgp neighbor 198.51.${Math.floor(i / 200)}.${(i % 200) + 2} address-family ipv4-unicast`,
    );
  }
  return out;
}

/** One side of an eBGP session over eth9 (10.99.0.0/30); side 2 announces 172.31.2.0/24. */
function bgpPeer(n: 1 | 2): string[] {
  const peer = `10.99.0.${3 - n}`;
  return [
    `set interfaces ethernet eth9 address '10.99.0.${n}/30'`,
    ...(n === 2 ? ["set interfaces ethernet eth0 address '172.31.2.1/24'"] : []),
    `set protocols bgp system-as '6500${n}'`,
    `set protocols bgp parameters router-id '10.99.0.${n}'`,
    `set protocols bgp neighbor ${peer} remote-as '6500${3 - n}'`,
    `set protocols bgp neighbor ${peer} address-family ipv4-unicast`,
    ...(n === 2 ? ['set protocols bgp address-family ipv4-unicast redistribute connected'] : []),
  ];
}

/** Wait (at most 60 s) until a prefix is in a namespace's main table. */
async function routeIn(ns: string, prefix: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    const r = await run('ip', ['-n', ns, '-j', 'route', 'show', prefix]);
    if (r.code === 0 && r.stdout.trim() !== '[]' && r.stdout.trim() !== '') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`bench: ${prefix} never reached ${ns}'s routing table`);
}

const tree = (lines: string[]) => loadSetForm([...login, ...lines].join('\n'), schema).tree;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function withLab<T>(
  fn: (ns: string, state: string) => Promise<T>,
  ns = `fosfrrbench${process.pid}`,
): Promise<T> {
  await labUp(ns);
  const state = mkdtempSync(join(tmpdir(), 'fos-frr-bench-'));
  try {
    return await fn(ns, state);
  } finally {
    await frrDown(frrSpace({ netns: ns }));
    await labDown(ns);
    rmSync(state, { recursive: true, force: true });
  }
}

export async function runFrrBench(options: {
  rounds: number;
  record: boolean;
  quick: boolean;
}): Promise<void> {
  const n = options.quick ? 2_000 : ROUTES;
  const rows: Record<string, string>[] = [];
  const base = tree(routes(n));
  const staticText = frrText(renderFrr(base).staticd);

  // Raw: vtysh -f of the same rendered configuration into fresh daemons, with eth1 addressed
  // as FOS1's commit addresses it (so zebra installs the routes in both).
  const rawLoad: number[] = [];
  for (let r = 0; r < options.rounds; r++)
    await withLab(async (ns) => {
      const space = frrSpace({ netns: ns });
      await run('ip', ['-n', ns, 'address', 'add', '192.0.2.1/24', 'dev', 'eth1']);
      await run('ip', ['-n', ns, 'link', 'set', 'eth1', 'up']);
      await startDaemon(space, 'zebra');
      await startDaemon(space, 'staticd');
      const file = join(tmpdir(), `fos-frr-bench-${process.pid}.conf`);
      writeFileSync(file, staticText);
      rawLoad.push(await time(() => run('vtysh', ['-N', ns, '-f', file])));
      rmSync(file);
    });

  // FOS1: the first commit; then one-route changes, each edited from running as a session
  // edits its candidate, taking turns with the raw tools making the same kind of change to
  // the same daemons (staticd's cost grows with what it holds and what zebra installed).
  const first: number[] = [];
  const one: number[] = [];
  const rawOne: number[] = [];
  const rawOneVtysh: number[] = [];
  for (let r = 0; r < options.rounds; r++)
    await withLab(async (ns, state) => {
      const store = new Store(state);
      const router = new Router(store, { netns: ns }, schema);
      const space = frrSpace({ netns: ns });
      try {
        first.push(await time(() => commit(router, base)));
        for (let k = 0; k < ONE_ROUTE_TURNS; k++) {
          const added = editTree(router.running().tree, (e) =>
            e.ensure([
              'protocols',
              'static',
              'route',
              `172.16.${k}.0/24`,
              'next-hop',
              '192.0.2.254',
            ]),
          );
          one.push(await time(() => commit(router, added)));
          rawOne.push(
            await time(() =>
              transaction(space, 'staticd', [
                { text: `ip route 172.17.${k}.0/24 192.0.2.254`, path: [] },
              ]),
            ),
          );
          rawOneVtysh.push(
            await time(() =>
              run('vtysh', [
                '-N',
                ns,
                '-c',
                'configure terminal',
                '-c',
                `ip route 172.18.${k}.0/24 192.0.2.254`,
              ]),
            ),
          );
        }
      } finally {
        store.close();
      }
    });

  // A change outside FRR (an interface description), edited from running as a session
  // edits its candidate, with the routes and without FRR configured, taking turns.
  const outside: number[] = [];
  const outsideNoFrr: number[] = [];
  let outsideTrips = 0;
  await withLab(async (ns, state) =>
    withLab(async (ns2, state2) => {
      const withFrr = new Store(state);
      const withoutFrr = new Store(state2);
      const a = new Router(withFrr, { netns: ns }, schema);
      const b = new Router(withoutFrr, { netns: ns2 }, schema);
      try {
        await commit(a, base);
        await commit(b, tree(["set interfaces ethernet eth1 address '192.0.2.1/24'"]));
        const describe = (router: Router, k: number) =>
          editTree(router.running().tree, (e) =>
            e.setValue(['interfaces', 'ethernet', 'eth2', 'description'], `change ${k}`),
          );
        for (let k = 0; k < options.rounds * 10; k++) {
          const trips = frrRoundTrips();
          outside.push(await time(() => commit(a, describe(a, k))));
          outsideTrips += frrRoundTrips() - trips;
          outsideNoFrr.push(await time(() => commit(b, describe(b, k))));
        }
      } finally {
        withFrr.close();
        withoutFrr.close();
      }
    }, `${ns}b`),
  );

  // A BGP neighbor added to a 100-neighbor configuration, edited from running.
  const neighbor: number[] = [];
  for (let r = 0; r < options.rounds; r++)
    await withLab(async (ns, state) => {
      const store = new Store(state);
      const router = new Router(store, { netns: ns }, schema);
      try {
        await commit(router, tree(neighbors(100)));
        const added = editTree(router.running().tree, (e) => {
          e.setValue(['protocols', 'bgp', 'neighbor', '198.51.1.200', 'remote-as'], '65300');
          e.ensure([
            'protocols',
            'bgp',
            'neighbor',
            '198.51.1.200',
            'address-family',
            'ipv4-unicast',
          ]);
        });
        neighbor.push(await time(() => commit(router, added)));
      } finally {
        store.close();
      }
    });

  // BGP to Established and the peer's prefix in the kernel: the second router's commit to
  // the route in the first one's table, against the same rendered configuration loaded raw
  // (`vtysh -f`) into the same daemons. FRR's own timers set both.
  const bgpUp: number[] = [];
  const bgpUpRaw: number[] = [];
  for (let r = 0; r < options.rounds; r++)
    for (const raw of [false, true])
      await withLab(
        (nsA, stateA) =>
          withLab(async (nsB, stateB) => {
            await run('ip', [
              'link',
              'add',
              'eth9',
              'netns',
              nsA,
              'type',
              'veth',
              'peer',
              'name',
              'eth9',
              'netns',
              nsB,
            ]);
            const [a, b] = [tree(bgpPeer(1)), tree(bgpPeer(2))];
            const learned = () => routeIn(nsA, '172.31.2.0/24');
            if (!raw) {
              const storeA = new Store(stateA);
              const storeB = new Store(stateB);
              try {
                await commit(new Router(storeA, { netns: nsA }, schema), a);
                const routerB = new Router(storeB, { netns: nsB }, schema);
                bgpUp.push(await time(() => commit(routerB, b).then(learned)));
              } finally {
                storeA.close();
                storeB.close();
              }
              return;
            }
            // The same work as FOS1's commit of a side: its addresses, its daemons, their configuration.
            const bringUp = async (ns: string, side: ConfigNode, n: 1 | 2) => {
              await run('ip', ['-n', ns, 'address', 'add', `10.99.0.${n}/30`, 'dev', 'eth9']);
              await run('ip', ['-n', ns, 'link', 'set', 'eth9', 'up']);
              if (n === 2) {
                await run('ip', ['-n', ns, 'address', 'add', '172.31.2.1/24', 'dev', 'eth0']);
                await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
              }
              const space = frrSpace({ netns: ns });
              for (const d of ['zebra', 'staticd', 'bgpd'] as const) await startDaemon(space, d);
              const file = join(tmpdir(), `fos-frr-bench-bgp-${process.pid}-${ns}.conf`);
              const config = renderFrr(side);
              writeFileSync(file, frrText([...config.zebra, ...config.bgpd]));
              try {
                await run('vtysh', ['-N', ns, '-f', file]);
              } finally {
                rmSync(file);
              }
            };
            await bringUp(nsA, a, 1);
            bgpUpRaw.push(await time(() => bringUp(nsB, b, 2).then(learned)));
          }, `${nsA}b`),
        `fosfrrbgp${process.pid}`,
      );

  const m = (xs: number[]) => median(xs);
  rows.push(
    {
      measure: `first commit of ${n} static routes`,
      fos: ms(m(first)),
      raw: `${ms(m(rawLoad))} (vtysh -f)`,
      ratio: `${(m(first) / m(rawLoad)).toFixed(2)}x`,
      target: '1.2x',
    },
    {
      measure: 'one-route change on top',
      fos: ms(m(one)),
      raw: `${ms(m(rawOne))} (vty socket), ${ms(m(rawOneVtysh))} (vtysh -c)`,
      ratio: `${(m(one) / m(rawOne)).toFixed(2)}x (limit ${ms(1.2 * m(rawOne) + 50)})`,
      target: '1.2x + 50 ms',
    },
    {
      measure: 'a change outside FRR, with the routes',
      fos: ms(m(outside)),
      raw: `${ms(m(outsideNoFrr))} (the same without FRR configured)`,
      ratio: `+${ms(m(outside) - m(outsideNoFrr))}, ${outsideTrips} FRR round trips`,
      target: '< +10 ms',
    },
    {
      measure: 'eBGP: second router committed to Established and its prefix in the kernel',
      fos: ms(m(bgpUp)),
      raw: `${ms(m(bgpUpRaw))} (ip, daemons started, vtysh -f of the same rendering)`,
      ratio: `+${ms(m(bgpUp) - m(bgpUpRaw))}`,
      target: 'nothing measurable',
    },
    {
      measure: 'a BGP neighbor added to 100',
      fos: ms(m(neighbor)),
      raw: '',
      ratio: '',
      target: '< 300 ms',
    },
  );
  const text = `${machine()}, ${options.rounds} round(s), medians\n\n${table(rows)}`;
  console.log(text);
  if (options.record) record('frr', text);
}
