/**
 * The firewall renderer, the rule folder and the nft planner as pure
 * functions, and golden rulesets for every corpus file with a firewall, NAT
 * or conntrack section, each checked by the real `nft -c` in a scratch
 * namespace. `npm run goldens` rewrites test/cases/firewall/*.nft.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConntrack } from '../src/apply/nft.js';
import { countersFromSources, natKind } from '../src/op/firewall-view.js';
import { loadSetForm, type ConfigNode } from '../src/config/index.js';
import { renderFirewall } from '../src/render/firewall.js';
import { fullLoad, nftString, planNft, type NftTables } from '../src/render/nft-model.js';
import { foldRules, type Match, type Rule } from '../src/render/nft-rules.js';
import { schema } from '../src/schema/index.js';
import { verify, withDefaults } from '../src/verify/index.js';
import { corpusFiles, repoRoot } from './helpers/paths.js';
import { ADMIN_LOGIN } from './helpers/fixtures.js';

const goldenDir = join(repoRoot, 'test', 'cases', 'firewall');
const scratch = `fosr${process.pid}`;

function tree(lines: string[]): ConfigNode {
  const loaded = loadSetForm(lines.join('\n'), schema);
  expect(loaded.report.invalid).toEqual([]);
  return loaded.tree;
}

function render(lines: string[]): ReturnType<typeof renderFirewall> {
  return renderFirewall(withDefaults(tree(lines), schema));
}

function nftCheck(script: string): { ok: boolean; err: string } {
  const r = spawnSync('ip', ['netns', 'exec', scratch, 'nft', '-c', '-f', '-'], {
    input: script,
    encoding: 'utf8',
  });
  return { ok: r.status === 0, err: r.stderr };
}

beforeAll(() => {
  spawnSync('ip', ['netns', 'add', scratch]);
});
afterAll(() => {
  spawnSync('ip', ['netns', 'del', scratch]);
});

describe('golden rulesets of the corpus', () => {
  const withFirewall = corpusFiles('set').filter((f) =>
    /^set (firewall|nat|nat66|system conntrack) /m.test(f.text),
  );

  it('covers the corpus files that have firewall, NAT or conntrack lines', () => {
    expect(withFirewall.length).toBeGreaterThanOrEqual(10);
  });

  // Corpus files whose firewall renders to the same ruleset are one case, with one golden named
  // after the first of them (most corpus files carry only VyOS's default conntrack helpers).
  const rendered = withFirewall.map((file) => {
    const loaded = loadSetForm(file.text, schema);
    return {
      file,
      issues: verify(loaded.tree, schema),
      script: fullLoad(renderFirewall(withDefaults(loaded.tree, schema)).tables).script,
    };
  });
  const cases = new Map<string, typeof rendered>();
  for (const r of rendered) cases.set(r.script, [...(cases.get(r.script) ?? []), r]);

  it('keeps one golden per distinct firewall, and no golden without a case', () => {
    const names = new Set(
      [...cases.values()].map((c) => c[0]!.file.name.replace(/\.set$/, '.nft')),
    );
    const present = readdirSync(goldenDir).filter((f) => f.endsWith('.nft'));
    expect(present.sort()).toEqual([...names].sort());
  });

  for (const [script, files] of cases) {
    const golden = join(goldenDir, files[0]!.file.name.replace(/\.set$/, '.nft'));
    it(`${files.map((f) => f.file.name).join(', ')}: render as recorded, and nft -c accepts it`, () => {
      for (const f of files) expect(f.issues, f.file.name).toEqual([]);
      if (process.env['UPDATE_GOLDEN']) {
        mkdirSync(goldenDir, { recursive: true });
        writeFileSync(golden, script);
      }
      expect(existsSync(golden), `${golden} is missing (npm run goldens writes it)`).toBe(true);
      expect(script).toBe(readFileSync(golden, 'utf8'));
      const check = nftCheck(script);
      expect(check.err).toBe('');
      expect(check.ok).toBe(true);
    });
  }
});

describe('rendering', () => {
  it('keeps descriptions and names from injecting nft statements', () => {
    const hostile = 'x" ; flush ruleset ; add table ip evil { chain c { } } ; comment "';
    const fw = render([
      `set firewall ipv4 name A description '${hostile}'`,
      `set firewall ipv4 name A rule 10 description '${hostile}'`,
      'set firewall ipv4 name A rule 10 action accept',
      'set firewall ipv4 name A rule 10 log',
      `set nat source rule 1 description '${hostile}'`,
      'set nat source rule 1 translation address masquerade',
    ]);
    const script = fullLoad(fw.tables).script;
    // The description stays inside one comment string; the log prefix carries only the chain name.
    expect(script).toMatch(
      /comment "rule 10: x' ; flush ruleset ; add table ip evil \{ chain c \{ \} \} ; comment '"/,
    );
    expect(script).toMatch(/log prefix "\[ipv4-A-10-A\] "/);
    expect(nftCheck(script).ok).toBe(true);
    // Loaded for real: exactly FOS1's tables, and two rules in chain A.
    spawnSync('ip', ['netns', 'exec', scratch, 'nft', '-f', '-'], { input: script });
    const listing = spawnSync('ip', ['netns', 'exec', scratch, 'nft', 'list', 'ruleset'], {
      encoding: 'utf8',
    }).stdout;
    expect(listing).not.toMatch(/^table ip evil/m);
    expect(listing.match(/^table /gm)).toEqual(
      ['table inet fos_filter', 'table ip fos_nat'].map(() => 'table '),
    );
    expect(listing.match(/^\t\t.*comment/gm)?.length).toBeGreaterThanOrEqual(2);
    spawnSync('ip', ['netns', 'exec', scratch, 'nft', 'flush', 'ruleset']);
  });

  it('refuses newlines in descriptions at the schema', () => {
    const loaded = loadSetForm('set firewall ipv4 name A description "a\\nb"', schema);
    expect(loaded.report.invalid.length).toBe(1);
  });

  it('quotes nft strings without any way out', () => {
    expect(nftString('a"b\nc')).toBe('"a\'b c"');
    expect(nftString('é'.repeat(100)).length).toBeLessThanOrEqual(130);
  });

  it('turns groups into sets: hash for addresses, interval for networks, ranges and overlaps', () => {
    const fw = render([
      'set firewall group address-group H address 192.0.2.1',
      'set firewall group address-group H address 192.0.2.2',
      'set firewall group address-group R address 192.0.2.10-192.0.2.20',
      'set firewall group network-group N network 10.0.0.0/8',
      'set firewall group network-group N network 10.1.0.0/16',
      'set firewall group network-group N network 192.168.0.0/24',
      'set firewall group port-group P port 22',
      'set firewall group port-group P port 1000-2000',
      'set firewall group port-group P port https',
      'set firewall group interface-group I interface eth0',
      'set firewall group interface-group I interface wg*',
      'set firewall group address-group INC include H',
      'set firewall group address-group INC address 192.0.2.3',
    ]);
    const sets = fw.tables.get('inet fos_filter')!.sets;
    expect(sets.get('A4_H')).toMatchObject({ flags: [], elements: ['192.0.2.1', '192.0.2.2'] });
    expect(sets.get('A4_R')!.flags).toEqual(['interval']);
    // 10.1.0.0/16 lies inside 10.0.0.0/8: merged, as interval sets may not overlap.
    expect(sets.get('N4_N')!.elements).toEqual([
      '10.0.0.0-10.255.255.255',
      '192.168.0.0-192.168.0.255',
    ]);
    expect(sets.get('P_P')).toMatchObject({
      flags: ['interval'],
      elements: ['22', '1000-2000', '443'],
    });
    expect(sets.get('I_I')).toMatchObject({ flags: ['interval'], elements: ['"eth0"', '"wg*"'] });
    expect(new Set(sets.get('A4_INC')!.elements)).toEqual(
      new Set(['192.0.2.1', '192.0.2.2', '192.0.2.3']),
    );
    expect(nftCheck(fullLoad(fw.tables).script).ok).toBe(true);
  });

  it('renders the global options as sysctls, host-wide conntrack sizes apart', () => {
    const fw = render([
      'set firewall global-options all-ping disable',
      'set firewall global-options source-validation strict',
      'set firewall global-options timeout udp stream 100',
      'set system conntrack timeout tcp established 3600',
      'set system conntrack table-size 1000',
    ]);
    expect(fw.sysctls.get('net.ipv4.icmp_echo_ignore_all')).toBe('1');
    expect(fw.sysctls.get('net.ipv4.conf.all.rp_filter')).toBe('1');
    expect(fw.sysctls.get('net.ipv4.tcp_syncookies')).toBe('1');
    expect(fw.sysctls.get('net.netfilter.nf_conntrack_udp_timeout_stream')).toBe('100');
    expect(fw.sysctls.get('net.netfilter.nf_conntrack_tcp_timeout_established')).toBe('3600');
    expect(fw.hostSysctls.get('net.netfilter.nf_conntrack_max')).toBe('1000');
    expect(fw.sysctls.has('net.netfilter.nf_conntrack_max')).toBe(false);
  });

  it('renders conntrack helpers the kernel has, and ignore rules as notrack', () => {
    const fw = render([
      'set system conntrack modules ftp',
      'set system conntrack modules nfs',
      'set system conntrack ignore ipv4 rule 1 source address 192.0.2.1',
    ]);
    const table = fw.tables.get('inet fos_filter')!;
    expect(table.objects).toEqual(['ct helper ftp-tcp-21 { type "ftp" protocol tcp; }']);
    expect(table.chains.get('conntrack-ignore')!.rules[0]).toMatch(
      /meta nfproto ipv4 ip saddr 192\.0\.2\.1 counter notrack/,
    );
    expect(nftCheck(fullLoad(fw.tables).script).ok).toBe(true);
  });

  it('renders NAT: masquerade, fixed address with port, prefix, exclude, redirect, nat66', () => {
    const fw = render([
      'set nat source rule 10 outbound-interface name eth0',
      'set nat source rule 10 translation address masquerade',
      'set nat source rule 20 source address 10.0.0.0/24',
      'set nat source rule 20 translation address 192.0.2.0/24',
      'set nat source rule 30 source address 10.0.1.0/24',
      'set nat source rule 30 exclude',
      'set nat destination rule 5 protocol tcp',
      'set nat destination rule 5 destination port 80',
      'set nat destination rule 5 translation redirect',
      'set nat destination rule 5 translation port 3128',
      'set nat destination rule 6 protocol tcp_udp',
      'set nat destination rule 6 destination port 53',
      'set nat destination rule 6 translation address 10.0.0.53',
      'set nat destination rule 6 translation port 5353',
      'set nat66 source rule 1 source address fd00::/64',
      'set nat66 source rule 1 translation address 2001:db8::/64',
    ]);
    const script = fullLoad(fw.tables).script;
    expect(script).toMatch(/oifname "eth0" counter masquerade comment "rule 10"/);
    expect(script).toMatch(/snat ip prefix to 192\.0\.2\.0\/24/);
    expect(script).toMatch(/ip saddr 10\.0\.1\.0\/24 counter return/);
    expect(script).toMatch(/redirect to :3128/);
    expect(script).toMatch(
      /meta l4proto \{ tcp, udp \} th dport 53 counter dnat ip to 10\.0\.0\.53:5353/,
    );
    expect(script).toMatch(/table ip6 fos_nat/);
    const check = nftCheck(script);
    expect(check.err).toBe('');
  });
});

// ------------------------------------------------------------------ folding

/** A tiny first-match evaluator over the Match model: what nft would decide for a packet. */
interface Packet {
  readonly saddr: number;
  readonly dport: number;
}
const KEYS: Record<string, keyof Packet> = { 'ip saddr': 'saddr', 'tcp dport': 'dport' };

function inValue(kind: keyof Packet, value: string, p: Packet): boolean {
  if (kind === 'dport') {
    const [lo, hi] = value.split('-').map(Number);
    return p.dport >= lo! && p.dport <= (hi ?? lo!);
  }
  const [base, len] = value.split('/');
  const n = Number(base!.split('.').pop());
  const size = 2 ** (32 - Number(len ?? 32));
  return p.saddr >= n && p.saddr < n + size;
}

function matches(m: Match, p: Packet): boolean {
  // A masked key (`ip saddr & 255.255.255.240`) holds network addresses: the mask's length is the prefix.
  const keys = m.key.split(' . ').map((k) => {
    const [name, mask] = k.split(' & ');
    const length = mask
      ? mask.split('.').reduce((n, o) => n + Number(o).toString(2).split('1').length - 1, 0)
      : undefined;
    return { field: KEYS[name!]!, length };
  });
  return m.values.some((v) =>
    v.split(' . ').every((part, i) => {
      const k = keys[i]!;
      return inValue(k.field, k.length === undefined ? part : `${part}/${k.length}`, p);
    }),
  );
}

function decide(rules: readonly Rule[], p: Packet): string {
  for (const r of rules) if (r.matches.every((m) => matches(m, p))) return r.verdict;
  return 'default';
}

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('folding rules into set lookups', () => {
  const rule = (
    n: number,
    saddr: string | undefined,
    dport: string | undefined,
    verdict: string,
    extra: Partial<Rule> = {},
  ): Rule => ({
    matches: [
      ...(saddr
        ? [{ key: 'ip saddr', negate: false, values: [saddr], kind: 'addr4' as const }]
        : []),
      ...(dport
        ? [{ key: 'tcp dport', negate: false, values: [dport], kind: 'port' as const }]
        : []),
    ],
    gates: [],
    actions: [],
    verdict,
    numbers: [String(n)],
    ...extra,
  });

  it('folds one varying key into an anonymous set', () => {
    const out = foldRules([
      rule(10, '0.0.0.1', '22', 'accept'),
      rule(20, '0.0.0.2', '22', 'accept'),
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.matches.map((m) => [m.key, m.values])).toEqual([
      ['tcp dport', ['22']],
      ['ip saddr', ['0.0.0.1', '0.0.0.2']],
    ]);
    expect(out[0]!.numbers).toEqual(['10', '20']);
  });

  it('folds two varying keys into a concatenation, splitting where elements overlap', () => {
    const out = foldRules([
      rule(10, '0.0.0.0/28', '22', 'accept'),
      rule(20, '0.0.0.16/28', '80', 'accept'),
      rule(30, '0.0.0.1', '22', 'accept'),
    ]);
    expect(out.map((r) => r.numbers)).toEqual([['10', '20'], ['30']]);
    expect(out[0]!.matches.at(-1)!.key).toBe('ip saddr . tcp dport');
  });

  it('never folds across another verdict, a log, or a negation', () => {
    const out = foldRules([
      rule(10, '0.0.0.1', undefined, 'accept'),
      rule(20, '0.0.0.2', undefined, 'drop'),
      rule(30, '0.0.0.3', undefined, 'accept'),
      rule(40, '0.0.0.4', undefined, 'accept', { actions: ['log'] }),
      rule(50, '0.0.0.5', undefined, 'accept'),
    ]);
    expect(out.map((r) => r.numbers)).toEqual([['10'], ['20'], ['30'], ['40'], ['50']]);
  });

  it('turns equal-length prefixes into a masked hash lookup, deciding as the linear chain would', () => {
    const rules = Array.from({ length: 40 }, (_, i) =>
      rule(i, `0.0.0.${(i % 16) * 16}/28`, String(20 + (i % 3)), 'accept'),
    );
    const folded = foldRules(rules);
    expect(folded).toHaveLength(1);
    expect(folded[0]!.matches.at(-1)!.key).toBe('ip saddr & 255.255.255.240 . tcp dport');
    for (let saddr = 0; saddr < 256; saddr += 3)
      for (const dport of [20, 21, 22, 23]) {
        const p = { saddr, dport };
        expect(decide(folded, p)).toBe(decide(rules, p));
      }
    const fw = render(
      Array.from({ length: 20 }, (_, i) => [
        `set firewall ipv4 name M rule ${i + 1} action accept`,
        `set firewall ipv4 name M rule ${i + 1} protocol tcp`,
        `set firewall ipv4 name M rule ${i + 1} source address 10.0.${i}.0/24`,
        `set firewall ipv4 name M rule ${i + 1} destination port ${1000 + i}`,
      ]).flat(),
    );
    const script = fullLoad(fw.tables).script;
    expect(script).toMatch(/ip saddr & 255\.255\.255\.0 \. tcp dport \{ 10\.0\.0\.0 \. 1000, /);
    expect(nftCheck(script).err).toBe('');
  });

  it('decides every packet as the linear chain would (600 random chains)', () => {
    const next = random(42);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const addresses = [
      '0.0.0.0/28',
      '0.0.0.16/28',
      '0.0.0.1',
      '0.0.0.2',
      '0.0.0.17',
      '0.0.0.0/27',
      undefined,
    ];
    const ports = ['22', '80', '20-25', '443', undefined];
    const verdicts = ['accept', 'drop'];
    for (let chain = 0; chain < 600; chain++) {
      const rules = Array.from({ length: 2 + Math.floor(next() * 10) }, (_, i) =>
        rule(i, pick(addresses), pick(ports), next() < 0.8 ? 'accept' : pick(verdicts)),
      );
      const folded = foldRules(rules);
      for (let i = 0; i < 40; i++) {
        const p: Packet = { saddr: Math.floor(next() * 40), dport: pick([22, 23, 80, 443, 8080]) };
        expect(decide(folded, p)).toBe(decide(rules, p));
      }
    }
  });
});

// ------------------------------------------------------------------ planning

describe('planning nft transactions', () => {
  const base = [
    'set firewall group address-group G address 192.0.2.1',
    'set firewall ipv4 name A rule 10 action accept',
    'set firewall ipv4 name A rule 10 source group address-group G',
    'set firewall ipv4 name B rule 10 action drop',
  ];
  const tables = (lines: string[]): NftTables => render(lines).tables;

  it('adds and deletes group members as elements, with no reload', () => {
    const plan = planNft(
      tables(base),
      tables([...base.slice(1), 'set firewall group address-group G address 192.0.2.2']),
    );
    expect(plan.script).toBe(
      'delete element inet fos_filter A4_G { 192.0.2.1 }\nadd element inet fos_filter A4_G { 192.0.2.2 }\n',
    );
    expect(plan.changes).toEqual([
      { table: 'inet fos_filter', kind: 'update', summary: '+1/-1 set elements' },
    ]);
  });

  it('reloads only the chain whose rules changed', () => {
    const plan = planNft(
      tables(base),
      tables([...base, 'set firewall ipv4 name B rule 20 action accept']),
    );
    expect(plan.script).toMatch(/^flush chain inet fos_filter ipv4-B\n/);
    expect(plan.script).not.toMatch(/ipv4-A/);
    expect(plan.script).not.toMatch(/delete table/);
  });

  it('replaces the table when its layout changes, and deletes tables no longer wanted', () => {
    const withBase = [...base, 'set firewall ipv4 input filter rule 10 action accept'];
    const plan = planNft(tables(base), tables(withBase));
    expect(plan.changes[0]!.kind).toBe('replace');
    const gone = planNft(tables(base), tables([]));
    expect(gone.script).toBe('add table inet fos_filter\ndelete table inet fos_filter\n');
  });

  it('changes nothing when nothing changed, and loads everything when nothing is known', () => {
    expect(planNft(tables(base), tables(base)).script).toBe('');
    const full = planNft(undefined, tables(base)).script;
    expect(full).toMatch(
      /^add table inet fos_filter\ndelete table inet fos_filter\ntable inet fos_filter \{/,
    );
    expect(full).toMatch(/add table ip fos_nat\ndelete table ip fos_nat/);
  });
});

// ------------------------------------------------------------------ verification

describe('cross-checks', () => {
  const problems = (lines: string[]): string[] =>
    verify(tree(lines), schema).map((i) => `[${i.path.join(' ')}] ${i.message}`);

  it.each([
    [
      [
        'set firewall ipv4 name A rule 1 action jump',
        'set firewall ipv4 name A rule 1 jump-target B',
      ],
      /\[firewall ipv4 name A rule 1 jump-target\] chain 'B' does not exist/,
    ],
    [
      ['set firewall zone X interface eth0', 'set firewall zone Y interface eth0'],
      /\[firewall zone Y interface eth0\] interface eth0 is already in zone X/,
    ],
    [
      [
        'set firewall ipv4 name A rule 1 action accept',
        'set firewall ipv4 name A rule 1 protocol icmp',
        'set firewall ipv4 name A rule 1 destination port 22',
      ],
      /\[firewall ipv4 name A rule 1 destination port\] a port match needs 'protocol' tcp, udp or tcp_udp \(it is 'icmp'\)/,
    ],
    [
      [
        'set firewall ipv4 name A rule 1 action accept',
        'set firewall ipv4 name A rule 1 source group address-group NOPE',
      ],
      /\[firewall ipv4 name A rule 1 source group address-group\] firewall group address-group 'NOPE' does not exist/,
    ],
    [
      [
        'set firewall ipv4 name A rule 1 action jump',
        'set firewall ipv4 name A rule 1 jump-target B',
        'set firewall ipv4 name B rule 1 action jump',
        'set firewall ipv4 name B rule 1 jump-target A',
      ],
      /makes a loop of chains/,
    ],
    [
      ['set firewall zone L local-zone', 'set firewall zone L interface eth0'],
      /the local zone is the router itself/,
    ],
    [['set nat source rule 1 outbound-interface name eth0'], /needs 'translation address'/],
    [
      [
        'set nat destination rule 1 translation address 10.0.0.1',
        'set nat destination rule 1 translation port 80',
      ],
      /\[nat destination rule 1 translation port\] a port translation needs 'protocol'/,
    ],
  ])('%j', (lines, expected) => {
    expect(problems(lines).join('\n')).toMatch(expected);
  });

  it('rejects an IPv6 address in an IPv4 group at the schema, naming the path', () => {
    const loaded = loadSetForm('set firewall group address-group G address 2001:db8::1', schema);
    expect(loaded.report.invalid.map((e) => e.message).join('\n')).toMatch(
      /'2001:db8::1' is not a valid value for 'firewall group address-group G address'/,
    );
  });
});

// ------------------------------------------------------------------ reading back

describe('reading counters and conntrack', () => {
  it('maps nft counters back to config rules through the rendering, folded and inlined', () => {
    const fw = render([
      'set firewall ipv4 forward filter rule 5 action jump',
      'set firewall ipv4 forward filter rule 5 jump-target APP',
      'set firewall ipv4 forward filter rule 9 action accept',
      'set firewall ipv4 forward filter rule 9 protocol icmp',
      'set firewall ipv4 name APP default-action return',
      ...[10, 20, 30].flatMap((n) => [
        `set firewall ipv4 name APP rule ${n} action accept`,
        `set firewall ipv4 name APP rule ${n} protocol tcp`,
        `set firewall ipv4 name APP rule ${n} destination port ${n}`,
      ]),
    ]);
    const table = fw.tables.get('inet fos_filter')!;
    // The jump to APP is replaced by APP's rules, folded into one lookup.
    const forward = table.chains.get('ipv4-forward')!;
    expect(forward.rules[0]).toMatch(/^tcp dport \{ 10, 20, 30 \} counter accept/);
    expect(forward.sources![0]).toEqual(
      [10, 20, 30].map((n) => ({ chain: 'ipv4-APP', rule: String(n) })),
    );
    const listing = {
      sets: new Map<string, number>(),
      chains: new Map(
        [...table.chains.values()].map((c) => [
          c.name,
          c.rules.map((_, i) => ({ chain: c.name, packets: 10 + i, bytes: 1000 + i })),
        ]),
      ),
    };
    const counters = countersFromSources(table, listing);
    // APP's rules count in both places they can match: inlined in forward (10) and in APP itself (10).
    expect(counters.get('ipv4-APP')!.get('20')).toEqual({ packets: 20, bytes: 2000, shared: true });
    expect(counters.get('ipv4-forward')!.get('9')).toEqual({
      packets: 11,
      bytes: 1001,
      shared: false,
    });
    expect(counters.get('ipv4-forward')!.get('default')!.packets).toBe(12);
    // A chain changed behind FOS1's back gets no counters rather than wrong ones.
    listing.chains.get('ipv4-forward')!.pop();
    expect(countersFromSources(table, listing).has('ipv4-forward')).toBe(false);
  });

  it('parses /proc/net/nf_conntrack and tells NAT from plain entries', () => {
    const entries = parseConntrack(
      [
        'ipv4     2 tcp      6 117 TIME_WAIT src=192.0.2.10 dst=192.0.2.1 sport=40000 dport=8080 src=198.51.100.10 dst=192.0.2.10 sport=80 dport=40000 [ASSURED] mark=0 zone=0 use=2',
        'ipv4     2 udp      17 29 src=192.0.2.10 dst=198.51.100.10 sport=5555 dport=5000 src=198.51.100.10 dst=198.51.100.1 sport=5000 dport=5555 mark=0 zone=0 use=2',
        'ipv6     10 icmpv6   58 29 src=2001:db8:1::10 dst=2001:db8:2::10 type=128 code=0 id=7 src=2001:db8:2::10 dst=2001:db8:1::10 type=129 code=0 id=7 mark=0 zone=0 use=2',
      ].join('\n'),
    );
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({
      protocol: 'tcp',
      state: 'TIME_WAIT',
      timeout: 117,
      status: ['ASSURED'],
    });
    expect(natKind(entries[0]!)).toEqual(['dnat']);
    expect(natKind(entries[1]!)).toEqual(['snat']);
    expect(natKind(entries[2]!)).toEqual([]);
  });
});

// ------------------------------------------------------------------ fuzzing

describe('whatever the schema accepts, nft accepts', () => {
  const next = random(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const maybe = (p: number): boolean => next() < p;
  const v4 = ['192.0.2.1', '!192.0.2.1', '10.0.0.0/8', '!10.0.0.0/8', '192.0.2.1-192.0.2.9'];
  const v6 = ['2001:db8::1', '!2001:db8::/32', '2001:db8::1-2001:db8::9', 'fe80::/10'];
  const ports = ['22', '!22', '1000-2000', 'ssh,http,bgp', '53,1000-1010', '!80,443'];
  const texts = [
    'plain',
    'with "double" quotes',
    'back\\slash',
    'semi; colon { brace }',
    'ünïcødé ✓',
  ];

  function randomRule(family: 4 | 6, prefix: string, groups: boolean): string[] {
    const lines: string[] = [];
    const action = pick(['accept', 'drop', 'reject', 'return', 'continue']);
    lines.push(`${prefix} action ${action}`);
    const protocol = pick([
      'tcp',
      'udp',
      'tcp_udp',
      family === 4 ? 'icmp' : 'ipv6-icmp',
      'all',
      '!tcp',
      'gre',
      undefined,
    ]);
    if (protocol) lines.push(`${prefix} protocol ${protocol}`);
    const ported = protocol === 'tcp' || protocol === 'udp' || protocol === 'tcp_udp';
    for (const side of ['source', 'destination']) {
      if (maybe(0.5)) lines.push(`${prefix} ${side} address '${pick(family === 4 ? v4 : v6)}'`);
      else if (groups && maybe(0.3)) lines.push(`${prefix} ${side} group network-group N`);
      if (ported && maybe(0.5)) lines.push(`${prefix} ${side} port '${pick(ports)}'`);
      else if (ported && groups && maybe(0.3)) lines.push(`${prefix} ${side} group port-group P`);
    }
    if (maybe(0.3))
      lines.push(`${prefix} state ${pick(['established', 'related', 'new', 'invalid'])}`);
    if (maybe(0.2))
      lines.push(`${prefix} inbound-interface name ${pick(['eth0', 'eth*', '!wg0'])}`);
    if (groups && maybe(0.2)) lines.push(`${prefix} outbound-interface group IF`);
    if (protocol === 'tcp' && maybe(0.3))
      lines.push(`${prefix} tcp flags syn`, `${prefix} tcp flags not ack`);
    if ((protocol === 'icmp' || protocol === 'ipv6-icmp') && maybe(0.5))
      lines.push(`${prefix} ${family === 4 ? 'icmp' : 'icmpv6'} type-name echo-request`);
    if (maybe(0.2)) lines.push(`${prefix} log`);
    if (maybe(0.1)) lines.push(`${prefix} limit rate 10/minute`, `${prefix} limit burst 5`);
    if (family === 4 && maybe(0.1))
      lines.push(`${prefix} recent count 3`, `${prefix} recent time minute`);
    if (maybe(0.1)) lines.push(`${prefix} packet-length 64`, `${prefix} packet-length 100-200`);
    if (maybe(0.1)) lines.push(`${prefix} connection-status nat destination`);
    if (maybe(0.3)) lines.push(`${prefix} description '${pick(texts)}'`);
    if (maybe(0.05)) lines.push(`${prefix} disable`);
    return lines;
  }

  it('loads 40 random firewalls of 60 rules each with nft -c', () => {
    for (let round = 0; round < 40; round++) {
      const family = pick([4, 6] as const);
      const groups = [
        `set firewall group ${family === 4 ? '' : 'ipv6-'}network-group N network ${family === 4 ? '10.0.0.0/8' : '2001:db8::/32'}`,
        'set firewall group port-group P port 22',
        'set firewall group interface-group IF interface eth1',
      ];
      const lines = [ADMIN_LOGIN, ...groups];
      for (let i = 1; i <= 60; i++)
        lines.push(...randomRule(family, `set firewall ipv${family} name F rule ${i}`, true));
      lines.push(`set firewall ipv${family} forward filter rule 1 action jump`);
      lines.push(`set firewall ipv${family} forward filter rule 1 jump-target F`);
      for (let i = 1; i <= 10; i++) {
        const kind = pick(['source', 'destination']);
        const rule = randomRule(4, `set nat ${kind} rule ${i}`, false).filter(
          (l) =>
            !/ (action|state|tcp|icmp|limit|recent|packet-length|connection-status|log|inbound-interface|outbound-interface) /.test(
              l,
            ),
        );
        rule.push(
          `set nat ${kind} rule ${i} translation address ${kind === 'source' ? pick(['masquerade', '198.51.100.1', '198.51.100.0/28']) : '10.0.0.1'}`,
        );
        lines.push(...rule);
      }
      const loaded = loadSetForm(lines.join('\n'), schema);
      expect(loaded.report.invalid).toEqual([]);
      const issues = verify(loaded.tree, schema);
      expect(issues).toEqual([]);
      const script = fullLoad(renderFirewall(withDefaults(loaded.tree, schema)).tables).script;
      const check = nftCheck(script);
      expect(check.err, script).toBe('');
    }
  });
});
