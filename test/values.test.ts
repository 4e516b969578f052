/** Bounded values, and how a bad one is echoed back: short, with control characters escaped. */
import { describe, expect, it } from 'vitest';
import { excerpt, parseScript } from '../grammar/index.js';
import {
  applyComment,
  applySet,
  describeEditError,
  loadSetForm,
  TreeEditor,
} from '../src/config/index.js';
import { MAX_VALUE_LENGTH } from '../src/config/resolve.js';
import { loginBanner } from '../src/render/banner.js';
import { schema } from '../src/schema/index.js';

function setError(...words: string[]): string | undefined {
  const r = applySet(new TreeEditor(), schema, words);
  return r.ok ? undefined : describeEditError(r.error);
}

const ESC = '\u001b';

describe('values are bounded', () => {
  it('a description is at most 255 characters, as in VyOS', () => {
    const path = ['interfaces', 'ethernet', 'eth0', 'description'];
    expect(setError(...path, 'd'.repeat(255))).toBeUndefined();
    const error = setError(...path, 'd'.repeat(256));
    expect(error).toContain('is not a valid value');
    expect(error).toContain('(256 characters)');
  });

  it('no value of any type is longer than the global limit', () => {
    const error = setError(
      'system',
      'login',
      'user',
      'u',
      'authentication',
      'public-keys',
      'k',
      'key',
      'A'.repeat(MAX_VALUE_LENGTH + 1),
    );
    expect(error).toContain(`at most ${MAX_VALUE_LENGTH} characters`);
  });

  it('refuses text that was not valid UTF-8 (decoded to U+FFFD) and lone surrogates', () => {
    const path = ['interfaces', 'ethernet', 'eth0', 'description'];
    expect(setError(...path, 'caf\ufffd')).toContain('not valid UTF-8');
    expect(setError(...path, 'x\ud800y')).toContain('not valid UTF-8');
    expect(setError(...path, 'café ✓')).toBeUndefined();
  });

  it('refuses bidirectional controls in names and descriptions', () => {
    expect(setError('interfaces', 'ethernet', 'eth0', 'description', 'ab\u202ecd')).toContain(
      'bidirectional control',
    );
    expect(
      setError('firewall', 'group', 'address-group', 'g\u2066x', 'address', '192.0.2.1'),
    ).toContain('bidirectional control');
    const comment = applyComment(
      (() => {
        const e = new TreeEditor();
        applySet(e, schema, ['interfaces', 'ethernet', 'eth0']);
        return e;
      })(),
      schema,
      ['interfaces', 'ethernet', 'eth0', 'evil\u202etxt'],
    );
    expect(comment.ok).toBe(false);
  });

  it('an interface name with quotes cannot reach nft as another name', () => {
    for (const name of ['e"x', "e'x", 'e\\x', 'éth0'])
      expect(
        setError(
          'firewall',
          'ipv4',
          'forward',
          'filter',
          'rule',
          '1',
          'inbound-interface',
          'name',
          name,
        ),
        name,
      ).toContain('is not a valid value');
    expect(
      setError(
        'firewall',
        'ipv4',
        'forward',
        'filter',
        'rule',
        '1',
        'inbound-interface',
        'name',
        'eth*',
      ),
    ).toBeUndefined();
  });
});

describe('messages echo values short and escaped', () => {
  it('an ESC byte in a value is never printed raw', () => {
    const error = setError(
      'interfaces',
      'ethernet',
      'eth0',
      'description',
      `${ESC}[2J${ESC}]0;pwned\u0007`,
    )!;
    expect(error).not.toContain(ESC);
    expect(error).not.toContain('\u0007');
    expect(error).toContain('\\x1b[2J');
  });

  it('an unknown word is shortened and escaped', () => {
    const word = `${ESC}[31m${'w'.repeat(5000)}`;
    const error = setError(word)!;
    expect(error).not.toContain(ESC);
    expect(error.length).toBeLessThan(600);
    expect(error).toContain('(5005 characters)');
  });

  it('a file line with control characters is reported escaped', () => {
    const loaded = loadSetForm(
      `set interfaces ethernet eth0 description '${ESC}[5m'\nset ${ESC}x\n`,
      schema,
    );
    for (const issue of loaded.report.invalid) expect(issue.message).not.toContain(ESC);
    expect(loaded.report.invalid.length).toBe(2);
  });

  it('a parse error shows an escaped excerpt of the token', () => {
    const parsed = parseScript(`show "${ESC}[2J${'z'.repeat(100)}`);
    for (const e of parsed.errors) expect(e.message).not.toContain(ESC);
  });

  it('excerpt keeps short safe text as it is and cuts on a code point', () => {
    expect(excerpt('eth0')).toBe('eth0');
    expect(excerpt('\u{1F600}'.repeat(40), 5)).not.toMatch(/[\ud800-\udbff]\.\.\./);
    expect(excerpt('a\u202eb')).toBe('a\\u202eb');
  });
});

describe('login banners', () => {
  const pre = ['system', 'login', 'banner', 'pre-login'];

  it('take newlines and tabs, and no other control character; other text still takes neither', () => {
    expect(setError(...pre, 'one\ntwo\tthree')).toBeUndefined();
    expect(setError(...pre, '')).toBeUndefined();
    for (const bad of ['one\rtwo', `red ${ESC}[31m`, 'bell\u0007', 'a\u2028b', 'nul\u0000']) {
      const error = setError(...pre, bad)!;
      expect(error, JSON.stringify(bad)).toContain(
        "is not allowed for 'system login banner pre-login': it holds a control character other than a newline (\\n) or a tab (\\t)",
      );
      expect(error).not.toContain(ESC);
    }
    expect(setError(...pre, 'a\u202eb')).toContain('bidirectional control');
    expect(setError('interfaces', 'ethernet', 'eth0', 'description', 'one\ntwo')).toContain(
      'it holds a control character',
    );
  });

  it('are at most 4096 characters', () => {
    expect(setError(...pre, 'b'.repeat(4096))).toBeUndefined();
    expect(setError(...pre, 'b'.repeat(4097))).toContain('a banner is at most 4096 characters');
  });

  it('show as VyOS makes them: \\n and \\t left in the value expand, a newline ends them', () => {
    const banner = (value: string): string | undefined => {
      const e = new TreeEditor();
      const r = applySet(e, schema, [...pre, value]);
      expect(r.ok).toBe(true);
      return loginBanner(e.tree, 'pre-login');
    };
    expect(banner('one\ntwo')).toBe('one\ntwo\n');
    expect(banner(String.raw`C:\new\tdir`)).toBe('C:\new\tdir\n');
    expect(banner('')).toBeUndefined();
    expect(loginBanner(new TreeEditor().tree, 'post-login')).toBeUndefined();
  });
});
