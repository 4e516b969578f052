/**
 * The backend contract (ARCHITECTURE.md, "Backends: one contract"): every
 * backend is one module with the same phases, after FRR's northbound
 * (validate, prepare, abort, apply) and VyOS's verify/generate/apply. The
 * Router runs them without knowing any backend by name; docs/design-notes.md
 * ("Backends") writes the promises of each phase out.
 */
import type { Target } from '../apply/target.js';
import type { ConfigNode } from '../config/index.js';
import type { Owner } from '../schema/index.js';

/** A backend's name: the word in messages, fault switches and the crash journal. */
export type BackendName = string;

/**
 * What a backend is asked to reach: the desired state, what FOS1 applied
 * before (the running revision's rendering; undefined when nothing is known:
 * the first commit, start-up), and the entry a commit that did not end left
 * in the crash journal.
 */
export interface Intent<Desired> {
  readonly desired: Desired;
  readonly applied: Desired | undefined;
  readonly journal?: unknown;
}

/** What a check found: the plan that passed (a check may replace it), or the problems. */
export type Checked<Plan> =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly problems: readonly string[] };

/** The steps an apply began and finished: all a restore needs to know of how far it got. */
export interface ProgressRecord {
  readonly begun: string[];
  readonly done: string[];
}

/** Told around each step of an apply (test-only faults and pauses hook in here). */
export interface StepHooks {
  before?(backend: BackendName, step: string): Promise<void>;
  after?(backend: BackendName, step: string): void;
}

/** The typed failure of one phase or step of one backend; turned into words in src/commit/outcome.ts. */
export class BackendError extends Error {
  constructor(
    readonly backend: BackendName,
    /** The apply step, or the phase (render, observe, plan, check, ...). */
    readonly step: string,
    readonly detail: string,
  ) {
    super(`'${step}' of the ${backend} backend failed: ${detail}`);
  }
}

function detailOf(e: unknown): string {
  if (e instanceof BackendError) return e.detail;
  const detail = (e as { detail?: unknown }).detail;
  return typeof detail === 'string' ? detail : e instanceof Error ? e.message : String(e);
}

/** Any error of a backend's phase or step as a BackendError that names both. */
export function backendError(e: unknown, backend: BackendName, step: string): BackendError {
  return e instanceof BackendError ? e : new BackendError(backend, step, detailOf(e));
}

/**
 * An apply's progress: each step is run through `step`, which records it,
 * names it to the progress display and wraps its failure with the step's name.
 */
export class Progress {
  constructor(
    readonly backend: BackendName,
    readonly record: ProgressRecord = { begun: [], done: [] },
    private readonly onStep: (step: string) => void = () => undefined,
    private readonly hooks: StepHooks = {},
  ) {}

  /** The same progress with other hooks (the fault wrapper's). */
  withHooks(hooks: StepHooks): Progress {
    return new Progress(this.backend, this.record, this.onStep, hooks);
  }

  async step<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.onStep(`${this.backend}: ${name}`);
    await this.hooks.before?.(this.backend, name);
    this.record.begun.push(name);
    let result: T;
    try {
      result = await work();
    } catch (e) {
      throw backendError(e, this.backend, name);
    }
    this.record.done.push(name);
    this.hooks.after?.(this.backend, name);
    return result;
  }

  /** The step that was running when the apply stopped (the last one begun). */
  current(): string | undefined {
    return this.record.begun[this.record.begun.length - 1];
  }
}

/**
 * One backend. Pure phases (render, plan, describe, journal, empty) have no
 * side effects; check touches nothing; apply changes the target and records
 * its progress; restore puts back what that progress says was touched.
 */
export interface Backend<Desired, Actual, Plan> {
  readonly name: BackendName;
  /** The schema owners whose configuration this backend realises. */
  readonly owns: readonly Owner[];
  /**
   * Owners whose configuration this backend reads without realising it (the
   * xdp backend reads nft's `firewall group`): it also runs when they change.
   */
  readonly reads?: readonly Owner[];
  /** Backends that apply before this one (and are restored after it): data, checked for cycles. */
  readonly after: readonly BackendName[];
  /**
   * Whether observing again after apply and planning must give an empty
   * plan (pipeline step 8). False where the plan is not made from an
   * observation (nft plans from what FOS1 loaded; its load is atomic).
   */
  readonly recheck: boolean;

  /** Pure: the configuration (defaults applied) -> the desired state. */
  render(config: ConfigNode): Desired;
  /**
   * `render` in slices (src/config/slice.ts), where rendering a large
   * configuration takes long enough to hold up the daemon's other sessions.
   */
  renderSliced?(config: ConfigNode): Promise<Desired>;
  /** What the target has now, as far as this intent concerns it. */
  observe(target: Target, intent: Intent<Desired>): Promise<Actual>;
  /** Pure: the changes from actual to desired. */
  plan(intent: Intent<Desired>, actual: Actual): Plan;
  /** Pure: whether a plan changes nothing (nothing to apply). */
  empty(plan: Plan): boolean;
  /** Pure: the plan in a few lines (recorded with the revision, printed by `commit check`). */
  describe(plan: Plan, target: Target): string[];
  /** Pure: what `commit check` prints beyond `describe` (the nft transaction); optional. */
  detail?(plan: Plan): string[];
  /** Touches nothing: would the target take this plan? (`nft -c`; a missing port.) */
  check(target: Target, plan: Plan): Promise<Checked<Plan>>;
  /** Pure: this backend's crash-journal entry (JSON), written before anything is applied. */
  journal(plan: Plan): unknown;
  /** Apply the plan, every step through `progress.step`. */
  apply(target: Target, plan: Plan, progress: Progress): Promise<void>;
  /**
   * Put back what the recorded progress touched, to `actual` (what was
   * observed before). Returns what could not be put back; never throws.
   */
  restore(target: Target, plan: Plan, actual: Actual, progress: ProgressRecord): Promise<string[]>;
  /** What differs between the target and the desired state (`show system drift`), as `# ...` lines. */
  drift(target: Target, desired: Desired): Promise<string[]>;
  /** Start-up: make the target match (after a crash, with the journal's entry). What it did. */
  converge(target: Target, intent: Intent<Desired>): Promise<string[]>;
  /**
   * Optional, cheap and read-only (`fos serve` asks every second): whether a
   * part of what FOS1 applied is gone since (a routing daemon that died).
   */
  lost?(target: Target, desired: Desired): boolean;
  /** Put back what `lost` found (the daemon started with its configuration): what it did. */
  heal?(target: Target, desired: Desired): Promise<string[]>;
}

/** A backend of any state types, as the registry and the Router hold them. */
export type AnyBackend = Backend<unknown, unknown, unknown>;

/** Converge as a commit would: observe, plan, apply (what most backends do at start-up). */
export async function convergeByPlan<D, A, P>(
  backend: Backend<D, A, P>,
  target: Target,
  intent: Intent<D>,
): Promise<string[]> {
  const plan = backend.plan(intent, await backend.observe(target, intent));
  if (backend.empty(plan)) return [];
  await backend.apply(target, plan, new Progress(backend.name));
  return backend.describe(plan, target);
}
