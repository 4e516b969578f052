/**
 * The router: the running configuration of one store and one target
 * namespace, and the commit pipeline that changes it (ARCHITECTURE.md, "The
 * commit pipeline"). One commit at a time per store, through the store's lock.
 */
import { observeKernel, applyKernelPlan, restoreKernel, StepError } from '../apply/kernel.js';
import { describeTarget, type Target } from '../apply/target.js';
import {
  EMPTY_TREE,
  getNode,
  loadSetForm,
  toSetForm,
  treesEqual,
  type ConfigNode,
} from '../config/index.js';
import { renderFirewall, type FirewallState } from '../render/firewall.js';
import { renderKernel, type KernelState } from '../render/kernel.js';
import { describePlan, planKernel, type KernelPlan } from '../render/kernel-plan.js';
import type { ContainerNode } from '../schema/index.js';
import { rebase } from '../session/index.js';
import {
  DEFAULT_AUDIT_ENTRIES,
  packConfig,
  type Origin,
  type PendingConfirm,
  type Store,
} from '../store/store.js';
import { inertChanges, verify, withDefaults } from '../verify/index.js';
import { DEFAULT_CONFIG } from './defaults.js';
import {
  applyFirewall,
  describeFirewallPlan,
  firewallDrift,
  planFirewall,
  prepareFirewall,
  type FirewallProgress,
  restoreFirewall,
  transactionText,
} from './firewall-stage.js';
import { NftError } from '../apply/nft.js';
import type { CommitOutcome } from './outcome.js';
import { hashPlaintextPasswords } from './passwords.js';

export interface CommitRequest {
  readonly candidate: ConfigNode;
  /** The revision the candidate was based on. */
  readonly baseId: number;
  readonly baseTree: ConfigNode;
  readonly user: string;
  readonly origin: Origin;
  readonly session: string;
  readonly comment?: string;
  /** `commit confirmed N`: minutes until an automatic rollback. */
  readonly confirmMinutes?: number;
  /** `commit check`: everything but apply and record. */
  readonly checkOnly?: boolean;
  readonly onStep?: (step: string) => void;
}

const LOCK = 'commit';
/** A minute of `commit confirmed N`; tests shorten it with FOS_TEST_MINUTE_MS. */
export const MINUTE_MS = Number(process.env['FOS_TEST_MINUTE_MS']) || 60_000;
/** How long a commit waits for another to finish before it is refused (tests shorten it). */
const LOCK_WAIT_MS = Number(process.env['FOS_TEST_LOCK_WAIT_MS']) || 10_000;

/** Commits of one process to one store run one after the other; the store's lock covers other processes. */
const inProcess = new Map<string, Promise<unknown>>();

function linkNames(state: KernelState): Set<string> {
  return new Set(state.links.keys());
}

export class Router {
  /** Told when a pending confirmation is written, before anything is applied (main starts a watcher). */
  onConfirmPending: (() => void) | undefined;
  private cache: { id: number; tree: ConfigNode } | undefined;
  /** The firewall rendered from a revision: what its commit loaded into nft. */
  private firewallCache: { id: number; state: FirewallState } | undefined;

  constructor(
    readonly store: Store,
    readonly target: Target,
    readonly schema: ContainerNode,
  ) {}

  /** The configuration of a revision id (0 is the empty configuration). */
  tree(id: number): ConfigNode | undefined {
    if (id === 0) return EMPTY_TREE;
    if (this.cache?.id === id) return this.cache.tree;
    const revision = this.store.byId(id);
    if (!revision) return undefined;
    return loadSetForm(revision.config, this.schema).tree;
  }

  running(): { id: number; tree: ConfigNode } {
    // Only the id is read unless the revision is not the one in the cache.
    const id = this.store.latestId();
    if (id === 0) return { id: 0, tree: EMPTY_TREE };
    if (this.cache?.id !== id) {
      const latest = this.store.byId(id)!;
      this.cache = { id, tree: loadSetForm(latest.config, this.schema).tree };
      this.store.auditKeep = auditEntries(this.cache.tree);
    }
    return this.cache;
  }

  /** The revision N back from running (0 = running). */
  back(n: number): { id: number; tree: ConfigNode } | undefined {
    const revision = this.store.back(n);
    return revision && { id: revision.id, tree: this.tree(revision.id)! };
  }

  private keep(tree: ConfigNode): number {
    const v = getNode(tree, ['system', 'config-management', 'commit-revisions'])?.values[0];
    return v ? Number(v) : 100;
  }

  private async lock(user: string): Promise<CommitOutcome | undefined> {
    const until = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const r = this.store.tryLock(LOCK, user);
      if (r.ok) return undefined;
      if (Date.now() > until) return { kind: 'locked', holder: r.holder };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The firewall of the running configuration: what FOS1 last loaded. */
  runningFirewall(): FirewallState {
    const running = this.running();
    if (this.firewallCache?.id !== running.id)
      this.firewallCache = {
        id: running.id,
        state: renderFirewall(withDefaults(running.tree, this.schema)),
      };
    return this.firewallCache.state;
  }

  /** Plan the kernel changes from what the namespace has now. */
  private async planFor(
    running: ConfigNode,
    candidate: ConfigNode,
  ): Promise<{
    plan: KernelPlan;
    observed: KernelState;
    managed: Set<string>;
    desired: KernelState;
  }> {
    const desired = renderKernel(withDefaults(candidate, this.schema));
    const oldDesired = renderKernel(withDefaults(running, this.schema));
    const managed = new Set([...linkNames(desired), ...linkNames(oldDesired)]);
    const observed = await observeKernel(this.target);
    return { plan: planKernel({ observed, desired, managed }), observed, managed, desired };
  }

  async commit(request: CommitRequest): Promise<CommitOutcome> {
    return this.inOrder(() => this.commitSerialised(request));
  }

  /** Run after every earlier commit of this process to this store. */
  private inOrder<T>(work: () => Promise<T>): Promise<T> {
    const previous = inProcess.get(this.store.directory) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(work);
    inProcess.set(this.store.directory, mine);
    return mine;
  }

  /** Run holding the store's commit lock, or say who holds it. */
  private async locked<T>(user: string, work: () => Promise<T>): Promise<T | CommitOutcome> {
    const refused = await this.lock(user);
    if (refused) return refused;
    try {
      return await work();
    } finally {
      this.store.unlock(LOCK);
    }
  }

  private async commitSerialised(request: CommitRequest): Promise<CommitOutcome> {
    const exclusive = this.store.exclusiveHolder();
    if (exclusive && exclusive.session !== request.session)
      return { kind: 'locked', holder: exclusive };
    return this.locked(request.user, () => this.commitAudited(request));
  }

  private async commitAudited(request: CommitRequest): Promise<CommitOutcome> {
    const outcome = await this.commitLocked(request, request.onStep ?? (() => undefined));
    this.store.audit({
      user: request.user,
      session: request.session,
      kind: request.checkOnly ? 'commit check' : 'commit',
      text: request.comment ?? '',
      outcome:
        outcome.kind === 'committed' ? `committed revision ${outcome.revision}` : outcome.kind,
    });
    return outcome;
  }

  private async commitLocked(
    request: CommitRequest,
    step: (s: string) => void,
  ): Promise<CommitOutcome> {
    const running = this.running();
    // 1. stale check
    let candidate = request.candidate;
    if (request.baseId !== running.id) {
      step('rebase');
      const rebased = rebase(request.baseTree, candidate, running.tree, this.schema);
      if (!rebased.ok) return { kind: 'conflict', paths: rebased.conflicts };
      candidate = rebased.tree;
    }
    // 2. defaults, then verify
    step('verify');
    const issues = verify(candidate, this.schema);
    if (issues.length > 0) return { kind: 'invalid', issues };
    candidate = await hashPlaintextPasswords(candidate);
    // 3. diff; 4-5. plan and render
    step('plan');
    const changed = !treesEqual(running.tree, candidate);
    // The kernel is observed while nft checks the firewall's transaction: independent processes.
    const firewallBefore = this.runningFirewall();
    const firewallDesired = renderFirewall(withDefaults(candidate, this.schema));
    const checking = prepareFirewall(this.target, firewallBefore, firewallDesired);
    const planning = this.planFor(running.tree, candidate);
    // While those processes run: the revision's text, needed if this commit goes through.
    const configText = changed && !request.checkOnly ? toSetForm(candidate, this.schema) : '';
    // Compressed on the thread pool while the checks and the apply run.
    const packing = configText ? packConfig(configText) : undefined;
    packing?.catch(() => undefined);
    const [{ plan, observed, managed, desired }, checked] = await Promise.all([planning, checking]);
    // 6. check
    if (plan.missing.length > 0) {
      return {
        kind: 'check-failed',
        errors: plan.missing.map(
          (name) => `interface ${name} does not exist in ${describeTarget(this.target)}`,
        ),
      };
    }
    if (!checked.ok)
      return { kind: 'check-failed', errors: [`nft refused the ruleset: ${checked.error}`] };
    const firewallPlan = checked.plan;
    const planText = [
      ...describePlan(plan, this.target.netns),
      ...describeFirewallPlan(firewallPlan),
    ];
    if (request.checkOnly) {
      return {
        kind: 'checked',
        plan: [
          ...planText,
          ...transactionText(firewallPlan),
          ...inertChanges(running.tree, candidate, this.schema).map((w) => `# ${w}`),
        ],
      };
    }
    const pending = this.store.pending();
    if (!changed) {
      if (plan.steps.length > 0) await applyKernelPlan(this.target, plan, step);
      await applyFirewall(this.target, firewallPlan, step);
      const confirmed =
        pending !== undefined && request.confirmMinutes === undefined && this.store.clearPending();
      return { kind: 'no-changes', corrected: planText, confirmed };
    }
    // commit confirmed: the pending confirmation is written before anything is touched.
    if (request.confirmMinutes !== undefined) {
      this.store.setPending({
        restoreId: pending?.restoreId ?? running.id,
        committedId: pending?.committedId ?? 0,
        deadline: Date.now() + request.confirmMinutes * MINUTE_MS,
        user: request.user,
      });
      this.onConfirmPending?.();
    }
    // 7. apply, restoring on failure
    this.store.setInflight([...managed]);
    const firewallProgress: FirewallProgress = { nftLoaded: false, sysctlsTouched: false };
    try {
      await applyKernelPlan(this.target, plan, step);
      await applyFirewall(this.target, firewallPlan, step, firewallProgress);
    } catch (e) {
      const error = errorOfStep(e);
      step('restore');
      // Put every link this commit could touch back exactly as it was observed before it.
      const before: KernelState = {
        links: new Map([...observed.links].filter(([name]) => managed.has(name))),
      };
      const problems = [
        ...(await restoreFirewall(this.target, firewallPlan, firewallBefore, firewallProgress)),
        ...(await restoreKernel(this.target, before, managed)),
      ];
      if (pending) this.store.setPending(pending);
      else this.store.clearPending();
      this.store.setInflight(undefined);
      this.store.audit({
        user: request.user,
        session: request.session,
        kind: 'apply-error',
        text: error.message,
        outcome: problems.length ? `restore failed: ${problems.join('; ')}` : 'restored',
      });
      return problems.length > 0
        ? { kind: 'inconsistent', step: error.step, error: error.detail, problems }
        : { kind: 'apply-failed', step: error.step, error: error.detail };
    }
    // 8. observe and compare
    step('observe');
    // Nothing was asked of the kernel: nothing to observe there (nft's load is atomic).
    const after =
      plan.steps.length > 0
        ? planKernel({ observed: await observeKernel(this.target), desired, managed })
        : plan;
    const warnings = [
      ...inertChanges(running.tree, candidate, this.schema),
      ...(after.steps.length > 0
        ? [
            `the system does not match the plan after apply: ${describePlan(after, this.target.netns).join('; ')}`,
          ]
        : []),
    ];
    // 9. record
    step('record');
    const revision = this.store.record(
      {
        user: request.user,
        origin: request.origin,
        comment: request.comment ?? '',
        config: configText,
        ...(packing ? { packed: await packing } : {}),
        plan: planText.join('\n'),
      },
      {
        keep: this.keep(candidate),
        confirm:
          request.confirmMinutes !== undefined
            ? { deadline: Date.now() + request.confirmMinutes * MINUTE_MS, user: request.user }
            : 'clear',
      },
    );
    this.store.setInflight(undefined);
    this.cache = { id: revision, tree: candidate };
    this.store.auditKeep = auditEntries(candidate);
    this.firewallCache = { id: revision, state: firewallDesired };
    const deadline = this.store.pending()?.deadline;
    return {
      kind: 'committed',
      revision,
      plan: planText,
      warnings,
      ...(request.confirmMinutes !== undefined && deadline ? { confirmDeadline: deadline } : {}),
    };
  }

  takeExclusive(session: string, user: string): ReturnType<Store['takeExclusive']> {
    return this.store.takeExclusive(session, user);
  }

  releaseExclusive(session: string): void {
    this.store.releaseExclusive(session);
  }

  /**
   * `confirm`: keep the configuration of a `commit confirmed`. Under the commit
   * lock, so it never lands while a rollback of that commit runs.
   */
  async confirm(user: string, session: string): Promise<boolean | CommitOutcome> {
    const outcome = await this.inOrder(() =>
      this.locked(user, async () => this.store.clearPending()),
    );
    this.store.audit({
      user,
      session,
      kind: 'confirm',
      text: '',
      outcome:
        typeof outcome !== 'boolean' ? outcome.kind : outcome ? 'confirmed' : 'nothing pending',
    });
    return outcome;
  }

  /**
   * If a `commit confirmed` expired unconfirmed, roll back to the revision it
   * replaced, through the ordinary pipeline. Returns undefined when nothing was
   * due. Any number of owners may call this at once (the daemon's or a shell's
   * timer, a watcher, a start-up): the pending confirmation is read again under
   * the commit lock, so only the first reverts and the others find nothing.
   */
  async revertIfExpired(): Promise<CommitOutcome | undefined> {
    const due = (): PendingConfirm | undefined => {
      const pending = this.store.pending();
      return pending && pending.deadline <= Date.now() ? pending : undefined;
    };
    if (!due()) return undefined;
    return this.inOrder(() =>
      this.locked('confirm-timer', async () => {
        const pending = due();
        if (!pending) return undefined;
        const running = this.running();
        const outcome = await this.commitAudited({
          candidate: this.tree(pending.restoreId) ?? EMPTY_TREE,
          baseId: running.id,
          baseTree: running.tree,
          user: pending.user,
          origin: 'confirm-timeout',
          session: 'confirm-timer',
          comment: `commit confirmed by ${pending.user} was not confirmed; restored revision ${pending.restoreId}`,
        });
        // A restore that changes nothing (running already equals it) still ends the wait.
        if (outcome.kind === 'no-changes') this.store.clearPending();
        return outcome;
      }),
    );
  }

  /** An empty store starts from the default configuration. */
  async initialize(): Promise<void> {
    if (this.store.latest()) return;
    const tree = loadSetForm(DEFAULT_CONFIG, this.schema).tree;
    await this.commit({
      candidate: tree,
      baseId: 0,
      baseTree: EMPTY_TREE,
      user: 'fos',
      origin: 'boot',
      session: 'boot',
      comment: 'default configuration',
    });
  }

  /** What differs between the namespace and the running configuration (`show system drift`). */
  async drift(): Promise<string[]> {
    const running = this.running();
    const { plan } = await this.planFor(running.tree, running.tree);
    return [
      ...plan.missing.map((m) => `# interface ${m} is configured but missing`),
      ...describePlan(plan, this.target.netns),
      ...(await firewallDrift(this.target, this.runningFirewall())),
    ];
  }

  /** Start-up: make the namespace match the newest revision (like loading config.boot at boot). */
  async converge(): Promise<string[]> {
    const locked = await this.lock('boot');
    if (locked) return [];
    try {
      const running = this.running();
      const desired = renderKernel(withDefaults(running.tree, this.schema));
      // Links a crashed commit may have touched are put back too.
      const managed = new Set([...linkNames(desired), ...this.store.inflight()]);
      const plan = planKernel({ observed: await observeKernel(this.target), desired, managed });
      if (plan.steps.length > 0) await applyKernelPlan(this.target, plan);
      // The firewall is loaded whole: after a crash nothing is known about what nft holds.
      const firewall = this.runningFirewall();
      const firewallPlan = await planFirewall(this.target, undefined, firewall);
      await applyFirewall(this.target, firewallPlan, () => undefined);
      this.store.setInflight(undefined);
      return [...describePlan(plan, this.target.netns), ...describeFirewallPlan(firewallPlan)];
    } finally {
      this.store.unlock(LOCK);
    }
  }
}

/** `system config-management audit-entries`: how many audit entries the store keeps. */
function auditEntries(tree: ConfigNode): number {
  const v = getNode(tree, ['system', 'config-management', 'audit-entries'])?.values[0];
  return v ? Number(v) : DEFAULT_AUDIT_ENTRIES;
}

/** The step and message of a failed apply, whichever backend failed. */
function errorOfStep(e: unknown): StepError {
  if (e instanceof StepError) return e;
  if (e instanceof NftError) return new StepError(`nft: ${e.phase}`, e.detail);
  return new StepError('apply', (e as Error).message);
}
