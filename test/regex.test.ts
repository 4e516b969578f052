/**
 * The linear-time regular expressions of `| match` and `| except`: patterns
 * that make a backtracking engine run for ages finish at once; on the syntax
 * both understand, matches agree with JavaScript's RegExp; what is not
 * supported is refused with the reason.
 */
import { describe, expect, it } from 'vitest';
import { applyPipes } from '../src/cli/pipes.js';
import { compileRegex, MAX_PATTERN_LENGTH, type RegexOptions } from '../src/cli/regex.js';
import { rng } from './helpers/generate.js';

function regex(pattern: string, options?: RegexOptions): { test(s: string): boolean } {
  const r = compileRegex(pattern, options);
  if (!r.ok) throw new Error(`${pattern}: ${r.error}`);
  return r.regex;
}

const CATASTROPHIC = ['(a+)+$', '(a|aa)+$', '(a*)*b', '(.*a){12}x', '^(\\w+\\s?)*$', '(a|a?)+b'];

describe('no pattern stalls the shell', () => {
  it('| match on a 20-character description returns at once', () => {
    // A backtracking engine takes seconds here, doubling with each character.
    const lines = [`set interfaces ethernet eth0 description '${'a'.repeat(20)}!'`];
    const started = performance.now();
    for (const pattern of ['(a+)+$', '(a*)*b', '(a|a?)+b']) {
      expect(applyPipes(lines, [['match', pattern]])).toEqual([]);
      expect(applyPipes(lines, [['except', pattern]])).toEqual(lines);
    }
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('catastrophic patterns on 100,000 characters take time linear in the text', () => {
    const text = `${'a'.repeat(100_000)}!`;
    for (const pattern of CATASTROPHIC) {
      const re = regex(pattern);
      const started = performance.now();
      expect(re.test(text)).toBe(false);
      expect(performance.now() - started, pattern).toBeLessThan(1000);
    }
    // And they do match where they should.
    expect(regex('(a+)+$').test('a'.repeat(100_000))).toBe(true);
    expect(regex('(a*)*b').test(`${'a'.repeat(100_000)}b`)).toBe(true);
  });

  it('a pattern whose DFA would be exponential still runs, by recomputing states', () => {
    const re = regex('(a|b)*a(a|b){14}');
    const r = rng(7);
    const text = Array.from({ length: 200_000 }, () => (r() < 0.5 ? 'a' : 'b')).join('');
    const started = performance.now();
    expect(re.test(`${text}c`)).toBe(true);
    expect(re.test('b'.repeat(200_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

// ------------------------------------------------------- compared with RegExp

type Gen = () => string;

/** Random patterns in the syntax JavaScript and `| match` share, small enough to exercise every operator. */
function patternGenerator(r: () => number): Gen {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const atoms = [
    'a',
    'b',
    'c',
    '-',
    ' ',
    '1',
    '.',
    '\\.',
    '\\d',
    '\\D',
    '\\w',
    '\\W',
    '\\s',
    '\\S',
    '[ab]',
    '[^a]',
    '[a-c]',
    '[^a-c1]',
    '[\\d-]',
    '[\\w ]',
    '[^\\s]',
    'A',
    'B',
  ];
  const assertions = ['^', '$', '\\b', '\\B'];
  const quantifiers = ['*', '+', '?', '{2}', '{1,}', '{0,2}', '{1,3}', '*?', '+?', '??'];
  const node = (depth: number): string => {
    const x = r();
    if (depth > 3 || x < 0.45) return pick(atoms);
    if (x < 0.55) return pick(assertions);
    if (x < 0.7) {
      const n = 1 + Math.floor(r() * 3);
      return Array.from({ length: n }, () => node(depth + 1)).join('');
    }
    if (x < 0.8) return `${r() < 0.5 ? '(' : '(?:'}${node(depth + 1)}|${node(depth + 1)})`;
    const inner = node(depth + 1);
    const groupable =
      inner.length === 1 || /^\\[dDwWsS.]$/.test(inner) || /^\[[^\]]*\]$/.test(inner);
    if (['^', '$', '\\b', '\\B'].includes(inner)) return `(${inner})${pick(quantifiers)}`;
    return `${groupable ? inner : `(${inner})`}${pick(quantifiers)}`;
  };
  return () => {
    const n = 1 + Math.floor(r() * 4);
    return Array.from({ length: n }, () => node(0)).join('');
  };
}

function inputGenerator(r: () => number): Gen {
  const chars = 'abcAB1 -_.';
  return () =>
    Array.from({ length: Math.floor(r() * 12) }, () => chars[Math.floor(r() * chars.length)]).join(
      '',
    );
}

describe('matches agree with JavaScript RegExp', () => {
  for (const ignoreCase of [false, true]) {
    it(`on random patterns and lines${ignoreCase ? ', ignoring case' : ''}`, () => {
      const r = rng(ignoreCase ? 91 : 19);
      const patterns = patternGenerator(r);
      const inputs = inputGenerator(r);
      const differences: string[] = [];
      for (let k = 0; k < 3000; k++) {
        const pattern = patterns();
        const ours = compileRegex(pattern, { ignoreCase });
        if (!ours.ok) {
          differences.push(`${pattern}: refused: ${ours.error}`);
          continue;
        }
        const theirs = new RegExp(pattern, ignoreCase ? 'iu' : 'u');
        for (let j = 0; j < 20; j++) {
          const text = inputs();
          if (ours.regex.test(text) !== theirs.test(text))
            differences.push(`${pattern} on ${JSON.stringify(text)}: RegExp ${theirs.test(text)}`);
        }
      }
      expect(differences.slice(0, 10)).toEqual([]);
    });
  }

  it('on code points outside the BMP, as RegExp with the u flag', () => {
    for (const [pattern, text] of [
      ['^.$', '😀'],
      ['[😀-😎]', 'x😃'],
      ['^\\S\\S$', 'a😀'],
      ['é', 'CAFÉ'],
    ] as const) {
      for (const ignoreCase of [false, true])
        expect(regex(pattern, { ignoreCase }).test(text), pattern).toBe(
          new RegExp(pattern, ignoreCase ? 'iu' : 'u').test(text),
        );
    }
  });
});

// ------------------------------------------------------------ what is accepted

describe('syntax', () => {
  const cases: [string, string, boolean, RegexOptions?][] = [
    ['[[:digit:]]{3}', 'vlan 100', true],
    ['[[:digit:]]{3}', 'vlan 10', false],
    ['^[[:alpha:]_]+$', 'host_name', true],
    ['[^[:space:]]', '   ', false],
    ['[[:upper:][:digit:]]', 'abc', false],
    ['[[:xdigit:]]+', 'zz', false],
    ['[]a]', ']', true],
    ['[^]a]', ']', false],
    ['a{,2}b', 'b', true],
    ['a{', 'a{', true],
    ['x{2,3}', 'x{2,3}', false],
    ['\\<eth', 'veth0', false],
    ['\\<eth', 'if eth0', true],
    ['eth0\\>', 'eth01', false],
    ['\\x41\\u0042', 'AB', true],
    ['\\t', 'a\tb', true],
    ['host', 'HOST-NAME', true, { ignoreCase: true }],
    ['[a-c]+x', 'BCX', true, { ignoreCase: true }],
    ['[^a]', 'A', false, { ignoreCase: true }],
    // Basic syntax (grep without -E).
    ['a+', 'a+', true, { syntax: 'basic' }],
    ['a\\+', 'aa', true, { syntax: 'basic' }],
    ['(a)', '(a)', true, { syntax: 'basic' }],
    ['\\(ab\\)\\{2\\}', 'abab', true, { syntax: 'basic' }],
    ['\\(ab\\)\\{2\\}', 'ab', false, { syntax: 'basic' }],
    ['a\\|b', 'b', true, { syntax: 'basic' }],
    ['a|b', 'a|b', true, { syntax: 'basic' }],
    ['*a', '*a', true, { syntax: 'basic' }],
    ['^*a', '*a', true, { syntax: 'basic' }],
    ['a^b', 'a^b', true, { syntax: 'basic' }],
    ['a$b', 'a$b', true, { syntax: 'basic' }],
    ['\\(^a$\\)', 'a', true, { syntax: 'basic' }],
    ['x\\?y', 'y', true, { syntax: 'basic' }],
  ];
  for (const [pattern, text, expected, options] of cases)
    it(`${options?.syntax ?? 'extended'}${options?.ignoreCase ? ' -i' : ''} '${pattern}' on '${text}'`, () =>
      expect(regex(pattern, options).test(text)).toBe(expected));

  it('several patterns match when any of them does (grep -e A -e B)', () => {
    const r = compileRegex(['^eth0', 'mtu$']);
    expect(r.ok && ['eth0 x', 'set mtu', 'other'].map((l) => r.regex.test(l))).toEqual([
      true,
      true,
      false,
    ]);
  });
});

describe('bad patterns are refused, naming what is wrong', () => {
  const cases: [string, RegExp, RegexOptions?][] = [
    ['(a)\\1', /backreferences \('\\1'\) are not supported at character 4/],
    ['(?<n>a)\\k<n>', /backreferences \('\\k<name>'\) are not supported/],
    ['a(?=b)', /lookahead '\(\?=' is not supported at character 2/],
    ['a(?!b)', /lookahead '\(\?!' is not supported/],
    ['(?<=a)b', /lookbehind '\(\?<=' is not supported/],
    ['(?<!a)b', /lookbehind '\(\?<!' is not supported/],
    ['(?i)a', /'\(\?i' is not supported/],
    ['(ab', /unmatched '\(' at character 1/],
    ['ab)', /unmatched '\)' at character 3/],
    ['[ab', /unmatched '\['/],
    ['*a', /nothing to repeat before '\*' at character 1/],
    ['a**', /nothing to repeat/],
    ['^*', /nothing to repeat/],
    ['[z-a]', /the range 'z-a' is out of order/],
    ['a{3,2}', /the repetition \{3,2\} counts down/],
    ['a{1001}', /a repetition count above 1000/],
    ['(a{100}){100}', /compiles to \d+ instructions; the limit is 5000/],
    ['a\\', /a pattern cannot end with '\\'/],
    ['\\q', /unknown escape '\\q'/],
    ['\\p{L}', /unknown escape '\\p'/],
    ['\\x4', /'\\x' needs 2 hexadecimal digits/],
    ['[[:letter:]]', /unknown class '\[:letter:\]'; known: alpha/],
    ['[[=a=]]', /collating elements\) is not supported/],
    ['a\\{2', /'\\\{' needs a count/, { syntax: 'basic' }],
    ['\\(a', /unmatched '\('/, { syntax: 'basic' }],
    ['a\\1', /backreferences/, { syntax: 'basic' }],
  ];
  for (const [pattern, error, options] of cases)
    it(pattern, () => {
      const r = compileRegex(pattern, options);
      expect(r.ok ? 'accepted' : r.error).toMatch(error);
    });

  it(`a pattern longer than ${MAX_PATTERN_LENGTH} characters`, () => {
    const r = compileRegex('a'.repeat(MAX_PATTERN_LENGTH + 1));
    expect(r.ok ? 'accepted' : r.error).toBe(
      `the pattern is ${MAX_PATTERN_LENGTH + 1} characters long; the limit is ${MAX_PATTERN_LENGTH}`,
    );
  });

  it('| match with a bad pattern says so and shows nothing else', () => {
    expect(applyPipes(['a', 'b'], [['match', '(a)\\1']])).toEqual([
      "invalid regular expression '(a)\\1': backreferences ('\\1') are not supported at character 4",
    ]);
  });
});
