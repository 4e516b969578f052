/**
 * The plain terminal front-end: the line editor and the engine joined into an
 * interactive session that writes only plain text — typed characters echoed
 * as they are, `\b \b` for backspace, CRLF line ends, no escape sequences,
 * and the prompt always the last bytes sent. Automation clients (netmiko,
 * Ansible network_cli) and TERM=dumb/vt100 terminals get exactly this.
 */
import { parseScript, type Command } from '../../grammar/index.js';
import { formatHelp, tabAction, type Completion } from './complete.js';
import type { ShellEngine } from './engine.js';
import { maskAfterSecretNames, maskSpans, wordsSpan } from './history.js';
import { LineEditor } from './line-editor.js';
import { MAX_LINE, scriptTooLarge } from './limits.js';
import {
  appendToPager,
  MORE_PROMPT,
  pagerKey,
  pagerStep,
  shownCount,
  startPager,
  type PagerState,
} from './pager.js';

/** The size of the screen at an interactive terminal (a pty); without one nothing is paged or wrapped. */
export interface Screen {
  readonly columns: number;
  readonly rows: number;
}

export interface TerminalHost {
  write(text: string): void;
  /** The session ended (`exit` in operational mode, Ctrl-D). */
  close(exitCode: number): void;
  complete(line: string, cursor: number): Completion;
  hostname(): string;
  readonly user: string;
  /** History to start with, and where to keep it. */
  readonly history: readonly string[];
  saveHistory(entries: readonly string[]): void;
  /** Lines shown once, before the first prompt (the post-login banner). */
  readonly greeting?: readonly string[];
}

/** What a front-end says when a line goes past MAX_LINE. */
export const TOO_LONG = `Error: a command line holds at most ${MAX_LINE} characters; what went past that was not taken, and this line will not run. Ctrl-U clears it.`;

export class PlainTerminal {
  private readonly editor: LineEditor;
  /** What is on the screen after the prompt, and where the cursor is in it. */
  private shown = '';
  private shownCursor = 0;
  private queue: Promise<void> = Promise.resolve();
  private busy = false;
  private lastWasTab = false;
  private closed = false;
  /** The too-long message was shown for this line. */
  private warned = false;
  /** Long output waiting at `--More--` (src/cli/pager.ts). */
  private pager: PagerState | undefined;

  /** `screen`: the terminal's size; without one (a test's host) output is neither paged nor wrapped. */
  constructor(
    private readonly engine: ShellEngine,
    private readonly host: TerminalHost,
    private screen?: Screen,
  ) {
    this.editor = new LineEditor(host.history);
    engine.screenColumns = screen?.columns;
  }

  /** The pty's window changed: pages and wrapping follow it. */
  resize(columns: number, rows: number): void {
    this.screen = { columns, rows };
    this.engine.screenColumns = columns;
  }

  prompt(): string {
    // Lines pasted after `load merge terminal` come without a prompt, as on Junos.
    if (this.engine.pasting) return '';
    const base = `${this.host.user}@${this.host.hostname()}`;
    if (this.engine.mode === 'operational') return `${base}:~$ `;
    const level = this.engine.editLevel;
    return `[edit${level.length ? ` ${level.join(' ')}` : ''}]\r\n${base}# `;
  }

  /** The last line of the prompt (what a redraw rewrites). */
  private promptLine(): string {
    const p = this.prompt();
    return p.slice(p.lastIndexOf('\n') + 1);
  }

  start(): void {
    const greeting = this.host.greeting ?? [];
    this.host.write(`${greeting.length > 0 ? `${greeting.join('\r\n')}\r\n` : ''}${this.prompt()}`);
  }

  /** Input from the terminal; commands run one at a time, in order. */
  feed(data: string): Promise<void> {
    // While a live command runs (ping, monitor), Ctrl-C or `q` stops it and other keys are dropped.
    if (liveKeys(this.engine, data)) return Promise.resolve();
    this.queue = this.queue.then(() => this.process(data));
    return this.queue;
  }

  private async process(data: string): Promise<void> {
    if (this.closed) return;
    if (this.pager) {
      this.pageKeys(data);
      return;
    }
    // While pasting (`load merge terminal`), `?` and TAB are text. Keys sent in the packet
    // of the command line itself are read as typed.
    this.editor.literal = this.engine.pasting;
    for (const action of this.editor.feed(data)) {
      if (this.closed) return;
      if (action.kind !== 'complete') this.lastWasTab = false;
      switch (action.kind) {
        case 'changed':
          if (action.buffer === '') this.warned = false;
          this.redraw(action.buffer, action.cursor);
          break;
        case 'submit':
          if (this.engine.pasting) this.pasteLine(action.line);
          else await this.submit(action.line, '\r\n', true);
          // Keys after a line whose output waits at --More-- are not typed ahead: dropped.
          if (this.pager) return;
          break;
        case 'interrupt':
          this.warned = false;
          if (this.engine.pasting) {
            this.host.write(`^C\r\n${this.engine.cancelPaste().output.join('\r\n')}\r\n`);
            this.shown = '';
            this.shownCursor = 0;
            this.host.write(this.prompt());
            break;
          }
          this.host.write('^C\r\n');
          this.shown = '';
          this.shownCursor = 0;
          this.host.write(this.prompt());
          break;
        case 'eof':
          if (this.engine.pasting) {
            this.host.write('\r\n');
            this.writeLines((await this.engine.endPaste()).output);
            this.host.write(this.prompt());
            break;
          }
          // Ctrl-D on an empty line is `exit`: up a level, refused with changes, or the end.
          await this.submit('exit', 'exit\r\n', false);
          break;
        case 'help':
          this.help();
          break;
        case 'complete':
          this.tab();
          break;
        case 'too-long':
          this.tooLong();
          break;
        case 'search':
          this.drawSearch(action.query, action.match, action.failed);
          break;
        case 'redraw':
          // No escape sequences here: the prompt and line again, on a line of their own.
          this.host.write(`\r\n${this.prompt()}${this.editor.buffer}`);
          this.shown = this.editor.buffer;
          this.shownCursor = this.shown.length;
          if (this.editor.cursor !== this.shown.length) this.redraw();
          break;
      }
    }
  }

  /** A line of `load ... terminal`'s input: kept by the engine, not run, not in the history. */
  private pasteLine(line: string): void {
    this.host.write('\r\n');
    this.shown = '';
    this.shownCursor = 0;
    const over = this.engine.paste(line);
    if (over) this.host.write(`${over.output.join('\r\n')}\r\n${this.prompt()}`);
  }

  /** Show at once what the engine has to tell (a commit confirmed rolled back), then the prompt again. */
  notify(): void {
    this.queue = this.queue.then(() => {
      // At --More-- the news waits: the next command tells it.
      if (this.closed || this.pager) return;
      const lines = this.engine.news();
      if (lines.length === 0) return;
      this.host.write(`\r\n${lines.join('\r\n')}\r\n${this.prompt()}${this.editor.buffer}`);
      this.shown = this.editor.buffer;
      this.shownCursor = this.shown.length;
      if (this.editor.cursor !== this.shown.length) this.redraw();
    });
  }

  /** Past MAX_LINE: the bell, and once per line the reason on a line of its own. */
  private tooLong(): void {
    if (this.warned) {
      this.host.write('\x07');
      return;
    }
    this.warned = true;
    this.host.write(`\x07\r\n${TOO_LONG}\r\n${this.prompt()}${this.editor.buffer}`);
    this.shown = this.editor.buffer;
    this.shownCursor = this.shown.length;
    if (this.editor.cursor !== this.shown.length) this.redraw();
  }

  /** Run a line after `echo` (what ends the line on the screen), then prompt again; `remember` keeps it in the history. */
  private async submit(line: string, echo: string, remember: boolean): Promise<void> {
    this.warned = false;
    this.host.write(echo);
    this.shown = '';
    this.shownCursor = 0;
    await this.run(line, remember);
    if (this.closed) return;
    this.host.write(this.pager ? MORE_PROMPT : this.prompt());
  }

  /** Output of a typed command: paged when it is longer than a page at a terminal. */
  private show(output: LineOutput): void {
    if (this.pager) {
      this.pager = appendToPager(this.pager, output.lines);
      return;
    }
    const pager =
      this.screen &&
      startPager(output.lines, {
        ok: output.ok,
        noMore: output.noMore,
        length: this.engine.terminal.length,
        rows: this.screen.rows,
      });
    if (!pager) {
      this.writeLines(output.lines);
      return;
    }
    this.writeLines(pager.lines.slice(0, shownCount(pager)));
    this.pager = pager;
  }

  /** Keys at `--More--`: space a page, enter a line, G the rest, q (or Ctrl-C) the prompt. */
  private pageKeys(data: string): void {
    for (const key of data) {
      const pager = this.pager;
      if (!pager) return;
      const step = pagerStep(pager, pagerKey(key));
      if (step.state === pager) continue;
      // --More-- is rubbed out with spaces (no escape sequences), and the lines take its place.
      this.host.write(`\r${' '.repeat(MORE_PROMPT.length)}\r`);
      this.writeLines(pager.lines.slice(step.from, step.to));
      this.pager = step.state;
      this.host.write(this.pager ? MORE_PROMPT : this.prompt());
    }
  }

  private end(code: number): void {
    this.dispose();
    this.host.close(code);
  }

  /** The session is over (ended here, or the connection dropped): keep history, free locks. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.saveHistory(this.editor.entries);
    this.engine.dispose();
  }

  private async run(line: string, remember: boolean): Promise<void> {
    this.busy = true;
    try {
      const { exit, history } = await runTypedLine(
        this.engine,
        line,
        this.promptLine().length,
        (o) => this.show(o),
        (l) => this.writeLines([l]),
      );
      if (remember) this.editor.remember(history);
      if (exit) this.end(0);
    } finally {
      this.busy = false;
    }
  }

  private writeLines(lines: readonly string[]): void {
    if (lines.length > 0) this.host.write(`${lines.join('\r\n')}\r\n`);
  }

  /** The width of a Ctrl-R search line on the screen (0: the prompt and line are). */
  private searchWidth = 0;

  /** `(reverse-i-search)'query': match` in place of the prompt line, with plain characters only. */
  private drawSearch(query: string, match: string, failed: boolean): void {
    const text = `(${failed ? 'failed ' : ''}reverse-i-search)'${query}': ${match}`;
    const drawn = this.searchWidth || this.promptLine().length + this.shown.length;
    const pad = Math.max(0, drawn - text.length);
    this.host.write(`\r${text}${' '.repeat(pad)}${'\b'.repeat(pad)}`);
    this.searchWidth = text.length;
  }

  /** Bring the screen in line with the editor, with plain characters only. */
  private redraw(buffer = this.editor.buffer, cursor = this.editor.cursor): void {
    if (this.searchWidth > 0) {
      // A search line is on the screen: the prompt and line replace it.
      const line = `${this.promptLine()}${buffer}`;
      const pad = Math.max(0, this.searchWidth - line.length);
      this.host.write(`\r${line}${' '.repeat(pad)}${'\b'.repeat(pad + buffer.length - cursor)}`);
      this.searchWidth = 0;
    } else if (
      buffer.startsWith(this.shown) &&
      this.shownCursor === this.shown.length &&
      cursor === buffer.length
    ) {
      this.host.write(buffer.slice(this.shown.length));
    } else if (
      this.shown.startsWith(buffer) &&
      this.shownCursor === this.shown.length &&
      cursor === buffer.length
    ) {
      this.host.write('\b \b'.repeat(this.shown.length - buffer.length));
    } else {
      const pad = Math.max(0, this.shown.length - buffer.length);
      this.host.write(
        `\r${this.promptLine()}${buffer}${' '.repeat(pad)}${'\b'.repeat(pad + buffer.length - cursor)}`,
      );
    }
    this.shown = buffer;
    this.shownCursor = cursor;
  }

  private help(): void {
    const completion = this.host.complete(this.editor.buffer, this.editor.cursor);
    this.host.write(
      `?\r\n${formatHelp(completion).join('\r\n')}\r\n${this.prompt()}${this.editor.buffer}`,
    );
    this.shown = this.editor.buffer;
    this.shownCursor = this.shown.length;
    if (this.editor.cursor !== this.shown.length) this.redraw();
  }

  private tab(): void {
    const { buffer, cursor } = this.editor;
    const action = tabAction(this.host.complete(buffer, cursor), this.lastWasTab);
    switch (action.kind) {
      case 'insert':
        this.editor.setLine(
          buffer.slice(0, cursor) + action.text + buffer.slice(cursor),
          cursor + action.text.length,
        );
        this.redraw();
        this.lastWasTab = !action.final;
        return;
      case 'list':
        // The second TAB lists the choices.
        this.host.write(
          `\r\n${action.lines.join('\r\n')}\r\n${this.prompt()}${this.editor.buffer}`,
        );
        this.shown = this.editor.buffer;
        this.shownCursor = this.shown.length;
        this.lastWasTab = false;
        return;
      case 'nothing':
        this.lastWasTab = true;
    }
  }

  get isBusy(): boolean {
    return this.busy;
  }
}

/**
 * Keys typed while a live command runs (ping, monitor): Ctrl-C or `q` stops
 * it; the rest is dropped. False when no live command runs (the keys are typed ahead).
 */
export function liveKeys(engine: ShellEngine, data: string): boolean {
  if (!engine.live) return false;
  if (data.includes('\x03') || data.includes('q')) engine.interrupt();
  return true;
}

export interface LineOutput {
  readonly lines: readonly string[];
  readonly ok: boolean;
  /** `| no-more` was asked for. */
  readonly noMore: boolean;
}

const caret = (promptWidth: number, column: number): string =>
  `${' '.repeat(Math.max(0, promptWidth + column - 1))}^`;

export interface TypedLineResult {
  /** The session asked to end. */
  readonly exit: boolean;
  /** The line as the history keeps it: secret values masked. */
  readonly history: string;
}

/**
 * One line typed at a prompt: its commands run in order until one fails, and
 * each result is handed to the front-end to draw, with a `^` under a word that
 * is wrong.
 */
export async function runTypedLine(
  engine: ShellEngine,
  line: string,
  promptWidth: number,
  draw: (output: LineOutput) => void,
  live?: (line: string) => void,
): Promise<TypedLineResult> {
  const parsed = parseScript(line);
  if (parsed.errors.length > 0) {
    draw({
      lines: parsed.errors.flatMap((e) => [caret(promptWidth, e.column), `Error: ${e.message}`]),
      ok: false,
      noMore: true,
    });
    return { exit: false, history: maskAfterSecretNames(line, engine.schema) };
  }
  // Each command's secret is found at the edit level it runs at (or would have run at).
  const secrets: { from: number; to: number }[] = [];
  const noteSecret = (command: Command): void => {
    const index = engine.secretWord(command.words.map((w) => w.text));
    if (index !== undefined && index < command.words.length)
      secrets.push(wordsSpan(command, index));
  };
  let exit = false;
  let next = 0;
  while (next < parsed.commands.length) {
    const command = parsed.commands[next++]!;
    noteSecret(command);
    const result = await engine.execute(command, live ? { live } : {});
    const pointer =
      !result.ok && result.errorColumn !== undefined
        ? [caret(promptWidth, result.errorColumn)]
        : [];
    draw({ lines: [...pointer, ...result.output], ok: result.ok, noMore: result.noMore ?? false });
    exit = result.exit ?? false;
    if (exit || !result.ok) break;
  }
  for (const command of parsed.commands.slice(next)) noteSecret(command);
  return { exit, history: maskSpans(line, secrets) };
}

/**
 * Run a script without a terminal (an SSH exec request, piped stdin, `fos -c`):
 * no prompts, stops at the first error. Returns the exit status.
 */
export async function runScript(
  engine: ShellEngine,
  script: string,
  write: (text: string) => void,
  writeError: (text: string) => void,
  interrupted?: AbortSignal,
): Promise<number> {
  // The client went away or sent a signal: the live command stops, and nothing after it runs.
  const stop = (): void => void engine.interrupt();
  interrupted?.addEventListener('abort', stop);
  try {
    return await runCommands(engine, script, write, writeError, interrupted);
  } finally {
    interrupted?.removeEventListener('abort', stop);
  }
}

async function runCommands(
  engine: ShellEngine,
  script: string,
  write: (text: string) => void,
  writeError: (text: string) => void,
  interrupted: AbortSignal | undefined,
): Promise<number> {
  const tooLarge = scriptTooLarge(script);
  if (tooLarge !== undefined) {
    writeError(`${tooLarge}\n`);
    engine.dispose();
    return 1;
  }
  const parsed = parseScript(script);
  if (parsed.errors.length > 0) {
    for (const e of parsed.errors) writeError(`line ${e.line}, column ${e.column}: ${e.message}\n`);
    engine.dispose();
    return 1;
  }
  for (const command of parsed.commands) {
    if (interrupted?.aborted) break;
    const result = await engine.execute(command, { live: (line) => write(`${line}\n`) });
    if (engine.pasting) {
      engine.cancelPaste();
      writeError(
        "'load ... terminal' reads pasted lines in a terminal session; without one, use 'load merge FILE'\n",
      );
      engine.dispose();
      return 1;
    }
    const text = result.output.length ? `${result.output.join('\n')}\n` : '';
    if (!result.ok) {
      writeError(text);
      engine.dispose();
      return result.exitCode ?? 1;
    }
    write(text);
    if (result.exit) break;
  }
  engine.dispose();
  return 0;
}
