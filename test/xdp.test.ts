/**
 * The XDP data plane with real packets: the client namespace sends through
 * the lab router, whose eth0 carries FOS1's XDP program, to the server
 * namespace. Drops, limits, swaps and detaching, driven through
 * src/apply/bpf.ts and its loader.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deltaLines,
  xdpAttach,
  xdpCheck,
  xdpClearCounters,
  xdpDetach,
  xdpDetachAll,
  xdpList,
  xdpPinDirectory,
  xdpStats,
  xdpSwap,
  xdpUpdate,
  XdpError,
  type XdpContents,
  type XdpStats,
} from '../src/apply/bpf.js';
import { askLoader, BPF_BUILD } from '../src/apply/xdp-loader.js';
import { runFos } from './helpers/io.js';
import {
  CLIENT4,
  CLIENT6,
  flood,
  hold,
  makeTopology,
  probe,
  ROUTER_INTERFACES,
  SERVER4,
  SERVER6,
  startServer,
  type Topology,
} from './helpers/traffic.js';

let topo: Topology;
const stops: (() => void)[] = [];
/** A second source in the client namespace. */
const OTHER4 = '192.0.2.11';
const EMPTY: XdpContents = { enabled: true, block: [], exclude: [], limits: [] };

const target = () => ({ netns: topo.lab.netns });
const pins = () => xdpPinDirectory(target());

function sh(args: string[]): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
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

/** Packets the router's netdev ingress hook counted from the client (after XDP, before IP). */
function ingressCounted(): number {
  const out = sh([
    'ip',
    'netns',
    'exec',
    topo.lab.netns,
    'nft',
    '-j',
    'list',
    'table',
    'netdev',
    'xdptest',
  ]);
  const items = (JSON.parse(out) as { nftables: Record<string, { expr?: unknown[] }>[] }).nftables;
  let packets = 0;
  for (const item of items)
    for (const e of item['rule']?.expr ?? [])
      packets += (e as { counter?: { packets: number } }).counter?.packets ?? 0;
  return packets;
}

beforeAll(async () => {
  topo = await makeTopology();
  const r = await runFos([
    ...topo.lab.flags,
    '-c',
    ['configure', ...ROUTER_INTERFACES, 'commit'].join('\n'),
  ]);
  expect(r.code).toBe(0);
  sh(['ip', '-n', topo.client, 'address', 'add', `${OTHER4}/24`, 'dev', 'wire0']);
  stops.push(await startServer(topo.server, ['tcp:80', 'udp:5000']));
}, 60_000);

afterAll(async () => {
  for (const stop of stops) stop();
  await xdpDetachAll(target()).catch(() => undefined);
  await topo.down();
});

describe('the XDP data plane', () => {
  let linkId = 0;

  it('attaches one program per interface and pins it under the namespace', async () => {
    const load = await xdpAttach(target(), 'eth0', EMPTY);
    expect(load.attach).toBe('created');
    expect(load.attached).toBe(true);
    expect(load.consistent).toBe(true);
    // veth has native XDP; a driver without it gets generic, and the load says why.
    expect(['native', 'generic']).toContain(load.mode);
    if (load.mode === 'generic') expect(load.nativeError).toBeTruthy();
    linkId = load.link!.id;
    for (const pin of ['link', 'settings', 'counters', 'block4', 'blocknet6', 'sources'])
      expect(existsSync(join(pins(), 'eth0', pin))).toBe(true);
    const link = sh(['ip', '-n', topo.lab.netns, '-d', 'link', 'show', 'eth0']);
    expect(link).toMatch(/prog\/xdp id \d+/);
    expect((await probe(topo.client, 'tcp', SERVER4, 80)).result).toBe('connected');
  });

  it('drops a blocked source before the stack: TCP and UDP, IPv4 and IPv6', async () => {
    await xdpUpdate(target(), 'eth0', {
      block: [
        { prefix: CLIENT4, rule: 1 },
        { prefix: CLIENT6, rule: 1 },
      ],
    });
    // Counters at the router's ingress hook: anything XDP lets through is counted here.
    sh([
      'ip',
      'netns',
      'exec',
      topo.lab.netns,
      'nft',
      `add table netdev xdptest
       add chain netdev xdptest in { type filter hook ingress device eth0 priority 0; }
       add rule netdev xdptest in ip saddr ${CLIENT4} counter
       add rule netdev xdptest in ip6 saddr ${CLIENT6} counter`,
    ]);
    for (const server of [SERVER4, SERVER6]) {
      expect((await probe(topo.client, 'tcp', server, 80, 500)).result).toBe('timeout');
      expect((await probe(topo.client, 'udp', server, 5000, 500)).result).toBe('timeout');
    }
    const stats = await xdpStats(target(), 'eth0');
    // At least one SYN and one datagram per family.
    expect(rule(stats, 1).droppedPackets).toBeGreaterThanOrEqual(4);
    expect(rule(stats, 1).droppedBytes).toBeGreaterThan(0);
    expect(ingressCounted()).toBe(0);
  });

  it('lets the source through again when it is removed, without re-attaching', async () => {
    const before = (await xdpList(target()))[0]!;
    await xdpUpdate(target(), 'eth0', { unblock: [CLIENT4, CLIENT6] });
    for (const server of [SERVER4, SERVER6]) {
      expect((await probe(topo.client, 'tcp', server, 80)).result).toBe('connected');
      expect((await probe(topo.client, 'udp', server, 5000)).result).toBe('reply');
    }
    // The ingress counters count what passes now: they could have counted before.
    expect(ingressCounted()).toBeGreaterThan(0);
    const after = (await xdpList(target()))[0]!;
    expect(after.link!.id).toBe(linkId);
    expect(after.program!.id).toBe(before.program!.id);
    expect(after.maps.block4!.elements).toBe(0);
    sh(['ip', 'netns', 'exec', topo.lab.netns, 'nft', 'delete table netdev xdptest']);
  });

  it('blocks prefixes through the LPM tries', async () => {
    await xdpUpdate(target(), 'eth0', {
      block: [
        { prefix: '192.0.2.8/29', rule: 2 },
        { prefix: '2001:db8:1::/64', rule: 2 },
      ],
    });
    expect((await probe(topo.client, 'udp', SERVER4, 5000, 500)).result).toBe('timeout');
    expect((await probe(topo.client, 'udp', SERVER6, 5000, 500)).result).toBe('timeout');
    const stats = await xdpStats(target(), 'eth0');
    expect(rule(stats, 2).droppedPackets).toBeGreaterThanOrEqual(2);
    expect(stats.maps.blocknet4!.elements).toBe(1);
    expect(stats.maps.blocknet6!.elements).toBe(1);
    await xdpUpdate(target(), 'eth0', { unblock: ['192.0.2.8/29', '2001:db8:1::/64'] });
    expect((await probe(topo.client, 'udp', SERVER4, 5000)).result).toBe('reply');
  });

  it('caps a flood from one source near its limit while another source passes', async () => {
    await xdpUpdate(target(), 'eth0', {
      limits: [{ protocol: 'udp', rate: 200, burst: 20, rule: 3 }],
    });
    const [flooder, other] = await Promise.all([
      flood(topo.client, SERVER4, 5000, 2000, 1, CLIENT4),
      flood(topo.client, SERVER4, 5000, 100, 1, OTHER4),
    ]);
    expect(flooder.sent).toBeGreaterThan(1500);
    // Judged by what the program counted, not by what came back: on a loaded machine sockets
    // and backlogs lose datagrams on their own. The bucket lets through at most 200/s for about
    // a second plus a burst of 20, whatever arrives; everything beyond is dropped by rule 3.
    // Rule 3 counts what it let through of both sources: the second one's 100 as well, and
    // half a second of slack for a sender that stalled.
    const stats = await xdpStats(target(), 'eth0');
    const limited = rule(stats, 3);
    expect(limited.passedPackets).toBeLessThan(200 * 1.5 + 20 + other.sent);
    expect(limited.droppedPackets).toBeGreaterThan(300);
    expect(flooder.received).toBeLessThanOrEqual(limited.passedPackets + other.sent);
    expect(stats.topSources[0]).toMatchObject({ source: CLIENT4 });
    expect(stats.topSources[0]!.udp).toBeGreaterThan(300);
    // The second source stays under its own bucket: none of its datagrams is dropped.
    expect(stats.topSources.find((s) => s.source === OTHER4)?.dropped ?? 0).toBe(0);
    expect(other.received).toBeGreaterThan(0);
    expect(stats.limits).toEqual([{ protocol: 'udp', rate: 200, burst: 20, rule: 3 }]);
  });

  it('never limits a source in the exclude list', async () => {
    await xdpUpdate(target(), 'eth0', { exclude: [{ prefix: '192.0.2.0/28', rule: 4 }] });
    const droppedBefore = rule(await xdpStats(target(), 'eth0'), 3).droppedPackets;
    const flooded = await flood(topo.client, SERVER4, 5000, 2000, 1, CLIENT4);
    const stats = await xdpStats(target(), 'eth0');
    // Rule 3 would have dropped most of this flood; the exclude rule let all of it pass.
    expect(rule(stats, 3).droppedPackets).toBe(droppedBefore);
    expect(rule(stats, 4).passedPackets).toBeGreaterThan(300);
    expect(flooded.received).toBeGreaterThan(0);
    await xdpUpdate(target(), 'eth0', { unexclude: ['192.0.2.0/28'], unlimit: ['udp'] });
  });

  it('limits new TCP connections only, leaving an established connection untouched', async () => {
    const connection = await hold(topo.client, SERVER4, 80);
    await xdpUpdate(target(), 'eth0', {
      limits: [{ protocol: 'tcp-syn', rate: 1, burst: 1, rule: 5 }],
    });
    try {
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
    expect(rule(await xdpStats(target(), 'eth0'), 5).droppedPackets).toBeGreaterThanOrEqual(2);
    await xdpUpdate(target(), 'eth0', { unlimit: ['tcp-syn'] });
  });

  it('swaps the program under constant traffic without dropping what policy allows', async () => {
    await xdpUpdate(target(), 'eth0', { block: [{ prefix: '203.0.113.0/24', rule: 6 }] });
    const before = (await xdpList(target()))[0]!;
    const countersBefore = (await xdpStats(target(), 'eth0')).total;
    const traffic = flood(topo.client, SERVER4, 5000, 2000, 2, CLIENT4);
    const programs = new Set<number>();
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 250));
      programs.add((await xdpSwap(target(), 'eth0')).program!.id);
    }
    // A fresh load swapped in too: new maps (a bigger blocklist) filled before the swap.
    const fresh = await xdpAttach(
      target(),
      'eth0',
      { ...EMPTY, block: [{ prefix: '203.0.113.0/24', rule: 6 }] },
      { capacity: { hosts: 131072 } },
    );
    expect(fresh.attach).toBe('updated');
    expect(fresh.maps.block4!.capacity).toBe(131072);
    const result = await traffic;
    // The filter dropped none of it. (What arrives is not compared with what was sent: on a
    // loaded machine a socket buffer or the backlog may drop datagrams, before or after XDP.)
    const countersAfter = (await xdpStats(target(), 'eth0')).total;
    expect(countersAfter.droppedPackets).toBe(countersBefore.droppedPackets);
    expect(result.received).toBeGreaterThan(0);
    expect(countersAfter.passedPackets - countersBefore.passedPackets).toBeGreaterThanOrEqual(
      result.received,
    );
    const after = (await xdpList(target()))[0]!;
    expect(after.link!.id).toBe(linkId);
    expect(programs.size).toBe(4);
    expect(programs.has(before.program!.id)).toBe(false);
    expect(after.consistent).toBe(true);
    // The counters map is kept by a fresh load of the same shape.
    expect(after.maps.counters!.id).toBe(before.maps.counters!.id);
    expect(after.maps.blocknet4!.elements).toBe(1);
  });

  it('reports a verifier rejection with the verifier’s words and changes nothing', async () => {
    const before = (await xdpList(target()))[0]!;
    const refused = await xdpSwap(target(), 'eth0', {
      object: join(BPF_BUILD, 'test_reject.bpf.o'),
      delta: { block: [{ prefix: CLIENT4, rule: 1 }] },
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(XdpError);
    const error = refused as XdpError;
    expect(error.code).toBe('verifier');
    expect(error.message).toMatch(/verifier rejected fos_xdp: .*outside of the packet/);
    expect(error.verifier).toMatch(/invalid access to packet/);
    // A commit's check sees the same verdict, and touches nothing either.
    await expect(xdpCheck(target(), join(BPF_BUILD, 'test_reject.bpf.o'))).rejects.toMatchObject({
      code: 'verifier',
    });
    expect(await xdpCheck(target())).toBe(before.object);
    const after = (await xdpList(target()))[0]!;
    expect(after.program!.id).toBe(before.program!.id);
    expect(after.maps.block4!.elements).toBe(0);
    expect((await probe(topo.client, 'tcp', SERVER4, 80)).result).toBe('connected');
  });

  it('refuses bad change lines, naming the line, and changes nothing', async () => {
    const host = await askLoader(
      target(),
      ['update', 'eth0'],
      ['block 10.0.0.0/30 1', 'block 10.0.0.1/8 1'],
    );
    expect(host).toMatchObject({ ok: false, code: 'input' });
    expect(host.error).toBe('line 2: 10.0.0.1/8 has host bits set');
    const twice = await askLoader(
      target(),
      ['update', 'eth0'],
      ['block 10.0.0.1 1', 'unblock 10.0.0.1/32'],
    );
    expect(twice.error).toBe('line 2: 10.0.0.1 is already on line 1');
    await expect(
      xdpUpdate(target(), 'eth0', { block: [{ prefix: '10.0.0.1\nenable', rule: 1 }] }),
    ).rejects.toThrow(/is not an address or prefix/);
    const state = (await xdpList(target()))[0]!;
    expect(state.maps.blocknet4!.elements).toBe(1);
    expect(state.maps.block4!.elements).toBe(0);
  });

  it('keeps a change all or nothing when a map fills up', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({ prefix: `10.9.0.${i}`, rule: 7 }));
    await xdpAttach(target(), 'eth2', { ...EMPTY, block: ten }, { capacity: { hosts: 16 } });
    const more = Array.from({ length: 10 }, (_, i) => ({ prefix: `10.9.1.${i}`, rule: 7 }));
    const full = await xdpUpdate(target(), 'eth2', {
      unblock: ['10.9.0.1'],
      block: [{ prefix: '10.9.0.2', rule: 8 }, ...more],
      limits: [{ protocol: 'all', rate: 10, burst: 10, rule: 9 }],
    }).catch((e: unknown) => e);
    expect(full).toMatchObject({ code: 'full' });
    const eth2 = (await xdpList(target())).find((s) => s.interface === 'eth2')!;
    expect(eth2.maps.block4!.elements).toBe(10);
    expect(eth2.limits).toEqual([]);
    const dump = JSON.parse(
      sh(['bpftool', '-j', 'map', 'dump', 'pinned', join(pins(), 'eth2', 'block4')]),
    ) as { formatted: { value: { rule: number } } }[];
    expect(dump.map((e) => e.formatted.value.rule)).toEqual(Array(10).fill(7));
  });

  it('clears counters', async () => {
    await xdpClearCounters(target(), 'eth0');
    const stats = await xdpStats(target(), 'eth0');
    expect(rule(stats, 1).droppedPackets).toBe(0);
    expect(rule(stats, 3).droppedPackets).toBe(0);
    expect(stats.topSources).toEqual([]);
  });

  it('lists stale pins of an interface that is gone, and detaching removes them', async () => {
    await xdpAttach(target(), 'eth3', EMPTY);
    sh(['ip', '-n', topo.lab.netns, 'link', 'del', 'eth3']);
    const eth3 = (await xdpList(target())).find((s) => s.interface === 'eth3')!;
    expect(eth3).toMatchObject({ exists: false, attached: false, consistent: false });
    expect(await xdpDetach(target(), 'eth3')).toBe(false);
    expect(existsSync(join(pins(), 'eth3'))).toBe(false);
  });

  it('detaches everything and removes the pins', async () => {
    expect(await xdpDetach(target(), 'eth0')).toBe(true);
    expect(existsSync(join(pins(), 'eth0'))).toBe(false);
    expect(sh(['ip', '-n', topo.lab.netns, '-d', 'link', 'show', 'eth0'])).not.toMatch(/xdp/);
    expect((await probe(topo.client, 'tcp', SERVER4, 80)).result).toBe('connected');
    expect(await xdpDetachAll(target())).toEqual(['eth2']);
    expect(existsSync(pins())).toBe(false);
    expect(await xdpList(target())).toEqual([]);
    expect(await xdpDetach(target(), 'eth0')).toBe(false);
  });
});

describe('change lines for the loader', () => {
  it('writes removals before additions, and limits last', () => {
    expect(
      deltaLines({
        enabled: false,
        block: [{ prefix: '10.0.0.0/8', rule: 2 }],
        unblock: ['2001:db8::1'],
        exclude: [{ prefix: '192.0.2.0/24', rule: 3 }],
        unlimit: ['udp'],
        limits: [{ protocol: 'tcp-syn', rate: 100, burst: 10, rule: 4 }],
      }),
    ).toEqual([
      'disable',
      'unblock 2001:db8::1',
      'block 10.0.0.0/8 2',
      'exclude 192.0.2.0/24 3',
      'unlimit udp',
      'limit tcp-syn 100 10 4',
    ]);
  });

  it('refuses what could smuggle a line or a word into the loader', () => {
    expect(() => deltaLines({ unblock: ['10.0.0.1 2'] })).toThrow(/not an address or prefix/);
    expect(() => deltaLines({ block: [{ prefix: '10.0.0.1', rule: 1024 }] })).toThrow(
      /rule 1024 is not a number from 1 to 1023/,
    );
    expect(() =>
      deltaLines({ limits: [{ protocol: 'icmp' as 'udp', rate: 1, burst: 1, rule: 1 }] }),
    ).toThrow(/not all, tcp-syn or udp/);
    expect(() =>
      deltaLines({ limits: [{ protocol: 'udp', rate: 1.5, burst: 1, rule: 1 }] }),
    ).toThrow(/not a positive number/);
  });
});
