/**
 * The router: the running configuration of one store and one target
 * namespace, and the commit pipeline that changes it (ARCHITECTURE.md, "The
 * commit pipeline"). One commit at a time per store, through the store's lock.
 */
import type { Target } from '../apply/target.js';
import {
  backendError,
  Progress,
  type AnyBackend,
  type Backend,
  type BackendError,
  type BackendName,
  type Intent,
} from '../backends/contract.js';
import { faultyBackends } from '../backends/faults.js';
import { BACKENDS } from '../backends/registry.js';
import {
  activeTree,
  changedOwners,
  EMPTY_TREE,
  getNode,
  loadSetForm,
  setFormPiecesSliced,
  treesEqualSliced,
  type ConfigNode,
} from '../config/index.js';
import type { ContainerNode } from '../schema/index.js';
import { rebase } from '../session/index.js';
import {
  DEFAULT_AUDIT_ENTRIES,
  type InflightJournal,
  type Origin,
  type PendingConfirm,
  type Store,
} from '../store/store.js';
import { inertChanges, verifySliced, withDefaults, withDefaultsSliced } from '../verify/index.js';
import { DEFAULT_CONFIG } from './defaults.js';
import type { BackendProblem, CommitOutcome } from './outcome.js';
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

/** One backend made ready to apply: what it was asked, what it saw, and its checked plan. */
interface Prepared {
  readonly backend: AnyBackend;
  readonly intent: Intent<unknown>;
  readonly actual: unknown;
  readonly plan: unknown;
  readonly journal: unknown;
}

type Preparation =
  | { readonly ok: true; readonly prepared: Prepared }
  | { readonly ok: false; readonly problems: readonly BackendProblem[] };

/** How an apply that failed ended: the failure, and what the restore could not put back. */
interface ApplyFailure {
  readonly error: BackendError;
  readonly problems: readonly string[];
}

export class Router {
  /** Told when a pending confirmation is written, before anything is applied (main starts a watcher). */
  onConfirmPending: (() => void) | undefined;
  private cache: { id: number; tree: ConfigNode } | undefined;
  /** The running revision with its defaults, which every backend renders. */
  private defaultedCache: { id: number; tree: ConfigNode } | undefined;
  /** Each backend's rendering of a revision: what its commit applied. */
  private readonly desiredCache = new Map<BackendName, { id: number; desired: unknown }>();

  constructor(
    readonly store: Store,
    readonly target: Target,
    readonly schema: ContainerNode,
    /** In dependency order (src/backends/registry.ts). */
    readonly backends: readonly AnyBackend[] = BACKENDS,
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
      this.store.auditKeep = auditEntries(this.applied());
    }
    return this.cache;
  }

  /** The running configuration as it is applied: without its inactive nodes. */
  applied(): ConfigNode {
    return activeTree(this.running().tree, this.schema);
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

  /** The backends of this commit: with the test-only faults the environment asks for. */
  private active(): readonly AnyBackend[] {
    return faultyBackends(this.backends);
  }

  private defaultedRunning(): ConfigNode {
    const running = this.running();
    if (this.defaultedCache?.id !== running.id)
      this.defaultedCache = { id: running.id, tree: withDefaults(this.applied(), this.schema) };
    return this.defaultedCache.tree;
  }

  /** `runningDesired` in slices, for a commit in a daemon (a cache miss after a restart is a whole render). */
  private async runningDesiredSliced<D>(backend: Backend<D, unknown, unknown>): Promise<D> {
    const id = this.running().id;
    const cached = this.desiredCache.get(backend.name);
    if (cached?.id === id) return cached.desired as D;
    if (this.defaultedCache?.id !== id)
      this.defaultedCache = {
        id,
        tree: await withDefaultsSliced(this.applied(), this.schema),
      };
    const desired = await render(backend, this.defaultedCache.tree);
    this.desiredCache.set(backend.name, { id, desired });
    return desired;
  }

  /** A backend's rendering of the running configuration: what FOS1 last applied with it. */
  runningDesired<D>(backend: Backend<D, unknown, unknown>): D {
    const id = this.running().id;
    const cached = this.desiredCache.get(backend.name);
    if (cached?.id === id) return cached.desired as D;
    const desired = backend.render(this.defaultedRunning());
    this.desiredCache.set(backend.name, { id, desired });
    return desired;
  }

  /**
   * Render, observe, plan, check (and the journal entry) of one backend:
   * nothing is changed. `candidate` (defaults applied) is undefined when the
   * configuration does not change. A throw in any phase is a problem that
   * names the backend and the phase.
   */
  private async prepare(
    backend: AnyBackend,
    candidate: ConfigNode | undefined,
    first: boolean,
    journal: unknown,
  ): Promise<Preparation> {
    let phase = 'render';
    try {
      const desired = candidate
        ? await render(backend, candidate)
        : await this.runningDesiredSliced(backend);
      const intent: Intent<unknown> = {
        desired,
        applied: first ? undefined : await this.runningDesiredSliced(backend),
        ...(journal !== undefined ? { journal } : {}),
      };
      phase = 'observe';
      const actual = await backend.observe(this.target, intent);
      phase = 'plan';
      const planned = backend.plan(intent, actual);
      phase = 'check';
      const checked = await backend.check(this.target, planned);
      if (!checked.ok)
        return {
          ok: false,
          problems: checked.problems.map((message) => ({
            kind: 'refused',
            backend: backend.name,
            phase,
            message,
          })),
        };
      phase = 'journal';
      const entry = backend.journal(checked.plan);
      return {
        ok: true,
        prepared: { backend, intent, actual, plan: checked.plan, journal: entry },
      };
    } catch (e) {
      const error = backendError(e, backend.name, phase);
      return {
        ok: false,
        problems: [
          { kind: 'failed', backend: backend.name, phase: error.step, message: error.detail },
        ],
      };
    }
  }

  /**
   * Apply in dependency order; when one fails, restore it and every one
   * applied before it, in reverse order.
   */
  private async applyInOrder(
    plans: readonly Prepared[],
    onStep: (step: string) => void,
  ): Promise<ApplyFailure | undefined> {
    const begun: { prepared: Prepared; progress: Progress }[] = [];
    for (const prepared of plans) {
      const progress = new Progress(prepared.backend.name, undefined, onStep);
      begun.push({ prepared, progress });
      try {
        await prepared.backend.apply(this.target, prepared.plan, progress);
      } catch (e) {
        const error = backendError(e, prepared.backend.name, progress.current() ?? 'apply');
        onStep('restore');
        const problems: string[] = [];
        for (const { prepared: p, progress: r } of begun.reverse()) {
          let left: readonly string[];
          try {
            left = await p.backend.restore(this.target, p.plan, p.actual, r.record);
          } catch (again) {
            left = [(again as Error).message];
          }
          for (const problem of left) problems.push(`${p.backend.name}: ${problem}`);
        }
        return { error, problems };
      }
    }
    return undefined;
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

  /**
   * Run `work` while no commit can run (after this process's commits, holding
   * the store's commit lock): an operational command that reloads what a
   * commit loads (`clear firewall counters`). Who holds the lock otherwise.
   */
  async whileNoCommit<T>(
    user: string,
    work: () => Promise<T>,
  ): Promise<{ done: T } | { lockedBy: string }> {
    const r = await this.inOrder(() => this.locked(user, async () => ({ done: await work() })));
    return 'done' in r ? r : { lockedBy: r.kind === 'locked' ? r.holder.user : r.kind };
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
    // 2. defaults, then verify: of what is applied, the tree without its inactive nodes
    step('verify');
    // Sliced, as the rest of the pure work on the candidate: other sessions keep their turns.
    const issues = await verifySliced(activeTree(candidate, this.schema), this.schema);
    if (issues.length > 0) return { kind: 'invalid', issues };
    candidate = await hashPlaintextPasswords(candidate);
    const applied = activeTree(candidate, this.schema);
    const appliedBefore = this.applied();
    // 3. diff (an inactive node that changed is a new revision that no backend sees);
    // 4-5. which backends the change touches, and their plans
    step('plan');
    const changed = !(await treesEqualSliced(running.tree, candidate));
    const first = running.id === 0;
    // A commit that did not end (or whose restore failed) left a journal: everything converges.
    const leftover = this.store.inflightJournal();
    const all = this.active();
    let touched = all;
    if (changed && !first && leftover === undefined) {
      const owners = changedOwners(appliedBefore, applied, this.schema);
      touched = all.filter((b) => [...b.owns, ...(b.reads ?? [])].some((o) => owners.has(o)));
    }
    const defaulted = changed ? await withDefaultsSliced(applied, this.schema) : undefined;
    // Observations and checks (`ip -json`, `nft -c`) are processes: they run side by side.
    const preparing = Promise.all(
      touched.map((b) => this.prepare(b, defaulted, first, leftover?.[b.name])),
    );
    // Let them start their processes before the revision's text is written, which is synchronous.
    await new Promise((resolve) => setImmediate(resolve));
    // The revision's text in pieces: only those of changed nodes are new, and only the
    // chunks the store does not hold are compressed (on the thread pool). It is needed only
    // to record: it goes on beside the checks and the apply, which do not wait for it.
    const packing =
      changed && !request.checkOnly
        ? setFormPiecesSliced(candidate, this.schema).then((pieces) =>
            this.store.packPieces(pieces),
          )
        : undefined;
    packing?.catch(() => undefined);
    const preparations = await preparing;
    // 6. check
    const problems = preparations.flatMap((p) => (p.ok ? [] : p.problems));
    if (problems.length > 0) return { kind: 'check-failed', problems };
    const prepared = preparations.flatMap((p) => (p.ok ? [p.prepared] : []));
    const planText = prepared.flatMap((p) => p.backend.describe(p.plan, this.target));
    if (request.checkOnly) {
      return {
        kind: 'checked',
        plan: [
          ...planText,
          ...prepared.flatMap((p) => p.backend.detail?.(p.plan) ?? []),
          ...inertChanges(appliedBefore, applied, this.schema).map((w) => `# ${w}`),
        ],
      };
    }
    const pending = this.store.pending();
    // commit confirmed: the pending confirmation is written before anything is touched.
    if (changed && request.confirmMinutes !== undefined) {
      this.store.setPending({
        restoreId: pending?.restoreId ?? running.id,
        committedId: pending?.committedId ?? 0,
        deadline: Date.now() + request.confirmMinutes * MINUTE_MS,
        user: request.user,
      });
      this.onConfirmPending?.();
    }
    // 7. apply in dependency order, restoring on failure; the crash journal first
    const toApply = prepared.filter((p) => !p.backend.empty(p.plan));
    if (toApply.length > 0) this.store.setInflight(journalOf(toApply));
    const failure = await this.applyInOrder(toApply, step);
    if (failure) {
      const { error, problems: left } = failure;
      if (changed) {
        if (pending) this.store.setPending(pending);
        else this.store.clearPending();
      }
      // A restore that failed keeps the journal: the next commit or start converges everything.
      if (left.length === 0) this.store.setInflight(leftover);
      this.store.audit({
        user: request.user,
        session: request.session,
        kind: 'apply-error',
        text: error.message,
        outcome: left.length ? `restore failed: ${left.join('; ')}` : 'restored',
      });
      const at = { backend: error.backend, step: error.step, error: error.detail };
      return left.length > 0
        ? { kind: 'inconsistent', ...at, problems: left }
        : { kind: 'apply-failed', ...at };
    }
    if (!changed) {
      if (toApply.length > 0 || leftover) this.store.setInflight(undefined);
      const confirmed =
        pending !== undefined && request.confirmMinutes === undefined && this.store.clearPending();
      return { kind: 'no-changes', corrected: planText, confirmed };
    }
    // 8. observe and compare (a backend whose apply is atomic and not planned from observation is not asked)
    step('observe');
    const rechecks = await Promise.all(
      toApply
        .filter((p) => p.backend.recheck)
        .map(async (p) => {
          const after = p.backend.plan(p.intent, await p.backend.observe(this.target, p.intent));
          return p.backend.empty(after) ? [] : p.backend.describe(after, this.target);
        }),
    );
    const differs = rechecks.flat();
    const warnings = [
      ...inertChanges(appliedBefore, applied, this.schema),
      ...(differs.length > 0
        ? [`the system does not match the plan after apply: ${differs.join('; ')}`]
        : []),
    ];
    // 9. record
    step('record');
    const revision = this.store.record(
      {
        user: request.user,
        origin: request.origin,
        comment: request.comment ?? '',
        ...(packing ? { pieces: await packing } : { config: '' }),
        plan: planText.join('\n'),
      },
      {
        keep: this.keep(applied),
        confirm:
          request.confirmMinutes !== undefined
            ? { deadline: Date.now() + request.confirmMinutes * MINUTE_MS, user: request.user }
            : 'clear',
      },
    );
    this.store.setInflight(undefined);
    this.cache = { id: revision, tree: candidate };
    this.defaultedCache = defaulted && { id: revision, tree: defaulted };
    this.store.auditKeep = auditEntries(applied);
    // What each backend now has applied: the new rendering, or (untouched) the one it had.
    for (const b of all) {
      const p = prepared.find((x) => x.backend.name === b.name);
      const cached = this.desiredCache.get(b.name);
      if (p) this.desiredCache.set(b.name, { id: revision, desired: p.intent.desired });
      else if (cached?.id === running.id)
        this.desiredCache.set(b.name, { ...cached, id: revision });
    }
    const deadline = this.store.pending()?.deadline;
    return {
      kind: 'committed',
      revision,
      previous: running.id,
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

  /**
   * Put back what a backend lost since it applied the running configuration
   * (a routing daemon that died): `fos serve` asks every second. Cheap when
   * nothing is lost; the healing runs under the commit lock (a commit in
   * progress goes first, and it is asked again next time). What was done.
   */
  async heal(): Promise<string[]> {
    const lost = (): AnyBackend[] =>
      this.active().filter((b) => b.heal && b.lost?.(this.target, this.runningDesired(b)));
    if (lost().length === 0) return [];
    const r = await this.inOrder(() =>
      this.locked('heal', async () => {
        const lines: string[] = [];
        for (const backend of lost()) {
          try {
            lines.push(...(await backend.heal!(this.target, this.runningDesired(backend))));
          } catch (e) {
            lines.push(`# the ${backend.name} backend failed to heal: ${(e as Error).message}`);
          }
        }
        for (const line of lines)
          this.store.audit({
            user: '',
            session: 'daemon',
            kind: 'heal',
            text: line,
            outcome: line.startsWith('#') ? 'failed' : 'ok',
          });
        return lines;
      }),
    );
    return Array.isArray(r) ? r : [];
  }

  /** What differs between the target and the running configuration (`show system drift`). */
  async drift(): Promise<string[]> {
    const lines: string[] = [];
    for (const backend of this.active())
      lines.push(...(await backend.drift(this.target, this.runningDesired(backend))));
    return lines;
  }

  /**
   * Start-up: make the target match the newest revision (like loading
   * config.boot at boot), every backend in dependency order, with what a
   * commit that did not end left in the journal. A backend that fails says
   * so in the lines returned; the journal then stays for the next start.
   */
  async converge(): Promise<string[]> {
    const locked = await this.lock('boot');
    if (locked) return [];
    try {
      const journal = this.store.inflightJournal();
      const lines: string[] = [];
      let failed = false;
      for (const backend of this.active()) {
        const entry = journal?.[backend.name];
        try {
          const done = await backend.converge(this.target, {
            desired: this.runningDesired(backend),
            applied: undefined,
            ...(entry !== undefined ? { journal: entry } : {}),
          });
          lines.push(...done);
        } catch (e) {
          failed = true;
          const error = backendError(e, backend.name, 'converge');
          lines.push(`# the ${backend.name} backend failed to converge: ${error.detail}`);
        }
      }
      if (!failed) this.store.setInflight(undefined);
      return lines;
    } finally {
      this.store.unlock(LOCK);
    }
  }
}

/** The crash journal of the backends about to apply: each one's entry, by name. */
function journalOf(plans: readonly Prepared[]): InflightJournal {
  const journal: Record<string, unknown> = {};
  for (const p of plans) if (p.journal !== undefined) journal[p.backend.name] = p.journal;
  return journal;
}

/** `system config-management audit-entries`: how many audit entries the store keeps. */
function auditEntries(tree: ConfigNode): number {
  const v = getNode(tree, ['system', 'config-management', 'audit-entries'])?.values[0];
  return v ? Number(v) : DEFAULT_AUDIT_ENTRIES;
}

/** A backend's rendering, in slices where the backend has them. */
function render<D>(backend: Backend<D, unknown, unknown>, config: ConfigNode): Promise<D> {
  return backend.renderSliced
    ? backend.renderSliced(config)
    : Promise.resolve(backend.render(config));
}
