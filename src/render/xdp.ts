/**
 * `firewall xdp` (pure): per interface, what its XDP program is to hold:
 * the blocked and excluded sources as canonical prefixes, each with the rule
 * whose counters it feeds, the per-source limits, and what each rule number
 * stands for (for `show firewall xdp`).
 *
 * Rule numbers: 1-3 are the limits (all, tcp-syn, udp), 4 the `drop source
 * address` list, 5 the `exclude source address` list, and every group a
 * number from 8 up chosen by a hash of its name, so adding or removing a
 * group leaves the other groups' map elements as they are. Groups come from
 * `firewall group`, the same ones nft uses; an address range becomes the
 * fewest prefixes that cover it exactly.
 */
import { nodeAt as at, valuesAt as vals, type ConfigNode } from '../config/tree.js';
import { XDP_GROUP_KINDS, XDP_MAX_GROUPS } from '../schema/areas/firewall.js';
import { canonicalIPv6, ipv4ToNumber, isIPv4, parseIPv6 } from '../schema/types.js';

export type XdpProtocol = 'all' | 'tcp-syn' | 'udp';

export const XDP_LIMIT_RULE: Readonly<Record<XdpProtocol, number>> = {
  all: 1,
  'tcp-syn': 2,
  udp: 3,
};
export const XDP_DROP_ADDRESS_RULE = 4;
export const XDP_EXCLUDE_ADDRESS_RULE = 5;
/** Group rules: XDP_FIRST_GROUP_RULE..XDP_LAST_RULE. */
export const XDP_FIRST_GROUP_RULE = 8;
export const XDP_LAST_RULE = XDP_FIRST_GROUP_RULE + XDP_MAX_GROUPS - 1;
export { XDP_MAX_GROUPS };

export interface XdpRuleInfo {
  readonly rule: number;
  /** The configuration words it stands for: `drop source group network-group BOGONS`. */
  readonly what: string;
}

export interface XdpLimitSetting {
  readonly protocol: XdpProtocol;
  readonly rate: number;
  readonly burst: number;
  readonly rule: number;
}

/** One source list of an interface: its rule and its canonical prefixes (shared between renderings). */
export interface XdpSourceList {
  readonly rule: number;
  readonly what: string;
  readonly prefixes: readonly string[];
}

export interface XdpInterfaceDesired {
  readonly name: string;
  readonly enabled: boolean;
  /** In the order the first match of a prefix wins: addresses, then groups by name. */
  readonly drop: readonly XdpSourceList[];
  readonly exclude: readonly XdpSourceList[];
  readonly limits: readonly XdpLimitSetting[];
  readonly rules: readonly XdpRuleInfo[];
}

export interface XdpDesired {
  readonly interfaces: ReadonlyMap<string, XdpInterfaceDesired>;
}

// ------------------------------------------------------------------ prefixes

/** An address or network in the loader's spelling: a host without `/32` or `/128`, IPv6 compressed. */
export function canonicalPrefix(value: string): string {
  const slash = value.indexOf('/');
  const address = slash < 0 ? value : value.slice(0, slash);
  const length = slash < 0 ? undefined : Number(value.slice(slash + 1));
  if (isIPv4(address)) return length === undefined || length === 32 ? address : value;
  const v6 = canonicalIPv6(address);
  return length === undefined || length === 128 ? v6 : `${v6}/${length}`;
}

/** Whether a canonical prefix is IPv6. */
export const isV6Prefix = (prefix: string): boolean => prefix.includes(':');
/** Whether a canonical prefix is a single host (the hash maps) rather than a network (the tries). */
export const isHostPrefix = (prefix: string): boolean => !prefix.includes('/');

function v4Text(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function v6Number(value: string): bigint {
  return parseIPv6(value)!.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

function v6Text(n: bigint): string {
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16));
  return canonicalIPv6(groups.join(':'));
}

/** The fewest prefixes that cover lo..hi exactly (at most 2 x bits of them). */
function rangePrefixes(
  lo: bigint,
  hi: bigint,
  bits: number,
  text: (n: bigint) => string,
): string[] {
  const out: string[] = [];
  let at = lo;
  while (at <= hi) {
    let size = 0;
    // Grow the block while it stays aligned at `at` and inside the range.
    while (size < bits && (at & ((1n << BigInt(size + 1)) - 1n)) === 0n) {
      if (at + (1n << BigInt(size + 1)) - 1n > hi) break;
      size++;
    }
    const length = bits - size;
    out.push(length === bits ? text(at) : `${text(at)}/${length}`);
    at += 1n << BigInt(size);
  }
  return out;
}

/** A group member (host, network or range) as canonical prefixes. */
export function memberPrefixes(member: string): string[] {
  const dash = member.indexOf('-');
  if (dash < 0) return [canonicalPrefix(member)];
  const lo = member.slice(0, dash);
  const hi = member.slice(dash + 1);
  if (isIPv4(lo))
    return rangePrefixes(BigInt(ipv4ToNumber(lo)), BigInt(ipv4ToNumber(hi)), 32, (n) =>
      v4Text(Number(n)),
    );
  return rangePrefixes(v6Number(lo), v6Number(hi), 128, v6Text);
}

// ------------------------------------------------------------------ groups

const GROUP_MEMBER: Readonly<Record<string, string>> = {
  'address-group': 'address',
  'ipv6-address-group': 'address',
  'network-group': 'network',
  'ipv6-network-group': 'network',
};

/**
 * Memos of a group's prefixes: by the group's own node when it includes no
 * other group, else by the node of all groups of its kind (an included
 * group's change changes that node). Trees share unchanged subtrees, so a
 * commit that changes one group computes that group alone.
 */
const plainMemo = new WeakMap<ConfigNode, readonly string[]>();
const includingMemo = new WeakMap<ConfigNode, Map<string, readonly string[]>>();

/**
 * A list's canonical prefixes, each once. Members are schema-checked, and an
 * IPv4 address or network (not `/32`) is written canonically already: a list
 * of only those (distinct, as a multi-leaf is) is its own answer, no copy.
 */
function prefixesOf(members: readonly string[]): readonly string[] {
  let plain = true;
  for (const m of members)
    if (m.includes(':') || m.includes('-') || m.endsWith('/32')) {
      plain = false;
      break;
    }
  if (plain) return members;
  const out = new Set<string>();
  for (const m of members) for (const p of memberPrefixes(m)) out.add(p);
  return [...out];
}

/** The canonical prefixes of a firewall group with its includes (empty when it does not exist). */
export function groupPrefixes(config: ConfigNode, kind: string, name: string): readonly string[] {
  const kindNode = at(config, 'firewall', 'group', kind);
  const group = at(kindNode, name);
  if (!group) return [];
  const member = GROUP_MEMBER[kind]!;
  if (!at(group, 'include')) {
    let memo = plainMemo.get(group);
    if (!memo) plainMemo.set(group, (memo = prefixesOf(vals(group, member))));
    return memo;
  }
  let byName = includingMemo.get(kindNode!);
  if (!byName) includingMemo.set(kindNode!, (byName = new Map()));
  const cached = byName.get(name);
  if (cached) return cached;
  const members: string[] = [];
  const seen = new Set<string>();
  const all = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    const g = at(kindNode, n);
    for (const v of vals(g, member))
      if (!all.has(v)) {
        all.add(v);
        members.push(v);
      }
    for (const inc of vals(g, 'include')) visit(inc);
  };
  visit(name);
  const prefixes = prefixesOf(members);
  byName.set(name, prefixes);
  return prefixes;
}

// ------------------------------------------------------------------ rules

/** FNV-1a of a text, for rule numbers that do not move when other groups come and go. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** A rule number per group key, by hash with linear probing (keys in sorted order). */
export function groupRules(keys: readonly string[]): Map<string, number> {
  const taken = new Set<number>();
  const out = new Map<string, number>();
  for (const key of [...keys].sort()) {
    if (taken.size >= XDP_MAX_GROUPS) break;
    let n = XDP_FIRST_GROUP_RULE + (hash(key) % XDP_MAX_GROUPS);
    while (taken.has(n)) n = n === XDP_LAST_RULE ? XDP_FIRST_GROUP_RULE : n + 1;
    taken.add(n);
    out.set(key, n);
  }
  return out;
}

function sourceLists(
  config: ConfigNode,
  source: ConfigNode | undefined,
  verb: 'drop' | 'exclude',
  addressRule: number,
  rules: Map<string, number>,
): XdpSourceList[] {
  const lists: XdpSourceList[] = [];
  const addresses = vals(source, 'address');
  if (addresses.length)
    lists.push({
      rule: addressRule,
      what: `${verb} source address`,
      prefixes: prefixesOf(addresses),
    });
  for (const kind of XDP_GROUP_KINDS)
    for (const name of [...vals(source, 'group', kind)].sort()) {
      const what = `${verb} source group ${kind} ${name}`;
      const rule = rules.get(what);
      if (rule === undefined) continue;
      lists.push({ rule, what, prefixes: groupPrefixes(config, kind, name) });
    }
  return lists;
}

/** The group keys of an interface (`drop source group KIND NAME`), for their rule numbers. */
function groupKeys(entry: ConfigNode): string[] {
  const keys: string[] = [];
  for (const verb of ['drop', 'exclude'])
    for (const kind of XDP_GROUP_KINDS)
      for (const name of vals(entry, verb, 'source', 'group', kind))
        keys.push(`${verb} source group ${kind} ${name}`);
  return keys;
}

export function renderXdpInterface(
  config: ConfigNode,
  name: string,
  entry: ConfigNode,
): XdpInterfaceDesired {
  const rules = groupRules(groupKeys(entry));
  const drop = sourceLists(
    config,
    at(entry, 'drop', 'source'),
    'drop',
    XDP_DROP_ADDRESS_RULE,
    rules,
  );
  const exclude = sourceLists(
    config,
    at(entry, 'exclude', 'source'),
    'exclude',
    XDP_EXCLUDE_ADDRESS_RULE,
    rules,
  );
  const limits: XdpLimitSetting[] = [];
  for (const protocol of ['all', 'tcp-syn', 'udp'] as const) {
    const limit = at(entry, 'rate-limit', 'source', 'protocol', protocol);
    const rate = vals(limit, 'rate')[0];
    const burst = vals(limit, 'burst')[0];
    if (rate === undefined || burst === undefined) continue;
    limits.push({
      protocol,
      rate: Number(rate),
      burst: Number(burst),
      rule: XDP_LIMIT_RULE[protocol],
    });
  }
  const info: XdpRuleInfo[] = [
    ...limits.map((l) => ({ rule: l.rule, what: `rate-limit source protocol ${l.protocol}` })),
    ...[...drop, ...exclude].map((l) => ({ rule: l.rule, what: l.what })),
  ].sort((a, b) => a.rule - b.rule);
  return { name, enabled: !at(entry, 'disable'), drop, exclude, limits, rules: info };
}

const interfaceMemo = new WeakMap<ConfigNode, WeakMap<ConfigNode, XdpInterfaceDesired>>();

/**
 * Every `firewall xdp interface`. An interface's rendering is kept while
 * neither its entry nor the groups change (the memo is keyed by both nodes).
 */
export function renderXdp(config: ConfigNode): XdpDesired {
  const interfaces = new Map<string, XdpInterfaceDesired>();
  const groups = at(config, 'firewall', 'group') ?? config;
  for (const [name, entry] of at(config, 'firewall', 'xdp', 'interface')?.children ?? []) {
    let byGroups = interfaceMemo.get(entry);
    if (!byGroups) interfaceMemo.set(entry, (byGroups = new WeakMap()));
    let rendered = byGroups.get(groups);
    if (!rendered || rendered.name !== name)
      byGroups.set(groups, (rendered = renderXdpInterface(config, name, entry)));
    interfaces.set(name, rendered);
  }
  return { interfaces };
}

// ------------------------------------------------------------------ elements

export interface XdpElements {
  /** Canonical prefix -> rule: the first list that holds a prefix gives it its rule. */
  readonly block: ReadonlyMap<string, number>;
  readonly exclude: ReadonlyMap<string, number>;
}

function merged(lists: readonly XdpSourceList[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const list of lists) for (const p of list.prefixes) if (!out.has(p)) out.set(p, list.rule);
  return out;
}

const elementsMemo = new WeakMap<XdpInterfaceDesired, XdpElements>();

/** The map elements an interface's program holds. */
export function xdpElements(desired: XdpInterfaceDesired): XdpElements {
  let memo = elementsMemo.get(desired);
  if (!memo)
    elementsMemo.set(
      desired,
      (memo = { block: merged(desired.drop), exclude: merged(desired.exclude) }),
    );
  return memo;
}

/** How many elements each map of the program holds. */
export function elementCounts(elements: XdpElements): Record<string, number> {
  const counts: Record<string, number> = {
    block4: 0,
    block6: 0,
    blocknet4: 0,
    blocknet6: 0,
    exclude4: 0,
    exclude6: 0,
  };
  for (const p of elements.block.keys())
    counts[`block${isHostPrefix(p) ? '' : 'net'}${isV6Prefix(p) ? 6 : 4}`]!++;
  for (const p of elements.exclude.keys()) counts[`exclude${isV6Prefix(p) ? 6 : 4}`]!++;
  return counts;
}
