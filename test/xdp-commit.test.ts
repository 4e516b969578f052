/**
 * `firewall xdp` committed through the real shell: the client namespace
 * sends through the lab router, whose eth0 gets FOS1's XDP program, to the
 * server namespace. Judged by counters (XDP's and nft's), not by timing.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  xdpDetachAll,
  xdpDump,
  xdpList,
  xdpPinDirectory,
  xdpStats,
  type XdpStats,
} from '../src/apply/bpf.js';
import { BPF_BUILD } from '../src/apply/xdp-loader.js';
import { runFos } from './helpers/io.js';
import {
  CLIENT4,
  CLIENT6,
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
const target = () => ({ netns: topo.lab.netns });

async function fos(script: string): Promise<{ code: number; out: string; err: string }> {
  return runFos([...topo.lab.flags, '-c', script]);
}

async function commit(lines: string[]): Promise<string> {
  const r = await fos(['configure', ...lines, 'commit'].join('\n'));
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return r.out;
}

const GROUPS = [
  'set firewall group address-group BAD address 192.0.2.10',
  'set firewall group address-group BAD address 203.0.113.5',
  'set firewall group ipv6-address-group BAD6 address 2001:db8:1::10',
];
/** nft accepts the client's packets: counters that move only when XDP lets them in. */
const NFT = [
  'set firewall ipv4 forward filter rule 10 action accept',
  `set firewall ipv4 forward filter rule 10 source address ${CLIENT4}`,
  'set firewall ipv6 forward filter rule 10 action accept',
  `set firewall ipv6 forward filter rule 10 source address ${CLIENT6}`,
];
const XDP = [
  'set firewall xdp interface eth0 drop source group address-group BAD',
  'set firewall xdp interface eth0 drop source group ipv6-address-group BAD6',
  'set firewall xdp interface eth0 rate-limit source protocol tcp-syn rate 1000',
  'set firewall xdp interface eth0 rate-limit source protocol tcp-syn burst 100',
];

/** The packets nft's rule 10 counted, per family. */
async function nftCounted(): Promise<number> {
  const r = await fos('show firewall | display json');
  const chains = JSON.parse(r.out) as {
    chain: string;
    family: string;
    rules: { rule: string; packets: number | null }[];
  }[];
  let packets = 0;
  for (const c of chains)
    if (c.chain === 'forward filter') packets += c.rules.find((x) => x.rule === '10')?.packets ?? 0;
  return packets;
}

/** Packets dropped by the rules standing for these config words. */
function droppedBy(stats: XdpStats, rules: number[]): number {
  return stats.rules
    .filter((r) => rules.includes(r.rule))
    .reduce((n, r) => n + r.droppedPackets, 0);
}

beforeAll(async () => {
  topo = await makeTopology();
  stops.push(await startServer(topo.server, ['tcp:80', 'udp:5000']));
  await commit([...ROUTER_INTERFACES, ...GROUPS, ...NFT, ...XDP]);
}, 90_000);

afterAll(async () => {
  for (const stop of stops) stop();
  await xdpDetachAll(target()).catch(() => undefined);
  await topo.down();
});

describe('firewall xdp, committed', () => {
  let linkId = 0;
  let programId = 0;
  let groupRules: number[] = [];

  it('attaches the program to eth0 and fills its maps from the groups nft uses too', async () => {
    const [eth0] = await xdpList(target());
    expect(eth0).toMatchObject({ interface: 'eth0', attached: true, consistent: true });
    expect(eth0!.maps.block4!.elements).toBe(2);
    expect(eth0!.maps.block6!.elements).toBe(1);
    expect(eth0!.limits).toEqual([{ protocol: 'tcp-syn', rate: 1000, burst: 100, rule: 2 }]);
    linkId = eth0!.link!.id;
    programId = eth0!.program!.id;
    const dump = await xdpDump(target(), 'eth0');
    groupRules = [...new Set(dump.block.map((e) => e.rule))];
    expect(dump.block.map((e) => e.prefix).sort()).toEqual([
      '192.0.2.10',
      '2001:db8:1::10',
      '203.0.113.5',
    ]);
  });

  it('gets nothing of a blocked source through: TCP and UDP, IPv4 and IPv6, before nft sees it', async () => {
    const before = droppedBy(await xdpStats(target(), 'eth0'), groupRules);
    for (const server of [SERVER4, SERVER6]) {
      expect((await probe(topo.client, 'tcp', server, 80, 500)).result).toBe('timeout');
      expect((await probe(topo.client, 'udp', server, 5000, 500)).result).toBe('timeout');
    }
    const stats = await xdpStats(target(), 'eth0');
    // At least a SYN and a datagram per family.
    expect(droppedBy(stats, groupRules) - before).toBeGreaterThanOrEqual(4);
    expect(await nftCounted()).toBe(0);
  });

  it('shows the program, its map fill and the drops per rule, and clears the counters', async () => {
    const json = await fos('show firewall xdp | display json');
    expect(json.code, json.err).toBe(0);
    const [eth0] = JSON.parse(json.out) as {
      interface: string;
      attached: boolean;
      mode: string;
      maps: { name: string; elements: number | null }[];
      rules: { rule: number; what: string; droppedPackets: number }[];
    }[];
    expect(eth0).toMatchObject({ interface: 'eth0', attached: true });
    expect(['native', 'generic']).toContain(eth0!.mode);
    expect(eth0!.maps.find((m) => m.name === 'block4')!.elements).toBe(2);
    const bad = eth0!.rules.find((r) => r.what === 'drop source group address-group BAD')!;
    expect(bad.droppedPackets).toBeGreaterThanOrEqual(2);
    const text = await fos('show firewall xdp interface eth0');
    expect(text.out).toMatch(
      /^Interface eth0: program fos_xdp \(id \d+\), (native|generic), link \d+/,
    );
    expect(text.out).toMatch(/drop source group ipv6-address-group BAD6/);
    expect(text.out).toMatch(/Limits per source: tcp-syn 1000\/s burst 100/);
    const eth3 = await fos('show firewall xdp interface eth3');
    expect(eth3.out + eth3.err).toMatch(/firewall xdp interface eth3 is not configured/);
    const cleared = await fos('clear firewall xdp counters');
    expect(cleared.out).toMatch(/Cleared the XDP counters of eth0/);
    expect(droppedBy(await xdpStats(target(), 'eth0'), groupRules)).toBe(0);
  });

  it('lets the source through on the next commit without attaching again', async () => {
    const out = await commit([
      'delete firewall group address-group BAD address 192.0.2.10',
      'delete firewall group ipv6-address-group BAD6 address 2001:db8:1::10',
    ]);
    expect(out).not.toMatch(/error/i);
    // The blocked IPv6 client's neighbour discovery (sent from its address) was dropped too:
    // both sides hold a failed neighbour entry that would only be retried later.
    for (const ns of [topo.client, topo.lab.netns])
      spawnSync('ip', ['-n', ns, 'neigh', 'flush', 'all'], { encoding: 'utf8' });
    for (const server of [SERVER4, SERVER6]) {
      expect((await probe(topo.client, 'tcp', server, 80)).result).toBe('connected');
      expect((await probe(topo.client, 'udp', server, 5000)).result).toBe('reply');
    }
    // nft now sees them: its counters could have moved all along.
    expect(await nftCounted()).toBeGreaterThan(0);
    const [eth0] = await xdpList(target());
    expect(eth0!.link!.id).toBe(linkId);
    expect(eth0!.program!.id).toBe(programId);
    expect(eth0!.maps.block4!.elements).toBe(1);
    expect(eth0!.maps.block6!.elements).toBe(0);
  });

  it('shows the element changes in commit check, and changes only those', async () => {
    const maps = (await xdpList(target()))[0]!.maps;
    const r = await fos(
      ['configure', 'set firewall group address-group BAD address 192.0.2.77', 'commit check'].join(
        '\n',
      ),
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/xdp eth0: update the maps in place: blocked \+1 -0/);
    expect(r.out).toMatch(/block 192\.0\.2\.77 \(rule \d+\)/);
    // A check touched nothing.
    expect((await xdpList(target()))[0]!.maps).toEqual(maps);
  });

  it('refuses a program the verifier rejects, with its words, and changes nothing', async () => {
    const before = (await xdpList(target()))[0]!;
    process.env['FOS_TEST_XDP_OBJECT'] = join(BPF_BUILD, 'test_reject.bpf.o');
    let r: Awaited<ReturnType<typeof fos>>;
    try {
      r = await fos(
        ['configure', 'set firewall group address-group BAD address 192.0.2.78', 'commit'].join(
          '\n',
        ),
      );
    } finally {
      delete process.env['FOS_TEST_XDP_OBJECT'];
    }
    expect(r.code).not.toBe(0);
    expect(r.out + r.err).toMatch(
      /Commit failed before anything was changed:\s+the kernel verifier rejected fos_xdp: .*outside of the packet/,
    );
    const after = (await xdpList(target()))[0]!;
    expect(after).toEqual(before);
    const running = (await fos('show configuration commands')).out;
    expect(running).not.toMatch(/192\.0\.2\.78/);
  });

  it('converges from the pins at start-up: nothing to do when they match', async () => {
    const before = (await xdpList(target()))[0]!;
    const router = topo.lab.router();
    // (nft loads its tables whole at start-up, whatever they hold.)
    expect((await router.converge()).filter((l) => l.startsWith('xdp'))).toEqual([]);
    expect((await xdpList(target()))[0]).toEqual(before);
  });

  it('converges from the pins after a change behind its back: only the element that differs', async () => {
    const before = (await xdpList(target()))[0]!;
    // Someone removes an element FOS1 put there.
    const r = spawnSync(
      'bpftool',
      [
        'map',
        'delete',
        'pinned',
        join(xdpPinDirectory(target()), 'eth0', 'block4'),
        'key',
        '203',
        '0',
        '113',
        '5',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const router = topo.lab.router();
    expect(await router.drift()).toEqual([
      expect.stringMatching(/^# xdp eth0: update the maps in place: blocked \+1 -0/),
    ]);
    const done = await router.converge();
    expect(done.join('\n')).toMatch(/block 203\.0\.113\.5/);
    const after = (await xdpList(target()))[0]!;
    expect(after.link!.id).toBe(before.link!.id);
    expect(after.maps.block4!.id).toBe(before.maps.block4!.id);
    const dump = await xdpDump(target(), 'eth0');
    expect(dump.block.map((e) => e.prefix)).toContain('203.0.113.5');
  });

  it('detaches everything and removes the pins when the configuration goes', async () => {
    await commit(['delete firewall xdp']);
    expect(existsSync(join(xdpPinDirectory(target()), 'eth0'))).toBe(false);
    expect(await xdpList(target())).toEqual([]);
    const link = spawnSync('ip', ['-n', topo.lab.netns, '-d', 'link', 'show', 'eth0'], {
      encoding: 'utf8',
    }).stdout;
    expect(link).not.toMatch(/xdp/);
    expect((await probe(topo.client, 'tcp', SERVER4, 80)).result).toBe('connected');
  });
});
