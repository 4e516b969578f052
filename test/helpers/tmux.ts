/** A program on a real terminal: a detached tmux session, driven with send-keys, read with capture-pane. */
import { execFileSync, spawnSync } from 'node:child_process';

const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });

let counter = 0;

export interface TmuxSession {
  /** What the screen shows now. */
  screen(): string;
  keys(...keys: string[]): void;
  /** Wait until the screen matches; the screen then. */
  waitFor(pattern: RegExp, timeout?: number): Promise<string>;
  /** Wait until the program has ended (the session is gone); false if it had not by then. */
  ended(timeout?: number): Promise<boolean>;
  kill(): void;
}

/** Start `command` (with `env` set) on a 100x30 terminal. */
export function tmuxSession(env: Record<string, string>, command: string[]): TmuxSession {
  const name = `fostest${process.pid}x${counter++}`;
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    '100',
    '-y',
    '30',
    'env',
    ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
    ...command,
  );
  const alive = (): boolean => spawnSync('tmux', ['has-session', '-t', name]).status === 0;
  const session: TmuxSession = {
    screen: () => tmux('capture-pane', '-p', '-t', name),
    keys: (...keys) => void tmux('send-keys', '-t', name, ...keys),
    async waitFor(pattern, timeout = 30_000) {
      const started = Date.now();
      for (;;) {
        const text = session.screen();
        if (pattern.test(text)) return text;
        if (Date.now() - started > timeout) throw new Error(`never saw ${pattern}:\n${text}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async ended(timeout = 30_000) {
      const started = Date.now();
      while (alive() && Date.now() - started < timeout) await new Promise((r) => setTimeout(r, 50));
      return !alive();
    },
    kill: () => {
      if (alive()) tmux('kill-session', '-t', name);
    },
  };
  return session;
}
