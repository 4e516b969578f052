/**
 * The pbr backend: the `ip rule` entries of `policy route` / `route6` (a
 * packet marked for table N is looked up in table N). The marks themselves
 * are nft's (table `inet fos_pbr`, rendered with the firewall); the routes
 * of table N are FRR's (`protocols static table N`). Plans from what `ip
 * rule` shows in FOS1's priority range, so a rule removed or added behind
 * FOS1's back is seen and put right; rules outside the range are not FOS1's.
 */
import { changeIpRules, observeIpRules } from '../apply/iprule.js';
import { ipPrefix } from '../apply/target.js';
import { ipRuleKey, renderIpRules, type IpRule } from '../render/pbr.js';
import { convergeByPlan, type Backend } from './contract.js';

export interface IpRulePlan {
  readonly remove: readonly IpRule[];
  readonly add: readonly IpRule[];
}

/** From what is there to what is wanted: each wanted rule once, nothing else in the range. */
export function planIpRules(actual: readonly IpRule[], desired: readonly IpRule[]): IpRulePlan {
  const wanted = new Set(desired.map(ipRuleKey));
  const kept = new Set<string>();
  const remove: IpRule[] = [];
  for (const r of actual) {
    const key = ipRuleKey(r);
    if (wanted.has(key) && !kept.has(key)) kept.add(key);
    else remove.push(r);
  }
  return { remove, add: desired.filter((r) => !kept.has(ipRuleKey(r))) };
}

const ruleLine = (r: IpRule): string =>
  `priority ${r.priority}${r.fwmark ? ` fwmark ${r.fwmark}` : ''} table ${r.table}`;

function describeRules(plan: IpRulePlan, prefix: string[]): string[] {
  const ip = (r: IpRule): string => ['ip', ...prefix, `-${r.family}`, 'rule'].join(' ');
  return [
    ...plan.remove.map((r) => `${ip(r)} del ${ruleLine(r)}`),
    ...plan.add.map((r) => `${ip(r)} add ${ruleLine(r)}`),
  ];
}

export const pbrBackend: Backend<readonly IpRule[], readonly IpRule[], IpRulePlan> = {
  name: 'pbr',
  owns: ['pbr'],
  // Packets are marked before a rule steers them, into a table FRR has filled.
  after: ['nft', 'frr'],
  recheck: true,

  render: (config) => renderIpRules(config),

  observe: (target) => observeIpRules(target),

  plan: (intent, actual) => planIpRules(actual, intent.desired),

  empty: (plan) => plan.remove.length === 0 && plan.add.length === 0,

  describe: (plan, target) => describeRules(plan, ipPrefix(target)),

  check: async (_target, plan) => ({ ok: true, plan }),

  // Start-up reads the range anyway: nothing to remember.
  journal: () => undefined,

  async apply(target, plan, progress) {
    if (!pbrBackend.empty(plan))
      await progress.step('rules', () => changeIpRules(target, plan.remove, plan.add));
  },

  async restore(target, _plan, actual, progress) {
    // A batch may stop half-way: once begun, the range is made what it was.
    if (!progress.begun.includes('rules')) return [];
    try {
      const back = planIpRules(await observeIpRules(target), actual);
      await changeIpRules(target, back.remove, back.add);
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  },

  async drift(target, desired) {
    const plan = planIpRules(await observeIpRules(target), desired);
    return [
      ...plan.remove.map((r) => `# ip -${r.family} rule ${ruleLine(r)} is not configured`),
      ...plan.add.map((r) => `# ip -${r.family} rule ${ruleLine(r)} is missing`),
    ];
  },

  converge: (target, intent) => convergeByPlan(pbrBackend, target, intent),
};
