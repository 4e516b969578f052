/**
 * What a start of `fos` loads: `-c`, `check`, `convert` and the plain shell
 * never import ink, react or ssh2 (they took most of every start-up); the
 * shell loads ink only when it draws with it. Each case runs the real
 * bin/fos.js under a module logger (test/helpers/module-log.mjs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createToken, Lexer } from 'chevrotain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOT_LEXER_OPTIONS, BootParser } from '../grammar/boot.js';
import { CommandParser, SCRIPT_LEXER_OPTIONS } from '../grammar/script.js';
import { bootTokens, commandTokens } from '../grammar/tokens.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { repoRoot } from './helpers/paths.js';
import { tmuxSession } from './helpers/tmux.js';

const bin = join(repoRoot, 'bin', 'fos.js');
const logger = join(repoRoot, 'test', 'helpers', 'module-log.mjs');
/**
 * The front-end's packages and the SSH server's, or their entries in the
 * bundle (scripts/bundle.mjs): none of them is needed to run commands.
 */
const HEAVY =
  /\/node_modules\/(ink|react|react-reconciler|yoga-layout|ssh2)\/|\/dist\/bundle\/(ink-terminal|ssh-server)\.js$/;
const INK = /\/node_modules\/ink\/|\/dist\/bundle\/ink-terminal\.js$/;
const SSH = /\/node_modules\/ssh2\/|\/dist\/bundle\/ssh-server\.js$/;

let lab: Lab;
let logs: string;
let counter = 0;

beforeAll(async () => {
  lab = await makeLab();
  logs = mkdtempSync(join(tmpdir(), 'fos-modules-'));
});

afterAll(async () => {
  await lab?.down();
  if (logs) rmSync(logs, { recursive: true, force: true });
});

function newLog(): string {
  return join(logs, `log${counter++}`);
}

function modulesIn(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
}

/** Run node with the logger; the modules it loaded and how it ended. */
function loaded(
  args: string[],
  input = '',
): { code: number | null; out: string; err: string; modules: string[] } {
  const log = newLog();
  const r = spawnSync(process.execPath, ['--import', logger, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, FOS_MODULE_LOG: log },
  });
  return { code: r.status, out: r.stdout, err: r.stderr, modules: modulesIn(log) };
}

const heavyIn = (modules: string[]): string[] => modules.filter((m) => HEAVY.test(m));

describe('the grammar, whose checks are skipped at start-up', () => {
  it("its lexers and parsers pass chevrotain's definition checks", () => {
    for (const [tokens, options] of [
      [commandTokens, SCRIPT_LEXER_OPTIONS],
      [bootTokens, BOOT_LEXER_OPTIONS],
    ] as const) {
      expect(options.skipValidations).toBe(true);
      const lexer = new Lexer(tokens, { ...options, skipValidations: false });
      expect(lexer.lexerDefinitionErrors).toEqual([]);
    }
    expect(() => new CommandParser(true)).not.toThrow();
    expect(() => new BootParser(true)).not.toThrow();
  });

  it('the checks do find a broken definition', () => {
    // A token that matches the empty string: what the checks exist for.
    const Empty = createToken({ name: 'Empty', pattern: /a*/ });
    expect(() => new Lexer([Empty], { skipValidations: false })).toThrow(/empty/i);
  });
});

describe('what a start of fos loads', () => {
  it('the logger sees ink and react when they are loaded', () => {
    const r = loaded(['--input-type=module', '-e', "await import('ink')"]);
    expect(r.code, r.err).toBe(0);
    expect(heavyIn(r.modules).some((m) => m.includes('/node_modules/ink/'))).toBe(true);
    expect(heavyIn(r.modules).some((m) => m.includes('/node_modules/react/'))).toBe(true);
  });

  it("fos -c 'show version' loads no ink, react or ssh2", () => {
    const r = loaded([bin, ...lab.flags, '-c', 'show version']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Version: +FOS1 /);
    expect(r.modules.length).toBeGreaterThan(0);
    expect(heavyIn(r.modules)).toEqual([]);
  });

  it("the compiled tree without the bundle: fos -c 'show version' loads no ink, react or ssh2", () => {
    const entry = pathToFileURL(join(repoRoot, 'dist', 'src', 'entry.js')).href;
    const argv = JSON.stringify([...lab.flags, '-c', 'show version']);
    const r = loaded([
      '--input-type=module',
      '-e',
      `const { run } = await import(${JSON.stringify(entry)}); process.exitCode = await run(${argv});`,
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Version: +FOS1 /);
    expect(r.modules.some((m) => m.includes('/dist/src/main.js'))).toBe(true);
    expect(heavyIn(r.modules)).toEqual([]);
  });

  it('fos check and fos convert load no ink, react or ssh2', () => {
    const file = join(repoRoot, 'examples', 'router.set');
    const checked = loaded([bin, 'check', file]);
    expect(checked.code, checked.out + checked.err).toBe(0);
    expect(heavyIn(checked.modules)).toEqual([]);
    const converted = loaded([bin, 'convert', file, '--to', 'curly']);
    expect(converted.code, converted.err).toBe(0);
    expect(converted.out).toContain('interfaces {');
    expect(heavyIn(converted.modules)).toEqual([]);
  });

  it('fos shell with a script on stdin loads no ink, react or ssh2', () => {
    const r = loaded([bin, ...lab.flags, 'shell'], 'show version\nshow system commit\n');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Version: +FOS1 /);
    expect(heavyIn(r.modules)).toEqual([]);
  });

  describe('fos shell on a terminal (tmux)', () => {
    /** Open the shell in tmux with TERM, wait for its prompt, type exit, wait for the end. */
    async function shellOn(term: string): Promise<string[]> {
      const log = newLog();
      const shell = tmuxSession({ TERM: term, FOS_MODULE_LOG: log }, [
        process.execPath,
        '--import',
        logger,
        bin,
        ...lab.flags,
        'shell',
      ]);
      try {
        await shell.waitFor(/:~\$/);
        shell.keys('exit', 'Enter');
        expect(await shell.ended()).toBe(true);
      } finally {
        shell.kill();
      }
      return modulesIn(log);
    }

    it('a dumb terminal gets the plain front-end and loads no ink or react', async () => {
      const modules = await shellOn('dumb');
      expect(modules.length).toBeGreaterThan(0);
      expect(heavyIn(modules)).toEqual([]);
    });

    it('a capable terminal loads ink, which draws it', async () => {
      const modules = await shellOn('xterm-256color');
      expect(modules.some((m) => INK.test(m))).toBe(true);
      expect(modules.some((m) => SSH.test(m))).toBe(false);
    });
  });
});
