/**
 * Firewall bench, against raw `nft -f` of the same rendered ruleset:
 * - first commits of 1k, 10k and 100k rules (named chains of 1,000 rules
 *   matching a source network and a destination port, jumped to from the
 *   forward filter by inbound interface), also against the linear rendering;
 * - a one-member change in a 100k-element group;
 * - a one-rule change in a 10k-rule chain;
 * - forwarding rate through the lab router with a 3,000-rule configuration
 *   shaped like a real one (zones, 30 named chains of 100 rules, groups), the
 *   traffic matching only the last rule, against no ruleset.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp } from '../src/apply/lab.js';
import { run } from '../src/apply/run.js';
import { Router } from '../src/commit/router.js';
import {
  applySet,
  EMPTY_TREE,
  loadSetForm,
  TreeEditor,
  type ConfigNode,
} from '../src/config/index.js';
import { renderFirewall } from '../src/render/firewall.js';
import { fullLoad } from '../src/render/nft-model.js';
import { schema } from '../src/schema/index.js';
import { Store } from '../src/store/store.js';
import { withDefaults } from '../src/verify/index.js';
import { commit } from './commit.js';
import { machine, median, ms, record, table, type Row } from './record.js';

const NS = `fosfwbench${process.pid}`;

/** N rules in named chains of 1,000, each matching a /24 and a port, accepted. */
export function rulesConfig(n: number): string[] {
  const lines: string[] = [];
  const chains = Math.ceil(n / 1000);
  for (let c = 0; c < chains; c++) {
    const f = `set firewall ipv4 forward filter rule ${c + 1}`;
    lines.push(
      `${f} action jump`,
      `${f} jump-target C${c}`,
      `${f} inbound-interface name eth${c % 4}`,
    );
    for (let r = 0; r < Math.min(1000, n - c * 1000); r++) {
      const i = c * 1000 + r;
      const p = `set firewall ipv4 name C${c} rule ${r + 1}`;
      lines.push(
        `${p} action accept`,
        `${p} protocol tcp`,
        `${p} source address 10.${(i >> 8) & 255}.${i & 255}.0/24`,
        `${p} destination port ${1000 + (i % 50)}`,
      );
    }
  }
  return lines;
}

/** A candidate as a session makes it: the running tree with one `set` applied (sharing every other node). */
export function edited(base: ConfigNode, line: string): ConfigNode {
  const editor = new TreeEditor(base);
  const r = applySet(editor, schema, line.replace(/^set /, '').split(' '));
  if (!r.ok) throw new Error(`bench edit failed: ${line}`);
  return editor.finish();
}

function tree(lines: string[]): ConfigNode {
  const loaded = loadSetForm(`${lines.join('\n')}\n`, schema);
  if (loaded.report.invalid.length) throw new Error(loaded.report.invalid[0]!.message);
  return loaded.tree;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function nftLoad(script: string): Promise<number> {
  return time(async () => {
    const r = await run('ip', ['netns', 'exec', NS, 'nft', '-f', '-'], script);
    if (r.code !== 0) throw new Error(r.stderr);
  });
}

async function freshRouter(): Promise<{ router: Router; done: () => Promise<void> }> {
  await labUp(NS);
  const state = mkdtempSync(join(tmpdir(), 'fos-fwbench-'));
  const store = new Store(state);
  const router = new Router(store, { netns: NS }, schema);
  await commit(router, EMPTY_TREE);
  return {
    router,
    done: async () => {
      store.close();
      rmSync(state, { recursive: true, force: true });
      await labDown(NS);
    },
  };
}

async function loadBench(rounds: number, sizes: number[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of sizes) {
    const candidate = tree(rulesConfig(n));
    const effective = withDefaults(candidate, schema);
    const folded = fullLoad(renderFirewall(effective).tables).script;
    const linear = fullLoad(renderFirewall(effective, { fold: false }).tables).script;
    const raw: number[] = [];
    const rawLinear: number[] = [];
    const ours: number[] = [];
    const steps = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      await labUp(NS);
      raw.push(await nftLoad(folded));
      if (n <= 10_000 || round === 0) rawLinear.push(await nftLoad(linear));
      await labDown(NS);
      const { router, done } = await freshRouter();
      ours.push(await time(() => commit(router, candidate, round === 0 ? steps : undefined)));
      await done();
    }
    const r = median(raw);
    const o = median(ours);
    const breakdown = [...steps]
      .filter(([, t]) => t >= 5)
      .map(([s, t]) => `${s} ${Math.round(t)}`)
      .join(', ');
    rows.push({
      work: `first commit of ${n.toLocaleString('en')} rules`,
      'raw nft -f (our ruleset)': ms(r),
      'raw nft -f (linear)': ms(median(rawLinear)),
      'FOS1 commit': ms(o),
      'vs raw': `${(o / r).toFixed(2)}x`,
      target: `<= ${ms(1.2 * r + 100)}`,
      'where the time goes (ms)': breakdown,
    });
  }
  return rows;
}

async function changeBench(rounds: number): Promise<Row[]> {
  const rows: Row[] = [];
  // One member of a 100k-element group.
  const group: string[] = [];
  for (let i = 0; i < 100_000; i++)
    group.push(
      `set firewall group address-group BIG address 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    );
  const rule = [
    'set firewall ipv4 forward filter rule 10 action drop',
    'set firewall ipv4 forward filter rule 10 source group address-group BIG',
  ];
  const before = tree([...group, ...rule]);
  const after = tree([
    ...group,
    ...rule,
    'set firewall group address-group BIG address 172.16.0.1',
  ]);
  const groupTimes: number[] = [];
  // One rule in a 10k-rule chain.
  const chain = rulesConfig(10_000);
  const chainBefore = tree(chain);
  const chainAfter = edited(
    chainBefore,
    'set firewall ipv4 name C5 rule 500 destination port 2222',
  );
  const chainTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const a = await freshRouter();
    await commit(a.router, before);
    groupTimes.push(await time(() => commit(a.router, after)));
    await a.done();
    const b = await freshRouter();
    await commit(b.router, chainBefore);
    chainTimes.push(await time(() => commit(b.router, chainAfter)));
    await b.done();
  }
  rows.push({
    work: 'one member added to a 100,000-element group',
    'FOS1 commit': ms(median(groupTimes)),
    target: '< 150 ms',
  });
  rows.push({
    work: 'one rule changed in a 10,000-rule configuration',
    'FOS1 commit': ms(median(chainTimes)),
    target: '< 300 ms',
  });
  return rows;
}

// ------------------------------------------------------------------ forwarding rate

/** A real-looking 3,000-rule configuration: zones, 30 chains of 100 rules, groups. */
export function realisticConfig(): string[] {
  const lines = [
    "set interfaces ethernet eth0 address '192.0.2.1/24'",
    "set interfaces ethernet eth1 address '198.51.100.1/24'",
    'set firewall zone LAN interface eth0',
    'set firewall zone WAN interface eth1',
    'set firewall zone LOCAL local-zone',
    'set firewall zone WAN from LAN firewall name LAN-WAN',
    'set firewall zone LAN from WAN firewall name WAN-LAN',
    'set firewall zone LOCAL from LAN firewall name LAN-LOCAL',
    'set firewall zone LAN from LOCAL firewall name LOCAL-LAN',
    // Replies come back through WAN-LAN; LAN to WAN is decided rule by rule for every packet.
    'set firewall ipv4 name WAN-LAN default-action drop',
    'set firewall ipv4 name WAN-LAN rule 10 action accept',
    'set firewall ipv4 name WAN-LAN rule 10 state established',
    'set firewall ipv4 name WAN-LAN rule 10 state related',
    'set firewall ipv4 name LAN-LOCAL rule 10 action accept',
    'set firewall ipv4 name LOCAL-LAN rule 10 action accept',
    'set firewall group network-group SERVERS network 198.51.100.0/24',
    'set firewall group port-group WEB port 80',
    'set firewall group port-group WEB port 443',
  ];
  // 30 chains of 100 rules: source networks and destination ports; LAN-WAN jumps through them.
  for (let c = 0; c < 30; c++) {
    const j = `set firewall ipv4 name LAN-WAN rule ${c + 1}`;
    lines.push(`${j} action jump`, `${j} jump-target APP${c}`);
    for (let r = 0; r < 100; r++) {
      const p = `set firewall ipv4 name APP${c} rule ${(r + 1) * 10}`;
      lines.push(
        `${p} action accept`,
        `${p} protocol udp`,
        `${p} source address 10.${c}.${r}.0/24`,
        `${p} destination port ${20000 + r}`,
      );
    }
    lines.push(`set firewall ipv4 name APP${c} default-action return`);
  }
  // The measured traffic matches only the very last rule: the client's network, one port.
  lines.push(
    'set firewall ipv4 name LAN-WAN rule 1000 action accept',
    'set firewall ipv4 name LAN-WAN rule 1000 protocol tcp_udp',
    'set firewall ipv4 name LAN-WAN rule 1000 source address 192.0.2.0/24',
    'set firewall ipv4 name LAN-WAN rule 1000 destination group network-group SERVERS',
    'set firewall ipv4 name LAN-WAN rule 1000 destination port 5201',
    'set firewall ipv4 name LAN-WAN default-action drop',
  );
  return lines;
}

function sh(args: string[]): void {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

/**
 * UDP packets per second the server receives from the client through the
 * router: iperf3 sending 64-byte datagrams as fast as it can for `seconds`,
 * the rate the server reports as received.
 */
export async function forwardingRate(
  client: string,
  server: string,
  seconds: number,
): Promise<number> {
  const listener = spawn('ip', ['netns', 'exec', server, 'iperf3', '-s', '-1'], {
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 300));
  try {
    const r = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        client,
        'iperf3',
        '-c',
        '198.51.100.10',
        '-u',
        '-b',
        '0',
        '-l',
        '64',
        '-t',
        String(seconds),
        '--json',
      ],
      { encoding: 'utf8' },
    );
    const result = JSON.parse(r.stdout) as {
      error?: string;
      end?: { sum?: { packets: number; lost_packets: number; seconds: number } };
    };
    if (!result.end?.sum) throw new Error(`iperf3: ${result.error ?? r.stderr}`);
    const { packets, lost_packets: lost, seconds: elapsed } = result.end.sum;
    return (packets - lost) / elapsed;
  } finally {
    listener.kill();
  }
}

async function forwardingBench(seconds: number): Promise<Row[]> {
  await labUp(NS);
  const client = `${NS}-wire`;
  const server = `${NS}-srv`;
  sh(['ip', 'netns', 'add', server]);
  try {
    sh(['ip', '-n', client, 'link', 'set', 'wire1', 'netns', server]);
    sh(['ip', '-n', client, 'address', 'add', '192.0.2.10/24', 'dev', 'wire0']);
    sh(['ip', '-n', client, 'route', 'add', 'default', 'via', '192.0.2.1']);
    sh(['ip', '-n', server, 'link', 'set', 'wire1', 'up']);
    sh(['ip', '-n', server, 'address', 'add', '198.51.100.10/24', 'dev', 'wire1']);
    sh(['ip', '-n', server, 'route', 'add', 'default', 'via', '198.51.100.1']);
    const state = mkdtempSync(join(tmpdir(), 'fos-fwbench-'));
    const store = new Store(state);
    const router = new Router(store, { netns: NS }, schema);
    const all = realisticConfig();
    await commit(router, tree(all.filter((l) => l.startsWith('set interfaces'))));
    // Alternate between no ruleset and FOS1's, three times each: the medians are compared.
    const bareRates: number[] = [];
    const filteredRates: number[] = [];
    const rules = tree(all);
    for (let round = 0; round < 3; round++) {
      await commit(router, tree(all.filter((l) => l.startsWith('set interfaces'))));
      bareRates.push(await forwardingRate(client, server, seconds));
      await commit(router, rules);
      filteredRates.push(await forwardingRate(client, server, seconds));
    }
    const bare = median(bareRates);
    const filtered = median(filteredRates);
    const linear = fullLoad(renderFirewall(withDefaults(rules, schema), { fold: false }).tables);
    const r = await run('ip', ['netns', 'exec', NS, 'nft', '-f', '-'], linear.script);
    if (r.code !== 0) throw new Error(r.stderr);
    const linearRate = await forwardingRate(client, server, seconds);
    store.close();
    rmSync(state, { recursive: true, force: true });
    const kpps = (x: number): string => `${(x / 1000).toFixed(0)} kpps`;
    return [
      {
        ruleset: 'no ruleset (interfaces only)',
        'UDP forwarded': kpps(bare),
        'vs none': '100%',
        target: '',
      },
      {
        ruleset: '3,000 rules as FOS1 renders them (folded, zones as maps)',
        'UDP forwarded': kpps(filtered),
        'vs none': `${((100 * filtered) / bare).toFixed(0)}%`,
        target: '>= 80%',
      },
      {
        ruleset: 'the same 3,000 rules one per line (linear)',
        'UDP forwarded': kpps(linearRate),
        'vs none': `${((100 * linearRate) / bare).toFixed(0)}%`,
        target: '',
      },
    ];
  } finally {
    spawnSync('ip', ['netns', 'del', server]);
    await labDown(NS);
  }
}

export async function runFirewallBench(options: {
  rounds: number;
  record: boolean;
  quick: boolean;
  parts: readonly string[];
}): Promise<void> {
  const part = (name: string): boolean =>
    options.parts.length === 0 || options.parts.includes(name);
  const sizes = options.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const loads = part('loads') ? await loadBench(options.rounds, sizes) : [];
  const changes = part('changes') ? await changeBench(options.rounds) : [];
  const forwarding = part('forwarding') ? await forwardingBench(options.quick ? 2 : 5) : [];
  const markdown = [
    `In-process commits on a lab namespace (verify, render, \`nft -c\`, one \`nft -f\`, sysctls, record), median of ${options.rounds} rounds. "raw nft -f (our ruleset)" loads exactly what FOS1 renders; "linear" is the same rules one nft rule each, as a rule-by-rule renderer would load them.`,
    '',
    table(loads),
    '',
    table(changes),
    '',
    'Forwarding: iperf3 sending 64-byte UDP datagrams as fast as it can from the client namespace to the server through the lab router (veth); the rate the server received, median of 3 runs alternating with the no-ruleset runs.',
    '',
    table(forwarding),
    '',
    `Machine: ${machine()}.`,
  ].join('\n');
  process.stdout.write(`\n## firewall: nftables backend\n\n${markdown}\n`);
  if (options.record && options.parts.length === 0) record('firewall', markdown);
}
