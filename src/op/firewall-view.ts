/**
 * Operational views of the firewall and NAT: the config's rules with the
 * counters nft keeps for them, groups, and the conntrack table. Pure: the
 * handlers in firewall.ts and nat.ts pass in the running configuration and
 * what nft and the kernel reported.
 */
import type { ConntrackEntry, NftTableListing } from '../apply/nft.js';
import {
  entriesAt as entries,
  nodeAt as at,
  sortedChildren,
  valueAt as val,
  type ConfigNode,
} from '../config/tree.js';
import { chainName, GROUP_KINDS, groupMembers } from '../render/firewall.js';
import type { NftTable } from '../render/nft-model.js';
import { groupKindOf } from '../schema/areas/firewall.js';
import { table } from './table.js';

export interface RuleCounters {
  readonly packets: number;
  readonly bytes: number;
  /** Shared with other rules folded into the same set lookup. */
  readonly shared: boolean;
}

/**
 * Counters per config rule: nft lists each chain's rules in the order FOS1
 * rendered them, and the rendering says which config rules each one stands
 * for. A chain whose rule count differs from the rendering (changed behind
 * FOS1's back) gets no counters rather than wrong ones.
 */
export function countersFromSources(
  table: NftTable | undefined,
  listing: NftTableListing | undefined,
): Map<string, Map<string, RuleCounters>> {
  const out = new Map<string, Map<string, RuleCounters>>();
  for (const chain of table?.chains.values() ?? []) {
    const listed = listing?.chains.get(chain.name);
    if (!chain.sources || !listed || listed.length !== chain.sources.length) continue;
    chain.sources.forEach((sources, i) => {
      const r = listed[i]!;
      for (const source of sources) {
        let byRule = out.get(source.chain);
        if (!byRule) out.set(source.chain, (byRule = new Map()));
        const before = byRule.get(source.rule);
        byRule.set(source.rule, {
          packets: (before?.packets ?? 0) + r.packets,
          bytes: (before?.bytes ?? 0) + r.bytes,
          shared: (before?.shared ?? false) || sources.length > 1,
        });
      }
    });
  }
  return out;
}

/** Everything a rule matches on, in words: `source address 10.0.0.0/8, destination port 22`. */
export function ruleConditions(rule: ConfigNode): string {
  const skip = new Set([
    'action',
    'description',
    'jump-target',
    'disable',
    'protocol',
    'translation',
    'log',
    'log-options',
  ]);
  const parts: string[] = [];
  const walk = (n: ConfigNode, path: string[]): void => {
    if (n.values.length) parts.push(`${path.join(' ')} ${n.values.join(',')}`);
    else if (n.children.size === 0 && path.length) parts.push(path.join(' '));
    for (const [k, c] of sortedChildren(n)) {
      if (path.length === 0 && skip.has(k)) continue;
      walk(c, [...path, k]);
    }
  };
  walk(rule, []);
  return parts.join(', ');
}

export interface ChainView {
  readonly family: 'ipv4' | 'ipv6';
  readonly chain: string;
  readonly defaultAction: string;
  readonly rules: {
    rule: string;
    action: string;
    protocol: string;
    packets: number | null;
    bytes: number | null;
    shared: boolean;
    disabled: boolean;
    conditions: string;
    description: string;
  }[];
}

/** Every chain of the running firewall with its rules and counters, in config order. */
export function firewallView(
  running: ConfigNode,
  listing: NftTableListing | undefined,
  table: NftTable | undefined,
): ChainView[] {
  const out: ChainView[] = [];
  const all = countersFromSources(table, listing);
  for (const f of [4, 6] as const) {
    const chains: [string, string, ConfigNode, string][] = [];
    for (const hook of ['forward', 'input', 'output']) {
      const node = at(running, 'firewall', `ipv${f}`, hook, 'filter');
      if (node) chains.push([`${hook} filter`, chainName(f, hook), node, 'accept']);
    }
    for (const [name, node] of entries(running, 'firewall', `ipv${f}`, 'name'))
      chains.push([`name ${name}`, chainName(f, name), node, 'drop']);
    for (const [label, nftName, node, fallback] of chains) {
      const rules = entries(node, 'rule');
      const counters = all.get(nftName) ?? new Map<string, RuleCounters>();
      const view: ChainView['rules'] = rules.map(([number, rule]) => {
        const c = counters.get(number);
        const action = val(rule, 'action') ?? '';
        return {
          rule: number,
          action: action === 'jump' ? `jump ${val(rule, 'jump-target') ?? ''}` : action,
          protocol: val(rule, 'protocol') ?? 'all',
          packets: c ? c.packets : null,
          bytes: c ? c.bytes : null,
          shared: c?.shared ?? false,
          disabled: at(rule, 'disable') !== undefined,
          conditions: ruleConditions(rule),
          description: val(rule, 'description') ?? '',
        };
      });
      const d = counters.get('default');
      const defaultAction = val(node, 'default-action') ?? fallback;
      view.push({
        rule: 'default',
        action: defaultAction,
        protocol: 'all',
        packets: d ? d.packets : null,
        bytes: d ? d.bytes : null,
        shared: false,
        disabled: false,
        conditions: '',
        description: '',
      });
      out.push({ family: `ipv${f}`, chain: label, defaultAction, rules: view });
    }
  }
  return out;
}

const count = (n: number | null, shared: boolean): string =>
  n === null ? '-' : `${n}${shared ? '*' : ''}`;

export function formatFirewall(view: readonly ChainView[]): string[] {
  if (view.length === 0) return ['No firewall chains are configured.'];
  const out: string[] = [];
  let shared = false;
  for (const chain of view) {
    out.push(`${chain.family} ${chain.chain} (default-action ${chain.defaultAction})`, '');
    const rows = chain.rules.map((r) => {
      shared ||= r.shared;
      return [
        r.rule,
        r.disabled ? `${r.action} (disabled)` : r.action,
        r.protocol,
        count(r.packets, r.shared),
        count(r.bytes, r.shared),
        r.conditions,
        r.description,
      ];
    });
    out.push(
      ...table(
        ['Rule', 'Action', 'Protocol', 'Packets', 'Bytes', 'Conditions', 'Description'],
        rows,
      ),
      '',
    );
  }
  if (shared) out.push('* rules folded into one set lookup share one counter');
  return out;
}

// ------------------------------------------------------------------ groups

export interface GroupView {
  readonly name: string;
  readonly kind: string;
  readonly members: readonly string[];
  readonly references: readonly string[];
  readonly description: string;
}

/** Where a group is used: `ipv4 name IN rule 10`, `nat source rule 5`. */
function groupReferences(running: ConfigNode, kind: string, name: string): string[] {
  const refs: string[] = [];
  const look = (rule: ConfigNode, where: string, f: 4 | 6): void => {
    for (const side of ['source', 'destination']) {
      for (const [word, ref] of at(rule, side, 'group')?.children ?? []) {
        if (groupKindOf(word, f) === kind && ref.values[0]?.replace(/^!/, '') === name)
          refs.push(where);
      }
    }
    for (const dir of ['inbound-interface', 'outbound-interface'])
      if (kind === 'interface-group' && val(rule, dir, 'group')?.replace(/^!/, '') === name)
        refs.push(where);
  };
  for (const f of [4, 6] as const) {
    for (const hook of ['forward', 'input', 'output'])
      for (const [n, r] of at(running, 'firewall', `ipv${f}`, hook, 'filter', 'rule')?.children ??
        [])
        look(r, `ipv${f} ${hook} filter rule ${n}`, f);
    for (const [chain, node] of at(running, 'firewall', `ipv${f}`, 'name')?.children ?? [])
      for (const [n, r] of at(node, 'rule')?.children ?? [])
        look(r, `ipv${f} name ${chain} rule ${n}`, f);
  }
  for (const [area, f] of [
    ['nat', 4],
    ['nat66', 6],
  ] as const)
    for (const kindWord of ['source', 'destination'])
      for (const [n, r] of at(running, area, kindWord, 'rule')?.children ?? [])
        look(r, `${area} ${kindWord} rule ${n}`, f);
  return refs;
}

export function groupsView(running: ConfigNode, only?: string): GroupView[] {
  const out: GroupView[] = [];
  for (const kind of Object.keys(GROUP_KINDS)) {
    for (const [name, node] of entries(running, 'firewall', 'group', kind)) {
      if (only && name !== only) continue;
      out.push({
        name,
        kind,
        members: groupMembers(running, kind, name),
        references: groupReferences(running, kind, name),
        description: val(node, 'description') ?? '',
      });
    }
  }
  return out;
}

export function formatGroups(groups: readonly GroupView[], detail: boolean): string[] {
  if (groups.length === 0) return ['No firewall groups are configured.'];
  const rows = groups.map((g) => [
    g.name,
    g.kind,
    detail || g.members.length <= 6
      ? g.members.join(' ')
      : `${g.members.slice(0, 6).join(' ')} ... (${g.members.length})`,
    g.references.join('; ') || 'N/D',
    g.description,
  ]);
  return table(['Name', 'Type', 'Members', 'References', 'Description'], rows);
}

// ------------------------------------------------------------------ NAT

export interface NatRuleView {
  readonly rule: string;
  readonly source: string;
  readonly destination: string;
  readonly protocol: string;
  readonly interface: string;
  readonly translation: string;
  readonly packets: number | null;
  readonly bytes: number | null;
  readonly disabled: boolean;
  readonly description: string;
}

export function natView(
  running: ConfigNode,
  area: 'nat' | 'nat66',
  kind: 'source' | 'destination',
  listing: NftTableListing | undefined,
  table: NftTable | undefined,
): NatRuleView[] {
  const rules = entries(running, area, kind, 'rule');
  const counters = countersFromSources(table, listing).get(kind) ?? new Map<string, RuleCounters>();
  const any = area === 'nat' ? '0.0.0.0/0' : '::/0';
  const side = (rule: ConfigNode, s: string): string => {
    const address =
      val(rule, s, 'address') ??
      (val(rule, s, 'group', 'address-group') || val(rule, s, 'group', 'network-group')
        ? `group ${val(rule, s, 'group', 'address-group') ?? val(rule, s, 'group', 'network-group')}`
        : any);
    const port =
      val(rule, s, 'port') ??
      (val(rule, s, 'group', 'port-group')
        ? `group ${val(rule, s, 'group', 'port-group')}`
        : undefined);
    return port ? `${address} port ${port}` : address;
  };
  return rules.map(([number, rule]) => {
    const c = counters.get(number);
    const dir = kind === 'source' ? 'outbound-interface' : 'inbound-interface';
    const address = val(rule, 'translation', 'address');
    const port = val(rule, 'translation', 'port');
    const translation = at(rule, 'exclude')
      ? 'exclude'
      : at(rule, 'translation', 'redirect')
        ? `redirect${port ? ` port ${port}` : ''}`
        : `${address ?? ''}${port ? ` port ${port}` : ''}`;
    return {
      rule: number,
      source: side(rule, 'source'),
      destination: side(rule, 'destination'),
      protocol: val(rule, 'protocol') ?? 'all',
      interface:
        val(rule, dir, 'name') ??
        (val(rule, dir, 'group') ? `group ${val(rule, dir, 'group')}` : 'any'),
      translation,
      packets: c ? c.packets : null,
      bytes: c ? c.bytes : null,
      disabled: at(rule, 'disable') !== undefined,
      description: val(rule, 'description') ?? '',
    };
  });
}

export function formatNat(rules: readonly NatRuleView[], kind: 'source' | 'destination'): string[] {
  if (rules.length === 0) return [`No ${kind} NAT rules are configured.`];
  const rows = rules.map((r) => [
    r.disabled ? `${r.rule} (disabled)` : r.rule,
    r.source,
    r.destination,
    r.protocol,
    r.interface,
    r.translation,
    count(r.packets, false),
    count(r.bytes, false),
    r.description,
  ]);
  return table(
    [
      'Rule',
      'Source',
      'Destination',
      'Proto',
      kind === 'source' ? 'Out-Int' : 'In-Int',
      'Translation',
      'Packets',
      'Bytes',
      'Description',
    ],
    rows,
  );
}

// ------------------------------------------------------------------ conntrack

const endpoint = (address: string, port: string | undefined): string =>
  port === undefined
    ? address
    : address.includes(':')
      ? `[${address}]:${port}`
      : `${address}:${port}`;

/** Source NAT shows as a reply to another address; destination NAT as a reply from another. */
export function natKind(e: ConntrackEntry): string[] {
  const kinds: string[] = [];
  if (e.reply.dst !== e.original.src || e.reply.dport !== e.original.sport) kinds.push('snat');
  if (e.reply.src !== e.original.dst || e.reply.sport !== e.original.dport) kinds.push('dnat');
  return kinds;
}

export function formatConntrack(entries: readonly ConntrackEntry[], natOnly: boolean): string[] {
  const shown = natOnly ? entries.filter((e) => natKind(e).length > 0) : entries;
  if (shown.length === 0)
    return [natOnly ? 'No NAT translations.' : 'The conntrack table is empty.'];
  if (natOnly) {
    return table(
      ['Pre-NAT src', 'Pre-NAT dst', 'Post-NAT src', 'Post-NAT dst', 'Proto', 'Type', 'Timeout'],
      shown.map((e) => [
        endpoint(e.original.src, e.original.sport),
        endpoint(e.original.dst, e.original.dport),
        endpoint(e.reply.dst, e.reply.dport),
        endpoint(e.reply.src, e.reply.sport),
        e.protocol,
        natKind(e).join(','),
        String(e.timeout),
      ]),
    );
  }
  return table(
    [
      'Proto',
      'Source',
      'Destination',
      'Reply source',
      'Reply destination',
      'State',
      'Timeout',
      'Flags',
    ],
    shown.map((e) => [
      e.protocol,
      endpoint(e.original.src, e.original.sport),
      endpoint(e.original.dst, e.original.dport),
      endpoint(e.reply.src, e.reply.sport),
      endpoint(e.reply.dst, e.reply.dport),
      e.state || '-',
      String(e.timeout),
      e.status.join(','),
    ]),
  );
}
