/** The sessions logged in to this process, as `show system users` lists them. */
import type { LoginSession } from './context.js';

export interface OpenSession {
  readonly user: string;
  readonly from: string;
  readonly origin: string;
  /** The engine's mode, asked when the list is read. */
  mode(): 'operational' | 'configuration';
}

/** A registry of open sessions: each front-end adds its own and removes it when it ends. */
export class LoginSessions {
  private readonly open = new Map<string, OpenSession & { since: string }>();

  add(id: string, session: OpenSession): () => void {
    this.open.set(id, { ...session, since: new Date().toISOString() });
    return () => this.open.delete(id);
  }

  /** Oldest first; `self` marks the session asking. */
  list(self?: string): LoginSession[] {
    return [...this.open.entries()].map(([id, s]) => ({
      user: s.user,
      from: s.from,
      since: s.since,
      origin: s.origin,
      mode: s.mode(),
      ...(id === self ? { self: true } : {}),
    }));
  }
}

/** The sessions of this process. */
export const loginSessions = new LoginSessions();
