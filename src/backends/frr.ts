/**
 * The FRR backend: `protocols` and `policy`, realised by one set of FRR
 * daemons per target namespace in FOS1's own pathspace (src/apply/frr.ts).
 * What FOS1 applied is the rendering of the running revision; the plan is
 * the delta from it to the new rendering, per daemon, plus the daemons to
 * start (a daemon not running gets its whole configuration) and to stop.
 * Checked with `vtysh -C` of the new lines (one started ahead of time); applied as one transaction per
 * daemon; restored by the reverse delta, and by a restart where that is not
 * enough. A commit that changes nothing of FRR's part makes no FRR round trip.
 */
import {
  checkFrr,
  compareFrr,
  daemonPid,
  EMPTY_CONFIG,
  frrAvailable,
  FrrError,
  frrSpace,
  maskSecrets,
  observeFrr,
  prepareCheck,
  restartDaemon,
  restoreFrr,
  runningConfig,
  startDaemon,
  stopDaemon,
  transaction,
} from '../apply/frr.js';
import type { Target } from '../apply/target.js';
import { frrDelta, type DeltaCommand } from '../render/frr-delta.js';
import {
  ALWAYS,
  DAEMONS,
  daemonsFor,
  renderFrr,
  type Daemon,
  type FrrConfig,
} from '../render/frr.js';
import { type Backend, type Intent } from './contract.js';

/** The daemons that run. What they hold is what FOS1 applied (the running revision's rendering). */
export interface FrrActual {
  readonly running: readonly Daemon[];
}

export interface FrrPlan {
  /** What the daemons run before (the running revision's rendering; empty when unknown). */
  readonly before: FrrConfig;
  readonly after: FrrConfig;
  readonly start: readonly Daemon[];
  readonly stop: readonly Daemon[];
  /** Per daemon, the commands that take it from what it runs to `after`. */
  readonly deltas: readonly (readonly [Daemon, readonly DeltaCommand[]])[];
}

/** A daemon's pathspace for a target; the backend keeps no files of its own (see FrrSpace). */
const space = (target: Target) => frrSpace(target);

function planOf(intent: Intent<FrrConfig>, actual: FrrActual): FrrPlan {
  // After a commit that did not end, nothing is known of what the daemons hold: they restart.
  const known = intent.journal === undefined ? intent.applied : undefined;
  const wanted = daemonsFor(intent.desired);
  const start = wanted.filter((d) => !actual.running.includes(d));
  const restart = known === undefined ? wanted.filter((d) => actual.running.includes(d)) : [];
  const stop = [
    ...restart,
    ...actual.running.filter((d) => !wanted.includes(d) && !ALWAYS.includes(d)),
  ];
  const deltas: [Daemon, DeltaCommand[]][] = [];
  for (const d of wanted) {
    // A daemon that starts (or starts again) has nothing: it gets all of its configuration.
    const fresh = start.includes(d) || restart.includes(d);
    const from = fresh ? [] : (known?.[d] ?? []);
    const delta = frrDelta(from, intent.desired[d]);
    if (delta.length) deltas.push([d, delta]);
  }
  return {
    before: known ?? EMPTY_CONFIG,
    after: intent.desired,
    start: [...start, ...restart],
    stop,
    deltas,
  };
}

const SHOWN = 12;

export const frrBackend: Backend<FrrConfig, FrrActual, FrrPlan> = {
  name: 'frr',
  owns: ['frr'],
  // Routes and sessions use the links and addresses the kernel backend makes.
  after: ['kernel'],
  recheck: false,

  render: (config) => renderFrr(config),

  async observe(target) {
    const s = space(target);
    // The check comes next: its vtysh starts now, while the plan is made.
    if (frrAvailable()) prepareCheck();
    return { running: DAEMONS.filter((d) => daemonPid(s, d) !== undefined) };
  },

  plan: planOf,

  empty: (plan) => plan.start.length === 0 && plan.stop.length === 0 && plan.deltas.length === 0,

  describe(plan) {
    const out: string[] = [];
    for (const d of plan.stop.filter((x) => !plan.start.includes(x))) out.push(`frr: stop ${d}`);
    for (const d of plan.start) out.push(`frr: start ${d}`);
    for (const [d, commands] of plan.deltas) {
      out.push(
        `frr ${d}: ${commands.length} command${commands.length === 1 ? '' : 's'} in one transaction`,
      );
      for (const c of commands.slice(0, SHOWN)) out.push(`  ${maskSecrets(c.text)}`);
      if (commands.length > SHOWN) out.push(`  ... (${commands.length - SHOWN} more)`);
    }
    return out;
  },

  async check(target, plan) {
    const fresh: FrrConfig = { ...plan.before };
    for (const d of plan.start) (fresh as Record<Daemon, FrrConfig[Daemon]>)[d] = [];
    const problems = await checkFrr(fresh, plan.after);
    if (problems.length === 0) return { ok: true, plan };
    return {
      ok: false,
      problems: problems.map(
        (p) =>
          `[${p.path.join(' ')}] FRR (${p.daemon}) refuses '${maskSecrets(p.line)}': ${maskSecrets(p.message)}`,
      ),
    };
  },

  // After a crash the daemons are restarted and given the configuration whole.
  journal: () => true,

  async apply(target, plan, progress) {
    const s = space(target);
    for (const d of plan.stop.filter((x) => plan.start.includes(x)))
      await progress.step(`restart ${d}`, () => stopDaemon(s, d));
    for (const d of plan.start)
      await progress.step(`start ${d}`, () => startDaemon(s, d).then(() => undefined));
    for (const [d, commands] of plan.deltas)
      await progress.step(d, async () => {
        const problems = await transaction(s, d, commands);
        if (problems.length) throw new FrrError('apply', problems);
      });
    for (const d of plan.stop.filter((x) => !plan.start.includes(x)))
      await progress.step(`stop ${d}`, () => stopDaemon(s, d));
  },

  async restore(target, plan, _actual, progress) {
    if (progress.begun.length === 0) return [];
    try {
      return await restoreFrr(space(target), plan.before, plan.after);
    } catch (e) {
      return [(e as Error).message];
    }
  },

  async drift(target, desired) {
    const s = space(target);
    const out: string[] = [];
    for (const d of daemonsFor(desired))
      if (daemonPid(s, d) === undefined) out.push(`# frr: ${d} is not running`);
    const running = await observeFrr(s);
    for (const m of compareFrr(desired, running))
      if (!m.endsWith('is not running'))
        out.push(`# frr ${maskSecrets(m)} is not in its running configuration`);
    return out;
  },

  async converge(target, intent) {
    // A daemon that died is started again and given its configuration; one that runs
    // something else than the configuration (after a crash) is restarted.
    const s = space(target);
    const out: string[] = [];
    for (const d of daemonsFor(intent.desired)) {
      const pid = daemonPid(s, d);
      if (pid !== undefined && intent.journal === undefined) {
        const missing = compareFrr(
          { ...EMPTY_CONFIG, [d]: intent.desired[d] },
          { [d]: await runningConfig(s, d) },
        );
        if (missing.length === 0) continue;
      }
      const problems = await restartDaemon(s, d, intent.desired[d]);
      if (problems.length) throw new FrrError('apply', problems);
      out.push(
        pid === undefined
          ? `frr: started ${d} with its configuration`
          : `frr: restarted ${d} with its configuration`,
      );
    }
    for (const d of DAEMONS)
      if (!daemonsFor(intent.desired).includes(d) && daemonPid(s, d) !== undefined) {
        await stopDaemon(s, d);
        out.push(`frr: stopped ${d}`);
      }
    return out;
  },

  // `fos serve` asks every second: a daemon of the running configuration whose PID is gone.
  lost: (target, desired) =>
    frrAvailable() && daemonsFor(desired).some((d) => daemonPid(space(target), d) === undefined),

  async heal(target, desired) {
    const s = space(target);
    const out: string[] = [];
    for (const d of daemonsFor(desired)) {
      if (daemonPid(s, d) !== undefined) continue;
      const problems = await restartDaemon(s, d, desired[d]);
      if (problems.length) throw new FrrError('apply', problems);
      out.push(`frr: ${d} had stopped; started again with its configuration`);
    }
    return out;
  },
};
