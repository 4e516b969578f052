/** The ink front-end in-process: the same engine, drawn through ink into a string. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShellEngine } from '../src/cli/engine.js';
import type { InkTerminal, visiblePart as VisiblePart } from '../src/ui/ink-terminal.js';
import { loadInk } from '../src/ui/lazy.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { testShell } from './helpers/shell.js';

let lab: Lab;
let Ink: typeof InkTerminal;
let visiblePart: typeof VisiblePart;
beforeAll(async () => {
  // As the shell loads it (ink decides at import whether it draws at all: CI=1 turns that off).
  const outer = process.env.CI;
  process.env.CI = '1';
  Ink = await loadInk();
  if (outer === undefined) delete process.env.CI;
  else process.env.CI = outer;
  visiblePart = (await import('../src/ui/ink-terminal.js')).visiblePart;
  lab = await makeLab();
  await lab.router().initialize();
});
afterAll(async () => lab.down());

function inkTerminal(options: { renewAfterChars?: number } = {}): {
  term: InkTerminal;
  engine: ShellEngine;
  output: () => string;
  closed: () => number | undefined;
} {
  const shell = testShell(lab, 'i');
  const term = new Ink(shell.engine, shell.host, {
    columns: 100,
    rows: 30,
    crlf: true,
    ...options,
  });
  term.start();
  return { term, engine: shell.engine, output: shell.output, closed: shell.closed };
}

describe('ink terminal', () => {
  it('Ctrl-D on an empty line is exit: up a level, refused with changes, the end in operational mode', async () => {
    const t = inkTerminal();
    try {
      await t.term.feed('configure\redit interfaces ethernet eth0\r');
      expect(t.engine.editLevel).toEqual(['interfaces', 'ethernet', 'eth0']);
      await t.term.feed('\x04');
      expect(t.engine.editLevel).toEqual(['interfaces']);
      await t.term.feed('\x04');
      expect(t.engine.editLevel).toEqual([]);
      expect(t.engine.mode).toBe('configuration');
      await t.term.feed("set system host-name 'r9'\r\x04");
      expect(t.engine.mode).toBe('configuration');
      expect(t.closed()).toBeUndefined();
      await expect
        .poll(() => t.output().replace(/\r/g, ''))
        .toContain(
          "Cannot exit: configuration modified. Use 'exit discard' to discard the changes.",
        );
      await t.term.feed('discard\r\x04');
      expect(t.engine.mode).toBe('operational');
      expect(t.closed()).toBeUndefined();
      await t.term.feed('\x04');
      expect(t.closed()).toBe(0);
    } finally {
      t.term.dispose();
    }
  });
});

describe('line editing and paging in the ink front-end', () => {
  it('Ctrl-R draws the search in place of the prompt and Enter runs the match; Ctrl-L clears', async () => {
    const t = inkTerminal();
    try {
      await t.term.feed('show version\r');
      await t.term.feed('\x12vers');
      await expect.poll(() => t.output()).toContain("(reverse-i-search)'vers': show version");
      await t.term.feed('\r');
      await expect
        .poll(() => t.output().split('Version:').length, { timeout: 10_000 })
        .toBeGreaterThan(2);
      await t.term.feed('\x0c');
      await expect.poll(() => t.output()).toContain('\x1b[2J');
    } finally {
      t.term.dispose();
    }
  });

  it('set terminal length N pages at N lines (2 here); 0 turns paging off', async () => {
    const t = inkTerminal();
    try {
      await t.term.feed('set terminal length 2\r');
      await t.term.feed('show configuration commands\r');
      await expect.poll(() => t.output()).toContain('--More--');
      const shown = t.output().slice(t.output().lastIndexOf('show configuration commands'));
      const page = shown.slice(0, shown.indexOf('--More--'));
      expect(page.split('\n').filter((l) => l.includes('set ')).length).toBe(2);
      await t.term.feed('q');
      await t.term.feed('set terminal length 0\r');
      const mark = t.output().length;
      await t.term.feed('show configuration commands\r');
      await new Promise((r) => setTimeout(r, 300));
      expect(t.output().slice(mark)).not.toContain('--More--');
    } finally {
      t.term.dispose();
    }
  });
});

/**
 * `show version` `count` times, then a last command: every command's lines are written once, in
 * order, the last command after them all. The output so far, without `\r`.
 */
async function longSession(t: ReturnType<typeof inkTerminal>, count: number): Promise<string> {
  await t.term.feed('set terminal length 0\r');
  for (let i = 0; i < count; i++) await t.term.feed('show version\r');
  await t.term.feed('show frobnicate-after-the-rest\r');
  await expect
    .poll(() => t.output(), { timeout: 10_000 })
    .toContain("unknown word 'frobnicate-after-the-rest'");
  const text = t.output().replace(/\r/g, '');
  expect(text.match(/Version: +FOS1/g)).toHaveLength(count);
  expect(text.match(/Architecture: +\S/g)).toHaveLength(count);
  expect(text.split('show frobnicate-after-the-rest').length - 1).toBe(1);
  expect(text.lastIndexOf('Version:')).toBeLessThan(text.indexOf('frobnicate-after-the-rest'));
  return text;
}

describe('a long session in the ink front-end', () => {
  it('writes every line after thousands, once and in order; a page or a list never writes it all again', async () => {
    const t = inkTerminal();
    try {
      // 250 commands of 14 lines: 3,500 lines, where a transcript kept to 2,000 fell silent.
      await longSession(t, 250);
      // Ink clears the screen and scrollback and writes the whole session again when its live
      // part is as tall as the screen: a page (even at a length of the screen's height) and a
      // tall completion list leave a row free.
      const mark = t.output().length;
      await t.term.feed('set terminal length 30\r');
      await t.term.feed('show interfaces detail\r');
      await expect.poll(() => t.output().slice(mark)).toContain('--More--');
      await t.term.feed('q');
      await t.term.feed('show ?');
      await expect.poll(() => t.output().slice(mark)).toContain('Possible completions');
      await new Promise((r) => setTimeout(r, 300));
      const tail = t.output().slice(mark);
      expect(tail).not.toContain('\x1b[3J');
      expect(tail.length).toBeLessThan(50_000);
    } finally {
      t.term.dispose();
    }
  }, 60_000);
});

describe('a long session in the ink front-end, with ink mounted anew as it goes', () => {
  it('writes every line once and in order across the new instances', async () => {
    // Ink keeps all it wrote for the life of an instance: here a new one every 5,000 characters.
    const t = inkTerminal({ renewAfterChars: 5000 });
    try {
      const text = await longSession(t, 100);
      expect(t.term.mounts).toBeGreaterThanOrEqual(5);
      // Still drawing: the prompt after the last command, and keys typed now.
      await t.term.feed('show vers');
      await expect.poll(() => t.output().slice(text.length)).toContain('show vers');
    } finally {
      t.term.dispose();
    }
  }, 60_000);
});

describe('long lines in the ink front-end', () => {
  const cpuMs = (since: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };

  it('256 KB typed, then the client leaves: the input ends at once and nothing draws afterwards', async () => {
    const t = inkTerminal();
    const packet = 'x'.repeat(1024);
    const fed: Promise<void>[] = [];
    for (let i = 0; i < 256; i++) fed.push(t.term.feed(packet));
    await fed[80];
    // A loaded machine draws late: the bound is on what the input costs, not on ink's frame rate.
    await expect
      .poll(() => t.output().replace(/\r?\n/g, ' '), { timeout: 10_000 })
      .toContain('what went past');
    t.term.dispose();
    const started = Date.now();
    await Promise.all(fed);
    expect(Date.now() - started).toBeLessThan(2000);
    const mark = t.output().length;
    const cpu = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 1000));
    expect(t.output().length).toBe(mark);
    // Nothing left running: no renders, no timers (a busy loop would use the whole second).
    expect(cpuMs(cpu)).toBeLessThan(300);
  }, 20_000);

  it('draws the part of a long line around the cursor', () => {
    const line = 'a'.repeat(1000) + 'CURSOR' + 'b'.repeat(1000);
    const shown = visiblePart(line, 1000, 200);
    expect(shown.text.length).toBeLessThanOrEqual(200);
    expect(shown.text.startsWith('…')).toBe(true);
    expect(shown.text.endsWith('…')).toBe(true);
    expect(shown.text.slice(shown.cursor, shown.cursor + 6)).toBe('CURSOR');
    expect(visiblePart('short', 2, 200)).toEqual({ text: 'short', cursor: 2 });
    const end = visiblePart(line, line.length, 200);
    expect(end.cursor).toBe(end.text.length);
  });
});
