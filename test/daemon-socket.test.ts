/**
 * Local sessions through the daemon: with `fos serve` running for a store,
 * `fos -c` and `fos shell` (the real bin/fos.js) become sessions of it over
 * <state>/run/fos.sock, with the same output and exit status as in-process;
 * a dead daemon's socket falls back; the file system decides who may connect.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Frame,
  FrameReader,
  frame,
  jsonFrame,
  OUTPUT_PIECE,
  PROTOCOL_VERSION,
  runDirectory,
  socketPath,
} from '../src/daemon/protocol.js';
import { Store, type AuditEntry } from '../src/store/store.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { repoRoot } from './helpers/paths.js';
import { serve, type Served } from './helpers/serve.js';
import { tmuxSession } from './helpers/tmux.js';

const bin = join(repoRoot, 'bin', 'fos.js');
const mainUrl = pathToFileURL(join(repoRoot, 'dist', 'src', 'main.js')).href;

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** The real command, as a user runs it (through the daemon when one answers). */
function fos(
  args: string[],
  options: { input?: string; uid?: number; gid?: number; env?: Record<string, string> } = {},
): Promise<Run> {
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  let out = '';
  let err = '';
  // Decoded as streams: a pipe's chunks may split a character.
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

/** A run with `show version`'s uptime taken out: two runs a second apart may differ there. */
function steady(r: Run): Run {
  return { ...r, out: r.out.replace(/^Uptime:.*$/m, 'Uptime:') };
}

/** The same command run in-process whatever runs: src/main.ts's main(), as without a daemon. */
function inProcess(args: string[], input = ''): Promise<Run> {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { main } = await import(${JSON.stringify(mainUrl)}); process.exitCode = await main(process.argv.slice(1));`,
      '--',
      ...args,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  // Decoded as streams: a pipe's chunks may split a character.
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

/** A terminal session opened by hand, as the client does: answer the challenge, say hello. */
async function terminalSession(state: string, netns: string): Promise<Socket> {
  const socket = connect(socketPath(state));
  socket.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    const reader = new FrameReader(
      (type, payload) => {
        if (type === Frame.Challenge) {
          const nonce = String(JSON.parse(payload.toString()).nonce);
          writeFileSync(join(runDirectory(state), nonce), '', { flag: 'wx', mode: 0o600 });
          socket.write(
            jsonFrame(Frame.Hello, {
              version: PROTOCOL_VERSION,
              user: 'root',
              netns,
              proof: nonce,
              mode: 'terminal',
              term: 'dumb',
            }),
          );
        } else if (type === Frame.Accept) resolve(socket);
        else if (type === Frame.Refuse) reject(new Error(payload.toString()));
      },
      (message) => reject(new Error(message)),
    );
    socket.on('data', (d: Buffer) => reader.push(d));
  });
}

function audit(lab: Lab, n = 200): AuditEntry[] {
  const store = new Store(lab.state);
  try {
    return store.auditLog(n);
  } finally {
    store.close();
  }
}

/** Audit entries made by sessions of a process: `<origin>-<pid>-<n>`. */
const sessionsOf = (entries: AuditEntry[], origin: string, pid: number): AuditEntry[] =>
  entries.filter((e) => e.session.startsWith(`${origin}-${pid}-`));

describe('fos -c and fos shell through a running fos serve', () => {
  let lab: Lab;
  let server: Served;

  beforeAll(async () => {
    lab = await makeLab();
    server = await serve(lab.flags);
  });

  afterAll(async () => {
    await server?.stop();
    await lab?.down();
  });

  it('the socket is there, 0660 in a 1770 directory, both of root and the state directory group', () => {
    const path = socketPath(lab.state);
    const socket = statSync(path);
    const dir = statSync(join(lab.state, 'run'));
    const group = statSync(lab.state).gid;
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o7777).toBe(0o660);
    expect(socket.uid).toBe(0);
    expect(socket.gid).toBe(group);
    expect(dir.mode & 0o7777).toBe(0o1770);
    expect(dir.uid).toBe(0);
    expect(dir.gid).toBe(group);
  });

  it('a commit through fos -c is a session of the daemon, origin local, and lands', async () => {
    const r = await fos([
      ...lab.flags,
      '-c',
      "configure; set interfaces ethernet eth1 mtu 1400; commit comment 'through the socket'",
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Committed revision/);
    // Applied by the daemon to the namespace.
    expect(lab.ip('-json', 'link', 'show', 'eth1')).toMatch(/"mtu":1400/);
    // Recorded as a local change by a session of the daemon's process.
    const log = await fos([...lab.flags, '-c', 'show system commit']);
    expect(log.out).toMatch(/^0 .* by root via local\n +through the socket$/m);
    const entries = audit(lab);
    const daemon = server.process.pid!;
    expect(sessionsOf(entries, 'local', daemon).map((e) => e.kind)).toContain('commit');
    expect(entries.some((e) => e.session.startsWith('batch-'))).toBe(false);
    expect(
      entries.some((e) => e.kind === 'local-session' && JSON.parse(e.text).mode === 'script'),
    ).toBe(true);
    // The daemon's running configuration has it: an SSH-free read through the daemon again.
    const shown = await fos([...lab.flags, '-c', 'show configuration commands | match eth1']);
    expect(shown.out).toContain("set interfaces ethernet eth1 mtu '1400'");
  });

  it('through the daemon, fos -c loads its client and nothing of node_modules', () => {
    const log = join(lab.state, `modules-${process.pid}`);
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        join(repoRoot, 'test', 'helpers', 'module-log.mjs'),
        bin,
        ...lab.flags,
        '-c',
        'show version',
      ],
      { encoding: 'utf8', env: { ...process.env, FOS_MODULE_LOG: log } },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Version: +FOS1 /);
    const modules = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(modules.some((m) => m.endsWith('/bin/fos.js'))).toBe(true);
    expect(modules.filter((m) => m.includes('/node_modules/'))).toEqual([]);
    // It was a session of the daemon.
    expect(audit(lab, 5).some((e) => e.kind === 'local-session')).toBe(true);
  });

  const cases: [string, string[], string?][] = [
    ['show version', ['-c', 'show version']],
    ['an unknown word', ['-c', 'show nosuch']],
    ['an invalid value at commit', ['-c', 'configure; set interfaces ethernet eth1 mtu 99999']],
    ['a syntax error', ['-c', "show 'unterminated"]],
    ['a pipe', ['-c', 'show configuration commands | match mtu | count']],
    [
      'a compare, then leaving with changes',
      ['-c', 'configure; set interfaces ethernet eth2 description x; compare; exit'],
    ],
    [
      'a script on stdin that stops at its first error',
      ['shell'],
      'show version\nshow interfaces nosuch\nshow version\n',
    ],
    ['a script on stdin that works', ['shell'], 'show configuration commands | match eth1\n'],
    ['a usage error', ['-c']],
  ];
  it.each(cases)(
    '%s: the same stdout, stderr and exit status as in-process',
    async (name, args, input) => {
      const sessions = (): number =>
        audit(lab, 1000).filter((e) => e.kind === 'local-session').length;
      const before = sessions();
      const through = await fos([...lab.flags, ...args], { input: input ?? '' });
      // Through the daemon, but for the usage error, which never gets that far.
      expect(sessions()).toBe(name === 'a usage error' ? before : before + 1);
      const local = await inProcess([...lab.flags, ...args], input ?? '');
      expect(steady(through)).toEqual(steady(local));
    },
  );

  it('output of megabytes, split between frames inside characters, arrives as in-process', async () => {
    const file = join(lab.state, `big-${process.pid}.set`);
    const lines = Array.from(
      { length: 12_500 },
      (_, i) =>
        `set firewall ipv4 name BIG rule ${i + 1} description 'règle ünïcødé 😀 numéro ${i}'`,
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const script = `configure; merge ${file}; show firewall | display set; exit discard`;
    const through = await fos([...lab.flags, '-c', script]);
    expect(through.code, through.err).toBe(0);
    expect(Buffer.byteLength(through.out)).toBeGreaterThan(1024 * 1024);
    expect(through.out).not.toContain('\ufffd');
    const local = await inProcess([...lab.flags, '-c', script]);
    expect(steady(through)).toEqual(steady(local));
    // The case is what it says: the first piece of `show`'s one write ends inside a character.
    const bytes = Buffer.from(local.out);
    const start = Buffer.byteLength(local.out.slice(0, local.out.indexOf('set firewall')));
    expect(bytes[start + OUTPUT_PIECE]! & 0xc0).toBe(0x80);
  });

  it('the daemon took those sessions: nothing ran in-process through bin/fos.js', async () => {
    const before = audit(lab, 1000).length;
    const r = await fos([...lab.flags, '-c', 'configure; set interfaces ethernet eth3 mtu 99999']);
    expect(r.code).toBe(1);
    const after = audit(lab, 1000);
    expect(after.length).toBeGreaterThan(before);
    expect(after[0]!.session).toMatch(new RegExp(`^local(-${server.process.pid}-\\d+)?$`));
  });

  it('an interactive fos shell on a terminal is a session of the daemon (tmux)', async () => {
    const shell = tmuxSession({ TERM: 'vt100' }, [process.execPath, bin, ...lab.flags, 'shell']);
    try {
      await shell.waitFor(/root@fos:~\$/);
      shell.keys('show system commit', 'Enter');
      await shell.waitFor(/through the socket/);
      shell.keys('exit', 'Enter');
      expect(await shell.ended()).toBe(true);
    } finally {
      shell.kill();
    }
    expect(
      audit(lab).some((e) => e.kind === 'local-session' && JSON.parse(e.text).mode === 'terminal'),
    ).toBe(true);
  });

  it('root through the socket saves where an in-process run as root may', async () => {
    const file = join(lab.state, `saved-${process.pid}.set`);
    const r = await fos([...lab.flags, '-c', `configure; save ${file}`]);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(file)).toBe(true);
  });

  it('another namespace than the daemon configures runs in-process, as without a daemon', async () => {
    const r = await fos([
      '--netns',
      `${lab.netns}-none`,
      '--state',
      lab.state,
      '-c',
      'show version',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/namespace .*-none does not exist/);
  });

  it('what a client sends is bounded: an oversized hello ends the connection, the daemon serves on', async () => {
    const closed = await new Promise<string>((resolve) => {
      const socket = connect(socketPath(lab.state));
      const seen: number[] = [];
      const reader = new FrameReader(
        (type) => seen.push(type),
        () => undefined,
      );
      socket.on('data', (d: Buffer) => reader.push(d));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(seen.join(',')));
      // A hello announcing a gigabyte, then a little of it.
      const head = Buffer.alloc(5);
      head.writeUInt8(Frame.Hello, 0);
      head.writeUInt32BE(1 << 30, 1);
      socket.write(Buffer.concat([head, Buffer.alloc(1024)]));
    });
    expect(closed).toBe(String(Frame.Challenge));
    const bad = await new Promise<boolean>((resolve) => {
      const socket = connect(socketPath(lab.state));
      socket.on('error', () => undefined);
      // Read (and drop) the challenge, or the end of the connection is never seen.
      socket.resume();
      socket.on('close', () => resolve(true));
      // A script before any hello is not taken either.
      socket.write(frame(Frame.Script, 'configure; delete interfaces; commit'));
    });
    expect(bad).toBe(true);
    const r = await fos([...lab.flags, '-c', 'show version']);
    expect(r.code, r.err).toBe(0);
    expect(
      audit(lab).filter((e) => e.kind === 'local-protocol-error').length,
    ).toBeGreaterThanOrEqual(2);
  });
});

describe('a daemon that is gone, and who may connect', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await makeLab();
  });

  afterAll(async () => {
    await lab?.down();
  });

  it('a stale socket (the daemon was killed) falls back to in-process', async () => {
    const server = await serve(lab.flags);
    const pid = server.process.pid!;
    server.process.kill('SIGKILL');
    await new Promise((r) => server.process.once('exit', r));
    expect(existsSync(socketPath(lab.state))).toBe(true);
    const started = Date.now();
    const r = await fos([
      ...lab.flags,
      '-c',
      'configure; set interfaces ethernet eth2 mtu 1300; commit',
    ]);
    expect(r.code, r.err).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    const entries = audit(lab);
    expect(entries.some((e) => e.session.startsWith('batch-') && e.kind === 'commit')).toBe(true);
    expect(sessionsOf(entries, 'local', pid)).toEqual([]);
    // The next daemon replaces the stale socket and takes sessions again, as many as its limit.
    const next = await serve(lab.flags, {
      FOS_TEST_LOCAL_LIMITS: JSON.stringify({
        connections: 2,
        sessionsPerUser: 1,
        helloTimeoutMs: 1000,
      }),
    });
    try {
      // A terminal session of root holds root's one session...
      const held = await terminalSession(lab.state, lab.netns);
      const perUser = await fos([...lab.flags, '-c', 'show version']);
      expect(perUser.code).toBe(1);
      expect(perUser.err).toMatch(/root has 1 local sessions open, the most one user may have/);
      // ...and a connection that never says hello the other place, until the hello timeout.
      const silent = connect(socketPath(lab.state));
      silent.on('error', () => undefined);
      silent.resume();
      const silentClosed = new Promise((r) => silent.once('close', r));
      await new Promise((r) => silent.once('data', r));
      const refused = await fos([...lab.flags, '-c', 'show version']);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/2 local sessions are open, the most the daemon takes/);
      held.destroy();
      await silentClosed;
      const again = await fos([...lab.flags, '-c', 'show version']);
      expect(again.code, again.err).toBe(0);
      expect(again.out).toMatch(/^Version: +FOS1 /);
      const entries = audit(lab);
      expect(entries.some((e) => e.kind === 'local-session')).toBe(true);
      expect(entries.some((e) => e.kind === 'local-timeout')).toBe(true);
    } finally {
      await next.stop();
    }
    // A daemon that stops removes its socket.
    expect(existsSync(socketPath(lab.state))).toBe(false);
  });

  it('a user outside the group cannot connect; a member is a session of its own name, without host files', async () => {
    // The socket's group is the state directory's: `users` (gid 100), searchable by the group only.
    chownSync(lab.state, 0, 100);
    chmodSync(lab.state, 0o750);
    const server = await serve(lab.flags);
    try {
      const path = socketPath(lab.state);
      expect(statSync(path).gid).toBe(100);
      const probe = `require('net').connect(${JSON.stringify(path)}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); })`;
      const asUser = (gid: number): string =>
        spawnSync(process.execPath, ['-e', probe], {
          uid: 65534,
          gid,
          encoding: 'utf8',
        }).stdout.trim();
      expect(asUser(65534)).toBe('EACCES');
      expect(asUser(100)).toBe('connected');
      // nobody in group users: a session of the daemon as user nobody...
      const member = await fos([...lab.flags, '-c', 'show version'], { uid: 65534, gid: 100 });
      expect(member.code, member.err).toBe(0);
      expect(member.out).toMatch(/^Version: +FOS1 /);
      const entries = audit(lab);
      expect(
        entries.some(
          (e) =>
            e.kind === 'local-session' && e.user === 'nobody' && JSON.parse(e.text).uid === 65534,
        ),
      ).toBe(true);
      // ...that reaches only the configuration directory, as over SSH.
      const save = await fos([...lab.flags, '-c', 'configure; save /tmp/fos-socket-test.set'], {
        uid: 65534,
        gid: 100,
      });
      expect(save.code).toBe(1);
      expect(existsSync('/tmp/fos-socket-test.set')).toBe(false);
      // A user outside the group does not get in (it runs in-process, and the store is not its to open).
      const outsider = await fos([...lab.flags, '-c', 'show version'], { uid: 65534, gid: 65534 });
      expect(outsider.code).not.toBe(0);
    } finally {
      await server.stop();
      chmodSync(lab.state, 0o700);
      chownSync(lab.state, 0, 0);
    }
  });
});
