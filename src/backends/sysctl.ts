/**
 * The sysctl backend: the kernel parameters that `firewall global-options`
 * and `system conntrack` stand for. Host-wide ones (conntrack table, hash and
 * expect sizes) only when the target is the root namespace. A key this kernel
 * does not have is left alone (for example IPv6 switched off).
 */
import { readSysctls, writeSysctls } from '../apply/nft.js';
import type { Target } from '../apply/target.js';
import { renderSysctls, type SysctlState } from '../render/firewall.js';
import { convergeByPlan, type Backend } from './contract.js';

/** The values to write, and what they were before (for a restore). */
export interface SysctlPlan {
  readonly write: ReadonlyMap<string, string>;
  readonly previous: ReadonlyMap<string, string>;
}

/** The sysctls FOS1 sets in this target. */
function wanted(target: Target, state: SysctlState): Map<string, string> {
  return new Map([
    ...state.sysctls,
    ...(target.netns === undefined ? state.hostSysctls : new Map<string, string>()),
  ]);
}

function sameValues(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export const sysctlBackend: Backend<SysctlState, ReadonlyMap<string, string>, SysctlPlan> = {
  name: 'sysctl',
  // The sysctls are written under `firewall` and `system conntrack`, both of the nft owner.
  owns: ['nft'],
  // The conntrack keys exist once nf_conntrack is loaded, which the nft tables' `ct` rules do.
  after: ['nft'],
  // As before the contract: a write that went through is not read back.
  recheck: false,

  render: (config) => renderSysctls(config),

  /**
   * The current values of the keys wanted in this target (a key the kernel
   * lacks is absent). A commit whose rendering asks for what the running
   * revision applied reads nothing, as nft plans from what it applied; a
   * commit without changes (desired is the applied rendering itself), the
   * first commit, a crash journal and start-up read and correct them.
   */
  observe: (target, intent) =>
    intent.applied !== undefined &&
    intent.applied !== intent.desired &&
    intent.journal === undefined &&
    sameValues(wanted(target, intent.applied), wanted(target, intent.desired))
      ? Promise.resolve(new Map())
      : readSysctls(target, [...wanted(target, intent.desired).keys()]),

  plan(intent, actual) {
    const write = new Map<string, string>();
    const previous = new Map<string, string>();
    for (const [key, now] of actual) {
      const value = intent.desired.sysctls.get(key) ?? intent.desired.hostSysctls.get(key);
      if (value === undefined || value === now) continue;
      write.set(key, value);
      previous.set(key, now);
    }
    return { write, previous };
  },

  empty: (plan) => plan.write.size === 0,

  describe: (plan) => [...plan.write].map(([k, v]) => `sysctl ${k}=${v}`),

  check: async (_target, plan) => ({ ok: true, plan }),

  // A write that did not end: the next commit reads the values again.
  journal: (plan) => (plan.write.size ? [...plan.write.keys()] : undefined),

  async apply(target, plan, progress) {
    if (plan.write.size) await progress.step('write', () => writeSysctls(target, plan.write));
  },

  async restore(target, plan, _actual, progress) {
    // A write may stop half-way: once begun, every value is written back.
    if (!progress.begun.includes('write')) return [];
    try {
      await writeSysctls(target, plan.previous);
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  },

  async drift(target, desired) {
    const intent = { desired, applied: desired };
    const plan = sysctlBackend.plan(intent, await sysctlBackend.observe(target, intent));
    return [...plan.write].map(
      ([k, v]) => `# sysctl ${k} is ${plan.previous.get(k)}, the configuration ${v}`,
    );
  },

  converge: (target, intent) => convergeByPlan(sysctlBackend, target, intent),
};
