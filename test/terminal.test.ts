/** The plain front-end: what an automation client sees, byte for byte. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShellEngine } from '../src/cli/engine.js';
import { MAX_LINE } from '../src/cli/limits.js';
import { MORE_PROMPT } from '../src/cli/pager.js';
import { PlainTerminal, TOO_LONG, type Screen } from '../src/cli/terminal.js';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { testShell } from './helpers/shell.js';

let lab: Lab;
beforeAll(async () => {
  lab = await makeLab();
  await lab.router().initialize();
});
afterAll(async () => lab.down());

function terminal(
  saveHistory?: (entries: readonly string[]) => void,
  screen?: Screen,
): {
  term: PlainTerminal;
  engine: ShellEngine;
  output: () => string;
  closed: () => number | undefined;
} {
  const shell = testShell(lab, 't', saveHistory);
  const term = new PlainTerminal(shell.engine, shell.host, screen);
  term.start();
  return { term, engine: shell.engine, output: shell.output, closed: shell.closed };
}

describe('plain terminal', () => {
  it('at a screen, long output stops at --More--; space pages, q returns to the prompt', async () => {
    const t = terminal(undefined, { columns: 80, rows: 24 });
    await t.term.feed('set terminal length 3\r');
    const mark = t.output().length;
    await t.term.feed('show version\r');
    const paged = t.output().slice(mark);
    expect(paged.endsWith(MORE_PROMPT)).toBe(true);
    expect(paged.split('\r\n').slice(1, -1)).toHaveLength(3);
    await t.term.feed(' ');
    const second = t.output().slice(mark + paged.length);
    expect(second.startsWith(`\r${' '.repeat(MORE_PROMPT.length)}\r`)).toBe(true);
    expect(second.endsWith(MORE_PROMPT)).toBe(true);
    await t.term.feed('q');
    expect(t.output().endsWith(`\rops@r1:~$ `)).toBe(true);
    // eslint-disable-next-line no-control-regex
    expect(t.output()).not.toMatch(/\x1b/);
    // Typing works again, and `| no-more` shows it all at once.
    const before = t.output().length;
    await t.term.feed('show version | no-more\r');
    const whole = t.output().slice(before);
    expect(whole).not.toContain('--More--');
    expect(whole.endsWith('ops@r1:~$ ')).toBe(true);
    expect(whole.split('\r\n').length).toBeGreaterThan(6);
  });

  it('without a screen nothing pages; at one, curly lines wrap at its width unless a pipe reads them', async () => {
    const description = `'${'a long description '.repeat(5).trim()}'`;
    const plain = terminal();
    await plain.term.feed('set terminal length 3\rshow version\r');
    expect(plain.output()).not.toContain('--More--');
    const t = terminal(undefined, { columns: 40, rows: 0 });
    await t.term.feed(`configure\rset interfaces ethernet eth0 description ${description}\r`);
    let mark = t.output().length;
    await t.term.feed('show interfaces ethernet eth0\r');
    const shown = t.output().slice(mark).split('\r\n').slice(1, -2);
    expect(shown.length).toBeGreaterThan(2);
    for (const l of shown) expect(l.length, l).toBeLessThanOrEqual(40);
    expect(shown.join(' ').replace(/\s+/g, ' ')).toContain('a long description a');
    mark = t.output().length;
    await t.term.feed('show interfaces ethernet eth0 | match description\r');
    const matched = t.output().slice(mark).split('\r\n')[1]!;
    expect(matched.length).toBeGreaterThan(40);
    expect(matched).toContain(description.slice(1, -1));
    // A pty of 0 columns (`ssh -tt` from a script) is no screen: nothing wraps, until a width is set.
    const script = terminal(undefined, { columns: 0, rows: 0 });
    await script.term.feed(`configure\rset interfaces ethernet eth0 description ${description}\r`);
    mark = script.output().length;
    await script.term.feed('show interfaces ethernet eth0\r');
    expect(script.output().slice(mark)).toContain(description.slice(1, -1));
    await script.term.feed('run set terminal width 40\r');
    mark = script.output().length;
    await script.term.feed('show interfaces ethernet eth0\r');
    for (const l of script.output().slice(mark).split('\r\n'))
      expect(l.length, l).toBeLessThanOrEqual(40);
  });

  it('echoes as typed, ends lines with CRLF, and sends the prompt last', async () => {
    const t = terminal();
    await t.term.feed('configure\r');
    await t.term.feed("set system host-name 'r2'\r");
    const out = t.output();
    expect(out).toBe(
      "ops@r1:~$ configure\r\n[edit]\r\nops@r1# set system host-name 'r2'\r\n[edit]\r\nops@r1# ",
    );
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/\x1b/);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('backspace is \\b \\b, TAB completes, ? lists with help', async () => {
    const t = terminal();
    await t.term.feed('confx\x7f\t');
    await t.term.feed('\rset interfaces eth\t');
    await t.term.feed('eth0 mt?');
    const out = t.output();
    expect(out).toContain('confx\b \bigure ');
    expect(out).toContain('set interfaces ethernet ');
    expect(out).toContain(
      '?\r\nPossible completions:\r\n  mtu  Maximum Transmission Unit (MTU)\r\n[edit]\r\nops@r1# set interfaces ethernet eth0 mt',
    );
  });

  it('Ctrl-R searches the history in plain text, Enter runs it; Ctrl-L redraws without escapes', async () => {
    const t = terminal();
    await t.term.feed('show version\r');
    await t.term.feed('\x12vers');
    expect(t.output()).toContain("\r(reverse-i-search)'vers': show version");
    await t.term.feed('\r');
    expect(t.output().split('Version:').length).toBe(3);
    await t.term.feed('sho\x0c');
    expect(t.output().endsWith('\r\nops@r1:~$ sho')).toBe(true);
    await t.term.feed('w int\x1bb\x1bbX');
    // eslint-disable-next-line no-control-regex
    expect(t.output()).not.toMatch(/\x1b/);
  });

  it('refuses to exit with changes, then exit discard and exit close the session', async () => {
    const t = terminal();
    await t.term.feed("configure\rset system host-name 'r3'\rexit\r");
    expect(t.output()).toContain('Cannot exit: configuration modified');
    await t.term.feed('exit discard\rexit\r');
    expect(t.closed()).toBe(0);
  });

  it('Ctrl-C clears the line and Ctrl-D on an empty line ends the session', async () => {
    const t = terminal();
    await t.term.feed('show conf\x03');
    expect(t.output()).toBe('ops@r1:~$ show conf^C\r\nops@r1:~$ ');
    await t.term.feed('\x04');
    expect(t.closed()).toBe(0);
  });

  it('Ctrl-D on an empty line is exit: up a level, refused with changes, the end in operational mode', async () => {
    const t = terminal();
    await t.term.feed('configure\redit interfaces ethernet eth0\r');
    expect(t.output()).toMatch(/\[edit interfaces ethernet eth0\]\r\nops@r1# $/);
    await t.term.feed('\x04');
    expect(t.output()).toMatch(/# exit\r\n\[edit interfaces\]\r\nops@r1# $/);
    await t.term.feed('\x04');
    expect(t.output()).toMatch(/\[edit\]\r\nops@r1# $/);
    await t.term.feed("set system host-name 'r9'\r\x04");
    expect(t.output()).toContain(
      "Cannot exit: configuration modified. Use 'exit discard' to discard the changes.",
    );
    expect(t.output()).toMatch(/\[edit\]\r\nops@r1# $/);
    expect(t.closed()).toBeUndefined();
    await t.term.feed('discard\r\x04');
    expect(t.output()).toMatch(/ops@r1:~\$ $/);
    expect(t.closed()).toBeUndefined();
    await t.term.feed('\x04');
    expect(t.closed()).toBe(0);
  });

  it('points at a syntax error', async () => {
    const t = terminal();
    await t.term.feed("show 'open\r");
    expect(t.output()).toContain('               ^\r\nError: found an unterminated quoted string');
  });
});

describe('a line is at most 64 KiB', () => {
  it('1 MB typed without a newline: 64 KiB kept and echoed once, one message, a bell per packet after', async () => {
    const t = terminal();
    const packet = 'x'.repeat(1024);
    const fed: Promise<void>[] = [];
    for (let i = 0; i < 1024; i++) fed.push(t.term.feed(packet));
    await Promise.all(fed);
    const out = t.output();
    expect(out.split(TOO_LONG)).toHaveLength(2);
    expect(out.split('\x07')).toHaveLength(1024 - 64 + 1);
    // The echo, and the line again under the message: nothing more.
    expect(out.length).toBeLessThan(2 * MAX_LINE + TOO_LONG.length + 1100);
    expect(out.replaceAll('\x07', '').endsWith(`\r\nops@r1:~$ ${'x'.repeat(MAX_LINE)}`)).toBe(true);
    // Enter does not run what was kept of the line; Ctrl-U clears it and the next line runs.
    const mark = t.output().length;
    await t.term.feed('\r');
    expect(t.output().slice(mark)).toBe('\x07');
    await t.term.feed('\x15show host name\r');
    expect(t.output().slice(mark)).toMatch(/show host name\r\nfos\r\nops@r1:~\$ $/);
  }, 20_000);

  it('a script line longer than 64 KiB is refused by number, and nothing runs', async () => {
    const r = await runFos([
      ...lab.flags,
      '-c',
      `configure\nset system host-name 'long'\nset interfaces ethernet eth0 description '${'d'.repeat(MAX_LINE)}'\ncommit`,
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`line 3: longer than ${MAX_LINE} characters`);
    const shown = await runFos([...lab.flags, '-c', 'show host name']);
    expect(shown.out).toBe('fos\n');
  });
});

describe('update', () => {
  it('rebases a session on the newest running config, or names the conflicting paths', async () => {
    const t = terminal();
    await t.term.feed(
      "configure\rset interfaces ethernet eth1 description 'mine'\rset system domain-name 'mine.example'\r",
    );
    const r = await runFos([
      ...lab.flags,
      '-c',
      "configure; set interfaces ethernet eth2 description 'theirs'; set system domain-name 'theirs.example'; commit",
    ]);
    expect(r.code, r.err).toBe(0);
    await t.term.feed('update\r');
    expect(t.output()).toContain(
      'These paths changed both here and in the running configuration:\r\n  system domain-name',
    );
    await t.term.feed(
      "set system domain-name 'theirs.example'\rupdate\rshow interfaces | display set\r",
    );
    const out = t.output();
    expect(out).toContain('Updated: your changes now stand on the newest running configuration.');
    expect(out).toContain("set interfaces ethernet eth1 description 'mine'");
    expect(out).toContain("set interfaces ethernet eth2 description 'theirs'");
  });
});

describe('errors point at the word', () => {
  it.each([
    [
      'configure\rset interfaces ethernat eth0\r',
      'ops@r1# set interfaces ethernat eth0\r\n' + ' '.repeat(23) + '^\r\nunknown word',
    ],
    [
      'configure\rset interfaces ethernet eth0 mtu 99999\r',
      "                                      ^\r\n'99999' is not a valid value",
    ],
    ['frobnicate now\r', 'ops@r1:~$ frobnicate now\r\n          ^\r\nunknown command'],
  ])('%j', async (input, expected) => {
    const t = terminal();
    await t.term.feed(input);
    expect(t.output()).toContain(expected);
  });
});

describe('history', () => {
  it('keeps a secret value masked, at any level, in any command of a line, and when the line is wrong', async () => {
    let saved: readonly string[] = [];
    const t = terminal((entries) => (saved = entries));
    await t.term.feed(
      [
        'configure',
        "set system login user ops authentication plaintext-password 'hunter1'",
        'edit system login user ops authentication',
        'set plaintext-password hunter2',
        'top; set system login user ops authentication plaintext-password "hunter3"; show system host-name',
        "set system login user ops authentication plaintext-password 'hunter4' extra",
        "set system login user ops authentication plaintext-password 'hunter5",
        "set system login user ops authentication encrypted-password 'hunter6'",
        'exit discard',
        '',
      ].join('\r'),
    );
    // The line as recalled with the up arrow is masked too.
    const mark = t.output().length;
    await t.term.feed('configure\r\x1b[A\x1b[A\x1b[A');
    expect(t.output().slice(mark)).toContain("encrypted-password '********'");
    expect(t.output().slice(mark)).not.toMatch(/hunter/);
    await t.term.feed('\x03exit discard\rexit\r');
    expect(t.closed()).toBe(0);
    expect(saved.join('\n')).not.toMatch(/hunter/);
    expect(saved).toEqual([
      'configure',
      "set system login user ops authentication plaintext-password '********'",
      'edit system login user ops authentication',
      "set plaintext-password '********'",
      "top; set system login user ops authentication plaintext-password '********'; show system host-name",
      // 'hunter4' extra and the unterminated 'hunter5 mask alike, and one entry stands for both.
      "set system login user ops authentication plaintext-password '********'",
      "set system login user ops authentication encrypted-password '********'",
      'exit discard',
      'configure',
      'exit discard',
      'exit',
    ]);
  });

  it('is handed back to be kept when the session ends', async () => {
    let saved: readonly string[] = [];
    const t = terminal((entries) => (saved = entries));
    await t.term.feed('show version\rshow host name\rexit\r');
    expect(saved).toEqual(['show version', 'show host name', 'exit']);
  });
});

describe('the engine boundary', () => {
  it('a backend that throws ends that one command with an error; the session goes on', async () => {
    const { ShellEngine } = await import('../src/cli/engine.js');
    const { routerAccess } = await import('../src/main.js');
    const { Router } = await import('../src/commit/router.js');
    const { Store } = await import('../src/store/store.js');
    const { schema } = await import('../src/schema/index.js');
    const { parseScript } = await import('../grammar/index.js');
    const store = new Store(lab.state);
    try {
      // A namespace that does not exist: every `ip -n` fails for real.
      const router = new Router(store, { netns: `fosgone${process.pid}` }, schema);
      const engine = new ShellEngine(
        schema,
        routerAccess(router, 'ops', 'boundary'),
        { read: () => '', write: () => undefined },
        { user: 'ops', session: 'boundary', origin: 'cli', allowSecrets: false },
      );
      const run = (line: string) => engine.execute(parseScript(line).commands[0]!);
      const failed = await run('show interfaces');
      expect(failed.ok).toBe(false);
      expect(failed.output.join('\n')).toMatch(/^Internal error while running 'show interfaces': /);
      expect((await run('show host name')).ok).toBe(true);
      expect(store.auditLog(5).some((e) => e.kind === 'internal-error')).toBe(true);
    } finally {
      store.close();
    }
  });
});
