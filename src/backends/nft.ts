/**
 * The nft backend: FOS1's own nftables tables (`firewall`, `nat`, `nat66`,
 * `system conntrack`, and the marks of `policy route`). What FOS1 last applied is the rendering of the running
 * revision, not a listing read back from nft (listing costs more than
 * loading), so the plan is made from that, not from an observation: one
 * transaction, checked with `nft -c` and loaded atomically with `nft -f`.
 */
import { checkNft, listTable, loadNft, NftError } from '../apply/nft.js';
import type { Target } from '../apply/target.js';
import { renderFirewall, renderFirewallSliced, type FirewallState } from '../render/firewall.js';
import {
  fullLoad,
  OWNED_TABLES,
  planNft,
  tableKey,
  type NftPlan,
  type NftTables,
} from '../render/nft-model.js';
import { convergeByPlan, type Backend, type Checked } from './contract.js';

export interface NftBackendPlan {
  readonly nft: NftPlan;
  readonly desired: NftTables;
  /** What a restore loads back: the running revision's tables (undefined before the first commit: none). */
  readonly before: NftTables | undefined;
}

const NOTHING: NftPlan = { script: '', changes: [] };

/**
 * `nft -c` of a transaction. An incremental one that the kernel refuses
 * (someone changed FOS1's tables behind its back) becomes a full reload,
 * checked again.
 */
async function checked(target: Target, plan: NftBackendPlan): Promise<Checked<NftBackendPlan>> {
  const refused = (e: unknown): Checked<NftBackendPlan> => {
    if (!(e instanceof NftError)) throw e;
    return { ok: false, problems: [`nft refused the ruleset: ${e.detail}`] };
  };
  try {
    await checkNft(target, plan.nft.script);
    return { ok: true, plan };
  } catch (e) {
    if (!(e instanceof NftError) || plan.nft.changes.every((c) => c.kind !== 'update'))
      return refused(e);
    const full = { ...plan, nft: fullLoad(plan.desired) };
    try {
      await checkNft(target, full.nft.script);
      return { ok: true, plan: full };
    } catch (again) {
      return refused(again);
    }
  }
}

/** `commit check`: the transaction itself, shortened when it is long. */
export function transactionText(plan: NftPlan, maxLines = 400): string[] {
  if (!plan.script) return [];
  const lines = plan.script.trimEnd().split('\n');
  const shown = lines.slice(0, maxLines).map((l) => `  ${l}`);
  if (lines.length > maxLines) shown.push(`  ... (${lines.length - maxLines} more lines)`);
  return ['nft transaction (checked with nft -c):', ...shown];
}

/**
 * What differs between FOS1's nft tables and the running configuration:
 * missing or extra tables and chains, rule counts per chain, element counts per set.
 */
async function tableDrift(target: Target, desired: NftTables): Promise<string[]> {
  const out: string[] = [];
  for (const owned of OWNED_TABLES) {
    const key = tableKey(owned);
    const want = desired.get(key);
    const have = await listTable(target, owned.family, owned.name);
    if (!want) {
      if (have) out.push(`# nft table ${key} exists but nothing configures it`);
      continue;
    }
    if (!have) {
      out.push(`# nft table ${key} is missing`);
      continue;
    }
    for (const chain of want.chains.values()) {
      const rules = have.chains.get(chain.name);
      if (!rules) out.push(`# nft chain ${key} ${chain.name} is missing`);
      else if (rules.length !== chain.rules.length)
        out.push(
          `# nft chain ${key} ${chain.name} has ${rules.length} rules, the configuration ${chain.rules.length}`,
        );
    }
    for (const name of have.chains.keys())
      if (!want.chains.has(name)) out.push(`# nft chain ${key} ${name} is not configured`);
    for (const set of want.sets.values()) {
      const count = have.sets.get(set.name);
      if (count === undefined) out.push(`# nft set ${key} ${set.name} is missing`);
      else if (!set.flags.includes('dynamic') && count !== set.elements.length)
        out.push(
          `# nft set ${key} ${set.name} has ${count} elements, the configuration ${set.elements.length}`,
        );
    }
  }
  return out;
}

export const nftBackend: Backend<FirewallState, undefined, NftBackendPlan> = {
  name: 'nft',
  owns: ['nft'],
  // `policy route` marks are rules of table fos_pbr (the pbr backend adds their ip rules).
  reads: ['pbr'],
  // Rules name interfaces that the kernel backend creates.
  after: ['kernel'],
  recheck: false,

  render: (config) => renderFirewall(config),
  renderSliced: (config) => renderFirewallSliced(config),

  // Nothing is read: the plan starts from what FOS1 loaded, and `nft -c` tells when that is wrong.
  observe: async () => undefined,

  plan(intent) {
    const desired = intent.desired.tables;
    // After a commit that did not end, nothing is known about what nft holds: load it whole.
    const applied = intent.journal === undefined ? intent.applied?.tables : undefined;
    const before = intent.applied?.tables;
    if (applied === desired) return { nft: NOTHING, desired, before };
    return { nft: planNft(applied, desired), desired, before };
  },

  empty: (plan) => plan.nft.script === '',

  describe: (plan) => plan.nft.changes.map((c) => `nft ${c.kind} table ${c.table}: ${c.summary}`),

  detail: (plan) => transactionText(plan.nft),

  check: checked,

  // After a crash the tables are loaded whole.
  journal: () => true,

  async apply(target, plan, progress) {
    if (plan.nft.script) await progress.step('load', () => loadNft(target, plan.nft));
  },

  async restore(target, plan, _actual, progress) {
    // A load that failed changed nothing (it is atomic); one that went through is replaced.
    if (!progress.done.includes('load')) return [];
    try {
      await loadNft(target, fullLoad(plan.before ?? new Map()));
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  },

  drift: (target, desired) => tableDrift(target, desired.tables),

  converge: (target, intent) => convergeByPlan(nftBackend, target, intent),
};
