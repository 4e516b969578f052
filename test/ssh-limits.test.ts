/**
 * Login attempts, connections and sessions, bounded: the real OpenSSH client
 * (sshpass for passwords) and raw TCP connections against `fos serve`, with
 * the limits made small and quick through FOS_TEST_SSH_LIMITS. Each test
 * connects from its own loopback addresses so their counts stay apart.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../src/store/store.js';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { serve, ssh, SshSession, type Served } from './helpers/serve.js';

let lab: Lab;
/** Logins and sessions: delays of 250 ms doubling to 2 s, 2 sessions per user and 3 in all. */
let logins: Served;
/** Connections: 4 not logged in per address and 6 in all, 2 s to log in. */
let connections: Served;

const TIMING_USERS = 10;

beforeAll(async () => {
  lab = await makeLab();
  const users = [
    ['victim', 'right'],
    ['ops', 'ops-pass'],
    ...Array.from({ length: TIMING_USERS }, (_, i) => [`t${i}`, `pass-${i}`]),
  ];
  const r = await runFos([
    ...lab.flags,
    '-c',
    [
      'configure',
      ...users.map(
        ([u, p]) => `set system login user ${u} authentication plaintext-password '${p}'`,
      ),
      'commit',
    ].join('\n'),
  ]);
  expect(r.code, r.err).toBe(0);
  logins = await serve(lab.flags, {
    FOS_TEST_SSH_LIMITS: JSON.stringify({
      delayBaseMs: 250,
      delayMaxMs: 2000,
      unauthenticatedPerAddress: 24,
      unauthenticated: 48,
      sessionsPerUser: 2,
      sessions: 3,
    }),
  });
  connections = await serve(lab.flags, {
    FOS_TEST_SSH_LIMITS: JSON.stringify({
      unauthenticatedPerAddress: 4,
      unauthenticated: 6,
      authTimeoutMs: 2000,
    }),
  });
});
afterAll(async () => {
  await logins?.stop();
  await connections?.stop();
  await lab.down();
});

function failuresOf(user: string): number {
  const store = new Store(lab.state);
  try {
    return store
      .auditLog(1000)
      .filter((e) => e.kind === 'login-failed' && e.text.includes(`"user":"${user}"`)).length;
  } finally {
    store.close();
  }
}

/** CPU seconds the daemon has used (all its threads), from /proc. */
function cpuOf(server: Served): number {
  const stat = readFileSync(`/proc/${server.process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe('failed logins', () => {
  it('20 keyboard-interactive answers sent together: the right one waits for the count, and still gets in', async () => {
    const wrong = Array.from({ length: 19 }, (_, i) =>
      ssh(logins.port, {
        user: 'victim',
        password: `guess-${i}`,
        keyboardInteractive: true,
        from: '127.0.10.1',
        command: 'show host name',
      }),
    );
    // Once a few have failed, the right password arrives among the others still waiting.
    await expect.poll(() => failuresOf('victim'), { timeout: 30_000, interval: 50 }).toBe(6);
    const started = Date.now();
    const right = await ssh(logins.port, {
      user: 'victim',
      password: 'right',
      keyboardInteractive: true,
      from: '127.0.10.1',
      command: 'show host name',
    });
    const took = Date.now() - started;
    expect(right).toMatchObject({ code: 0, out: 'fos\n' });
    // Six failures earn the maximum delay (2 s here) before the answer is checked.
    expect(took).toBeGreaterThanOrEqual(2000);
    const results = await Promise.all(wrong);
    expect(results.filter((w) => w.code === 0)).toEqual([]);
    expect(failuresOf('victim')).toBe(19);
    // The user's failures slow a login from elsewhere too, but do not lock it out.
    const elsewhere = Date.now();
    const other = await ssh(logins.port, {
      user: 'victim',
      password: 'right',
      from: '127.0.10.2',
      command: 'show host name',
    });
    expect(other.code).toBe(0);
    expect(Date.now() - elsewhere).toBeGreaterThanOrEqual(2000);
  }, 120_000);

  it('an unknown user costs the daemon as much work as a wrong password', async () => {
    const attempt = (user: string, from: string): Promise<unknown> =>
      ssh(logins.port, { user, password: 'not-it', from, command: 'show host name' });
    let wrong = 0;
    let unknown = 0;
    // Alternating blocks, each attempt from its own address: no delays, and the same
    // background for both kinds. CPU time, not wall time, so a loaded machine does not matter.
    for (let round = 0; round < 2; round++) {
      let before = cpuOf(logins);
      for (let i = 0; i < TIMING_USERS; i++)
        await attempt(`t${i}`, `127.0.11.${round * 20 + i + 1}`);
      wrong += cpuOf(logins) - before;
      before = cpuOf(logins);
      for (let i = 0; i < TIMING_USERS; i++)
        await attempt(`nobody${round}x${i}`, `127.0.12.${round * 20 + i + 1}`);
      unknown += cpuOf(logins) - before;
    }
    expect(wrong).toBeGreaterThan(0);
    // Without the dummy hash, an unknown user cost about a fifth of a wrong password here.
    expect(unknown / wrong).toBeGreaterThan(0.6);
  }, 120_000);
});

describe('sessions', () => {
  it('per user and in all, refused with a message, and a closed session gives its slot back', async () => {
    const open: SshSession[] = [];
    const session = async (user: string, password: string): Promise<SshSession> => {
      const s = new SshSession(logins.port, { user, password, from: '127.0.13.1' });
      open.push(s);
      await s.waitFor(`${user}@fos:~$ `);
      return s;
    };
    const exec = (user: string, password: string) =>
      ssh(logins.port, { user, password, from: '127.0.13.1', command: 'show host name' });
    try {
      const first = await session('ops', 'ops-pass');
      await session('ops', 'ops-pass');
      const third = await exec('ops', 'ops-pass');
      expect(third.code).toBe(1);
      expect(third.err).toContain(
        'fos: user ops has 2 sessions open, the most one user may have; close one and try again',
      );
      const fos = await session('fos', 'fos');
      const fourth = await exec('fos', 'fos');
      expect(fourth.code).toBe(1);
      expect(fourth.err).toContain('3 sessions are open, the most this router takes');
      first.kill();
      await expect
        .poll(async () => (await exec('ops', 'ops-pass')).out, { timeout: 15_000, interval: 200 })
        .toBe('fos\n');
      fos.child.stdin!.write('exit\r');
      await new Promise((r) => fos.child.on('exit', r));
      // Sessions that end give their slots back: more commands than the limit, one after another.
      for (let i = 0; i < 4; i++) expect(await exec('fos', 'fos')).toMatchObject({ code: 0 });
    } finally {
      for (const s of open) s.kill();
    }
  }, 120_000);
});

/** A raw TCP connection and the first line the daemon sends on it. */
function rawConnection(from: string): Promise<{ socket: Socket; first: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: connections.port, localAddress: from });
    let seen = '';
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('\n')) resolve({ socket, first: seen.slice(0, seen.indexOf('\n')) });
    });
    socket.on('close', () => resolve({ socket, first: seen }));
  });
}

describe('connections that do not log in', () => {
  it('are bounded per address and in all, and closed after the authentication timeout', async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const c = await rawConnection('127.0.14.1');
        expect(c.first).toMatch(/^SSH-2\.0-/);
        held.push(c.socket);
      }
      const fifth = await rawConnection('127.0.14.1');
      expect(fifth.first).toBe(
        'fos: too many connections that have not logged in (4 from this address); try again later\r',
      );
      for (let i = 0; i < 2; i++) held.push((await rawConnection('127.0.14.2')).socket);
      const seventh = await rawConnection('127.0.14.3');
      expect(seventh.first).toContain('(6 in all)');
      // None of them logs in: the daemon closes them, and their slots come back.
      await Promise.all(
        held.map((s) => new Promise((r) => (s.destroyed ? r(undefined) : s.on('close', r)))),
      );
      const again = await rawConnection('127.0.14.1');
      expect(again.first).toMatch(/^SSH-2\.0-/);
      again.socket.destroy();
      const login = await ssh(connections.port, {
        password: 'fos',
        from: '127.0.14.1',
        command: 'show host name',
      });
      expect(login).toMatchObject({ code: 0, out: 'fos\n' });
    } finally {
      for (const s of held) s.destroy();
    }
  }, 60_000);
});
