/**
 * The firewall's part of a commit: plan the nft transaction and the sysctl
 * writes, check them with `nft -c`, apply them after the kernel steps, and
 * put everything back when a later step fails.
 */
import { checkNft, listTable, loadNft, NftError, readSysctls, writeSysctls } from '../apply/nft.js';
import type { Target } from '../apply/target.js';
import type { FirewallState } from '../render/firewall.js';
import { fullLoad, OWNED_TABLES, planNft, tableKey, type NftPlan } from '../render/nft-model.js';

export interface FirewallPlan {
  readonly nft: NftPlan;
  /** Sysctls to write, and what they were before (for a restore). */
  readonly sysctls: ReadonlyMap<string, string>;
  readonly previousSysctls: ReadonlyMap<string, string>;
}

/** The sysctls FOS1 sets in this target: host-wide ones only when the target is the root namespace. */
function wantedSysctls(target: Target, state: FirewallState): Map<string, string> {
  return new Map([
    ...state.sysctls,
    ...(target.netns === undefined ? state.hostSysctls : new Map<string, string>()),
  ]);
}

/** The sysctls that differ from what the configuration wants, and what they are now. */
async function sysctlChanges(
  target: Target,
  desired: FirewallState,
): Promise<Pick<FirewallPlan, 'sysctls' | 'previousSysctls'>> {
  const wanted = wantedSysctls(target, desired);
  const observed = await readSysctls(target, [...wanted.keys()]);
  const sysctls = new Map<string, string>();
  const previousSysctls = new Map<string, string>();
  for (const [key, value] of wanted) {
    const now = observed.get(key);
    // A key this kernel does not have is left alone (for example IPv6 switched off).
    if (now === undefined || now === value) continue;
    sysctls.set(key, value);
    previousSysctls.set(key, now);
  }
  return { sysctls, previousSysctls };
}

/** The firewall plan without a check (start-up convergence and drift). */
export async function planFirewall(
  target: Target,
  applied: FirewallState | undefined,
  desired: FirewallState,
): Promise<FirewallPlan> {
  return {
    nft: planNft(applied?.tables, desired.tables),
    ...(await sysctlChanges(target, desired)),
  };
}

/**
 * `nft -c` of a transaction. An incremental one that the kernel refuses
 * (someone changed FOS1's tables behind its back) becomes a full reload,
 * checked again. Returns the transaction that passed, or nft's error.
 */
async function checkedTransaction(
  target: Target,
  nft: NftPlan,
  desired: FirewallState,
): Promise<{ ok: true; nft: NftPlan } | { ok: false; error: string }> {
  try {
    await checkNft(target, nft.script);
    return { ok: true, nft };
  } catch (e) {
    if (!(e instanceof NftError)) throw e;
    if (nft.changes.every((c) => c.kind !== 'update')) return { ok: false, error: e.detail };
    const full = fullLoad(desired.tables);
    try {
      await checkNft(target, full.script);
      return { ok: true, nft: full };
    } catch (again) {
      if (!(again instanceof NftError)) throw again;
      return { ok: false, error: again.detail };
    }
  }
}

/**
 * Plan and check a commit's firewall part. The `nft -c` and the sysctl read
 * start at once, as processes, when this is called: the caller may do other
 * work before awaiting the result.
 */
export function prepareFirewall(
  target: Target,
  applied: FirewallState | undefined,
  desired: FirewallState,
): Promise<{ ok: true; plan: FirewallPlan } | { ok: false; error: string }> {
  const checked = checkedTransaction(target, planNft(applied?.tables, desired.tables), desired);
  const sysctls = sysctlChanges(target, desired);
  return Promise.all([checked, sysctls]).then(([c, s]) =>
    c.ok ? { ok: true as const, plan: { nft: c.nft, ...s } } : c,
  );
}

/** What an apply got to, so a restore undoes only that. */
export interface FirewallProgress {
  /** The nft transaction was loaded (a failed load changed nothing: it is atomic). */
  nftLoaded: boolean;
  /** Sysctls were written, or attempted (a write may stop half-way). */
  sysctlsTouched: boolean;
}

export async function applyFirewall(
  target: Target,
  plan: FirewallPlan,
  onStep: (step: string) => void,
  progress: FirewallProgress = { nftLoaded: false, sysctlsTouched: false },
): Promise<void> {
  if (plan.nft.script) {
    onStep('nft: load');
    await loadNft(target, plan.nft);
    progress.nftLoaded = true;
  }
  if (plan.sysctls.size) {
    onStep('nft: sysctls');
    progress.sysctlsTouched = true;
    await writeSysctls(target, plan.sysctls);
  }
}

/** Undo an applied firewall plan: reload what was applied before, write the sysctls back. */
export async function restoreFirewall(
  target: Target,
  plan: FirewallPlan,
  before: FirewallState,
  progress: FirewallProgress,
): Promise<string[]> {
  const problems: string[] = [];
  if (progress.nftLoaded) {
    try {
      await loadNft(target, fullLoad(before.tables), true);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (progress.sysctlsTouched) {
    try {
      await writeSysctls(target, plan.previousSysctls, true);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return problems;
}

/** A few lines for the commit's plan: which tables change and how, and the sysctls. */
export function describeFirewallPlan(plan: FirewallPlan): string[] {
  return [
    ...plan.nft.changes.map((c) => `nft ${c.kind} table ${c.table}: ${c.summary}`),
    ...[...plan.sysctls].map(([k, v]) => `sysctl ${k}=${v}`),
  ];
}

/** `commit check`: the transaction itself, shortened when it is long. */
export function transactionText(plan: FirewallPlan, maxLines = 400): string[] {
  if (!plan.nft.script) return [];
  const lines = plan.nft.script.trimEnd().split('\n');
  const shown = lines.slice(0, maxLines).map((l) => `  ${l}`);
  if (lines.length > maxLines) shown.push(`  ... (${lines.length - maxLines} more lines)`);
  return ['nft transaction (checked with nft -c):', ...shown];
}

/**
 * What differs between FOS1's nft tables and sysctls and the running
 * configuration (`show system drift`): missing or extra tables and chains,
 * rule counts per chain, element counts per set, sysctl values.
 */
export async function firewallDrift(target: Target, desired: FirewallState): Promise<string[]> {
  const out: string[] = [];
  for (const owned of OWNED_TABLES) {
    const key = tableKey(owned);
    const want = desired.tables.get(key);
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
  const { sysctls, previousSysctls } = await sysctlChanges(target, desired);
  for (const [k, v] of sysctls)
    out.push(`# sysctl ${k} is ${previousSysctls.get(k)}, the configuration ${v}`);
  return out;
}
