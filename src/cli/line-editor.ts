/**
 * The line editor: bytes in, editing actions out. It is fed whatever a
 * terminal or SSH channel delivers — a packet may hold several lines, or half
 * an escape sequence — and keeps its own state between packets. Key bindings
 * are data.
 */

export type EditorAction =
  | { readonly kind: 'submit'; readonly line: string }
  | { readonly kind: 'complete' }
  | { readonly kind: 'help' }
  | { readonly kind: 'interrupt' }
  | { readonly kind: 'eof' }
  /** The buffer or cursor changed; the front-end draws this state of the line. */
  | { readonly kind: 'changed'; readonly buffer: string; readonly cursor: number };

type Key =
  | 'home'
  | 'end'
  | 'left'
  | 'right'
  | 'up'
  | 'down'
  | 'backspace'
  | 'delete'
  | 'kill-to-end'
  | 'kill-to-start'
  | 'kill-word'
  | 'enter'
  | 'tab'
  | 'interrupt'
  | 'eof-or-delete'
  | 'ignore';

/** Control characters and escape sequences, and what they do. */
const BINDINGS: ReadonlyMap<string, Key> = new Map<string, Key>([
  ['\x01', 'home'], // Ctrl-A
  ['\x05', 'end'], // Ctrl-E
  ['\x02', 'left'], // Ctrl-B
  ['\x06', 'right'], // Ctrl-F
  ['\x10', 'up'], // Ctrl-P
  ['\x0e', 'down'], // Ctrl-N
  ['\x7f', 'backspace'],
  ['\x08', 'backspace'],
  ['\x0b', 'kill-to-end'], // Ctrl-K
  ['\x15', 'kill-to-start'], // Ctrl-U
  ['\x17', 'kill-word'], // Ctrl-W
  ['\r', 'enter'],
  ['\n', 'enter'],
  ['\t', 'tab'],
  ['\x03', 'interrupt'], // Ctrl-C
  ['\x04', 'eof-or-delete'], // Ctrl-D
  ['\x1b[A', 'up'],
  ['\x1b[B', 'down'],
  ['\x1b[C', 'right'],
  ['\x1b[D', 'left'],
  ['\x1bOA', 'up'],
  ['\x1bOB', 'down'],
  ['\x1bOC', 'right'],
  ['\x1bOD', 'left'],
  ['\x1b[H', 'home'],
  ['\x1b[F', 'end'],
  ['\x1bOH', 'home'],
  ['\x1bOF', 'end'],
  ['\x1b[1~', 'home'],
  ['\x1b[4~', 'end'],
  ['\x1b[3~', 'delete'],
]);

/** A complete escape sequence: CSI ... final byte, or SS3 + one byte. */
// eslint-disable-next-line no-control-regex -- escape sequences are what this matches
const ESCAPE = /^\x1b(?:\[[0-9;]*[@-~]|O[@-~]|[^[O])/;

export class LineEditor {
  buffer = '';
  cursor = 0;
  private pending = '';
  private lastWasCR = false;
  private history: string[];
  private historyIndex: number;
  private draft = '';

  constructor(
    history: readonly string[] = [],
    private readonly historyLimit = 1000,
  ) {
    this.history = [...history];
    this.historyIndex = this.history.length;
  }

  get entries(): readonly string[] {
    return this.history;
  }

  /**
   * Keep a line in the history. The front-end calls it once the line has run,
   * with the form history may keep (secrets masked).
   */
  remember(line: string): void {
    if (line.trim() && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > this.historyLimit) this.history.shift();
    }
    this.historyIndex = this.history.length;
    this.draft = '';
  }

  /** Replace the line (after TAB completion). */
  setLine(buffer: string, cursor = buffer.length): void {
    this.buffer = buffer;
    this.cursor = cursor;
  }

  /** Feed input; returns the actions in order. `?` is help unless quoted or escaped. */
  feed(data: string): EditorAction[] {
    const actions: EditorAction[] = [];
    let text = this.pending + data;
    this.pending = '';
    while (text.length > 0) {
      if (text[0] === '\x1b') {
        const m = ESCAPE.exec(text);
        if (!m) {
          // Half a sequence: wait for the rest in the next packet.
          this.pending = text;
          break;
        }
        text = text.slice(m[0].length);
        this.lastWasCR = false;
        const key = BINDINGS.get(m[0]);
        if (key) this.apply(key, actions);
        continue;
      }
      const ch = text[0]!;
      text = text.slice(1);
      if (ch === '\n' && this.lastWasCR) {
        // CRLF is one Enter.
        this.lastWasCR = false;
        continue;
      }
      this.lastWasCR = ch === '\r';
      const key = BINDINGS.get(ch);
      if (key) this.apply(key, actions);
      else if (ch === '?' && !this.insideQuote()) actions.push({ kind: 'help' });
      else if (ch >= ' ') {
        this.buffer = this.buffer.slice(0, this.cursor) + ch + this.buffer.slice(this.cursor);
        this.cursor++;
        this.changed(actions);
      }
    }
    return actions;
  }

  private insideQuote(): boolean {
    const before = this.buffer.slice(0, this.cursor);
    let quote: string | undefined;
    for (let i = 0; i < before.length; i++) {
      const c = before[i]!;
      if (c === '\\') i++;
      else if (quote) {
        if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
    }
    return quote !== undefined;
  }

  private apply(key: Key, actions: EditorAction[]): void {
    switch (key) {
      case 'home':
        this.cursor = 0;
        break;
      case 'end':
        this.cursor = this.buffer.length;
        break;
      case 'left':
        this.cursor = Math.max(0, this.cursor - 1);
        break;
      case 'right':
        this.cursor = Math.min(this.buffer.length, this.cursor + 1);
        break;
      case 'up':
      case 'down': {
        if (key === 'up' && this.historyIndex === 0) return;
        if (key === 'down' && this.historyIndex >= this.history.length) return;
        if (this.historyIndex === this.history.length) this.draft = this.buffer;
        this.historyIndex += key === 'up' ? -1 : 1;
        this.buffer =
          this.historyIndex === this.history.length ? this.draft : this.history[this.historyIndex]!;
        this.cursor = this.buffer.length;
        break;
      }
      case 'backspace':
        if (this.cursor === 0) return;
        this.buffer = this.buffer.slice(0, this.cursor - 1) + this.buffer.slice(this.cursor);
        this.cursor--;
        break;
      case 'delete':
        this.buffer = this.buffer.slice(0, this.cursor) + this.buffer.slice(this.cursor + 1);
        break;
      case 'kill-to-end':
        this.buffer = this.buffer.slice(0, this.cursor);
        break;
      case 'kill-to-start':
        this.buffer = this.buffer.slice(this.cursor);
        this.cursor = 0;
        break;
      case 'kill-word': {
        const before = this.buffer.slice(0, this.cursor).replace(/\S+\s*$/, '');
        this.buffer = before + this.buffer.slice(this.cursor);
        this.cursor = before.length;
        break;
      }
      case 'enter': {
        const line = this.buffer;
        this.historyIndex = this.history.length;
        this.buffer = '';
        this.cursor = 0;
        this.draft = '';
        actions.push({ kind: 'submit', line });
        return;
      }
      case 'tab':
        actions.push({ kind: 'complete' });
        return;
      case 'interrupt':
        this.buffer = '';
        this.cursor = 0;
        this.historyIndex = this.history.length;
        actions.push({ kind: 'interrupt' });
        return;
      case 'eof-or-delete':
        if (this.buffer === '') actions.push({ kind: 'eof' });
        else this.apply('delete', actions);
        return;
      case 'ignore':
        return;
    }
    this.changed(actions);
  }

  /** Every edit is reported with its own state, so a front-end can echo exactly what was typed. */
  private changed(actions: EditorAction[]): void {
    actions.push({ kind: 'changed', buffer: this.buffer, cursor: this.cursor });
  }
}
