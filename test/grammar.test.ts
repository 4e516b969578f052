import { describe, expect, it } from 'vitest';
import { MAX_NESTING, parseBoot, parseScript } from '../grammar/index.js';
import { corpusFiles } from './helpers/paths.js';

const words = (text: string): string[][] =>
  parseScript(text).commands.map((c) => c.words.map((w) => w.text));

describe('command lines and set-form scripts', () => {
  it.each([
    ['set system host-name r1', [['set', 'system', 'host-name', 'r1']]],
    [
      "set interfaces ethernet eth0 description 'uplink to ISP'",
      [['set', 'interfaces', 'ethernet', 'eth0', 'description', 'uplink to ISP']],
    ],
    ['set a "say \\"hi\\"\\n"', [['set', 'a', 'say "hi"\n']]],
    ["set a 'it\\'s'", [['set', 'a', "it's"]]],
    ['configure; set a b; commit', [['configure'], ['set', 'a', 'b'], ['commit']]],
    ['# a comment\n\nset a b # trailing\n', [['set', 'a', 'b']]],
    ['set a b#c', [['set', 'a', 'b#c']]],
    ['set x ""', [['set', 'x', '']]],
    ['  \t\r\n', []],
  ])('%j', (text, expected) => {
    const parsed = parseScript(text);
    expect(parsed.errors).toEqual([]);
    expect(words(text)).toEqual(expected);
  });

  it('keeps pipes and their words apart from the command', () => {
    const [command] = parseScript('show configuration | match eth0 | count').commands;
    expect(command!.words.map((w) => w.text)).toEqual(['show', 'configuration']);
    expect(command!.pipes.map((p) => p.map((w) => w.text))).toEqual([['match', 'eth0'], ['count']]);
  });

  it('records line and column of every word, quotes included', () => {
    const [, second] = parseScript("set a b\n  set 'x y' z").commands;
    expect(second!.words.map((w) => [w.line, w.column, w.quoted])).toEqual([
      [2, 3, false],
      [2, 7, true],
      [2, 13, false],
    ]);
  });

  it.each([
    ["set a 'unterminated", 1, 7, /unterminated quoted string/],
    ['show |', 1, 7, /found end of line, expected a word or a quoted string/],
    ['show | | count', 1, 8, /found '\|', expected a word/],
    ['set a\nset b "x\nset c', 2, 7, /unterminated/],
  ])('reports %j at line %i column %i', (text, line, column, message) => {
    const { errors } = parseScript(text);
    expect(errors[0]).toMatchObject({ line, column });
    expect(errors[0]!.message).toMatch(message);
  });

  it('goes on after a bad line and reports every error', () => {
    const parsed = parseScript("set a 'x\nset b c\nshow |\nset d e");
    expect(parsed.errors.map((e) => e.line)).toEqual([1, 3]);
    expect(parsed.commands.map((c) => c.words[1]!.text)).toEqual(['b', 'd']);
  });
});

describe('config.boot form', () => {
  it('parses nodes, tag nodes, quoted values, valueless leaves and the footer', () => {
    const parsed = parseBoot(
      'interfaces {\n    /* uplink */\n    ethernet eth0 {\n        address "192.0.2.1/24"\n        address 10.0.0.1/8\n        disable\n    }\n}\n// vyos-config-version: "x@1"\n',
    );
    expect(parsed.errors).toEqual([]);
    const eth0 = parsed.statements[0]!.children![0]!;
    expect(eth0.name.text).toBe('ethernet');
    expect(eth0.value!.text).toBe('eth0');
    expect(eth0.comments).toEqual(['uplink']);
    expect(eth0.children!.map((s) => [s.name.text, s.value?.text])).toEqual([
      ['address', '192.0.2.1/24'],
      ['address', '10.0.0.1/8'],
      ['disable', undefined],
    ]);
    expect(parsed.footer).toEqual(['vyos-config-version: "x@1"']);
  });

  it('treats newlines as significant only after a word or quoted string', () => {
    expect(parseBoot('a {\n\n b "x"\n\n c }\n').errors).toEqual([]);
    expect(parseBoot('a b {\n\n}\n').errors).toEqual([]);
    // `a` then a newline ends the statement `a`; the `{` that follows is an error.
    expect(parseBoot('a\n{\n}\n').errors[0]).toMatchObject({ line: 2, column: 1 });
    expect(parseBoot('a { b c d }').errors[0]!.message).toMatch(
      /found 'd', expected '\{' or end of line/,
    );
  });

  it.each([
    ['a {\n b "x', 2, 4, /no closing "/],
    ['a {\n b\n', 3, 1, /expected '\}' to close the '\{' of line 1/],
    ['a }\n', 1, 3, /found '\}' with no '\{'/],
    ['a /* open', 1, 3, /closing '\*\/'/],
    ['a b c\n', 1, 5, /found 'c'/],
  ])('reports %j at %i:%i', (text, line, column, message) => {
    const { errors } = parseBoot(text);
    expect(errors[0]).toMatchObject({ line, column });
    expect(errors[0]!.message).toMatch(message);
  });

  it('refuses nesting deeper than the limit with a located error', () => {
    const deep = 'a {\n'.repeat(MAX_NESTING + 1) + '}\n'.repeat(MAX_NESTING + 1);
    const { errors } = parseBoot(deep);
    expect(errors[0]).toMatchObject({ line: MAX_NESTING + 1, column: 3 });
    expect(errors[0]!.message).toMatch(/nested deeper/);
  });

  it.each(corpusFiles('boot').map((f) => [f.name, f]))(
    'parses corpus file %s without syntax errors',
    (_, file) => {
      const parsed = parseBoot(file.text);
      expect(parsed.errors).toEqual([]);
      expect(parsed.statements.length).toBeGreaterThan(0);
      expect(parsed.footer.join('\n')).toMatch(/config-version/);
    },
  );

  it.each(corpusFiles('set').map((f) => [f.name, f]))(
    'parses corpus file %s as set commands',
    (_, file) => {
      const parsed = parseScript(file.text);
      expect(parsed.errors).toEqual([]);
      expect(parsed.commands.every((c) => c.words[0]!.text === 'set')).toBe(true);
    },
  );
});

describe('long scripts', () => {
  it('keep positions right across the lexer chunks', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `set a${i} 'v${i}'`);
    lines[2047] = 'set x |';
    lines[2048] = "set y 'open";
    lines[4999] = 'set z |';
    const text = lines.join('\n');
    const parsed = parseScript(text);
    expect(parsed.errors.map((e) => [e.line, e.column])).toEqual([
      [2048, 8],
      [2049, 7],
      [5000, 8],
    ]);
    const last = parsed.commands[parsed.commands.length - 1]!;
    expect(last.words.map((w) => [w.text, w.line, w.column])).toEqual([
      ['set', 4999, 1],
      ['a4998', 4999, 5],
      ['v4998', 4999, 11],
    ]);
    expect(text.slice(last.words[2]!.offset, last.words[2]!.offset + last.words[2]!.length)).toBe(
      "'v4998'",
    );
  });
});
