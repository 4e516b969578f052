/**
 * Test-only fault injection, one mechanism for every backend and phase:
 *
 *   FOS_TEST_FAULT=BACKEND:PHASE[:STEP],...   that phase fails; with a STEP
 *       (apply only) that step fails after its operations ran; a bare
 *       `apply` fails once every step ran; a failing `restore` puts nothing back.
 *   FOS_TEST_PAUSE=BACKEND:apply:STEP         stop before that step for
 *       FOS_TEST_PAUSE_MS (default 60 s), so a test can kill the process there.
 *
 * Without either variable the backends are used as they are.
 */
import { BackendError, type AnyBackend, type BackendName, type StepHooks } from './contract.js';

export const FAULT_PHASES = [
  'render',
  'observe',
  'plan',
  'check',
  'journal',
  'apply',
  'restore',
  'drift',
  'converge',
] as const;
export type FaultPhase = (typeof FAULT_PHASES)[number];

export interface Fault {
  readonly backend: BackendName;
  readonly phase: FaultPhase;
  readonly step?: string;
}

/** `BACKEND:PHASE[:STEP],...`; an unknown backend or phase is an error that names it. */
export function parseFaults(
  variable: string,
  text: string | undefined,
  backends: readonly BackendName[],
): Fault[] {
  if (!text) return [];
  return text.split(',').map((item) => {
    const [backend = '', phase = '', ...rest] = item.trim().split(':');
    const step = rest.length ? rest.join(':') : undefined;
    if (!backends.includes(backend))
      throw new Error(`${variable}: '${backend}' is not a backend (${backends.join(', ')})`);
    if (!(FAULT_PHASES as readonly string[]).includes(phase))
      throw new Error(`${variable}: '${phase}' is not a phase (${FAULT_PHASES.join(', ')})`);
    if (step !== undefined && phase !== 'apply')
      throw new Error(`${variable}: only apply has steps, not '${phase}'`);
    return { backend, phase: phase as FaultPhase, ...(step !== undefined ? { step } : {}) };
  });
}

function injected(fault: Fault): BackendError {
  return new BackendError(
    fault.backend,
    fault.step ?? fault.phase,
    'injected fault (FOS_TEST_FAULT)',
  );
}

/** One backend with the faults and pauses that name it. */
export function withFaults(
  backend: AnyBackend,
  faults: readonly Fault[],
  pauses: readonly Fault[] = [],
  pauseMs = 60_000,
): AnyBackend {
  const mine = faults.filter((f) => f.backend === backend.name);
  const paused = pauses.filter((f) => f.backend === backend.name);
  if (mine.length === 0 && paused.length === 0) return backend;
  const at = (phase: FaultPhase, step?: string): Fault | undefined =>
    mine.find((f) => f.phase === phase && f.step === step);
  const fail = (phase: FaultPhase): void => {
    const fault = at(phase);
    if (fault) throw injected(fault);
  };
  const hooks: StepHooks = {
    async before(name, step) {
      if (!paused.some((p) => p.step === step)) return;
      process.stderr.write(`fos: paused before '${step}' of the ${name} backend\n`);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    },
    after(_name, step) {
      const fault = at('apply', step);
      if (fault) throw injected(fault);
    },
  };
  return {
    ...backend,
    render(config) {
      fail('render');
      return backend.render(config);
    },
    async observe(target, intent) {
      fail('observe');
      return backend.observe(target, intent);
    },
    plan(intent, actual) {
      fail('plan');
      return backend.plan(intent, actual);
    },
    async check(target, plan) {
      fail('check');
      return backend.check(target, plan);
    },
    journal(plan) {
      fail('journal');
      return backend.journal(plan);
    },
    async apply(target, plan, progress) {
      await backend.apply(target, plan, progress.withHooks(hooks));
      fail('apply');
    },
    async restore(target, plan, actual, progress) {
      const fault = at('restore');
      if (fault) return ['injected fault (FOS_TEST_FAULT): nothing was put back'];
      return backend.restore(target, plan, actual, progress);
    },
    async drift(target, desired) {
      fail('drift');
      return backend.drift(target, desired);
    },
    async converge(target, intent) {
      fail('converge');
      return backend.converge(target, intent);
    },
  };
}

/** The backends with the faults the environment asks for (the backends themselves when it asks for none). */
export function faultyBackends(
  backends: readonly AnyBackend[],
  env: NodeJS.ProcessEnv = process.env,
): readonly AnyBackend[] {
  const fault = env['FOS_TEST_FAULT'];
  const pause = env['FOS_TEST_PAUSE'];
  if (!fault && !pause) return backends;
  const names = backends.map((b) => b.name);
  const faults = parseFaults('FOS_TEST_FAULT', fault, names);
  const pauses = parseFaults('FOS_TEST_PAUSE', pause, names);
  for (const p of pauses)
    if (p.phase !== 'apply' || p.step === undefined)
      throw new Error('FOS_TEST_PAUSE: only BACKEND:apply:STEP can pause');
  const ms = Number(env['FOS_TEST_PAUSE_MS']) || 60_000;
  return backends.map((b) => withFaults(b, faults, pauses, ms));
}
