/**
 * The kernel backend: links, addresses, bridges, VXLAN, VLANs, bonds, VRFs
 * and WireGuard of the target namespace (`interfaces`, `vrf`). Plans from what `ip -json` shows, touching only
 * the links FOS1 manages: those the configuration names now, those the
 * running revision named (so that a link taken out is released), and those a
 * commit that did not end had in its journal.
 */
import { applyKernelStep, observeKernel, restoreKernel } from '../apply/kernel.js';
import { missingFeatures } from '../apply/kernel-features.js';
import { describeTarget } from '../apply/target.js';
import { renderKernel, type KernelState } from '../render/kernel.js';
import { describePlan, planKernel, type KernelPlan } from '../render/kernel-plan.js';
import { convergeByPlan, type Backend, type Intent } from './contract.js';

export interface KernelActual {
  /** The managed links as observed. */
  readonly observed: KernelState;
  readonly managed: ReadonlySet<string>;
}

export interface KernelBackendPlan extends KernelPlan {
  /** The links this plan may change: the crash journal's entry. */
  readonly managed: readonly string[];
}

function managedLinks(intent: Intent<KernelState>): Set<string> {
  const journaled = Array.isArray(intent.journal)
    ? intent.journal.filter((n): n is string => typeof n === 'string')
    : [];
  return new Set([
    ...intent.desired.links.keys(),
    ...(intent.applied?.links.keys() ?? []),
    ...journaled,
  ]);
}

export const kernelBackend: Backend<KernelState, KernelActual, KernelBackendPlan> = {
  name: 'kernel',
  owns: ['kernel'],
  after: [],
  recheck: true,

  render: (config) => renderKernel(config),

  async observe(target, intent) {
    const managed = managedLinks(intent);
    const all = await observeKernel(target);
    const observed = { links: new Map([...all.links].filter(([name]) => managed.has(name))) };
    return { observed, managed };
  },

  plan: (intent, actual) => ({
    ...planKernel({ observed: actual.observed, desired: intent.desired, managed: actual.managed }),
    managed: [...actual.managed],
  }),

  empty: (plan) => plan.steps.length === 0,

  describe: (plan, target) => describePlan(plan, target.netns),

  async check(target, plan) {
    const problems = [
      ...plan.missing.map(
        (name) => `interface ${name} does not exist in ${describeTarget(target)}`,
      ),
      ...(await missingFeatures(plan.needs)),
    ];
    return problems.length === 0 ? { ok: true, plan } : { ok: false, problems };
  },

  journal: (plan) => plan.managed,

  async apply(target, plan, progress) {
    for (const step of plan.steps)
      await progress.step(step.name, () => applyKernelStep(target, step));
  },

  async restore(target, _plan, actual, progress) {
    if (progress.begun.length === 0) return [];
    try {
      return await restoreKernel(target, actual.observed, actual.managed);
    } catch (e) {
      return [(e as Error).message];
    }
  },

  async drift(target, desired) {
    const intent = { desired, applied: desired };
    const plan = kernelBackend.plan(intent, await kernelBackend.observe(target, intent));
    return [
      ...plan.missing.map((m) => `# interface ${m} is configured but missing`),
      ...describePlan(plan, target.netns),
    ];
  },

  converge: (target, intent) => convergeByPlan(kernelBackend, target, intent),
};
