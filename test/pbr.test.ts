/**
 * Policy-based routing for real: a router (a lab namespace) with a LAN and
 * two upstreams (namespaces of their own), both holding 203.0.113.1. The
 * main table goes to upstream A; `policy route` sends one LAN source to table
 * 100, whose route goes to upstream B. Pings from each source are counted by
 * nft in the upstreams. FOS1's ip rules are found by their priority range, a
 * rule outside it is left alone, a failed commit puts them back, and deleting
 * the policy removes them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frrAvailable } from '../src/apply/frr.js';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { until as waitUntil } from './helpers/wait.js';

const sh = (...argv: string[]): string =>
  execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
const inNs = (ns: string, ...argv: string[]): string => sh('ip', 'netns', 'exec', ns, ...argv);

const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 15_000) =>
  waitUntil(what, probe, ms);

/** Echo requests an upstream saw from each LAN source (its own nft counters). */
function seen(ns: string): Record<string, number> {
  const out = JSON.parse(inNs(ns, 'nft', '-j', 'list', 'table', 'inet', 'count')) as {
    nftables: { rule?: { comment?: string; expr: { counter?: { packets: number } }[] } }[];
  };
  const counts: Record<string, number> = {};
  for (const item of out.nftables)
    if (item.rule?.comment)
      counts[item.rule.comment] = item.rule.expr.find((e) => e.counter)?.counter?.packets ?? 0;
  return counts;
}

describe.skipIf(!frrAvailable())('policy routing with real packets', () => {
  let lab: Lab;
  const tag = `fospbr${process.pid}`;
  const lan = `${tag}-lan`;
  const upA = `${tag}-a`;
  const upB = `${tag}-b`;

  const fos = (...lines: string[]) =>
    runFos([...lab.flags, '-c', ['configure', ...lines, 'commit'].join('\n')]);
  const show = (command: string) => runFos([...lab.flags, '-c', command]);
  const ping = (source: string): boolean =>
    spawnSync(
      'ip',
      [
        'netns',
        'exec',
        lan,
        'ping',
        '-c',
        '3',
        '-i',
        '0.2',
        '-W',
        '1',
        '-I',
        source,
        '203.0.113.1',
      ],
      { encoding: 'utf8' },
    ).status === 0;
  const ipRules = (): { priority: number; fwmark?: string; table: string }[] =>
    JSON.parse(lab.ip('-4', '-j', 'rule', 'list')) as {
      priority: number;
      fwmark?: string;
      table: string;
    }[];
  const ours = () => ipRules().filter((r) => r.priority >= 10000 && r.priority <= 10255);

  beforeAll(async () => {
    lab = await makeLab();
    for (const ns of [lan, upA, upB]) sh('ip', 'netns', 'add', ns);
    // The lab's wire ends 1-3 become the LAN host's and the upstreams' ports (wire0 marks the lab).
    for (const [i, ns] of [lan, upA, upB].entries())
      sh('ip', '-n', lab.wire, 'link', 'set', `wire${i + 1}`, 'netns', ns);
    const count = (srcs: string[]) =>
      [
        'table inet count {',
        '  chain input {',
        '    type filter hook input priority 0; policy accept;',
        ...srcs.map((s) => `    ip saddr ${s} icmp type echo-request counter comment "${s}"`),
        '  }',
        '}',
      ].join('\n');
    sh('ip', '-n', lan, 'link', 'set', 'lo', 'up');
    sh('ip', '-n', lan, 'link', 'set', 'wire1', 'up');
    sh('ip', '-n', lan, 'address', 'add', '10.1.0.2/24', 'dev', 'wire1');
    sh('ip', '-n', lan, 'address', 'add', '10.1.0.3/24', 'dev', 'wire1');
    sh('ip', '-n', lan, 'route', 'add', 'default', 'via', '10.1.0.1');
    for (const [ns, port, net] of [
      [upA, 'wire2', '10.11.0'],
      [upB, 'wire3', '10.12.0'],
    ] as const) {
      sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
      sh('ip', '-n', ns, 'link', 'set', port, 'up');
      sh('ip', '-n', ns, 'address', 'add', `${net}.2/24`, 'dev', port);
      sh('ip', '-n', ns, 'address', 'add', '203.0.113.1/32', 'dev', 'lo');
      sh('ip', '-n', ns, 'route', 'add', '10.1.0.0/24', 'via', `${net}.1`);
      execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
        input: count(['10.1.0.2', '10.1.0.3']),
      });
    }
    inNs(lab.netns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    // Someone else's rule, outside FOS1's range: never touched.
    lab.ip('rule', 'add', 'priority', '500', 'fwmark', '9', 'table', '9');
  });

  afterAll(async () => {
    for (const ns of [lan, upA, upB]) spawnSync('ip', ['netns', 'del', ns]);
    await lab?.down();
  });

  it('sends one source over table 100 and the other through main', async () => {
    const r = await fos(
      "set interfaces ethernet eth1 address '10.1.0.1/24'",
      "set interfaces ethernet eth2 address '10.11.0.1/24'",
      "set interfaces ethernet eth3 address '10.12.0.1/24'",
      "set protocols static route 203.0.113.0/24 next-hop '10.11.0.2'",
      "set protocols static table 100 route 203.0.113.0/24 next-hop '10.12.0.2'",
      'set policy route LAN interface eth1',
      "set policy route LAN rule 10 source address '10.1.0.3'",
      "set policy route LAN rule 10 set table '100'",
    );
    expect(r.code, r.err).toBe(0);
    expect(ours()).toEqual([
      { priority: 10100, src: 'all', fwmark: `0x${(0x7fffffff - 100).toString(16)}`, table: '100' },
    ]);
    await until('the table 100 route', () =>
      lab.ip('route', 'show', 'table', '100').includes('203.0.113.0/24') ? true : undefined,
    );
    await until('the main route', () =>
      lab.ip('route', 'show', '203.0.113.0/24').includes('10.11.0.2') ? true : undefined,
    );
    expect(ping('10.1.0.2')).toBe(true);
    expect(ping('10.1.0.3')).toBe(true);
    expect(seen(upA)).toEqual({ '10.1.0.2': 3, '10.1.0.3': 0 });
    expect(seen(upB)).toEqual({ '10.1.0.2': 0, '10.1.0.3': 3 });

    const shown = await show('show policy route');
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain('IPv4 Policy Route "LAN"');
    expect(shown.out).toContain('Active on: eth1');
    expect(shown.out).toMatch(/^10\s+set table 100\s+all\s+3\s+252\s+source address 10\.1\.0\.3$/m);
    const json = await show('show policy route LAN | display json');
    expect(JSON.parse(json.out)).toMatchObject([
      { name: 'LAN', rules: [{ rule: '10', packets: 3 }] },
    ]);
    expect((await show('show policy route NOPE')).err).toMatch(
      /policy route 'NOPE' is not configured/,
    );
  });

  it('puts the ip rules back when a commit fails after they changed', async () => {
    const before = ipRules();
    process.env['FOS_TEST_FAULT'] = 'pbr:apply';
    let r: Awaited<ReturnType<typeof fos>>;
    try {
      r = await fos(
        "set protocols static table 101 route 203.0.113.0/24 next-hop '10.12.0.2'",
        "set policy route LAN rule 10 set table '101'",
      );
    } finally {
      delete process.env['FOS_TEST_FAULT'];
    }
    expect(r.code).not.toBe(0);
    expect(r.err + r.out).toMatch(/Commit failed at 'apply' of the pbr backend/);
    expect(ipRules()).toEqual(before);
  });

  it('puts a rule removed behind its back again, and removes one added in its range', async () => {
    lab.ip('rule', 'del', 'priority', '10100');
    lab.ip('rule', 'add', 'priority', '10007', 'fwmark', '7', 'table', '7');
    const drift = await show('show system drift');
    expect(drift.out).toMatch(/ip -4 rule priority 10100 fwmark \d+ table 100 is missing/);
    expect(drift.out).toMatch(/ip -4 rule priority 10007 fwmark 7 table 7 is not configured/);
    // A commit without changes corrects drift.
    expect((await runFos([...lab.flags, '-c', 'configure\ncommit'])).code).toBe(0);
    expect(ours().map((r) => r.priority)).toEqual([10100]);
  });

  it('removes its rules and marks when the policy is deleted; other rules stay', async () => {
    const r = await runFos([...lab.flags, '-c', 'configure\ndelete policy route\ncommit']);
    expect(r.code, r.err).toBe(0);
    expect(ours()).toEqual([]);
    expect(ipRules().some((x) => x.priority === 500 && x.table === '9')).toBe(true);
    expect(
      spawnSync('ip', ['netns', 'exec', lab.netns, 'nft', 'list', 'table', 'inet', 'fos_pbr'])
        .status,
    ).not.toBe(0);
    expect(ping('10.1.0.3')).toBe(true);
    expect(seen(upA)['10.1.0.3']).toBe(3);
  });
});
