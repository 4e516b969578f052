/**
 * The line editor: bytes in, editing actions out. It is fed whatever a
 * terminal or SSH channel delivers — a packet may hold several lines, or half
 * an escape sequence — and keeps its own state between packets. Key bindings
 * are data. A line holds at most MAX_LINE characters.
 */
import { HISTORY_CHARS, HISTORY_ENTRIES, MAX_LINE } from './limits.js';

export type EditorAction =
  | { readonly kind: 'submit'; readonly line: string }
  | { readonly kind: 'complete' }
  | { readonly kind: 'help' }
  | { readonly kind: 'interrupt' }
  | { readonly kind: 'eof' }
  /** Typing went past MAX_LINE (the rest of the packet was not taken), or Enter on such a line. */
  | { readonly kind: 'too-long' }
  /** Ctrl-L: clear the screen and draw the prompt and line again. */
  | { readonly kind: 'redraw' }
  /**
   * Ctrl-R: a reverse history search is under way (`query` typed so far, the
   * entry it found, `failed` when none matches); the front-end draws
   * `(reverse-i-search)'query': match` in place of the line.
   */
  | {
      readonly kind: 'search';
      readonly query: string;
      readonly match: string;
      readonly failed: boolean;
    }
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
  | 'word-left'
  | 'word-right'
  | 'search'
  | 'abort'
  | 'redraw'
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
  ['\x12', 'search'], // Ctrl-R
  ['\x07', 'abort'], // Ctrl-G
  ['\x0c', 'redraw'], // Ctrl-L
  ['\x1bb', 'word-left'], // Alt-b (ESC b)
  ['\x1bf', 'word-right'], // Alt-f (ESC f)
  ['\x1bB', 'word-left'],
  ['\x1bF', 'word-right'],
  ['\x1b[1;3D', 'word-left'], // Alt-Left (xterm)
  ['\x1b[1;3C', 'word-right'],
  ['\x1b[1;5D', 'word-left'], // Ctrl-Left (xterm)
  ['\x1b[1;5C', 'word-right'],
  ['\x1b[1;9D', 'word-left'], // Meta-Left
  ['\x1b[1;9C', 'word-right'],
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
/** Longer than any sequence that is a key: what is held back between packets stays small. */
const LONGEST_ESCAPE = 32;

/** Characters that are typed as they are: a run of them is inserted at once. */
// eslint-disable-next-line no-control-regex -- control characters end a run
const PLAIN_RUN = /[^\x00-\x1f\x7f?]+/y;

export class LineEditor {
  buffer = '';
  cursor = 0;
  /** Typing went past MAX_LINE on this line: it is not run until cleared. */
  private overflowed = false;
  private pending = '';
  private lastWasCR = false;
  private history: string[];
  private historyChars = 0;
  private historyIndex: number;
  private draft = '';
  /** A Ctrl-R search under way: what is typed, the history index found, and the line before it began. */
  private search: { query: string; index: number; saved: string; savedCursor: number } | undefined;

  constructor(
    history: readonly string[] = [],
    private readonly historyLimit = HISTORY_ENTRIES,
  ) {
    this.history = [];
    for (const line of history) this.keep(line);
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
    if (line.trim() && this.history[this.history.length - 1] !== line) this.keep(line);
    this.historyIndex = this.history.length;
    this.draft = '';
  }

  /** Add to the history, dropping the oldest entries beyond its bounds. */
  private keep(line: string): void {
    this.history.push(line);
    this.historyChars += line.length;
    while (
      this.history.length > this.historyLimit ||
      (this.historyChars > HISTORY_CHARS && this.history.length > 1)
    )
      this.historyChars -= this.history.shift()!.length;
  }

  /** `?` and TAB are text, not help and completion (lines pasted after `load merge terminal`). */
  literal = false;

  /** Replace the line (after TAB completion). */
  setLine(buffer: string, cursor = buffer.length): void {
    this.buffer = buffer;
    this.cursor = cursor;
  }

  /** Feed input; returns the actions in order. `?` is help unless quoted or escaped. */
  feed(data: string): EditorAction[] {
    const actions: EditorAction[] = [];
    const text = this.pending + data;
    this.pending = '';
    let at = 0;
    let refused = false;
    while (at < text.length) {
      PLAIN_RUN.lastIndex = at;
      const run = PLAIN_RUN.exec(text);
      if (run) {
        // A paste of plain text is one edit, whatever its length.
        at += run[0].length;
        this.lastWasCR = false;
        if (this.search) {
          this.searchFor(this.search.query + run[0], this.search.index, actions);
          continue;
        }
        if (!this.insert(run[0], actions)) refused = true;
        continue;
      }
      if (text[at] === '\x1b') {
        const m = ESCAPE.exec(text.slice(at, at + LONGEST_ESCAPE));
        if (!m && text.length - at < LONGEST_ESCAPE) {
          // Half a sequence: wait for the rest in the next packet.
          this.pending = text.slice(at);
          break;
        }
        if (!m) {
          // No key is that long: the ESC is dropped, what follows is typed.
          at++;
          continue;
        }
        at += m[0].length;
        this.lastWasCR = false;
        const key = BINDINGS.get(m[0]);
        // A key that moves or edits ends a search, keeping what it found (as bash does).
        if (this.search) this.endSearch(true, actions);
        if (key) this.apply(key, actions);
        continue;
      }
      const ch = text[at++]!;
      if (ch === '\n' && this.lastWasCR) {
        // CRLF is one Enter.
        this.lastWasCR = false;
        continue;
      }
      this.lastWasCR = ch === '\r';
      const key = BINDINGS.get(ch);
      if (this.search && this.searchKey(ch, key, actions)) continue;
      if (key) this.apply(key, actions);
      else if (ch === '?' && !this.insideQuote() && !this.literal) actions.push({ kind: 'help' });
      else if (ch === '?' && !this.insert(ch, actions)) refused = true;
    }
    if (refused) actions.push({ kind: 'too-long' });
    return actions;
  }

  /**
   * A control key during a Ctrl-R search: Ctrl-R finds an older match,
   * backspace shortens the query, Ctrl-G and Ctrl-C give up (the line as it
   * was), Enter runs the match; any other key takes the match and acts on it.
   * True when the key was used up here.
   */
  private searchKey(ch: string, key: Key | undefined, actions: EditorAction[]): boolean {
    const search = this.search!;
    switch (key) {
      case 'search':
        this.searchFor(search.query, search.index - 1, actions);
        return true;
      case 'backspace':
        this.searchFor(search.query.slice(0, -1), this.history.length - 1, actions);
        return true;
      case 'abort':
      case 'interrupt':
        this.endSearch(false, actions);
        return true;
      default:
        if (key === undefined && ch === '?') {
          this.searchFor(search.query + ch, search.index, actions);
          return true;
        }
        this.endSearch(true, actions);
        return false;
    }
  }

  /** Look for `query` in the history from `from` back to the oldest entry. */
  private searchFor(query: string, from: number, actions: EditorAction[]): void {
    const search = this.search!;
    search.query = query.slice(0, MAX_LINE);
    let found = -1;
    for (let i = Math.min(from, this.history.length - 1); i >= 0; i--)
      if (this.history[i]!.includes(search.query)) {
        found = i;
        break;
      }
    if (found >= 0) search.index = found;
    const match = search.index < this.history.length ? this.history[search.index]! : '';
    actions.push({ kind: 'search', query: search.query, match, failed: found < 0 });
  }

  /** End a search: `keep` takes the entry found into the line, else the line is as it was. */
  private endSearch(keep: boolean, actions: EditorAction[]): void {
    const search = this.search!;
    this.search = undefined;
    if (keep && search.index < this.history.length) {
      this.buffer = this.history[search.index]!;
      this.cursor = this.buffer.length;
    } else {
      this.buffer = search.saved;
      this.cursor = search.savedCursor;
    }
    this.historyIndex = this.history.length;
    this.changed(actions);
  }

  /** Insert typed text at the cursor, as much as MAX_LINE leaves room for; false when some was refused. */
  private insert(text: string, actions: EditorAction[]): boolean {
    const room = MAX_LINE - this.buffer.length;
    let taken = text.length <= room ? text : text.slice(0, room);
    // Never keep half of a surrogate pair.
    if (taken.length < text.length && /[\ud800-\udbff]$/.test(taken)) taken = taken.slice(0, -1);
    if (taken.length > 0) {
      this.buffer = this.buffer.slice(0, this.cursor) + taken + this.buffer.slice(this.cursor);
      this.cursor += taken.length;
      this.changed(actions);
    }
    if (taken.length === text.length) return true;
    this.overflowed = true;
    return false;
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
      case 'word-left': {
        const before = this.buffer.slice(0, this.cursor);
        this.cursor = before.replace(/\S+\s*$|\s+$/, '').length;
        break;
      }
      case 'word-right': {
        const after = /^\s*\S+/.exec(this.buffer.slice(this.cursor));
        this.cursor = after ? this.cursor + after[0].length : this.buffer.length;
        break;
      }
      case 'search':
        this.search = {
          query: '',
          index: this.history.length,
          saved: this.buffer,
          savedCursor: this.cursor,
        };
        actions.push({ kind: 'search', query: '', match: '', failed: false });
        return;
      case 'abort':
        return;
      case 'redraw':
        actions.push({ kind: 'redraw' });
        return;
      case 'kill-word': {
        const before = this.buffer.slice(0, this.cursor).replace(/\S+\s*$/, '');
        this.buffer = before + this.buffer.slice(this.cursor);
        this.cursor = before.length;
        break;
      }
      case 'enter': {
        if (this.overflowed) {
          // Running what was kept of a longer line could do what was never meant.
          actions.push({ kind: 'too-long' });
          return;
        }
        const line = this.buffer;
        this.historyIndex = this.history.length;
        this.buffer = '';
        this.cursor = 0;
        this.draft = '';
        actions.push({ kind: 'submit', line });
        return;
      }
      case 'tab':
        if (this.literal) this.insert('\t', actions);
        else actions.push({ kind: 'complete' });
        return;
      case 'interrupt':
        this.buffer = '';
        this.cursor = 0;
        this.overflowed = false;
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
    if (this.buffer === '') this.overflowed = false;
    actions.push({ kind: 'changed', buffer: this.buffer, cursor: this.cursor });
  }
}
