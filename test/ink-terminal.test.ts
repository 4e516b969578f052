/** The ink front-end in-process: the same engine, drawn through ink into a string. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShellEngine } from '../src/cli/engine.js';
import { InkTerminal } from '../src/ui/ink-terminal.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { testShell } from './helpers/shell.js';

let lab: Lab;
beforeAll(async () => {
  lab = await makeLab();
  await lab.router().initialize();
});
afterAll(async () => lab.down());

function inkTerminal(): {
  term: InkTerminal;
  engine: ShellEngine;
  output: () => string;
  closed: () => number | undefined;
} {
  const shell = testShell(lab, 'i');
  const term = new InkTerminal(shell.engine, shell.host, { columns: 100, rows: 30, crlf: true });
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
