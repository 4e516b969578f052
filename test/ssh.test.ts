/** End to end: the real OpenSSH client (sshpass for passwords) against `fos serve` on loopback. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LINE, MAX_SCRIPT_BYTES } from '../src/cli/limits.js';
import { Store } from '../src/store/store.js';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { repoRoot } from './helpers/paths.js';
import { serve, ssh, sshArgs, SshSession, type Served } from './helpers/serve.js';

let lab: Lab;
let server: Served;

function addresses(dev: string): string[] {
  const [link] = JSON.parse(lab.ip('-json', 'address', 'show', 'dev', dev)) as {
    addr_info: { local: string; prefixlen: number; scope: string }[];
  }[];
  return link!.addr_info.filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`);
}

beforeAll(async () => {
  lab = await makeLab();
  server = await serve(lab.flags, { FOS_TEST_MINUTE_MS: '2000' });
});
afterAll(async () => {
  await server?.stop();
  await lab.down();
});

describe('login', () => {
  it('accepts the right password and runs an exec request', async () => {
    const r = await ssh(server.port, { password: 'fos', command: 'show host name; show version' });
    expect(r.code).toBe(0);
    // `show version` in VyOS's layout, which Ansible's vyos collection reads.
    expect(r.out).toMatch(
      /^fos\nVersion: {10}FOS1 0\.1\.0 \(VyOS 1\.4 syntax\)\nRelease train: {4}fos1\n/,
    );
    expect(r.out).toMatch(/^Hardware model: {3}\S/m);
  });

  it('accepts keyboard-interactive logins', async () => {
    const r = await ssh(server.port, {
      password: 'fos',
      keyboardInteractive: true,
      command: 'show host name',
    });
    expect(r).toMatchObject({ code: 0, out: 'fos\n' });
  });

  it('refuses a wrong password and an unknown user', async () => {
    const wrong = await ssh(server.port, { password: 'nope', command: 'show version' });
    expect(wrong.code).not.toBe(0);
    expect(wrong.out).toBe('');
    const unknown = await ssh(server.port, {
      user: 'mallory',
      password: 'fos',
      command: 'show version',
    });
    expect(unknown.code).not.toBe(0);
    const store = new Store(lab.state);
    expect(
      store
        .auditLog(50)
        .some((e) => e.kind === 'login-failed' && e.text.includes('"user":"mallory"')),
    ).toBe(true);
    store.close();
  });

  it('accepts a public key from the configuration, and a password set in plain text is stored hashed', async () => {
    const key = join(lab.state, 'id_test');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const [type, blob] = readFileSync(`${key}.pub`, 'utf8').trim().split(' ');
    const r = await runFos([
      ...lab.flags,
      '-c',
      `configure; set system login user ops authentication public-keys test key '${blob}'; set system login user ops authentication public-keys test type '${type}'; set system login user ops authentication plaintext-password 's3cret'; commit`,
    ]);
    expect(r.code, r.err).toBe(0);
    const byKey = await ssh(server.port, { user: 'ops', key, command: 'show host name' });
    expect(byKey).toMatchObject({ code: 0, out: 'fos\n' });
    const byPassword = await ssh(server.port, {
      user: 'ops',
      password: 's3cret',
      command: 'show host name',
    });
    expect(byPassword.code).toBe(0);
    const stored = (
      await runFos([
        ...lab.flags,
        '-c',
        'show configuration commands | match ops | display secrets',
      ])
    ).out;
    expect(stored).toMatch(
      /set system login user ops authentication encrypted-password '\$6\$[^']+'/,
    );
    expect(stored).not.toContain('s3cret');
    // Over SSH, secrets stay hidden and cannot be asked for.
    const shown = await ssh(server.port, {
      password: 'fos',
      command: 'show configuration commands | match encrypted',
    });
    expect(shown.out).toContain("encrypted-password '********'");
    const asked = await ssh(server.port, {
      password: 'fos',
      command: 'show configuration | display secrets',
    });
    expect(asked.code).toBe(1);
  });

  it('refuses to listen beyond loopback while the default password is unchanged', async () => {
    const fresh = await makeLab();
    try {
      const r = spawnSync(
        process.execPath,
        [join(repoRoot, 'bin', 'fos.js'), ...fresh.flags, 'serve', '--listen', '0.0.0.0:1'],
        { encoding: 'utf8', timeout: 20_000 },
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('user fos still has the default password');
    } finally {
      await fresh.down();
    }
  });
});

/** CPU seconds a process has used, and its peak resident memory in MB (from /proc). */
function usage(pid: number): { cpu: number; peakMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpu: ticks / 100, peakMb: Number(hwm?.[1] ?? 0) / 1024 };
}

describe('bounded input', () => {
  it('a piped script with a line over 64 KiB is refused by its number, and nothing runs', async () => {
    const r = await ssh(server.port, {
      password: 'fos',
      input: `configure\nset interfaces ethernet eth0 description '${'d'.repeat(MAX_LINE)}'\ncommit\n`,
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`line 2: longer than ${MAX_LINE} characters`);
    expect(r.out).toBe('');
  });

  it('a piped script over 16 MiB is refused, and nothing runs', async () => {
    const r = await ssh(server.port, {
      password: 'fos',
      input: `configure\nset system host-name 'big'\ncommit\n${'#\n'.repeat(MAX_SCRIPT_BYTES / 2)}`,
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`the script is larger than ${MAX_SCRIPT_BYTES} bytes; nothing was run`);
    expect((await runFos([...lab.flags, '-c', 'show host name'])).out).toBe('fos\n');
  });

  it('fos shell reads no more than 16 MiB of a piped script', () => {
    const r = spawnSync(
      process.execPath,
      [join(repoRoot, 'bin', 'fos.js'), ...lab.flags, 'shell'],
      { input: `show version\n${'#\n'.repeat(MAX_SCRIPT_BYTES / 2 + 1)}`, encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the script is larger than ${MAX_SCRIPT_BYTES} bytes`);
    expect(r.stdout).toBe('');
  });

  it('1 MB typed without a newline in the ink front-end, then the client leaves: memory and CPU stay bounded', async () => {
    const pid = server.process.pid!;
    const before = usage(pid);
    const s = new SshSession(server.port, { password: 'fos', term: 'xterm-256color' });
    try {
      // eslint-disable-next-line no-control-regex -- ink's escape sequences show it started
      await s.waitFor(/\x1b\[/);
      const packet = 'x'.repeat(1024);
      for (let i = 0; i < 1024; i++) s.child.stdin!.write(packet);
      await s.waitFor('what went past', 60_000);
    } finally {
      s.kill();
    }
    await new Promise((r) => setTimeout(r, 500));
    const left = usage(pid);
    await new Promise((r) => setTimeout(r, 2000));
    const after = usage(pid);
    // Nothing keeps running once the client is gone: well under a core for those 2 s.
    expect(after.cpu - left.cpu).toBeLessThan(0.5);
    expect(after.peakMb - before.peakMb).toBeLessThan(300);
  }, 90_000);
});

describe('without a terminal', () => {
  it('an exec request returns the exit status of its commands', async () => {
    const bad = await ssh(server.port, {
      password: 'fos',
      command: 'configure; set interfaces ethernat eth0; commit',
    });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("unknown word 'ethernat' under 'interfaces'");
  });

  it('a piped script runs line by line without prompts and changes the namespace', async () => {
    const r = await ssh(server.port, {
      password: 'fos',
      input:
        "configure\nset interfaces ethernet eth0 address '192.0.2.10/24'\ncommit\nexit\nshow interfaces | match eth0\n",
    });
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('fos@');
    expect(r.out).toMatch(/eth0\s+192\.0\.2\.10\/24\s+u\/u/);
    expect(addresses('eth0')).toEqual(['192.0.2.10/24']);
  });

  it('a piped script stops at the first error with a non-zero status', async () => {
    const r = await ssh(server.port, {
      password: 'fos',
      input:
        "configure\nset interfaces ethernet eth0 mtu 99999\nset interfaces ethernet eth0 address '192.0.2.11/24'\ncommit\n",
    });
    expect(r.code).toBe(1);
    expect(addresses('eth0')).toEqual(['192.0.2.10/24']);
  });
});

/** 'café' with its two-byte é split between two writes, which the client sends as two packets. */
const splitE = (before: string, after: string): [Buffer, Buffer] => {
  const whole = Buffer.from(`${before}café${after}`, 'utf8');
  const cut = Buffer.byteLength(`${before}caf`) + 1;
  return [whole.subarray(0, cut), whole.subarray(cut)];
};

describe('characters split across packets', () => {
  it('an interactive session decodes a split character whole', async () => {
    const s = new SshSession(server.port, { password: 'fos' });
    try {
      await s.waitFor('fos@fos:~$ ');
      const [first, second] = splitE('show ', '\r');
      s.child.stdin!.write(first);
      await new Promise((r) => setTimeout(r, 300));
      s.child.stdin!.write(second);
      const seen = await s.waitFor(/after 'show'.*\r\nfos@fos:~\$ $/s);
      expect(seen).toContain('show café');
      expect(seen).toContain("unknown word 'café'");
      expect(seen).not.toContain('\ufffd');
    } finally {
      s.kill();
    }
  });

  it('a script without a terminal decodes a split character whole', async () => {
    const logins = (): number => {
      const store = new Store(lab.state);
      try {
        return store.auditLog(1000).filter((e) => e.kind === 'login').length;
      } finally {
        store.close();
      }
    };
    const before = logins();
    const { cmd, args } = sshArgs(server.port, { password: 'fos' });
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [first, second] = splitE('show version\nshow ', '\n');
    // Once logged in, the client sends each write as it comes.
    await expect.poll(logins, { timeout: 10_000, interval: 50 }).toBeGreaterThan(before);
    await new Promise((r) => setTimeout(r, 300));
    child.stdin.write(first);
    await new Promise((r) => setTimeout(r, 300));
    child.stdin.end(second);
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(1);
    expect(err).toContain("unknown word 'café'");
    expect(err).not.toContain('\ufffd');
  });
});

describe('interactive sessions', () => {
  it('configure, set and commit on a pty, with VyOS prompts', async () => {
    const s = new SshSession(server.port, { password: 'fos' });
    try {
      await s.waitFor('fos@fos:~$ ');
      await s.type('configure', '[edit]\r\nfos@fos# ');
      await s.type("set interfaces ethernet eth1 address '10.1.1.1/24'", 'fos@fos# ');
      const commit = await s.type('commit', 'fos@fos# ');
      expect(commit).toContain('Committed revision');
      expect(addresses('eth1')).toEqual(['10.1.1.1/24']);
      await s.type('exit', 'fos@fos:~$ ');
    } finally {
      s.kill();
    }
  });

  it('a capable terminal gets the ink front-end, unless the client asks for plain', async () => {
    const ink = new SshSession(server.port, { password: 'fos', term: 'xterm-256color' });
    const plain = new SshSession(server.port, {
      password: 'fos',
      term: 'xterm-256color',
      setEnv: 'FOS_FRONTEND=plain',
    });
    try {
      // eslint-disable-next-line no-control-regex -- escape sequences are what tells them apart
      await ink.waitFor(/\x1b\[/);
      await plain.waitFor('fos@fos:~$ ');
      await new Promise((r) => setTimeout(r, 200));
      expect(plain.output).toBe('fos@fos:~$ ');
    } finally {
      ink.kill();
      plain.kill();
    }
  });

  it('two sessions: the second commit on an old base rebases, and refuses a conflict with the path', async () => {
    const a = new SshSession(server.port, { password: 'fos' });
    try {
      await a.waitFor('fos@fos:~$ ');
      await a.type('configure', 'fos@fos# ');
      await a.type("set system domain-name 'alpha.example'", 'fos@fos# ');
      await a.type("set interfaces ethernet eth2 description 'from a'", 'fos@fos# ');
      const b = await ssh(server.port, {
        password: 'fos',
        command:
          "configure; set system domain-name 'beta.example'; set interfaces ethernet eth3 description 'from b'; commit",
      });
      expect(b.code).toBe(0);
      const refused = await a.type('commit', 'fos@fos# ');
      expect(refused).toContain('these paths changed on both sides');
      expect(refused).toContain('system domain-name');
      await a.type('delete system domain-name', 'fos@fos# ');
      // Not a conflict any more: a's other change rebases onto b's.
      await a.type("set system domain-name 'beta.example'", 'fos@fos# ');
      const merged = await a.type('commit', 'fos@fos# ');
      expect(merged).toContain('Committed revision');
      const config = (
        await runFos([...lab.flags, '-c', 'show configuration commands | match description'])
      ).out;
      expect(config).toContain("set interfaces ethernet eth2 description 'from a'");
      expect(config).toContain("set interfaces ethernet eth3 description 'from b'");
    } finally {
      a.kill();
    }
  });

  it('the history file is 0600 and keeps passwords masked, also lines from before', async () => {
    const file = join(lab.state, 'history', 'fos');
    mkdirSync(join(lab.state, 'history'), { recursive: true });
    writeFileSync(
      file,
      "set system login user fos authentication plaintext-password 'older-secret'\n",
      { mode: 0o644 },
    );
    const s = new SshSession(server.port, { password: 'fos' });
    try {
      await s.waitFor('fos@fos:~$ ');
      await s.type('configure', 'fos@fos# ');
      await s.type(
        "set system login user fos authentication plaintext-password 'typed-secret'",
        'fos@fos# ',
      );
      await s.type('exit discard', 'fos@fos:~$ ');
      s.child.stdin!.write('exit\r');
      await new Promise((r) => s.child.on('exit', r));
    } finally {
      s.kill();
    }
    await expect.poll(() => readFileSync(file, 'utf8')).toContain('exit discard');
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    const kept = readFileSync(file, 'utf8');
    expect(kept).not.toMatch(/older-secret|typed-secret/);
    expect(kept).toContain(
      "set system login user fos authentication plaintext-password '********'",
    );
  });

  it('commit confirmed 1, then the SSH session is killed: the daemon reverts on time', async () => {
    const s = new SshSession(server.port, { password: 'fos' });
    await s.waitFor('fos@fos:~$ ');
    await s.type('configure', 'fos@fos# ');
    await s.type("set interfaces ethernet eth3 address '10.3.0.1/24'", 'fos@fos# ');
    const out = await s.type('commit confirmed 1', 'fos@fos# ');
    expect(out).toContain('rolled back in 1 minute');
    expect(addresses('eth3')).toEqual(['10.3.0.1/24']);
    s.kill();
    // The daemon runs with a 2-second minute (FOS_TEST_MINUTE_MS).
    await expect.poll(() => addresses('eth3'), { timeout: 15_000, interval: 250 }).toEqual([]);
  });
});
