/**
 * The three parsers (command lines / set form, config.boot, and loading
 * against the schema) on hostile input: no crash, no hang, and every error
 * located at a real line and column.
 */
import { describe, expect, it } from 'vitest';
import { parseBoot, parseScript, type SyntaxIssue } from '../grammar/index.js';
import { loadCurly, loadSetForm } from '../src/config/index.js';
import { schema } from '../src/schema/index.js';
import { rng } from './helpers/generate.js';
import { corpusFiles } from './helpers/paths.js';

function lineCount(text: string): number {
  return text.split('\n').length;
}

function expectLocated(errors: readonly SyntaxIssue[], text: string): void {
  const lines = lineCount(text);
  // Plain checks first: one expect per error is too slow for 50k errors.
  const misplaced = errors.filter(
    (e) =>
      !Number.isInteger(e.line) ||
      e.line < 1 ||
      e.line > lines + 1 ||
      !Number.isInteger(e.column) ||
      e.column < 1 ||
      e.message.length === 0,
  );
  expect(misplaced).toEqual([]);
}

function exercise(text: string): void {
  const script = parseScript(text);
  expectLocated(script.errors, text);
  const boot = parseBoot(text);
  expectLocated(boot.errors, text);
  const set = loadSetForm(text, schema);
  expectLocated(set.report.invalid, text);
  expect(set.report.accepted + set.report.unsupportedCount + set.report.invalid.length).toBe(
    set.report.statements,
  );
  const curly = loadCurly(text, schema);
  expectLocated(curly.report.invalid, text);
}

const ALPHABET = [
  '{',
  '}',
  '"',
  "'",
  '\\',
  '/',
  '*',
  '#',
  '|',
  ';',
  '\n',
  ' ',
  '\t',
  '\r',
  'set',
  'interfaces',
  'ethernet',
  'eth0',
  'address',
  '192.0.2.1/24',
  '\u0000',
  'é',
  '\u2028',
  '//',
  '/*',
  '*/',
];

describe('fuzzing the parsers', () => {
  it('random byte strings', () => {
    const r = rng(1);
    for (let i = 0; i < 400; i++) {
      const bytes = Buffer.from(
        Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256)),
      );
      exercise(bytes.toString('latin1'));
      exercise(bytes.toString('utf8'));
    }
  });

  it('random token soup', () => {
    const r = rng(2);
    for (let i = 0; i < 600; i++) {
      exercise(
        Array.from(
          { length: Math.floor(r() * 80) },
          () => ALPHABET[Math.floor(r() * ALPHABET.length)],
        ).join(r() < 0.5 ? ' ' : ''),
      );
    }
  });

  it('every corpus file truncated at random points', () => {
    const r = rng(3);
    for (const file of [...corpusFiles('set'), ...corpusFiles('boot')]) {
      for (let i = 0; i < 6; i++) exercise(file.text.slice(0, Math.floor(r() * file.text.length)));
    }
  });

  it('deep nesting, long words, unbalanced quotes and braces', { timeout: 20_000 }, () => {
    const cases = [
      '{'.repeat(100_000),
      '}'.repeat(100_000),
      'a {\n'.repeat(50_000),
      'a { '.repeat(20_000) + '}'.repeat(20_000),
      `set system host-name ${'x'.repeat(1_000_000)}`,
      `set interfaces ethernet eth0 description '${'y'.repeat(1_000_000)}`,
      '"'.repeat(10_001),
      "'".repeat(10_001),
      '/*'.repeat(10_000),
      `${'set a b\n'.repeat(20_000)}set c 'open`,
      '|'.repeat(10_000),
      ';'.repeat(10_000),
    ];
    for (const text of cases) {
      const started = performance.now();
      exercise(text);
      expect(
        performance.now() - started,
        `time for ${JSON.stringify(text.slice(0, 20))}...`,
      ).toBeLessThan(5_000);
    }
    expect(parseBoot('a {\n'.repeat(50_000)).errors[0]!.message).toMatch(
      /nested deeper|expected '\}'/,
    );
  });
});

describe('the shortcut for plain commands', () => {
  it('gives what the parser gives', () => {
    const r = rng(4);
    const texts = [
      ...corpusFiles('set').map((f) => f.text),
      ...Array.from({ length: 300 }, () =>
        Array.from(
          { length: Math.floor(r() * 40) },
          () => ALPHABET[Math.floor(r() * ALPHABET.length)],
        ).join(' '),
      ),
    ];
    for (const text of texts)
      expect(parseScript(text)).toEqual(parseScript(text, { alwaysParse: true }));
  });
});
