/**
 * `system login banner pre-login|post-login` end to end: the real OpenSSH client against
 * `fos serve`, `fos shell` on a real terminal (tmux), and the banner's way through the
 * written forms and the revision store.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { repoRoot } from './helpers/paths.js';
import { serve, ssh, SshSession, type Served } from './helpers/serve.js';
import { tmuxSession } from './helpers/tmux.js';

let lab: Lab;
let server: Served;
const bin = join(repoRoot, 'bin', 'fos.js');

beforeAll(async () => {
  lab = await makeLab();
  server = await serve(lab.flags);
});
afterAll(async () => {
  await server?.stop();
  await lab.down();
});

/** A banner as typed: `\n` and `\t` escapes, both kinds of quote. */
const PRE_TYPED = String.raw`'Authorised use only.\nSecond line, "quoted" and it\'s\ttabbed'`;
/** What the client shows for it: the lines, CRLF-ended as RFC 4252 asks. */
const PRE_SHOWN = 'Authorised use only.\r\nSecond line, "quoted" and it\'s\ttabbed\r\n';
const POST_TYPED = String.raw`'Welcome to FOS1\n  change window: Sundays'`;
const POST_SHOWN = 'Welcome to FOS1\r\n  change window: Sundays\r\n';

/** The client's stderr without its note on the host key (the known-hosts file is /dev/null). */
const banner = (err: string): string => err.replace(/^Warning: Permanently added .*\r?\n/m, '');

/** Commands run inside the daemon, as a script over SSH (no terminal). */
async function overSsh(...lines: string[]): Promise<string> {
  const r = await ssh(server.port, { password: 'fos', input: `${lines.join('\n')}\n` });
  expect(r.code, `${r.out}\n${r.err}`).toBe(0);
  return r.out;
}

/** Commands run in another process (`fos -c` in-process, sharing the store). */
async function inProcess(...lines: string[]): Promise<string> {
  const r = await runFos([...lab.flags, '-c', lines.join('\n')]);
  expect(r.code, `${r.out}\n${r.err}`).toBe(0);
  return r.out;
}

describe('values', () => {
  it('refuses control characters other than \\n and \\t, and banners over 4096 characters, naming the path', async () => {
    const cr = await ssh(server.port, {
      password: 'fos',
      input:
        String.raw`configure
set system login banner pre-login 'one\rtwo'
` + '\n',
    });
    expect(cr.code).not.toBe(0);
    expect(cr.err).toContain(
      String.raw`'one\rtwo' is not allowed for 'system login banner pre-login': it holds a control character other than a newline (\n) or a tab (\t)`,
    );
    const escape = await ssh(server.port, {
      password: 'fos',
      input: `configure\nset system login banner post-login 'red \x1b[31m text'\n`,
    });
    expect(escape.code).not.toBe(0);
    expect(escape.err).toMatch(/'system login banner post-login': it holds a control character/);
    const long = await ssh(server.port, {
      password: 'fos',
      input: `configure\nset system login banner post-login '${'x'.repeat(4097)}'\n`,
    });
    expect(long.code).not.toBe(0);
    expect(long.err).toContain(
      "(4097 characters)' is not allowed for 'system login banner post-login': a banner is at most 4096 characters",
    );
    // 4096 is allowed; nothing of the refused lines was kept.
    const out = await overSsh(
      'configure',
      `set system login banner post-login '${'x'.repeat(4096)}'`,
      'compare',
    );
    expect(out).toMatch(/^\+ +banner \{$/m);
    expect(out).toContain(`post-login ${'x'.repeat(4096)}\n`);
    expect(out).not.toContain('pre-login');
  });
});

describe('pre-login', () => {
  it('is sent before authentication, follows each commit without a restart, and goes when deleted', async () => {
    const before = await ssh(server.port, {
      password: 'fos',
      command: 'show host name',
      logLevel: 'INFO',
    });
    expect(before).toMatchObject({ code: 0, out: 'fos\n' });
    expect(banner(before.err)).toBe('');

    // Committed inside the daemon.
    await overSsh('configure', `set system login banner pre-login ${PRE_TYPED}`, 'commit');
    const shown = await ssh(server.port, {
      password: 'fos',
      command: 'show host name',
      logLevel: 'VERBOSE',
    });
    expect(shown.code).toBe(0);
    expect(shown.out).toBe('fos\n');
    expect(shown.err).toContain(PRE_SHOWN);
    expect(shown.err.indexOf(PRE_SHOWN)).toBeLessThan(shown.err.indexOf('Authenticated to'));

    // A failed password sees it too: it comes before the password is asked.
    const refused = await ssh(server.port, {
      password: 'wrong',
      command: 'show host name',
      logLevel: 'INFO',
    });
    expect(refused.code).not.toBe(0);
    expect(refused.out).toBe('');
    expect(refused.err).toContain(PRE_SHOWN);

    // Committed by another process: the daemon's next connection has the new text.
    await inProcess('configure', "set system login banner pre-login 'Changed.'", 'commit');
    const changed = await ssh(server.port, {
      password: 'fos',
      command: 'show host name',
      logLevel: 'INFO',
    });
    expect(banner(changed.err)).toBe('Changed.\r\n');

    await inProcess('configure', 'delete system login banner pre-login', 'commit');
    const gone = await ssh(server.port, {
      password: 'fos',
      command: 'show host name',
      logLevel: 'INFO',
    });
    expect(gone.code).toBe(0);
    expect(banner(gone.err)).toBe('');
  });
});

describe('post-login', () => {
  beforeAll(async () => {
    await overSsh('configure', `set system login banner post-login ${POST_TYPED}`, 'commit');
  });

  it('is printed before the first prompt of an interactive SSH session, plain and ink', async () => {
    for (const term of ['vt100', 'xterm-256color']) {
      const session = new SshSession(server.port, { password: 'fos', term });
      try {
        const seen = await session.waitFor('fos@fos:~$');
        expect(seen, term).toContain(POST_SHOWN);
        expect(seen.indexOf(POST_SHOWN), term).toBeLessThan(seen.indexOf('fos@fos:~$'));
        if (term === 'vt100') {
          // Once: a command's output does not bring it back. (Ink redraws its whole
          // transcript, the banner with it, on a screen of unknown height.)
          const out = await session.type('show host name', /fos@fos:~\$ ?$/);
          expect(out).not.toContain('Welcome to FOS1');
        }
      } finally {
        session.kill();
      }
    }
  });

  it('is not printed for exec requests (with or without a pty), piped scripts or fos -c', async () => {
    const exec = await ssh(server.port, { password: 'fos', command: 'show version' });
    expect(exec.code).toBe(0);
    expect(exec.out).toMatch(/^Version: /);
    expect(exec.out + exec.err).not.toContain('Welcome to FOS1');

    const execTty = await ssh(server.port, { password: 'fos', command: 'show version', tty: true });
    expect(execTty.code).toBe(0);
    expect(execTty.out).toMatch(/^Version: /);
    expect(execTty.out).not.toContain('Welcome to FOS1');

    const piped = await ssh(server.port, { password: 'fos', input: 'show version\n' });
    expect(piped.out).toMatch(/^Version: /);
    expect(piped.out).not.toContain('Welcome to FOS1');

    // Through the daemon's local socket, and in-process.
    const local = spawnSync(process.execPath, [bin, ...lab.flags, '-c', 'show version'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(local.status, local.stderr).toBe(0);
    expect(local.stdout).toMatch(/^Version: /);
    expect(local.stdout).not.toContain('Welcome to FOS1');
    expect(await inProcess('show version')).toMatch(/^Version: /);
  });

  it('is printed when fos shell starts on a terminal (a session of the daemon)', async () => {
    const shell = tmuxSession({ TERM: 'vt100' }, [process.execPath, bin, ...lab.flags, 'shell']);
    try {
      const screen = await shell.waitFor(/root@fos:~\$/);
      expect(screen).toMatch(/^Welcome to FOS1\n {2}change window: Sundays\nroot@fos:~\$/m);
      shell.keys('exit', 'Enter');
      expect(await shell.ended()).toBe(true);
    } finally {
      shell.kill();
    }
  });
});

describe('written forms', () => {
  it('a banner with quotes, newlines and tabs round-trips through set form, curly and the store', async () => {
    await inProcess('configure', `set system login banner pre-login ${PRE_TYPED}`, 'commit');
    const lines = [
      `set system login banner post-login ${POST_TYPED}`,
      `set system login banner pre-login ${PRE_TYPED}`,
    ];
    // Set form is what was typed; curly quotes as VyOS's config.boot does.
    expect(await overSsh('show configuration commands | match banner')).toBe(
      `${lines.join('\n')}\n`,
    );
    const curly = await overSsh('show configuration');
    expect(curly).toContain(
      [
        '        banner {',
        String.raw`            post-login "Welcome to FOS1\n  change window: Sundays"`,
        String.raw`            pre-login "Authorised use only.\nSecond line, \"quoted\" and it's\ttabbed"`,
        '        }',
      ].join('\n'),
    );

    // Saved in both forms, deleted, and loaded back: the same banner, and nothing to commit.
    const curlyFile = join(lab.state, 'banner.boot');
    const setFile = join(lab.state, 'banner.set');
    await inProcess('configure', `save ${curlyFile}`);
    expect(readFileSync(curlyFile, 'utf8')).toContain(String.raw`\"quoted\"`);
    writeFileSync(setFile, await inProcess('show configuration commands | display secrets'));
    const converted = await runFos(['convert', curlyFile, '--to', 'set']);
    expect(converted.code, converted.err).toBe(0);
    expect(converted.out.split('\n').filter((l) => l.includes('banner'))).toEqual(lines);

    await inProcess('configure', 'delete system login banner', 'commit');
    expect(await overSsh('show configuration commands | match banner')).toBe('');
    await inProcess('configure', `load ${curlyFile}`, 'commit');
    expect(await overSsh('show configuration commands | match banner')).toBe(
      `${lines.join('\n')}\n`,
    );
    for (const file of [curlyFile, setFile]) {
      const again = await inProcess('configure', `load ${file}`, 'compare');
      expect(again, file).toMatch(/^No changes\.$/m);
    }

    // The revision store keeps it: a restarted daemon sends and prints the same text.
    await server.stop();
    server = await serve(lab.flags);
    const pre = await ssh(server.port, {
      password: 'fos',
      command: 'show host name',
      logLevel: 'INFO',
    });
    expect(banner(pre.err)).toBe(PRE_SHOWN);
    const session = new SshSession(server.port, { password: 'fos', logLevel: 'ERROR' });
    try {
      const seen = await session.waitFor('fos@fos:~$');
      expect(seen).toContain(POST_SHOWN);
    } finally {
      session.kill();
    }
  });
});
