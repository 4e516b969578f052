/**
 * `show policy route` / `route6`: the policy routes of the running
 * configuration with the counters nft keeps for their rules (table inet
 * fos_pbr), laid out as VyOS's op-mode policy_route.py prints them.
 */
import { listTable, type NftTableListing } from '../apply/nft.js';
import {
  entriesAt as entries,
  hasAt as has,
  valueAt as val,
  valuesAt as vals,
  type ConfigNode,
} from '../config/index.js';
import type { NftTable } from '../render/nft-model.js';
import { pbrChainName, POLICY_FAMILIES } from '../render/pbr.js';
import { policyRouteName } from '../schema/areas/policy.js';
import { OpError, type OpContext, type OpSystem } from './context.js';
import { countersFromSources, ruleConditions } from './firewall-view.js';
import { runningFirewall } from './firewall.js';
import { table } from './table.js';
import { command, type OpArea, type OpCommand } from './tree.js';

type Word = (typeof POLICY_FAMILIES)[number][0];

export interface PolicyRouteView {
  readonly family: 'ipv4' | 'ipv6';
  readonly name: string;
  readonly interfaces: readonly string[];
  readonly rules: {
    rule: string;
    action: string;
    protocol: string;
    packets: number | null;
    bytes: number | null;
    disabled: boolean;
    conditions: string;
  }[];
}

/** What a rule does, in words: `drop`, `set table 100`, `set mark 7, dscp 10`. */
function ruleAction(rule: ConfigNode): string {
  if (val(rule, 'action') === 'drop') return 'drop';
  const sets = ['table', 'mark', 'connection-mark', 'dscp']
    .filter((k) => val(rule, 'set', k) !== undefined)
    .map((k) => `${k} ${val(rule, 'set', k)}`);
  return sets.length ? `set ${sets.join(', ')}` : 'set';
}

/** Pure: the policies of one family with their counters (null where nft has none for a rule). */
export function policyRouteView(
  running: ConfigNode,
  word: Word,
  listing: NftTableListing | undefined,
  rendered: NftTable | undefined,
): PolicyRouteView[] {
  const family = POLICY_FAMILIES.find(([w]) => w === word)![1];
  const counters = countersFromSources(rendered, listing);
  return entries(running, 'policy', word).map(([name, policy]) => {
    const byRule = counters.get(pbrChainName(family, name));
    return {
      family: `ipv${family}`,
      name,
      interfaces: [...vals(policy, 'interface')],
      rules: entries(policy, 'rule').map(([number, rule]) => {
        const c = byRule?.get(number);
        return {
          rule: number,
          action: ruleAction(rule),
          protocol: val(rule, 'protocol') ?? 'all',
          packets: c ? c.packets : null,
          bytes: c ? c.bytes : null,
          disabled: has(rule, 'disable'),
          conditions: ruleConditions(rule)
            .replace(/(^|, )set [^,]*/g, '')
            .replace(/^, /, ''),
        };
      }),
    };
  });
}

export function formatPolicyRoutes(view: readonly PolicyRouteView[]): string[] {
  if (view.length === 0) return ['No policy routes are configured.'];
  const out: string[] = ['Ruleset Information'];
  for (const p of view) {
    out.push('', '---------------------------------');
    out.push(`${p.family === 'ipv4' ? 'IPv4' : 'IPv6'} Policy Route "${p.name}"`, '');
    out.push(
      p.interfaces.length
        ? `Active on: ${p.interfaces.join(' ')}`
        : 'Inactive - Not applied to any interfaces',
      '',
    );
    const n = (v: number | null): string => (v === null ? '-' : String(v));
    out.push(
      ...table(
        ['Rule', 'Action', 'Protocol', 'Packets', 'Bytes', 'Conditions'],
        p.rules.map((r) => [
          r.rule,
          r.disabled ? `${r.action} (disabled)` : r.action,
          r.protocol,
          n(r.packets),
          n(r.bytes),
          r.conditions,
        ]),
      ),
    );
  }
  return out;
}

async function policies(ctx: OpContext, word: Word): Promise<PolicyRouteView[]> {
  const running = ctx.system.running().tree;
  const rendered = runningFirewall(running, ctx.schema).tables.get('inet fos_pbr');
  // Nothing to read when nothing is loaded.
  const listing = rendered ? await listTable(ctx.system.target, 'inet', 'fos_pbr') : undefined;
  return policyRouteView(running, word, listing, rendered);
}

function familyCommand(word: Word): OpCommand {
  const label = word === 'route' ? 'IPv4' : 'IPv6';
  return command(`show policy ${word} [<name>]`, {
    help: `${label} policy routes and their rule counters`,
    args: {
      name: {
        type: policyRouteName,
        format: '<name>',
        help: 'One policy route',
        source: `policy-${word}s`,
      },
    },
    run: async (ctx, args) => {
      const view = (await policies(ctx, word)).filter(
        (p) => args['name'] === undefined || p.name === args['name'],
      );
      if (args['name'] !== undefined && view.length === 0)
        throw new OpError(`policy ${word} '${args['name']}' is not configured`);
      return view;
    },
    text: (view) => formatPolicyRoutes(view),
  });
}

export const policyCommands: OpArea = {
  name: 'policy',
  words: { 'show policy': 'Routing policy' },
  sources: POLICY_FAMILIES.map(([word]) => ({
    name: `policy-${word}s`,
    help: `Policy ${word} names of the running configuration`,
    read: (system: OpSystem) => entries(system.running().tree, 'policy', word).map(([n]) => n),
  })),
  commands: POLICY_FAMILIES.map(([word]) => familyCommand(word)),
};
