/**
 * The interactive screen, as a person sees it: OpenSSH in tmux against
 * `fos serve`, driven with send-keys and read with capture-pane.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { serve, sshArgs, type Served } from './helpers/serve.js';

let lab: Lab;
let server: Served;
const session = `fos${process.pid}`;

const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = (colours = false): string =>
  tmux('capture-pane', '-p', ...(colours ? ['-e'] : []), '-t', session);
const keys = (...k: string[]): void => void tmux('send-keys', '-t', session, ...k);

async function waitForScreen(pattern: RegExp, colours = false, timeout = 15_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const text = screen(colours);
    if (pattern.test(text)) return text;
    if (Date.now() - started > timeout)
      throw new Error(`screen never matched ${pattern}:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  lab = await makeLab();
  const lines = Array.from(
    { length: 40 },
    (_, i) => `set interfaces bridge br${i} description 'bridge number ${i}'`,
  );
  const r = await runFos([...lab.flags, '-c', ['configure', ...lines, 'commit'].join('\n')]);
  expect(r.code, r.err).toBe(0);
  server = await serve(lab.flags, {
    FOS_TEST_PAUSE: 'kernel:apply:add addresses',
    FOS_TEST_PAUSE_MS: '1500',
  });
  const { cmd, args } = sshArgs(server.port, { password: 'fos', tty: true });
  tmux(
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    '100',
    '-y',
    '30',
    'env',
    'TERM=xterm-256color',
    cmd,
    ...args,
  );
  await waitForScreen(/fos@fos:~\$/);
});

afterAll(async () => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // already gone
  }
  await server?.stop();
  await lab.down();
});

describe('the interactive screen (ink front-end)', () => {
  it('TAB completes a command word', async () => {
    keys('conf', 'Tab');
    await waitForScreen(/fos@fos:~\$ configure/);
    keys('Enter');
    await waitForScreen(/\[edit\]\s*\n\s*fos@fos#/);
  });

  it('Ctrl-R finds an earlier line, Enter runs it; Alt-b moves a word back; ? lists dhcp once', async () => {
    keys('run show host name', 'Enter');
    await waitForScreen(/fos@fos#\s*$/m);
    keys('C-r', 'host n');
    await waitForScreen(/\(reverse-i-search\)'host n': run show host name/);
    keys('Enter');
    await waitForScreen(/run show host name\s*\n\s*fos\s*\n/);
    keys('set interfaces ethernet eth0 mtu', 'M-b', 'M-b', 'X');
    await waitForScreen(/fos@fos# set interfaces ethernet Xeth0 mtu/);
    keys('C-u', 'set int eth eth0 address ', '?');
    const help = await waitForScreen(/Possible completions:/);
    expect(help.match(/^\s+dhcp\s/gm)).toHaveLength(1);
    expect(help.match(/^\s+dhcpv6\s/gm)).toHaveLength(1);
    keys('C-u', 'set int eth eth0 adress 192.0.2.1/24', 'Enter');
    await waitForScreen(/did you mean 'address'\?/);
  });

  it('? lists what may come next with help', async () => {
    keys('set interfaces ethernet eth0 ', '?');
    const text = await waitForScreen(/Possible completions:/);
    expect(text).toMatch(/address\s+IP address/);
    expect(text).toMatch(/<Enter>\s+Execute the current command/);
    keys('C-u');
  });

  it('compare is coloured: green for added lines', async () => {
    keys("set interfaces ethernet eth1 address '192.0.2.9/24'", 'Enter');
    keys('compare', 'Enter');
    // eslint-disable-next-line no-control-regex -- the colour escape is what is checked
    const coloured = await waitForScreen(/\x1b\[32m\+\s+ethernet eth1 \{/, true);
    expect(coloured).toContain('address 192.0.2.9/24');
  });

  it('a commit that takes a moment shows a spinner with the pipeline step', async () => {
    keys('commit', 'Enter');
    await waitForScreen(/kernel: add addresses/);
    await waitForScreen(/Committed revision/);
    expect(
      JSON.parse(lab.ip('-json', 'address', 'show', 'dev', 'eth1'))[0].addr_info.map(
        (a: { local: string }) => a.local,
      ),
    ).toContain('192.0.2.9');
  });

  it('a resize reaches the session: long output pages at the new height', async () => {
    tmux('resize-window', '-t', session, '-x', '80', '-y', '15');
    keys('run show configuration commands', 'Enter');
    const paged = await waitForScreen(/--More--/);
    expect(paged.split('\n').filter((l) => l.startsWith('set ')).length).toBeLessThanOrEqual(14);
    keys('q');
    await waitForScreen(/fos@fos#\s*$/m);
  });
});

describe('the interactive screen (plain front-end)', () => {
  const plain = `fosplain${process.pid}`;
  // The screen and what scrolled off it.
  const plainScreen = (): string => tmux('capture-pane', '-p', '-S', '-', '-t', plain);
  const plainKeys = (...k: string[]): void => void tmux('send-keys', '-t', plain, ...k);
  async function waitForPlain(pattern: RegExp, timeout = 15_000): Promise<string> {
    const started = Date.now();
    for (;;) {
      const text = plainScreen();
      if (pattern.test(text)) return text;
      if (Date.now() - started > timeout)
        throw new Error(`screen never matched ${pattern}:\n${text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    const { cmd, args } = sshArgs(server.port, {
      password: 'fos',
      tty: true,
      setEnv: 'FOS_FRONTEND=plain',
    });
    tmux(
      'new-session',
      '-d',
      '-s',
      plain,
      '-x',
      '100',
      '-y',
      '40',
      'env',
      'TERM=xterm',
      cmd,
      ...args,
    );
    await waitForPlain(/fos@fos:~\$\s*$/m);
  });

  afterAll(() => {
    try {
      tmux('kill-session', '-t', plain);
    } catch {
      // already gone
    }
  });

  it('set terminal length 10 pages long output at --More--; space pages, q returns to the prompt', async () => {
    plainKeys('set terminal length 10', 'Enter');
    plainKeys('show configuration commands', 'Enter');
    let text = await waitForPlain(/^--More--/m);
    const after = (t: string): string[] =>
      t.slice(t.lastIndexOf('show configuration commands')).split('\n');
    expect(after(text).filter((l) => l.startsWith('set ')).length).toBe(10);
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^--More--/);
    plainKeys('Space');
    await expect
      .poll(() => after(plainScreen()).filter((l) => l.startsWith('set ')).length)
      .toBe(20);
    expect(plainScreen().trimEnd().split('\n').at(-1)).toMatch(/^--More--/);
    plainKeys('q');
    text = await waitForPlain(/fos@fos:~\$\s*$/m);
    expect(text.trimEnd().split('\n').at(-1)).toBe('fos@fos:~$');
    expect(text).not.toMatch(/--More--/);
    expect(after(text).filter((l) => l.startsWith('set ')).length).toBe(20);
  });

  it('| no-more and set terminal length 0 show it all without --More--', async () => {
    plainKeys('show configuration commands | no-more', 'Enter');
    // The whole output (longer than the 40-line screen), from the command to the prompt after it.
    let text = await waitForPlain(
      /fos@fos:~\$ show configuration commands \| no-more\n(set [^\n]*\n){40,}fos@fos:~\$\s*$/,
    );
    expect(text).not.toMatch(/--More--/);
    plainKeys('set terminal length 0', 'Enter');
    plainKeys('show configuration commands', 'Enter');
    text = await waitForPlain(
      /fos@fos:~\$ show configuration commands\n(set [^\n]*\n){40,}fos@fos:~\$\s*$/,
    );
    expect(text).not.toMatch(/--More--/);
  });
});
