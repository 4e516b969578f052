/** Junos's load variants, pasted input, and revision numbers, through the real shell on a lab. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LINE, MAX_SCRIPT_BYTES } from '../src/cli/limits.js';
import { PlainTerminal } from '../src/cli/terminal.js';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { testShell } from './helpers/shell.js';

let lab: Lab;
let dir: string;
const fos = (script: string) => runFos([...lab.flags, '-c', script]);
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(async () => {
  lab = await makeLab();
  dir = mkdtempSync(join(tmpdir(), 'fos-editcfg-'));
  const r = await fos(
    "configure; set interfaces ethernet eth0 address '192.0.2.1/24'; set interfaces ethernet eth1 mtu 1400; commit",
  );
  expect(r.code, r.err).toBe(0);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await lab.down();
});

describe('load merge, replace, set and override', () => {
  const eth2 = 'interfaces {\n    ethernet eth2 {\n        mtu 1300\n    }\n}\n';

  it('load merge FILE adds to the candidate', async () => {
    const r = await fos(`configure; load merge ${file('m.boot', eth2)}; compare`);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Merged 1 lines from .*m\.boot\.$/m);
    expect(r.out).toMatch(/^\+ +ethernet eth2 \{$/m);
    expect(r.out).not.toMatch(/^- /m);
  });

  it('load replace FILE replaces the sections the file has, and keeps the others', async () => {
    const r = await fos(`configure; load replace ${file('r.boot', eth2)}; compare`);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Replaced interfaces with 1 lines from .*r\.boot\.$/m);
    expect(r.out).toMatch(/^- +ethernet eth0 \{$/m);
    expect(r.out).toMatch(/^\+ +ethernet eth2 \{$/m);
    // system (host name, login) is not in the file and stays.
    expect(r.out).not.toMatch(/system/);
  });

  it('load set FILE runs set and delete lines against the candidate', async () => {
    const path = file(
      's.set',
      "delete interfaces ethernet eth1 mtu\nset interfaces ethernet eth2 mtu '1300'\n",
    );
    const r = await fos(`configure; load set ${path}; compare`);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^- +mtu 1400$/m);
    expect(r.out).toMatch(/^\+ +ethernet eth2 \{$/m);
  });

  it('load override FILE and load FILE replace the whole candidate', async () => {
    for (const verb of ['load override', 'load']) {
      const r = await fos(`configure; ${verb} ${file('o.boot', eth2)}; compare`);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/^Loaded 1 lines from /m);
      expect(r.out).toMatch(/^- +system \{$/m);
    }
  });

  it.each([
    ['load set of a curly file', () => `load set ${file('c.boot', eth2)}`, /is not in set form/],
    ['load merge without a file', () => 'load merge', /^usage: load merge FILE\|terminal/m],
    [
      'a bad line names the file, line and column',
      () => `load merge ${file('bad.boot', 'interfaces {\n    ethernat eth2\n}\n')}`,
      /bad\.boot:2:5: unknown word 'ethernat' under 'interfaces'[\s\S]*Nothing was merged\./,
    ],
    ['two files', () => 'load merge a b', /^usage: load \[override\|replace\|merge\|set\]/m],
  ])('%s fails clearly', async (_, script, message) => {
    const r = await fos(`configure; ${script()}`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
  });

  it('load merge terminal without a terminal says what to use', async () => {
    const r = await fos("configure; load merge terminal; set system host-name 'never'");
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      "reads pasted lines in a terminal session; without one, use 'load merge FILE'",
    );
  });
});

describe('load merge terminal in a terminal session', () => {
  const terminal = () => {
    const shell = testShell(lab, 'paste');
    const term = new PlainTerminal(shell.engine, shell.host);
    term.start();
    return { term, engine: shell.engine, output: shell.output };
  };

  it('takes pasted lines until Ctrl-D on a line of its own, then loads them', async () => {
    const t = terminal();
    await t.term.feed('configure\rload merge terminal\r');
    // The pasted text holds a `?` and a TAB: text here, not help or completion.
    await t.term.feed(
      "interfaces {\r    ethernet eth2 {\r\tdescription 'why?'\r        mtu 1300\r    }\r}\r",
    );
    await t.term.feed('\x04');
    await t.term.feed('compare\r');
    const out = t.output();
    expect(out).toContain('[Type ^D at a new line to end input, ^C to abandon it]\r\n');
    expect(out).toContain('Merged 2 lines from terminal.\r\n[edit]\r\nops@r1# ');
    expect(out).toMatch(/\+ +description why\?/);
    expect(out).toMatch(/\+ +mtu 1300/);
    // The pasted lines were not run as commands.
    expect(out).not.toContain('unknown command');
  });

  it('load set terminal runs the pasted commands; Ctrl-C abandons a paste', async () => {
    const t = terminal();
    await t.term.feed('configure\rload set terminal\rdelete interfaces ethernet eth1 mtu\r\x04');
    await t.term.feed('load merge terminal\rset system host-name oops\r\x03');
    await t.term.feed('compare\r');
    const out = t.output();
    expect(out).toContain('Loaded 1 lines from terminal.');
    expect(out).toContain('^C\r\nInput abandoned; nothing was loaded.\r\n');
    expect(out).toMatch(/- +mtu 1400/);
    expect(out).not.toContain('oops"');
  });

  it('a bad pasted line is named by its line in the paste, and nothing is loaded', async () => {
    const t = terminal();
    await t.term.feed('configure\rload merge terminal\rinterfaces {\r  ethernat eth2\r}\r\x04');
    await t.term.feed('compare\r');
    const out = t.output();
    expect(out).toContain("terminal:2:3: unknown word 'ethernat' under 'interfaces'");
    expect(out).toContain('Nothing was merged.');
    expect(out).toContain('No changes.');
  });

  it('is bounded: past its limit the paste ends and nothing is loaded', async () => {
    const t = terminal();
    await t.term.feed('configure\rload merge terminal\r');
    const line = 'x'.repeat(MAX_LINE);
    let over;
    for (let i = 0; i <= MAX_SCRIPT_BYTES / MAX_LINE && !over; i++) over = t.engine.paste(line);
    expect(over?.ok).toBe(false);
    expect(over?.output[0]).toMatch(
      /pasted input is limited to \d+ characters; nothing was loaded/,
    );
    expect(t.engine.pasting).toBe(false);
  });
});

describe('revision numbers', () => {
  it('commit and rollback say both the revision and its rollback number', async () => {
    const c = await fos("configure; set system domain-name 'rev.example'; commit");
    expect(c.code, c.err).toBe(0);
    const m = /Committed revision (\d+) \(rollback 0; revision (\d+) is now rollback 1\)\./.exec(
      c.out,
    );
    expect(m).not.toBeNull();
    const [, id, previous] = m!;
    expect(Number(previous)).toBeLessThan(Number(id));
    const r = await fos('configure; rollback 1; compare');
    expect(r.out).toContain(`Loaded rollback 1 (revision ${previous}) into the candidate`);
    expect(r.out).toMatch(/^- +domain-name rev\.example$/m);
    const none = await fos('configure; rollback 999');
    expect(none.code).toBe(1);
    expect(none.err).toMatch(
      /there is no rollback 999: \d+ revisions are kept \(rollback 0 to \d+\)/,
    );
  });
});
