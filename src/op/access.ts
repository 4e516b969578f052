/** The router as operational commands read it. */
import type { Router } from '../commit/router.js';
import { OpError, type DaemonControl, type OpSystem } from './context.js';
import { loginSessions, type LoginSessions } from './sessions.js';

export interface OpSystemOptions {
  /** The session asking (its entry in `show system users` is marked), and who it is for the log. */
  readonly session?: string;
  readonly user?: string;
  readonly sessions?: LoginSessions;
  readonly daemon?: DaemonControl;
}

export function opSystem(router: Router, options: OpSystemOptions = {}): OpSystem {
  const sessions = options.sessions ?? loginSessions;
  return {
    target: router.target,
    running: () => router.running(),
    applied: () => router.applied(),
    back: (n) => router.back(n),
    revisions: () => router.store.list(),
    drift: () => router.drift(),
    stateDirectory: router.store.directory,
    sessions: () => sessions.list(options.session),
    log: (o) => router.store.auditEntries(o),
    state: {
      get: (key) => router.store.opState(key),
      set: (key, value) => router.store.setOpState(key, value),
    },
    whileNoCommit: async (work) => {
      const r = await router.whileNoCommit(options.user ?? '', work);
      if ('lockedBy' in r)
        throw new OpError(`a commit by ${r.lockedBy} is running; try again when it is done`);
      return r.done;
    },
    note: (kind, text, outcome) =>
      router.store.audit({
        user: options.user ?? '',
        session: options.session ?? '',
        kind,
        text,
        outcome,
      }),
    ...(options.daemon ? { daemon: options.daemon } : {}),
  };
}
