import { describe, expect, it } from 'vitest';
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
