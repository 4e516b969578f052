/**
 * Firewall rules (pure): groups as nft sets, config rules as nft matches and
 * statements, and named and base chains compiled to nft rules: a jump to a
 * chain that only accepts or drops and then returns is inlined into its
 * caller, and runs of compatible rules are folded into set lookups. Every
 * compiled rule keeps the config rules it stands for (its sources), so
 * counters read back from nft map onto config rule numbers.
 */
import {
  entriesAt as entries,
  hasAt as has,
  nodeAt as at,
  valueAt as val,
  valuesAt as vals,
  type ConfigNode,
} from '../config/tree.js';
import { groupKindOf, TCP_FLAGS, type Family } from '../schema/areas/firewall.js';
import { parsePortList, protocolWord } from '../schema/services.js';
import { runToEnd } from '../config/slice.js';
import { nftString, type NftSet } from './nft-model.js';
import {
  foldRulesSteps,
  ruleText,
  valueInterval,
  type KeyKind,
  type Match,
  type Rule,
} from './nft-rules.js';

export type { Family } from '../schema/areas/firewall.js';

export const quote = (s: string): string => nftString(s);
export const ip = (f: Family): string => (f === 4 ? 'ip' : 'ip6');
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
  const group = at(config, 'firewall', 'group', kind, name);
  // A multi-leaf holds distinct values already: without includes there is nothing to merge.
  if (!has(group, 'include')) return [...vals(group, member)];
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

function numberToV4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
function bigToV6(n: bigint): string {
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

/**
 * Interval set elements must not overlap. Members that do (a network and a
 * host inside it, two ranges) are merged into disjoint ranges; members that
 * do not are kept as written, so the set reads like the config.
 */
function disjoint(values: string[], kind: KeyKind): string[] {
  return runToEnd(disjointSteps(values, kind));
}

/** Values turned into intervals (or back into text) between two yields. */
const VALUES_PER_STEP = 1024;

function* disjointSteps(values: string[], kind: KeyKind): Generator<void, string[]> {
  type Bound = number | bigint;
  const ivs: [Bound, Bound][] = [];
  for (let i = 0; i < values.length; i++) {
    ivs.push(valueInterval(kind, values[i]!) as [Bound, Bound]);
    if ((i + 1) % VALUES_PER_STEP === 0) yield;
  }
  ivs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (values.length > VALUES_PER_STEP) yield;
  if (ivs.every((x, i) => i === 0 || ivs[i - 1]![1] < x[0])) return values;
  const next = (x: Bound): Bound => (typeof x === 'bigint' ? x + 1n : x + 1);
  const merged: [Bound, Bound][] = [];
  for (const iv of ivs) {
    const last = merged[merged.length - 1];
    if (last && iv[0] <= next(last[1])) last[1] = iv[1] > last[1] ? iv[1] : last[1];
    else merged.push([iv[0], iv[1]]);
  }
  const text = (n: Bound): string =>
    typeof n === 'bigint' ? bigToV6(n) : kind === 'addr4' ? numberToV4(n) : String(n);
  const out: string[] = [];
  for (let i = 0; i < merged.length; i++) {
    const [lo, hi] = merged[i]!;
    out.push(lo === hi ? text(lo) : `${text(lo)}-${text(hi)}`);
    if ((i + 1) % VALUES_PER_STEP === 0) yield;
  }
  return out;
}

const PLAIN_PORT = /^[1-9][0-9]{0,4}$/;

export function portElements(values: readonly string[]): string[] {
  if (values.length === 1 && PLAIN_PORT.test(values[0]!)) return [values[0]!];
  const ranges = values.flatMap((v) => parsePortList(v) ?? []);
  const text = ranges.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`));
  return disjoint([...new Set(text)], 'port');
}

export function groupSet(config: ConfigNode, kind: string, name: string): NftSet {
  return runToEnd(groupSetSteps(config, kind, name));
}

/** A group's set; a large group's members are made disjoint a few thousand per step. */
export function* groupSetSteps(
  config: ConfigNode,
  kind: string,
  name: string,
): Generator<void, NftSet> {
  const k = GROUP_KINDS[kind]!;
  const members = groupMembers(config, kind, name);
  let elements: string[];
  let interval: boolean;
  if (kind === 'port-group') {
    elements = portElements(members);
    yield;
    interval = elements.some((e) => e.includes('-'));
  } else if (k.family) {
    const f = k.family;
    const ranged = kind.includes('network') || members.some((e) => e.includes('-'));
    // Distinct host addresses cannot overlap: only networks and ranges need merging.
    elements = ranged ? yield* disjointSteps(members, f === 4 ? 'addr4' : 'addr6') : members;
    interval = ranged;
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

export interface RuleContext {
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

function interfaceMatches(rule: ConfigNode): Match[] {
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
  for (const word of ['address-group', 'network-group']) {
    const g = val(e, 'group', word);
    const prefix = GROUP_KINDS[groupKindOf(word, f)]!.prefix;
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
export function ruleMatches(rule: ConfigNode, ctx: RuleContext): Match[] {
  const out: Match[] = [...interfaceMatches(rule)];
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
  for (const m of endpointMatches(rule, 'source', ctx)) out.push(m);
  for (const m of endpointMatches(rule, 'destination', ctx)) out.push(m);
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
  // `tcp dport 22` already tests for TCP: an explicit `meta l4proto tcp` beside it is work for nothing.
  if (p && !p.negate && (p.name === 'tcp' || p.name === 'udp')) {
    const word = p.name;
    if (out.some((m) => m.key.startsWith(`${word} `)))
      return out.filter(
        (m) => !(m.key === 'meta l4proto' && m.values.length === 1 && m.values[0] === word),
      );
  }
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

/** A rule's rate gates (`limit`, `recent`), shared by the filter and the policy-route rules. */
export function ruleGates(number: string, rule: ConfigNode, ctx: RuleContext): string[] {
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
  return gates;
}

function filterRule(number: string, rule: ConfigNode, ctx: RuleContext): Rule | undefined {
  if (has(rule, 'disable')) return undefined;
  const gates = ruleGates(number, rule, ctx);
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

// ------------------------------------------------------------------ chains

/** A config rule an nft rule stands for: its nft chain and rule number (`default` for the default action). */
export interface RuleSource {
  readonly chain: string;
  readonly rule: string;
}

export interface ChainInput {
  /** The nft chain name (`ipv4-NAME`, `ipv4-forward`). */
  readonly name: string;
  readonly node: ConfigNode;
  readonly family: Family;
  /** The default action when the config sets none. */
  readonly fallback: 'accept' | 'drop';
}

export interface CompiledChain {
  readonly rules: readonly string[];
  /** For each rule, the config rules it stands for. */
  readonly sources: readonly (readonly RuleSource[])[];
}

interface RawChain {
  readonly rules: readonly Rule[];
  readonly sets: readonly NftSet[];
  /** Only accepts, drops or rejects, then returns: a caller may take its rules in place of the jump. */
  readonly inlinable: boolean;
}

/** Trees are immutable: a chain node renders the same way until it changes. */
const rawMemo = new WeakMap<ConfigNode, Map<string, RawChain>>();
const compiledMemo = new WeakMap<
  ConfigNode,
  Map<string, { callees: readonly ConfigNode[]; result: CompiledChain }>
>();

const TERMINAL = /^(accept|drop|reject( with tcp reset)?)$/;

/** Config rules compiled (or nft rules written) between two yields. */
const RULES_PER_STEP = 64;

function* rawChainSteps(input: ChainInput): Generator<void, RawChain> {
  const key = `${input.family}|${input.name}`;
  const known = rawMemo.get(input.node)?.get(key);
  if (known) return known;
  const sets = new Map<string, NftSet>();
  const ctx: RuleContext = { family: input.family, logName: input.name, sets };
  const rules: Rule[] = [];
  let done = 0;
  for (const [number, rule] of entries(input.node, 'rule')) {
    const r = filterRule(number, rule, ctx);
    if (r) rules.push(r);
    if (++done % RULES_PER_STEP === 0) yield;
  }
  const inlinable =
    val(input.node, 'default-action') === 'return' &&
    !has(input.node, 'default-log') &&
    rules.every((r) => r.gates.length === 0 && r.actions.length === 0 && TERMINAL.test(r.verdict));
  const raw: RawChain = { rules, sets: [...sets.values()], inlinable };
  let byKey = rawMemo.get(input.node);
  if (!byKey) rawMemo.set(input.node, (byKey = new Map()));
  byKey.set(key, raw);
  return raw;
}

/** The caller's matches and the callee's, when no key appears in both (nft cannot AND two values of one key in a set). */
function combine(caller: readonly Match[], callee: readonly Match[]): Match[] | undefined {
  const keys = new Set(caller.map((m) => m.key));
  return callee.some((m) => keys.has(m.key)) ? undefined : [...caller, ...callee];
}

/**
 * Compile the filter chains of one table. `fold: false` keeps one nft rule
 * per config rule and no inlining (the linear baseline of the benchmark).
 */
export function compileChains(
  inputs: readonly ChainInput[],
  fold: boolean,
  sets: Map<string, NftSet>,
): Map<string, CompiledChain> {
  return runToEnd(compileChainsSteps(inputs, fold, sets));
}

/** `compileChains`, a few hundred rules per step. */
export function* compileChainsSteps(
  inputs: readonly ChainInput[],
  fold: boolean,
  sets: Map<string, NftSet>,
): Generator<void, Map<string, CompiledChain>> {
  const byName = new Map(inputs.map((i) => [i.name, i]));
  const out = new Map<string, CompiledChain>();
  for (const input of inputs) {
    const raw = yield* rawChainSteps(input);
    for (const set of raw.sets) sets.set(set.name, set);
    // Which callees this chain inlines; the compiled form is reused while they and it are unchanged.
    const callees: ConfigNode[] = [];
    const expanded: Rule[] = [];
    for (const rule of raw.rules) {
      const target =
        fold && rule.verdict.startsWith('jump ') ? byName.get(rule.verdict.slice(5)) : undefined;
      const callee = target && target !== input ? yield* rawChainSteps(target) : undefined;
      const inlined =
        callee?.inlinable && rule.gates.length === 0 && rule.actions.length === 0
          ? callee.rules.map((r) => {
              const matches = combine(rule.matches, r.matches);
              return (
                matches && { ...r, matches, numbers: r.numbers.map((n) => `${target!.name}:${n}`) }
              );
            })
          : undefined;
      if (inlined && inlined.every((r) => r !== undefined)) {
        callees.push(target!.node);
        for (const r of inlined as Rule[]) expanded.push(r);
      } else expanded.push(rule);
    }
    const key = `${input.family}|${input.name}|${input.fallback}|${fold}`;
    const memo = compiledMemo.get(input.node)?.get(key);
    if (
      memo &&
      memo.callees.length === callees.length &&
      memo.callees.every((c, i) => c === callees[i])
    ) {
      out.set(input.name, memo.result);
      continue;
    }
    const compiled = fold ? yield* foldRulesSteps(expanded) : expanded;
    const ctx: RuleContext = { family: input.family, logName: input.name, sets };
    const rules: string[] = [];
    const sources: (readonly RuleSource[])[] = [];
    for (let i = 0; i < compiled.length; i++) {
      const r = compiled[i]!;
      rules.push(ruleText(r, quote));
      sources.push(
        r.numbers.map((n) => {
          const colon = n.lastIndexOf(':');
          return colon < 0
            ? { chain: input.name, rule: n }
            : { chain: n.slice(0, colon), rule: n.slice(colon + 1) };
        }),
      );
      if ((i + 1) % RULES_PER_STEP === 0) yield;
    }
    rules.push(defaultRule(input.node, ctx, input.fallback));
    sources.push([{ chain: input.name, rule: 'default' }]);
    const result: CompiledChain = { rules, sources };
    let byKey = compiledMemo.get(input.node);
    if (!byKey) compiledMemo.set(input.node, (byKey = new Map()));
    byKey.set(key, { callees, result });
    out.set(input.name, result);
  }
  return out;
}
