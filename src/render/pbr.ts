/**
 * Policy-based routing (pure): `policy route NAME` / `policy route6 NAME`
 * -> FOS1's nft table `inet fos_pbr` (rules that mark packets, matched as
 * firewall rules are) and the `ip rule` entries that send a mark to its
 * routing table.
 *
 * table inet fos_pbr
 *   prerouting        base chain (priority mangle): per bound interface and family,
 *                     `meta nfproto ipv4 iifname "eth1" jump pbr4-NAME`
 *   pbr4-NAME, pbr6-NAME   the rules: matches, then `meta mark set`, `ct mark set`,
 *                     `dscp set`; a rule that sets a table returns (its packet is decided)
 *   sets              the firewall groups the rules name (sets belong to one table)
 *
 * Marks follow VyOS: `set table N` marks 0x7fffffff - N (main is 254), so a
 * configuration that matches those marks elsewhere keeps working. Each table
 * gets one ip rule per family, at priority PBR_PRIORITY_BASE + N: FOS1's ip
 * rules are the ones in [PBR_PRIORITY_BASE, PBR_PRIORITY_LAST], and nothing
 * outside that range is touched.
 */
import {
  entriesAt as entries,
  hasAt as has,
  valueAt as val,
  valuesAt as vals,
  type ConfigNode,
} from '../config/tree.js';
import {
  ip,
  quote,
  ruleGates,
  ruleMatches,
  type Family,
  type RuleContext,
} from './firewall-rules.js';
import type { NftChain, NftSet, NftTable } from './nft-model.js';
import { ruleText, type Match, type Rule } from './nft-rules.js';

/** The first priority of FOS1's ip rules (before the main table's 32766). */
export const PBR_PRIORITY_BASE = 10000;
/** The last one: tables are 1-200 and main 254. */
export const PBR_PRIORITY_LAST = 10255;
/** VyOS's mark for `set table N`. */
export const TABLE_MARK_BASE = 0x7fffffff;
const MAIN = 254;

export const tableNumber = (table: string): number => (table === 'main' ? MAIN : Number(table));
export const tableMark = (table: string): number => TABLE_MARK_BASE - tableNumber(table);
export const isPbrPriority = (priority: number): boolean =>
  priority >= PBR_PRIORITY_BASE && priority <= PBR_PRIORITY_LAST;

export const POLICY_FAMILIES = [
  ['route', 4],
  ['route6', 6],
] as const;

/** The nft chain of a policy: `pbr4-NAME`, `pbr6-NAME` (names are `[A-Za-z0-9][\w.-]*`). */
export const pbrChainName = (family: Family, name: string): string => `pbr${family}-${name}`;

/** One ip rule FOS1 owns: `ip [-6] rule add priority P fwmark M table T`. */
export interface IpRule {
  readonly family: Family;
  readonly priority: number;
  readonly fwmark: number;
  readonly table: number;
}

export const ipRuleKey = (r: IpRule): string => `${r.family} ${r.priority} ${r.fwmark} ${r.table}`;

/** The ip rules the configuration asks for: one per family and table that a rule sets. */
export function renderIpRules(config: ConfigNode): IpRule[] {
  const out = new Map<string, IpRule>();
  for (const [word, family] of POLICY_FAMILIES)
    for (const [, policy] of entries(config, 'policy', word))
      for (const [, rule] of entries(policy, 'rule')) {
        const table = val(rule, 'set', 'table');
        if (table === undefined || has(rule, 'disable')) continue;
        const r: IpRule = {
          family,
          priority: PBR_PRIORITY_BASE + tableNumber(table),
          fwmark: tableMark(table),
          table: tableNumber(table),
        };
        out.set(ipRuleKey(r), r);
      }
  return [...out.values()].sort((a, b) => a.family - b.family || a.priority - b.priority);
}

/** A policy rule as an nft rule: the firewall's matches, then what it sets. */
function policyRule(number: string, rule: ConfigNode, ctx: RuleContext): Rule | undefined {
  if (has(rule, 'disable')) return undefined;
  const gates = ruleGates(number, rule, ctx);
  const actions: string[] = [];
  if (has(rule, 'log')) {
    const level = val(rule, 'log-options', 'level');
    actions.push(
      `log prefix ${quote(`[${ctx.logName}-${number}] `)}${level ? ` level ${level}` : ''}`,
    );
  }
  const connMark = val(rule, 'set', 'connection-mark');
  if (connMark !== undefined) actions.push(`ct mark set ${connMark}`);
  const dscp = val(rule, 'set', 'dscp');
  if (dscp !== undefined) actions.push(`${ip(ctx.family)} dscp set ${dscp}`);
  const mark = val(rule, 'set', 'mark');
  if (mark !== undefined) actions.push(`meta mark set ${mark}`);
  const table = val(rule, 'set', 'table');
  if (table !== undefined) actions.push(`meta mark set ${tableMark(table)}`);
  const description = val(rule, 'description');
  return {
    matches: ruleMatches(rule, ctx),
    gates,
    actions,
    // VyOS: a rule that picks a table decides the packet; others let later rules add to it.
    verdict: val(rule, 'action') === 'drop' ? 'drop' : table !== undefined ? 'return' : '',
    numbers: [number],
    ...(description ? { description } : {}),
  };
}

/** The named sets a rule's matches refer to (`@A4_LAN`). */
function setsNamed(matches: readonly Match[]): string[] {
  return matches.flatMap((m) => m.values.filter((v) => v.startsWith('@')).map((v) => v.slice(1)));
}

/**
 * The table `inet fos_pbr`, or undefined when no policy is configured.
 * `groups` are the firewall groups as sets (the firewall's rendering).
 */
export function renderPbrTable(
  config: ConfigNode,
  groups: ReadonlyMap<string, NftSet>,
): NftTable | undefined {
  const chains = new Map<string, NftChain>();
  const sets = new Map<string, NftSet>();
  const dispatch: string[] = [];
  for (const [word, family] of POLICY_FAMILIES) {
    for (const [name, policy] of entries(config, 'policy', word)) {
      const chain = pbrChainName(family, name);
      const ctx: RuleContext = { family, logName: `ipv${family}-${name}`, sets };
      const rules: string[] = [];
      const sources: { chain: string; rule: string }[][] = [];
      for (const [number, node] of entries(policy, 'rule')) {
        const rule = policyRule(number, node, ctx);
        if (!rule) continue;
        for (const set of setsNamed(rule.matches)) {
          const g = groups.get(set);
          if (g) sets.set(set, g);
        }
        rules.push(ruleText(rule, quote));
        sources.push([{ chain, rule: number }]);
      }
      chains.set(chain, { name: chain, rules, sources });
      for (const iface of vals(policy, 'interface'))
        dispatch.push(
          `meta nfproto ipv${family} iifname ${quote(iface)} counter jump ${chain} comment ${quote(`${word} ${name}`)}`,
        );
    }
  }
  if (chains.size === 0) return undefined;
  chains.set('prerouting', {
    name: 'prerouting',
    base: 'type filter hook prerouting priority mangle; policy accept;',
    rules: dispatch,
  });
  return {
    family: 'inet',
    name: 'fos_pbr',
    objects: [],
    sets: new Map([...sets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    chains,
  };
}
