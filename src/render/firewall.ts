/**
 * Firewall rendering (pure): `firewall`, `nat`, `nat66` and `system
 * conntrack` -> FOS1's own nftables tables and the sysctls they stand for.
 *
 * table inet fos_filter
 *   forward/input/output          base chains (priority filter): state policy, then
 *                                 `meta nfproto vmap` to ipv4-HOOK / ipv6-HOOK
 *   ipv4-NAME, ipv6-NAME          named chains (`firewall ipv4 name NAME`)
 *   zone-forward/-input/-output   base chains (priority 10): `oifname vmap` to zone-Z,
 *                                 `iifname vmap` to zone-Z-from-A, which goes to the named chain
 *   helpers, helpers-out          conntrack helpers (`system conntrack modules`)
 *   notrack, notrack-out          `system conntrack ignore` (priority raw)
 *   sets A4_/A6_/N4_/N6_/P_/I_/M_ groups; RC4_/RC6_ `recent` state
 * table ip fos_nat / ip6 fos_nat: destination (dstnat) and source (srcnat) chains.
 */
import { getNode, sortedChildren, type ConfigNode } from '../config/tree.js';
import { CONNTRACK_HELPERS } from '../schema/areas/conntrack.js';
import { TCP_FLAGS } from '../schema/areas/firewall.js';
import { parseIPv6 } from '../schema/index.js';
import { parsePortList, protocolWord } from '../schema/services.js';
import {
  nftString,
  tableKey,
  type NftChain,
  type NftSet,
  type NftTable,
  type NftTables,
} from './nft-model.js';
import { foldRules, ruleText, type Match, type Rule } from './nft-rules.js';

export type Family = 4 | 6;

export interface FirewallState {
  readonly tables: NftTables;
  /** Sysctls of the target namespace (`firewall global-options`, conntrack timeouts). */
  readonly sysctls: ReadonlyMap<string, string>;
  /** Sysctls only the root namespace can set (conntrack table, hash and expect sizes). */
  readonly hostSysctls: ReadonlyMap<string, string>;
}

/** Options that turn off folding rules into sets (the benchmark's linear baseline). */
export interface RenderOptions {
  readonly fold?: boolean;
}

// ------------------------------------------------------------------ tree access

const at = (n: ConfigNode | undefined, ...path: string[]): ConfigNode | undefined =>
  n && getNode(n, path);
const val = (n: ConfigNode | undefined, ...path: string[]): string | undefined =>
  at(n, ...path)?.values[0];
const vals = (n: ConfigNode | undefined, ...path: string[]): readonly string[] =>
  at(n, ...path)?.values ?? [];
const has = (n: ConfigNode | undefined, ...path: string[]): boolean => at(n, ...path) !== undefined;
const entries = (n: ConfigNode | undefined, ...path: string[]): [string, ConfigNode][] => {
  const node = at(n, ...path);
  return node ? sortedChildren(node) : [];
};

const quote = (s: string): string => nftString(s);
const ip = (f: Family): string => (f === 4 ? 'ip' : 'ip6');
export const chainName = (f: Family, name: string): string => `ipv${f}-${name}`;

// ------------------------------------------------------------------ groups

/** Group kind -> set name prefix, element type, and the member leaf. */
export const GROUP_KINDS: Readonly<
  Record<string, { prefix: string; type: string; member: string; family?: Family }>
> = {
  'address-group': { prefix: 'A4_', type: 'ipv4_addr', member: 'address', family: 4 },
  'ipv6-address-group': { prefix: 'A6_', type: 'ipv6_addr', member: 'address', family: 6 },
  'network-group': { prefix: 'N4_', type: 'ipv4_addr', member: 'network', family: 4 },
  'ipv6-network-group': { prefix: 'N6_', type: 'ipv6_addr', member: 'network', family: 6 },
  'port-group': { prefix: 'P_', type: 'inet_service', member: 'port' },
  'interface-group': { prefix: 'I_', type: 'ifname', member: 'interface' },
  'mac-group': { prefix: 'M_', type: 'ether_addr', member: 'mac-address' },
};

/** The members of a group with its includes, each once. */
export function groupMembers(config: ConfigNode, kind: string, name: string): string[] {
  const member = GROUP_KINDS[kind]!.member;
  const out = new Set<string>();
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    const g = at(config, 'firewall', 'group', kind, n);
    for (const v of vals(g, member)) out.add(v);
    for (const inc of vals(g, 'include')) visit(inc);
  };
  visit(name);
  return [...out];
}

function bigToV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
}
function bigToV6(n: bigint): string {
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

function addressInterval(value: string, family: Family): [bigint, bigint] {
  const toN =
    family === 4
      ? (a: string): bigint => BigInt(a.split('.').reduce((n, o) => n * 256 + Number(o), 0))
      : (a: string): bigint => parseIPv6(a)!.reduce((n, g) => (n << 16n) | BigInt(g), 0n);
  const width = family === 4 ? 32 : 128;
  const dash = value.indexOf('-');
  if (dash > 0) return [toN(value.slice(0, dash)), toN(value.slice(dash + 1))];
  const [a, len] = value.split('/');
  const base = toN(a!);
  return [base, base + (1n << BigInt(width - (len === undefined ? width : Number(len)))) - 1n];
}

/**
 * Interval set elements must not overlap. Members that do (a network and a
 * host inside it, two ranges) are merged into disjoint ranges; members that
 * do not are kept as written, so the set reads like the config.
 */
function disjoint(
  values: string[],
  toInterval: (v: string) => [bigint, bigint],
  text: (n: bigint) => string,
): string[] {
  const ivs = values.map((v) => ({ v, iv: toInterval(v) }));
  ivs.sort((a, b) => (a.iv[0] < b.iv[0] ? -1 : a.iv[0] > b.iv[0] ? 1 : 0));
  if (ivs.every((x, i) => i === 0 || ivs[i - 1]!.iv[1] < x.iv[0])) return values;
  const merged: [bigint, bigint][] = [];
  for (const { iv } of ivs) {
    const last = merged[merged.length - 1];
    if (last && iv[0] <= last[1] + 1n) last[1] = iv[1] > last[1] ? iv[1] : last[1];
    else merged.push([iv[0], iv[1]]);
  }
  return merged.map(([lo, hi]) => (lo === hi ? text(lo) : `${text(lo)}-${text(hi)}`));
}

function portElements(values: readonly string[]): string[] {
  const ranges = values.flatMap((v) => parsePortList(v) ?? []);
  const text = ranges.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`));
  return disjoint(
    [...new Set(text)],
    (v) => {
      const [lo, hi] = v.split('-');
      return [BigInt(lo!), BigInt(hi ?? lo!)];
    },
    String,
  );
}

function groupSet(config: ConfigNode, kind: string, name: string): NftSet {
  const k = GROUP_KINDS[kind]!;
  const members = groupMembers(config, kind, name);
  let elements: string[];
  let interval: boolean;
  if (kind === 'port-group') {
    elements = portElements(members);
    interval = elements.some((e) => e.includes('-'));
  } else if (k.family) {
    const f = k.family;
    elements = disjoint(members, (v) => addressInterval(v, f), f === 4 ? bigToV4 : bigToV6);
    interval = kind.includes('network') || elements.some((e) => e.includes('-') || e.includes('/'));
  } else if (kind === 'interface-group') {
    elements = members.map((m) => quote(m));
    interval = members.some((m) => m.endsWith('*'));
  } else {
    elements = members.map((m) => m.toLowerCase());
    interval = false;
  }
  return {
    name: `${k.prefix}${name}`,
    type: k.type,
    flags: interval ? ['interval'] : [],
    elements,
  };
}

// ------------------------------------------------------------------ rules

interface RuleContext {
  readonly family: Family;
  /** Where log prefixes say the rule is: `ipv4-NAME`, `NAT-DST`, ... */
  readonly logName: string;
  readonly sets: Map<string, NftSet>;
}

function negated(value: string): [boolean, string] {
  return value.startsWith('!') ? [true, value.slice(1)] : [false, value];
}

function protocolOf(rule: ConfigNode): { negate: boolean; name: string } | undefined {
  const p = val(rule, 'protocol');
  if (!p) return undefined;
  const [negate, name] = negated(p);
  return name === 'all' ? undefined : { negate, name };
}

/** The transport header key for ports: `tcp`, `udp`, or `th` for both. */
function l4(rule: ConfigNode): string {
  const p = protocolOf(rule);
  if (p && !p.negate && (p.name === 'tcp' || p.name === 'udp')) return p.name;
  return 'th';
}

function interfaceMatches(rule: ConfigNode, ctx: RuleContext): Match[] {
  const out: Match[] = [];
  for (const [word, key] of [
    ['inbound-interface', 'iifname'],
    ['outbound-interface', 'oifname'],
  ] as const) {
    const name = val(rule, word, 'name');
    if (name) {
      const [negate, n] = negated(name);
      out.push({ key, negate, values: [quote(n)], kind: 'ifname' });
    }
    const group = val(rule, word, 'group');
    if (group) {
      const [negate, g] = negated(group);
      out.push({
        key,
        negate,
        values: [`@${GROUP_KINDS['interface-group']!.prefix}${g}`],
        kind: 'ifname',
      });
    }
  }
  void ctx;
  return out;
}

function endpointMatches(
  rule: ConfigNode,
  side: 'source' | 'destination',
  ctx: RuleContext,
): Match[] {
  const f = ctx.family;
  const e = at(rule, side);
  if (!e) return [];
  const dir = side === 'source' ? 'saddr' : 'daddr';
  const port = side === 'source' ? 'sport' : 'dport';
  const out: Match[] = [];
  const address = val(e, 'address');
  if (address) {
    const [negate, a] = negated(address);
    out.push({ key: `${ip(f)} ${dir}`, negate, values: [a], kind: f === 4 ? 'addr4' : 'addr6' });
  }
  const v6 = f === 6 ? 'ipv6-' : '';
  for (const [kind, prefix] of [
    [`${v6}address-group`, f === 4 ? 'A4_' : 'A6_'],
    [`${v6}network-group`, f === 4 ? 'N4_' : 'N6_'],
  ] as const) {
    const g = val(e, 'group', kind.replace(/^ipv6-/, ''));
    if (g) {
      const [negate, name] = negated(g);
      out.push({
        key: `${ip(f)} ${dir}`,
        negate,
        values: [`@${prefix}${name}`],
        kind: f === 4 ? 'addr4' : 'addr6',
      });
    }
  }
  const mac = val(e, 'mac-address');
  if (mac) {
    const [negate, m] = negated(mac);
    out.push({ key: `ether ${dir}`, negate, values: [m.toLowerCase()], kind: 'other' });
  }
  const macGroup = val(e, 'group', 'mac-group');
  if (macGroup) {
    const [negate, g] = negated(macGroup);
    out.push({ key: `ether ${dir}`, negate, values: [`@M_${g}`], kind: 'other' });
  }
  const ports = val(e, 'port');
  if (ports) {
    const [negate] = negated(ports);
    out.push({ key: `${l4(rule)} ${port}`, negate, values: portElements([ports]), kind: 'port' });
  }
  const portGroup = val(e, 'group', 'port-group');
  if (portGroup) {
    const [negate, g] = negated(portGroup);
    out.push({ key: `${l4(rule)} ${port}`, negate, values: [`@P_${g}`], kind: 'port' });
  }
  return out;
}

/** Every match of a firewall, NAT or conntrack-ignore rule, in one fixed order. */
function ruleMatches(rule: ConfigNode, ctx: RuleContext): Match[] {
  const out: Match[] = [...interfaceMatches(rule, ctx)];
  const p = protocolOf(rule);
  if (p) {
    const word = p.name === 'tcp_udp' ? ['tcp', 'udp'] : [protocolWord(p.name)];
    out.push({ key: 'meta l4proto', negate: p.negate, values: word, kind: 'other' });
  } else if (
    l4(rule) === 'th' &&
    (has(rule, 'source', 'port') ||
      has(rule, 'destination', 'port') ||
      has(rule, 'source', 'group', 'port-group') ||
      has(rule, 'destination', 'group', 'port-group'))
  ) {
    out.push({ key: 'meta l4proto', negate: false, values: ['tcp', 'udp'], kind: 'other' });
  }
  out.push(...endpointMatches(rule, 'source', ctx), ...endpointMatches(rule, 'destination', ctx));
  const icmp = at(rule, ctx.family === 4 ? 'icmp' : 'icmpv6');
  if (icmp) {
    const word = ctx.family === 4 ? 'icmp' : 'icmpv6';
    const type = val(icmp, 'type-name') ?? val(icmp, 'type');
    if (type) out.push({ key: `${word} type`, negate: false, values: [type], kind: 'other' });
    const code = val(icmp, 'code');
    if (code) out.push({ key: `${word} code`, negate: false, values: [code], kind: 'other' });
    if (!type && !code)
      out.push({ key: 'meta l4proto', negate: false, values: [word], kind: 'other' });
  }
  const flags = at(rule, 'tcp', 'flags');
  if (flags) {
    const set = TCP_FLAGS.filter((f) => has(flags, f));
    const unset = TCP_FLAGS.filter((f) => has(flags, 'not', f));
    const mask = [...set, ...unset];
    if (mask.length)
      out.push({
        key: `tcp flags & (${mask.join(' | ')}) ==`,
        negate: false,
        values: [set.length ? set.join(' | ') : '0x0'],
        kind: 'other',
      });
  }
  const state = vals(rule, 'state');
  if (state.length) out.push({ key: 'ct state', negate: false, values: [...state], kind: 'other' });
  const natStatus = val(rule, 'connection-status', 'nat');
  if (natStatus)
    out.push({
      key: 'ct status',
      negate: false,
      values: [natStatus === 'destination' ? 'dnat' : 'snat'],
      kind: 'other',
    });
  const lengths = vals(rule, 'packet-length');
  if (lengths.length)
    out.push({ key: 'meta length', negate: false, values: [...lengths], kind: 'other' });
  return out;
}

const RECENT_SECONDS: Record<string, string> = { second: 'second', minute: 'minute', hour: 'hour' };

/**
 * A rule's verdict in nft words. A TCP-only reject answers with a reset, which
 * every TCP stack reads as "refused"; others answer with ICMP port unreachable.
 */
function ruleVerdict(rule: ConfigNode, action: string, f: Family): string {
  if (action === 'jump') return `jump ${chainName(f, val(rule, 'jump-target') ?? '')}`;
  const p = protocolOf(rule);
  if (action === 'reject' && p && !p.negate && p.name === 'tcp') return 'reject with tcp reset';
  return action;
}

function filterRule(number: string, rule: ConfigNode, ctx: RuleContext): Rule | undefined {
  if (has(rule, 'disable')) return undefined;
  const gates: string[] = [];
  const rate = val(rule, 'limit', 'rate');
  if (rate) {
    const burst = val(rule, 'limit', 'burst');
    gates.push(`limit rate ${rate}${burst ? ` burst ${burst} packets` : ''}`);
  }
  const count = val(rule, 'recent', 'count');
  const time = val(rule, 'recent', 'time');
  if (count && time) {
    const set = `RC${ctx.family}_${ctx.logName}_${number}`;
    ctx.sets.set(set, {
      name: set,
      type: ctx.family === 4 ? 'ipv4_addr' : 'ipv6_addr',
      flags: ['dynamic'],
      size: 65535,
      elements: [],
    });
    gates.push(
      `add @${set} { ${ip(ctx.family)} saddr limit rate over ${count}/${RECENT_SECONDS[time]} burst ${count} packets }`,
    );
  }
  const action = val(rule, 'action') ?? 'accept';
  const actions: string[] = [];
  if (has(rule, 'log')) {
    const level = val(rule, 'log-options', 'level');
    actions.push(
      `log prefix ${quote(`[${ctx.logName}-${number}-${action[0]!.toUpperCase()}] `)}${level ? ` level ${level}` : ''}`,
    );
  }
  const description = val(rule, 'description');
  return {
    matches: ruleMatches(rule, ctx),
    gates,
    actions,
    verdict: ruleVerdict(rule, action, ctx.family),
    numbers: [number],
    ...(description ? { description } : {}),
  };
}

function defaultRule(node: ConfigNode, ctx: RuleContext, fallback: string): string {
  const action = val(node, 'default-action') ?? fallback;
  const parts: string[] = [];
  if (has(node, 'default-log'))
    parts.push(`log prefix ${quote(`[${ctx.logName}-default-${action[0]!.toUpperCase()}] `)}`);
  const verdict =
    action === 'jump'
      ? `jump ${chainName(ctx.family, val(node, 'default-jump-target') ?? '')}`
      : action;
  return ['counter', ...parts, verdict, `comment ${quote('default-action')}`].join(' ');
}

function ruleLines(node: ConfigNode, ctx: RuleContext, options: RenderOptions): string[] {
  const rules: Rule[] = [];
  for (const [number, rule] of entries(node, 'rule')) {
    const r = filterRule(number, rule, ctx);
    if (r) rules.push(r);
  }
  const compiled = options.fold === false ? rules : foldRules(rules);
  return compiled.map((r) => ruleText(r, quote));
}

// ------------------------------------------------------------------ firewall table

const HOOKS = ['forward', 'input', 'output'] as const;

function statePolicyRules(config: ConfigNode): string[] {
  const policy = at(config, 'firewall', 'global-options', 'state-policy');
  if (!policy) return [];
  const states = (['established', 'related', 'invalid'] as const).filter((s) => has(policy, s));
  const simple = states.every(
    (s) => !has(policy, s, 'log') && val(policy, s, 'action') !== 'reject',
  );
  if (simple)
    return [
      `ct state vmap { ${states.map((s) => `${s} : ${val(policy, s, 'action')}`).join(', ')} } comment ${quote('state-policy')}`,
    ];
  return states.map((s) => {
    const action = val(policy, s, 'action')!;
    const log = has(policy, s, 'log')
      ? ` log prefix ${quote(`[STATE-POLICY-${s.slice(0, 3).toUpperCase()}-${action[0]!.toUpperCase()}] `)}`
      : '';
    return `ct state ${s} counter${log} ${action} comment ${quote('state-policy')}`;
  });
}

function baseHeader(hook: string, priority: string): string {
  return `type filter hook ${hook} priority ${priority}; policy accept;`;
}

interface ZoneInfo {
  readonly name: string;
  readonly node: ConfigNode;
  readonly interfaces: string[];
  readonly local: boolean;
}

function zones(config: ConfigNode): ZoneInfo[] {
  return entries(config, 'firewall', 'zone').map(([name, node]) => ({
    name,
    node,
    interfaces: [...vals(node, 'interface'), ...vals(node, 'member', 'interface')],
    local: has(node, 'local-zone'),
  }));
}

function zoneDefault(zone: ZoneInfo): string {
  const action = val(zone.node, 'default-action') ?? 'drop';
  const log = has(zone.node, 'default-log')
    ? ` log prefix ${quote(`[ZONE-${zone.name}-default-${action[0]!.toUpperCase()}] `)}`
    : '';
  return `counter${log} ${action} comment ${quote(`zone ${zone.name} default-action`)}`;
}

/** `meta nfproto vmap { ipv4 : goto ipv4-X, ipv6 : goto ipv6-Y }` for a `firewall name/ipv6-name` pair. */
function familyDispatch(
  firewallNode: ConfigNode | undefined,
  verb: 'goto' | 'jump',
): string | undefined {
  const targets: string[] = [];
  const v4 = val(firewallNode, 'name');
  const v6 = val(firewallNode, 'ipv6-name');
  if (v4) targets.push(`ipv4 : ${verb} ${chainName(4, v4)}`);
  if (v6) targets.push(`ipv6 : ${verb} ${chainName(6, v6)}`);
  return targets.length ? `meta nfproto vmap { ${targets.join(', ')} }` : undefined;
}

function zoneChains(
  config: ConfigNode,
  chains: Map<string, NftChain>,
  statePolicy: string[],
): void {
  const all = zones(config);
  if (all.length === 0) return;
  const byName = new Map(all.map((z) => [z.name, z]));
  const local = all.find((z) => z.local);
  const vmap = (key: string, items: string[]): string[] =>
    items.length ? [`${key} vmap { ${items.join(', ')} }`] : [];

  /** The chain for traffic from zone `from` into `to`: the named chains, then `to`'s default. */
  const pairChain = (to: ZoneInfo, from: ZoneInfo, fw: ConfigNode | undefined): string => {
    const name = `zone-${to.name}-from-${from.name}`;
    const dispatch = familyDispatch(fw, 'goto');
    chains.set(name, { name, rules: [...(dispatch ? [dispatch] : []), zoneDefault(to)] });
    return name;
  };

  const forwardTargets: string[] = [];
  for (const to of all) {
    if (to.local) continue;
    const items: string[] = [];
    // Traffic inside one zone: allowed unless intra-zone-filtering says otherwise.
    const intra = at(to.node, 'intra-zone-filtering');
    let intraVerdict = 'return';
    if (intra) {
      const fw = at(intra, 'firewall');
      if (fw) intraVerdict = `goto ${pairChain(to, to, fw)}`;
      else intraVerdict = val(intra, 'action') === 'drop' ? 'drop' : 'return';
    }
    for (const i of to.interfaces) items.push(`${quote(i)} : ${intraVerdict}`);
    for (const [fromName, fromNode] of entries(to.node, 'from')) {
      const from = byName.get(fromName);
      if (!from || from.local || from === to) continue;
      const pair = pairChain(to, from, at(fromNode, 'firewall'));
      for (const i of from.interfaces) items.push(`${quote(i)} : goto ${pair}`);
    }
    const name = `zone-${to.name}`;
    chains.set(name, { name, rules: [...vmap('iifname', items), zoneDefault(to)] });
    for (const i of to.interfaces) forwardTargets.push(`${quote(i)} : jump ${name}`);
  }
  chains.set('zone-forward', {
    name: 'zone-forward',
    base: baseHeader('forward', '10'),
    rules: [...statePolicy, ...vmap('oifname', forwardTargets)],
  });
  if (!local) return;
  // To the router itself: from each zone through `local from ZONE`, else local's default.
  const inItems: string[] = [];
  for (const [fromName, fromNode] of entries(local.node, 'from')) {
    const from = byName.get(fromName);
    if (!from || from.local) continue;
    const pair = pairChain(local, from, at(fromNode, 'firewall'));
    for (const i of from.interfaces) inItems.push(`${quote(i)} : goto ${pair}`);
  }
  chains.set('zone-input', {
    name: 'zone-input',
    base: baseHeader('input', '10'),
    rules: [...statePolicy, `iif "lo" accept`, ...vmap('iifname', inItems), zoneDefault(local)],
  });
  // From the router: into each zone through `ZONE from local`, else local's default.
  const outItems: string[] = [];
  for (const to of all) {
    if (to.local) continue;
    const fromLocal = at(to.node, 'from', local.name);
    if (!fromLocal) continue;
    const pair = pairChain(to, local, at(fromLocal, 'firewall'));
    for (const i of to.interfaces) outItems.push(`${quote(i)} : goto ${pair}`);
  }
  chains.set('zone-output', {
    name: 'zone-output',
    base: baseHeader('output', '10'),
    rules: [...statePolicy, `oif "lo" accept`, ...vmap('oifname', outItems), zoneDefault(local)],
  });
}

function conntrackChains(
  config: ConfigNode,
  table: { objects: string[]; chains: Map<string, NftChain> },
  sets: Map<string, NftSet>,
): void {
  const modules = at(config, 'system', 'conntrack', 'modules');
  const assign: string[] = [];
  for (const [module, h] of Object.entries(CONNTRACK_HELPERS)) {
    if (!has(modules, module)) continue;
    for (const p of h.ports) {
      const object = `${module}-${p.protocol}-${p.port}`;
      table.objects.push(`ct helper ${object} { type ${quote(p.helper)} protocol ${p.protocol}; }`);
      assign.push(`${p.protocol} dport ${p.port} ct helper set ${quote(object)}`);
    }
  }
  if (assign.length) {
    table.chains.set('conntrack-helpers', {
      name: 'conntrack-helpers',
      base: baseHeader('prerouting', 'filter'),
      rules: assign,
    });
    table.chains.set('conntrack-helpers-out', {
      name: 'conntrack-helpers-out',
      base: baseHeader('output', 'filter'),
      rules: assign,
    });
  }
  const ignore: string[] = [];
  for (const f of [4, 6] as const) {
    for (const [number, rule] of entries(
      config,
      'system',
      'conntrack',
      'ignore',
      `ipv${f}`,
      'rule',
    )) {
      const ctx: RuleContext = { family: f, logName: `NOTRACK${f}`, sets };
      const matches: Match[] = [
        { key: 'meta nfproto', negate: false, values: [`ipv${f}`], kind: 'other' },
        ...ruleMatches(rule, ctx),
      ];
      const iface = val(rule, 'inbound-interface');
      if (iface)
        matches.unshift({ key: 'iifname', negate: false, values: [quote(iface)], kind: 'ifname' });
      const description = val(rule, 'description');
      ignore.push(
        ruleText(
          {
            matches,
            gates: [],
            actions: ['notrack'],
            verdict: '',
            numbers: [number],
            ...(description ? { description } : {}),
          },
          quote,
        ),
      );
    }
  }
  if (ignore.length) {
    table.chains.set('conntrack-ignore', {
      name: 'conntrack-ignore',
      base: baseHeader('prerouting', 'raw'),
      rules: ignore,
    });
    table.chains.set('conntrack-ignore-out', {
      name: 'conntrack-ignore-out',
      base: baseHeader('output', 'raw'),
      rules: ignore,
    });
  }
}

function filterTable(config: ConfigNode, options: RenderOptions): NftTable | undefined {
  const sets = new Map<string, NftSet>();
  const chains = new Map<string, NftChain>();
  const objects: string[] = [];
  for (const kind of Object.keys(GROUP_KINDS)) {
    for (const [name] of entries(config, 'firewall', 'group', kind)) {
      const set = groupSet(config, kind, name);
      sets.set(set.name, set);
    }
  }
  const statePolicy = statePolicyRules(config);
  // Named chains first, so a base chain's jump always finds its target declared.
  const familyChains = new Map<string, NftChain>();
  for (const f of [4, 6] as const) {
    for (const [name, node] of entries(config, 'firewall', `ipv${f}`, 'name')) {
      const chain = chainName(f, name);
      const ctx: RuleContext = { family: f, logName: chain, sets };
      familyChains.set(chain, {
        name: chain,
        rules: [...ruleLines(node, ctx, options), defaultRule(node, ctx, 'drop')],
      });
    }
  }
  for (const hook of HOOKS) {
    const dispatch: string[] = [];
    for (const f of [4, 6] as const) {
      const node = at(config, 'firewall', `ipv${f}`, hook, 'filter');
      if (!node) continue;
      const chain = chainName(f, hook);
      const ctx: RuleContext = { family: f, logName: chain, sets };
      familyChains.set(chain, {
        name: chain,
        rules: [...ruleLines(node, ctx, options), defaultRule(node, ctx, 'accept')],
      });
      dispatch.push(`ipv${f} : jump ${chain}`);
    }
    if (dispatch.length || statePolicy.length)
      chains.set(hook, {
        name: hook,
        base: baseHeader(hook, 'filter'),
        rules: [
          ...statePolicy,
          ...(dispatch.length ? [`meta nfproto vmap { ${dispatch.join(', ')} }`] : []),
        ],
      });
  }
  zoneChains(config, chains, statePolicy);
  conntrackChains(config, { objects, chains }, sets);
  for (const [name, chain] of familyChains) chains.set(name, chain);
  if (chains.size === 0 && sets.size === 0 && objects.length === 0) return undefined;
  // Regular chains are declared before base chains refer to them: order regular first.
  const ordered = new Map([...chains].sort(([, a], [, b]) => Number(!!a.base) - Number(!!b.base)));
  return { family: 'inet', name: 'fos_filter', objects, sets, chains: ordered };
}

// ------------------------------------------------------------------ NAT

function natTranslation(rule: ConfigNode, kind: 'source' | 'destination', f: Family): string {
  if (has(rule, 'exclude')) return 'return';
  const address = val(rule, 'translation', 'address');
  const port = val(rule, 'translation', 'port');
  const ports = port ? portElements([port]) : [];
  const portText = ports.length ? `:${ports[0]}` : '';
  const flags: string[] = [];
  const pm = val(rule, 'translation', 'options', 'port-mapping');
  if (pm === 'random' || pm === 'fully-random') flags.push(pm);
  if (val(rule, 'translation', 'options', 'address-mapping') === 'persistent')
    flags.push('persistent');
  const tail = flags.length ? ` ${flags.join(',')}` : '';
  if (kind === 'destination' && has(rule, 'translation', 'redirect'))
    return `redirect${portText ? ` to ${portText}` : ''}${tail}`;
  if (address === 'masquerade') return `masquerade${portText ? ` to ${portText}` : ''}${tail}`;
  const verb = kind === 'source' ? 'snat' : 'dnat';
  if (!address) return 'accept';
  if (address.includes('/')) return `${verb} ${ip(f)} prefix to ${address}${tail}`;
  const shown = f === 6 && portText ? `[${address}]` : address;
  return `${verb} ${ip(f)} to ${shown}${portText}${tail}`;
}

function natTable(config: ConfigNode, area: 'nat' | 'nat66', f: Family): NftTable | undefined {
  const chains = new Map<string, NftChain>();
  const sets = new Map<string, NftSet>();
  for (const kind of ['destination', 'source'] as const) {
    const rules = entries(config, area, kind, 'rule');
    if (rules.length === 0) continue;
    const logName = `NAT${f === 6 ? '66' : ''}-${kind === 'source' ? 'SRC' : 'DST'}`;
    const lines: string[] = [];
    for (const [number, rule] of rules) {
      if (has(rule, 'disable')) continue;
      const ctx: RuleContext = { family: f, logName, sets };
      const actions: string[] = [];
      if (has(rule, 'log')) actions.push(`log prefix ${quote(`[${logName}-${number}] `)}`);
      const description = val(rule, 'description');
      lines.push(
        ruleText(
          {
            matches: ruleMatches(rule, ctx),
            gates: [],
            actions,
            verdict: natTranslation(rule, kind, f),
            numbers: [number],
            ...(description ? { description } : {}),
          },
          quote,
        ),
      );
    }
    const hook = kind === 'source' ? 'postrouting' : 'prerouting';
    const priority = kind === 'source' ? 'srcnat' : 'dstnat';
    chains.set(kind, {
      name: kind,
      base: `type nat hook ${hook} priority ${priority}; policy accept;`,
      rules: lines,
    });
  }
  if (chains.size === 0) return undefined;
  // Group references in NAT rules name the firewall's groups: the NAT table carries its own copies.
  const referenced = new Set(
    [...chains.values()].flatMap((c) =>
      c.rules.flatMap((r) => [...r.matchAll(/@([A-Za-z0-9_.-]+)/g)].map((m) => m[1]!)),
    ),
  );
  const natSets = new Map<string, NftSet>();
  for (const kindName of Object.keys(GROUP_KINDS)) {
    for (const [name] of entries(config, 'firewall', 'group', kindName)) {
      const set = groupSet(config, kindName, name);
      if (referenced.has(set.name)) natSets.set(set.name, set);
    }
  }
  return { family: f === 4 ? 'ip' : 'ip6', name: 'fos_nat', objects: [], sets: natSets, chains };
}

// ------------------------------------------------------------------ sysctls

const onOff = (v: string | undefined, on = '1', off = '0'): string => (v === 'enable' ? on : off);

function globalSysctls(config: ConfigNode, out: Map<string, string>): void {
  const g = at(config, 'firewall', 'global-options');
  const opt = (name: string, fallback: string): string => val(g, name) ?? fallback;
  const both = (key: string, value: string): void => {
    out.set(key.replace('CONF', 'all'), value);
    out.set(key.replace('CONF', 'default'), value);
  };
  // A router forwards (VyOS's default; `system ip disable-forwarding` is not implemented yet).
  out.set('net.ipv4.ip_forward', '1');
  out.set('net.ipv6.conf.all.forwarding', '1');
  out.set('net.ipv4.icmp_echo_ignore_all', onOff(opt('all-ping', 'enable'), '0', '1'));
  out.set(
    'net.ipv4.icmp_echo_ignore_broadcasts',
    onOff(opt('broadcast-ping', 'disable'), '0', '1'),
  );
  both('net.ipv4.conf.CONF.accept_source_route', onOff(opt('ip-src-route', 'disable')));
  both(
    'net.ipv6.conf.CONF.accept_source_route',
    onOff(opt('ipv6-src-route', 'disable'), '0', '-1'),
  );
  both('net.ipv6.conf.CONF.accept_redirects', onOff(opt('ipv6-receive-redirects', 'disable')));
  both('net.ipv4.conf.CONF.log_martians', onOff(opt('log-martians', 'enable')));
  both('net.ipv4.conf.CONF.accept_redirects', onOff(opt('receive-redirects', 'disable')));
  both('net.ipv4.conf.CONF.send_redirects', onOff(opt('send-redirects', 'enable')));
  const rp = { strict: '1', loose: '2', disable: '0' }[opt('source-validation', 'disable')] ?? '0';
  both('net.ipv4.conf.CONF.rp_filter', rp);
  out.set('net.ipv4.tcp_syncookies', onOff(opt('syn-cookies', 'enable')));
  out.set('net.ipv4.tcp_rfc1337', onOff(opt('twa-hazards-protection', 'disable')));
}

/** Conntrack timeout leaf -> sysctl, with the kernel's (and VyOS's) defaults. */
export const TIMEOUT_SYSCTLS: readonly [path: string[], key: string, fallback: string][] = [
  [['icmp'], 'nf_conntrack_icmp_timeout', '30'],
  [['other'], 'nf_conntrack_generic_timeout', '600'],
  [['tcp', 'close'], 'nf_conntrack_tcp_timeout_close', '10'],
  [['tcp', 'close-wait'], 'nf_conntrack_tcp_timeout_close_wait', '60'],
  [['tcp', 'established'], 'nf_conntrack_tcp_timeout_established', '432000'],
  [['tcp', 'fin-wait'], 'nf_conntrack_tcp_timeout_fin_wait', '120'],
  [['tcp', 'last-ack'], 'nf_conntrack_tcp_timeout_last_ack', '30'],
  [['tcp', 'syn-recv'], 'nf_conntrack_tcp_timeout_syn_recv', '60'],
  [['tcp', 'syn-sent'], 'nf_conntrack_tcp_timeout_syn_sent', '120'],
  [['tcp', 'time-wait'], 'nf_conntrack_tcp_timeout_time_wait', '120'],
  [['udp', 'other'], 'nf_conntrack_udp_timeout', '30'],
  [['udp', 'stream'], 'nf_conntrack_udp_timeout_stream', '180'],
];

function conntrackSysctls(
  config: ConfigNode,
  out: Map<string, string>,
  host: Map<string, string>,
): void {
  const ct = at(config, 'system', 'conntrack');
  // `system conntrack timeout` wins over the VyOS 1.3 place, `firewall global-options timeout`.
  const legacy = at(config, 'firewall', 'global-options', 'timeout');
  for (const [path, key, fallback] of TIMEOUT_SYSCTLS) {
    const value = val(ct, 'timeout', ...path) ?? val(legacy, ...path) ?? fallback;
    out.set(`net.netfilter.${key}`, value);
  }
  host.set('net.netfilter.nf_conntrack_max', val(ct, 'table-size') ?? '262144');
  host.set('net.netfilter.nf_conntrack_expect_max', val(ct, 'expect-table-size') ?? '2048');
  host.set('net.netfilter.nf_conntrack_buckets', val(ct, 'hash-size') ?? '32768');
}

// ------------------------------------------------------------------ entry point

export function renderFirewall(config: ConfigNode, options: RenderOptions = {}): FirewallState {
  const tables = new Map<string, NftTable>();
  const add = (t: NftTable | undefined): void => {
    if (t) tables.set(tableKey(t), t);
  };
  add(filterTable(config, options));
  add(natTable(config, 'nat', 4));
  add(natTable(config, 'nat66', 6));
  const sysctls = new Map<string, string>();
  const hostSysctls = new Map<string, string>();
  globalSysctls(config, sysctls);
  conntrackSysctls(config, sysctls, hostSysctls);
  return { tables, sysctls, hostSysctls };
}
