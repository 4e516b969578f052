/**
 * The ip rule driver: FOS1's own policy-routing rules of the target
 * namespace, recognised by their priority range (src/render/pbr.ts), read
 * with `ip -json rule list` and changed with one `ip -batch` per family.
 * Rules outside the range are never read into a plan nor touched.
 */
import { isPbrPriority, type IpRule } from '../render/pbr.js';
import type { Family } from '../render/firewall-rules.js';
import { runChecked } from './run.js';
import { ipPrefix, type Target } from './target.js';

const TABLE_NAMES: Record<string, number> = { default: 253, main: 254, local: 255 };

interface JsonRule {
  priority?: number;
  fwmark?: string;
  table?: string;
}

function tableOf(name: string | undefined): number {
  if (name === undefined) return 0;
  return TABLE_NAMES[name] ?? Number(name);
}

/** FOS1's ip rules of one family (those in its priority range), in priority order. */
async function rulesOf(target: Target, family: Family): Promise<IpRule[]> {
  const out = await runChecked('ip', [...ipPrefix(target), `-${family}`, '-json', 'rule', 'list']);
  const list = out.trim() ? (JSON.parse(out) as JsonRule[]) : [];
  return list
    .filter((r) => r.priority !== undefined && isPbrPriority(r.priority))
    .map((r) => ({
      family,
      priority: r.priority!,
      fwmark: r.fwmark === undefined ? 0 : Number(r.fwmark),
      table: tableOf(r.table),
    }));
}

/** FOS1's ip rules of both families. */
export async function observeIpRules(target: Target): Promise<IpRule[]> {
  const [v4, v6] = await Promise.all([rulesOf(target, 4), rulesOf(target, 6)]);
  return [...v4, ...v6];
}

/** A rule's selector and action, as `ip rule add|del` takes them (numbers only: nothing to quote). */
function ruleWords(r: IpRule): string {
  const mark = r.fwmark ? ` fwmark ${r.fwmark}` : '';
  return `priority ${r.priority}${mark} table ${r.table}`;
}

/** Delete, then add, with one `ip -batch` per family that has work. */
export async function changeIpRules(
  target: Target,
  remove: readonly IpRule[],
  add: readonly IpRule[],
): Promise<void> {
  for (const family of [4, 6] as const) {
    const lines = [
      ...remove.filter((r) => r.family === family).map((r) => `rule del ${ruleWords(r)}`),
      ...add.filter((r) => r.family === family).map((r) => `rule add ${ruleWords(r)}`),
    ];
    if (lines.length)
      await runChecked(
        'ip',
        [...ipPrefix(target), `-${family}`, '-batch', '-'],
        `${lines.join('\n')}\n`,
      );
  }
}
