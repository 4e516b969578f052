/**
 * `firewall xdp` rate limits and program swaps through real commits (the
 * shell, the Router, the xdp backend, the loader), with real traffic: the
 * client namespace sends through the lab router's eth0 to the server. The
 * same behaviour as test/xdp.test.ts drives through src/apply/bpf.ts, here
 * reached the way an operator reaches it. Judged by the program's counters.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xdpDetachAll, xdpList, xdpStats, type XdpStats } from '../src/apply/bpf.js';
import { BPF_BUILD } from '../src/apply/xdp-loader.js';
import { XDP_LIMIT_RULE } from '../src/render/xdp.js';
import { runFos } from './helpers/io.js';
import {
  CLIENT4,
  flood,
  hold,
  makeTopology,
  probe,
  ROUTER_INTERFACES,
  SERVER4,
  startServer,
  type Topology,
} from './helpers/traffic.js';

let topo: Topology;
const stops: (() => void)[] = [];
/** A second source in the client namespace. */
const OTHER4 = '192.0.2.11';
const target = () => ({ netns: topo.lab.netns });

async function fos(script: string): Promise<{ code: number; out: string; err: string }> {
  return runFos([...topo.lab.flags, '-c', script]);
}

async function commit(lines: string[], verb = 'commit'): Promise<string> {
  const r = await fos(['configure', ...lines, verb].join('\n'));
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return r.out;
}

function rule(stats: XdpStats, n: number) {
  return (
    stats.rules.find((r) => r.rule === n) ?? {
      passedPackets: 0,
      droppedPackets: 0,
      passedBytes: 0,
      droppedBytes: 0,
    }
  );
}

const LIMIT = 'set firewall xdp interface eth0 rate-limit source protocol';

beforeAll(async () => {
  expect(existsSync(join(BPF_BUILD, 'fos-xdp'))).toBe(true);
  topo = await makeTopology();
  const r = spawnSync('ip', ['-n', topo.client, 'address', 'add', `${OTHER4}/24`, 'dev', 'wire0'], {
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  stops.push(await startServer(topo.server, ['tcp:80', 'udp:5000']));
  // A group for the program from the start: the limits are added to an attached program.
  await commit([
    ...ROUTER_INTERFACES,
    'set firewall group address-group BAD address 203.0.113.5',
    'set firewall xdp interface eth0 drop source group address-group BAD',
  ]);
}, 90_000);

afterAll(async () => {
  for (const stop of stops) stop();
  await xdpDetachAll(target()).catch(() => undefined);
  await topo.down();
});

describe('firewall xdp limits and swaps, committed', () => {
  let linkId = 0;
  let programId = 0;

  it('caps a flood from one source near `rate-limit source rate N burst M` while a second source passes', async () => {
    const [before] = await xdpList(target());
    linkId = before!.link!.id;
    programId = before!.program!.id;
    await commit([`${LIMIT} udp rate 200`, `${LIMIT} udp burst 20`]);
    // The limit is a settings change: the same link and program.
    const [limited] = await xdpList(target());
    expect(limited!.link!.id).toBe(linkId);
    expect(limited!.program!.id).toBe(programId);
    const [flooder, other] = await Promise.all([
      flood(topo.client, SERVER4, 5000, 2000, 1, CLIENT4),
      flood(topo.client, SERVER4, 5000, 100, 1, OTHER4),
    ]);
    expect(flooder.sent).toBeGreaterThan(1500);
    // At most 200/s for about a second plus a burst of 20 (half a second of slack for a
    // sender that stalled), and the second source's datagrams, which the same rule counts.
    const stats = await xdpStats(target(), 'eth0');
    const udp = rule(stats, XDP_LIMIT_RULE.udp);
    expect(stats.limits).toEqual([
      { protocol: 'udp', rate: 200, burst: 20, rule: XDP_LIMIT_RULE.udp },
    ]);
    expect(udp.passedPackets).toBeLessThan(200 * 1.5 + 20 + other.sent);
    expect(udp.droppedPackets).toBeGreaterThan(300);
    expect(flooder.received).toBeLessThanOrEqual(udp.passedPackets + other.sent);
    expect(stats.topSources[0]).toMatchObject({ source: CLIENT4 });
    // The second source stays under its own bucket: none of its datagrams is dropped.
    expect(stats.topSources.find((s) => s.source === OTHER4)?.dropped ?? 0).toBe(0);
    expect(other.received).toBeGreaterThan(0);
    await commit(['delete firewall xdp interface eth0 rate-limit source protocol udp']);
    expect((await xdpStats(target(), 'eth0')).limits).toEqual([]);
  });

  it('limits new TCP connections only (tcp-syn), leaving an established connection untouched', async () => {
    const connection = await hold(topo.client, SERVER4, 80);
    try {
      await commit([`${LIMIT} tcp-syn rate 1`, `${LIMIT} tcp-syn burst 1`]);
      for (let i = 0; i < 100; i++) expect(await connection.echo(`line ${i}`)).toBe(`line ${i}`);
      // Four new connections at once: one SYN a second goes through, the others are dropped.
      const results = await Promise.all(
        [0, 1, 2, 3].map(() => probe(topo.client, 'tcp', SERVER4, 80, 300)),
      );
      expect(results.filter((r) => r.result === 'timeout').length).toBeGreaterThanOrEqual(2);
      expect(await connection.echo('still here')).toBe('still here');
    } finally {
      connection.close();
    }
    const stats = await xdpStats(target(), 'eth0');
    expect(rule(stats, XDP_LIMIT_RULE['tcp-syn']).droppedPackets).toBeGreaterThanOrEqual(2);
    // What was dropped were the client's new connections (SYNs), counted under its source.
    expect(stats.topSources.find((s) => s.source === CLIENT4)?.['tcp-syn']).toBeGreaterThan(0);
    await commit(['delete firewall xdp interface eth0 rate-limit source protocol tcp-syn']);
  });

  it('changes settings in place and swaps fresh maps in atomically under constant traffic, dropping nothing allowed', async () => {
    // A limit far above the traffic: it meets no packet's limit, but its settings change.
    await commit([`${LIMIT} udp rate 100000`, `${LIMIT} udp burst 100000`]);
    const before = (await xdpList(target()))[0]!;
    // An exclude list larger than the program's exclude maps hold: fresh maps, filled, then
    // swapped in for the old program with one link update.
    const size = before.maps.exclude4!.capacity + 100;
    const members = Array.from(
      { length: size },
      (_, i) => `set firewall group address-group MGMT address 10.1.${i >> 8}.${i & 255}`,
    );
    const grow = [
      ...members,
      'set firewall xdp interface eth0 exclude source group address-group MGMT',
    ];
    const checked = await commit(grow, 'commit check');
    expect(checked.includes('xdp eth0: load with fresh maps (its maps grow)')).toBe(true);
    const countersBefore = (await xdpStats(target(), 'eth0')).total;
    const seconds = 12;
    const started = Date.now();
    const traffic = flood(topo.client, SERVER4, 5000, 1000, seconds, CLIENT4);
    await new Promise((r) => setTimeout(r, 300));
    // 1. New settings: a map update, the same program.
    await commit([`${LIMIT} udp rate 50000`, `${LIMIT} udp burst 60000`]);
    const settled = (await xdpList(target()))[0]!;
    expect(settled.program!.id).toBe(before.program!.id);
    // 2. The maps grow.
    await commit(grow);
    // Both commits ended while the traffic still ran.
    expect(Date.now() - started).toBeLessThan(seconds * 1000);
    const result = await traffic;
    const after = (await xdpList(target()))[0]!;
    expect(after.link!.id).toBe(before.link!.id);
    expect(after.program!.id).not.toBe(before.program!.id);
    expect(after.maps.exclude4!.elements).toBe(size);
    expect(after.maps.exclude4!.capacity).toBeGreaterThan(before.maps.exclude4!.capacity);
    expect(after.consistent).toBe(true);
    // The filter dropped none of it. (What arrives is not compared with what was sent: on a
    // loaded machine a socket buffer may drop datagrams, before or after XDP.)
    const countersAfter = (await xdpStats(target(), 'eth0')).total;
    expect(result.sent).toBeGreaterThan(6000);
    expect(result.received).toBeGreaterThan(0);
    expect(countersAfter.droppedPackets).toBe(countersBefore.droppedPackets);
    expect(countersAfter.passedPackets - countersBefore.passedPackets).toBeGreaterThanOrEqual(
      result.received,
    );
    expect((await xdpStats(target(), 'eth0')).limits).toEqual([
      { protocol: 'udp', rate: 50000, burst: 60000, rule: XDP_LIMIT_RULE.udp },
    ]);
  });
});
