/**
 * A pending `commit confirmed` always has an owner that reverts it on time,
 * whatever the process layout: an interactive `fos shell` that stays open (no
 * daemon), a `fos serve` killed with SIGKILL, a daemon started again.
 * Minutes are shortened with FOS_TEST_MINUTE_MS; nothing else is started.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { repoRoot } from './helpers/paths.js';
import { serve, ssh } from './helpers/serve.js';

const MINUTE_MS = 3000;
/** Long enough for a daemon to be killed and started again before the deadline. */
const RESTART_MINUTE_MS = 12_000;

let lab: Lab;
beforeAll(async () => {
  lab = await makeLab();
  const r = await runFos([
    ...lab.flags,
    '-c',
    "configure; set interfaces ethernet eth0 address '192.0.2.1/24'; comment interfaces ethernet eth0 'uplink'; commit",
  ]);
  expect(r.code, r.err).toBe(0);
});
afterAll(async () => {
  stopWatchers();
  await lab.down();
});

function addresses(dev: string): string[] {
  const [link] = JSON.parse(lab.ip('-json', 'address', 'show', 'dev', dev)) as {
    addr_info: { local: string; prefixlen: number; scope: string }[];
  }[];
  return link!.addr_info.filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`);
}

/** The detached watchers this file's commits started (found by their state directory). */
function watcherPids(): number[] {
  const r = spawnSync('pgrep', ['-f', '--', `--state ${lab.state} .*confirm-watch`], {
    encoding: 'utf8',
  });
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

function stopWatchers(): void {
  for (const pid of watcherPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/**
 * Wait until eth2 has no address; returns when that happened. "On time" is
 * checked as not before the deadline; the wait after it is generous, for a
 * loaded machine (on main nothing ever reverted).
 */
async function reverted(deadlineMs: number): Promise<number> {
  await expect
    .poll(() => addresses('eth2'), { timeout: deadlineMs + 15_000, interval: 100 })
    .toEqual([]);
  return Date.now();
}

async function waitFor<T>(what: () => T | undefined, timeout = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = what();
    if (value !== undefined) return value;
    if (Date.now() - started > timeout) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each([
  ['plain', 'vt100'],
  ['ink', 'xterm-256color'],
])('an interactive fos shell that stays open, no daemon (%s front-end)', (_name, term) => {
  const session = `fosconfirm${process.pid}${term.length}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });
  const screen = (): string => tmux('capture-pane', '-p', '-t', session);
  const keys = (...k: string[]): void => void tmux('send-keys', '-t', session, ...k);
  const waitForScreen = (pattern: RegExp, timeout = 15_000): Promise<string> =>
    waitFor(() => {
      const text = screen();
      return pattern.test(text) ? text : undefined;
    }, timeout);

  afterAll(() => {
    try {
      tmux('kill-session', '-t', session);
    } catch {
      // already gone
    }
  });

  it('reverts on time while the shell stays open, and tells the session at once', async () => {
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '120',
      '-y',
      '40',
      'env',
      `TERM=${term}`,
      `FOS_TEST_MINUTE_MS=${MINUTE_MS}`,
      process.execPath,
      join(repoRoot, 'bin', 'fos.js'),
      ...lab.flags,
      '--user',
      'ops',
      'shell',
    );
    await waitForScreen(/ops@fos:~\$/);
    keys('configure', 'Enter');
    await waitForScreen(/ops@fos#/);
    keys("set interfaces ethernet eth2 address '10.2.0.1/24'", 'Enter');
    keys('commit confirmed 1', 'Enter');
    await waitForScreen(/rolled back in 1 minute, to revision \d+, unless confirmed/);
    const committed = Date.now();
    expect(addresses('eth2')).toEqual(['10.2.0.1/24']);
    const at = await reverted(MINUTE_MS);
    // Not before the deadline.
    expect(at - committed).toBeGreaterThan(MINUTE_MS - 500);
    // Nothing was typed since: the message came by itself, and the shell is still open.
    const shown = await waitForScreen(/Rolled back at .*commit confirmed by ops was not/);
    expect(shown).toMatch(/ops@fos#\s*$/m);
    keys('run show interfaces', 'Enter');
    await waitForScreen(/eth2 +- +/);
    keys('exit', 'Enter');
    keys('exit', 'Enter');
  });
});

describe('fos serve killed with SIGKILL after commit confirmed', () => {
  it('the revert still happens on time, with nothing else started', async () => {
    const server = await serve(lab.flags, { FOS_TEST_MINUTE_MS: String(MINUTE_MS) });
    try {
      const r = await ssh(server.port, {
        password: 'fos',
        command:
          "configure; set interfaces ethernet eth2 address '10.2.0.1/24'; commit confirmed 1",
      });
      expect(r.out).toMatch(/rolled back in 1 minute/);
      const committed = Date.now();
      server.process.kill('SIGKILL');
      await new Promise((resolve) => server.process.on('exit', resolve));
      expect(addresses('eth2')).toEqual(['10.2.0.1/24']);
      const at = await reverted(MINUTE_MS);
      expect(at - committed).toBeGreaterThan(MINUTE_MS - 500);
      const list = JSON.parse(
        (await runFos([...lab.flags, '-c', 'show system commit | display json'])).out,
      );
      expect(list[0]).toMatchObject({ origin: 'confirm-timeout' });
      expect(list[1].origin).not.toBe('confirm-timeout');
    } finally {
      await server.stop();
    }
  });

  it('a daemon started again (its watcher gone too, as after a reboot) reverts a pending one on time', async () => {
    const first = await serve(lab.flags, { FOS_TEST_MINUTE_MS: String(RESTART_MINUTE_MS) });
    const r = await ssh(first.port, {
      password: 'fos',
      command: "configure; set interfaces ethernet eth2 address '10.2.0.1/24'; commit confirmed 1",
    });
    expect(r.out).toMatch(/rolled back in 1 minute/);
    const committed = Date.now();
    first.process.kill('SIGKILL');
    await new Promise((resolve) => first.process.on('exit', resolve));
    await waitFor(() => (watcherPids().length > 0 ? true : undefined));
    stopWatchers();
    const again = await serve(lab.flags, { FOS_TEST_MINUTE_MS: String(RESTART_MINUTE_MS) });
    try {
      expect(addresses('eth2')).toEqual(['10.2.0.1/24']);
      const at = await reverted(RESTART_MINUTE_MS);
      expect(at - committed).toBeGreaterThan(RESTART_MINUTE_MS - 500);
    } finally {
      await again.stop();
    }
  });
});
