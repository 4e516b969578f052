import { describe, expect, it } from 'vitest';
import { HISTORY_CHARS, MAX_LINE } from '../src/cli/limits.js';
import { LineEditor } from '../src/cli/line-editor.js';

function submitted(editor: LineEditor, ...packets: string[]): string[] {
  return packets
    .flatMap((p) => editor.feed(p))
    .flatMap((a) => (a.kind === 'submit' ? [a.line] : []));
}

describe('line editor', () => {
  it('CR, LF and CRLF each end a line, and a packet may hold several', () => {
    const e = new LineEditor();
    expect(submitted(e, 'configure\rset a\nset b\r\ncommit\r\n')).toEqual([
      'configure',
      'set a',
      'set b',
      'commit',
    ]);
  });

  it('a CRLF split across packets is one Enter', () => {
    const e = new LineEditor();
    expect(submitted(e, 'show\r', '\nexit\r')).toEqual(['show', 'exit']);
  });

  it('an escape sequence split across packets is one key', () => {
    const e = new LineEditor();
    e.feed('abc');
    e.feed('\x1b[');
    e.feed('D');
    e.feed('X');
    expect(e.buffer).toBe('abXc');
  });

  it.each([
    ['Ctrl-A then type', 'world\x01hello ', 'hello world'],
    ['Ctrl-E', 'ab\x01\x05c', 'abc'],
    ['Ctrl-K', 'hello world\x01\x1b[C\x1b[C\x0b', 'he'],
    ['Ctrl-U', 'hello world\x15', ''],
    ['Ctrl-W', 'set interfaces ethernet\x17', 'set interfaces '],
    ['backspace', 'abcd\x7f\x7f', 'ab'],
    ['left and insert', 'ac\x1b[Db', 'abc'],
    ['delete key', 'abc\x01\x1b[3~', 'bc'],
    ['Ctrl-D deletes under the cursor', 'abc\x01\x04', 'bc'],
  ])('%s', (_, input, expected) => {
    const e = new LineEditor();
    e.feed(input);
    expect(e.buffer).toBe(expected);
  });

  it('Ctrl-C clears the line; Ctrl-D on an empty line is the end', () => {
    const e = new LineEditor();
    expect(e.feed('abc\x03').map((a) => a.kind)).toContain('interrupt');
    expect(e.buffer).toBe('');
    expect(e.feed('\x04')).toEqual([{ kind: 'eof' }]);
  });

  it('TAB and ? are actions, ? inside quotes is a character', () => {
    const e = new LineEditor();
    expect(e.feed('set\t').map((a) => a.kind)).toContain('complete');
    expect(e.feed(' ?').map((a) => a.kind)).toContain('help');
    e.feed(" 'what?'");
    expect(e.buffer).toBe("set  'what?'");
  });

  it('history with up and down, keeping the draft', () => {
    const e = new LineEditor(['show version']);
    // The front-end keeps a line once it has run, in the form history may keep.
    expect(submitted(e, 'configure\r')).toEqual(['configure']);
    expect(e.entries).toEqual(['show version']);
    e.remember('configure');
    e.feed('dra');
    e.feed('\x1b[A');
    expect(e.buffer).toBe('configure');
    e.feed('\x1b[A');
    expect(e.buffer).toBe('show version');
    e.feed('\x1b[A');
    expect(e.buffer).toBe('show version');
    e.feed('\x1b[B\x1b[B');
    expect(e.buffer).toBe('dra');
    expect(e.entries).toEqual(['show version', 'configure']);
  });
});

describe('a line is at most 64 KiB', () => {
  it('typing beyond it is refused once per packet, keeping what fits', () => {
    const e = new LineEditor();
    const packet = 'abcdefgh'.repeat(128);
    const actions = [];
    for (let i = 0; i < 70; i++) actions.push(...e.feed(packet));
    expect(MAX_LINE).toBe(65536);
    expect(e.buffer).toBe(packet.repeat(64));
    expect(e.cursor).toBe(MAX_LINE);
    expect(actions.filter((a) => a.kind === 'too-long')).toHaveLength(6);
  });

  it('a line that went over is not run on Enter; Ctrl-U clears it, and the next line runs', () => {
    const e = new LineEditor();
    e.feed('x'.repeat(MAX_LINE + 10));
    expect(e.feed('\r').map((a) => a.kind)).toEqual(['too-long']);
    expect(e.buffer).toHaveLength(MAX_LINE);
    expect(submitted(e, '\x15show version\r')).toEqual(['show version']);
  });

  it('a paste is one edit, not one per character', () => {
    const e = new LineEditor();
    const paste = `set interfaces ethernet eth0 description '${'d'.repeat(4000)}'`;
    const actions = e.feed(paste);
    expect(actions).toEqual([{ kind: 'changed', buffer: paste, cursor: paste.length }]);
  });

  it('an escape sequence that never ends is dropped, not held back', () => {
    const e = new LineEditor();
    e.feed(`\x1b[${'1;'.repeat(100)}`);
    expect(e.buffer).toBe(`[${'1;'.repeat(100)}`);
  });

  it('the history is bounded in characters too', () => {
    const e = new LineEditor();
    for (let i = 0; i < 40; i++) e.remember(`${i} ${'h'.repeat(MAX_LINE - 10)}`);
    const kept = e.entries.reduce((n, l) => n + l.length, 0);
    expect(kept).toBeLessThanOrEqual(HISTORY_CHARS);
    expect(e.entries.at(-1)).toMatch(/^39 /);
  });

  it('a character outside the BMP is not split at the limit', () => {
    const e = new LineEditor();
    e.feed('x'.repeat(MAX_LINE - 1));
    e.feed('😀');
    expect(e.buffer).toHaveLength(MAX_LINE - 1);
  });
});

describe('line editor: words, search, redraw', () => {
  it.each([
    ['ESC b', 'show interfaces ethernet\x1bbX', 'show interfaces Xethernet'],
    ['ESC b twice', 'show interfaces ethernet\x1bb\x1bbX', 'show Xinterfaces ethernet'],
    ['ESC f after Ctrl-A', 'show interfaces\x01\x1bfX', 'showX interfaces'],
    ['Alt-Left (xterm)', 'show interfaces\x1b[1;3DX', 'show Xinterfaces'],
    ['Ctrl-Left (xterm)', 'show interfaces\x1b[1;5DX', 'show Xinterfaces'],
    ['Ctrl-Right (xterm)', 'show interfaces\x01\x1b[1;5C\x1b[1;5CX', 'show interfacesX'],
    ['ESC b at the start stays', '\x1bbab', 'ab'],
  ])('%s', (_, input, expected) => {
    const e = new LineEditor();
    e.feed(input);
    expect(e.buffer).toBe(expected);
  });

  it('Ctrl-R searches back incrementally; Ctrl-R again finds an older entry; Enter runs it', () => {
    const e = new LineEditor(['show interfaces', 'configure', 'show version', 'commit']);
    const searches = e
      .feed('\x12sho')
      .filter((a) => a.kind === 'search')
      .map((a) => (a.kind === 'search' ? [a.query, a.match, a.failed] : []));
    expect(searches.at(-1)).toEqual(['sho', 'show version', false]);
    const older = e.feed('\x12').find((a) => a.kind === 'search');
    expect(older).toEqual({
      kind: 'search',
      query: 'sho',
      match: 'show interfaces',
      failed: false,
    });
    expect(submitted(e, '\r')).toEqual(['show interfaces']);
  });

  it('Ctrl-R: no match says failed; backspace widens again; Ctrl-G gives the line back', () => {
    const e = new LineEditor(['show interfaces', 'commit']);
    e.feed('draft');
    const failed = e
      .feed('\x12zz')
      .filter((a) => a.kind === 'search')
      .at(-1);
    expect(failed).toMatchObject({ query: 'zz', failed: true });
    const widened = e
      .feed('\x7f\x7fcom')
      .filter((a) => a.kind === 'search')
      .at(-1);
    expect(widened).toMatchObject({ query: 'com', match: 'commit', failed: false });
    e.feed('\x07');
    expect(e.buffer).toBe('draft');
    e.feed('\x12show\x03');
    expect(e.buffer).toBe('draft');
  });

  it('Ctrl-R then a movement key keeps the match for editing', () => {
    const e = new LineEditor(['set system host-name r1']);
    e.feed('\x12host\x01X');
    expect(e.buffer).toBe('Xset system host-name r1');
  });

  it('Ctrl-L asks for a redraw and keeps the line', () => {
    const e = new LineEditor();
    const actions = e.feed('show\x0c');
    expect(actions.at(-1)).toEqual({ kind: 'redraw' });
    expect(e.buffer).toBe('show');
  });
});
