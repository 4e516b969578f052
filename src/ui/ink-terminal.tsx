/**
 * The ink front-end, for a person at a capable terminal: the transcript above,
 * the prompt line with its cursor, completion lists below it, coloured
 * compare output, a spinner naming the commit step, and a pager. The shell
 * itself (modes, editing, completion, commands) is src/cli; this only draws.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { Box, render, Static, Text, type Instance } from 'ink';
import { useLayoutEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { formatHelp, tabAction } from '../cli/complete.js';
import type { ShellEngine } from '../cli/engine.js';
import { LineEditor } from '../cli/line-editor.js';
import { appendToPager, MORE_PROMPT, pagerKey, pagerStep, startPager } from '../cli/pager.js';
import { liveKeys, runTypedLine, TOO_LONG, type TerminalHost } from '../cli/terminal.js';

interface TranscriptLine {
  readonly id: number;
  readonly text: string;
  readonly tone: 'plain' | 'added' | 'removed' | 'changed' | 'error';
}

interface ViewState {
  readonly transcript: readonly TranscriptLine[];
  readonly header: string | undefined;
  readonly prompt: string;
  readonly buffer: string;
  readonly cursor: number;
  /** Help or a completion list, shown under the prompt until the next key. */
  readonly panel: readonly string[] | undefined;
  /** The step of a running command, once it has run for a moment. */
  readonly busy: string | undefined;
  readonly pager:
    | { readonly lines: readonly string[]; readonly offset: number; readonly page: number }
    | undefined;
  readonly rows: number;
  readonly columns: number;
  readonly spinner: number;
}

class ViewStore {
  /** The id of the last transcript line ink has written: lines up to it may be dropped. */
  written = -1;
  private listeners = new Set<() => void>();
  constructor(public state: ViewState) {}
  set(patch: Partial<ViewState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  get = (): ViewState => this.state;
}

/** See InkTerminal.renewInk: about 4 MB of text. */
const RENEW_AFTER_CHARS = 4_000_000;

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function toneOf(line: string): TranscriptLine['tone'] {
  if (line.startsWith('+ ')) return 'added';
  if (line.startsWith('- ')) return 'removed';
  // A node whose inactive mark changed (deactivate / activate).
  if (line.startsWith('! ')) return 'changed';
  return 'plain';
}

function Line({ line }: { line: TranscriptLine }): React.JSX.Element {
  const color =
    line.tone === 'added'
      ? 'green'
      : line.tone === 'removed'
        ? 'red'
        : line.tone === 'changed'
          ? 'yellow'
          : line.tone === 'error'
            ? 'redBright'
            : undefined;
  return color ? <Text color={color}>{line.text || ' '}</Text> : <Text>{line.text || ' '}</Text>;
}

/**
 * The part of a long line that is drawn: at most `room` characters around the
 * cursor, a `…` marking what is cut off. Drawing all of a 64 KiB line would
 * fill the screen many times over on every key.
 */
export function visiblePart(
  buffer: string,
  cursor: number,
  room: number,
): { text: string; cursor: number } {
  if (buffer.length < room) return { text: buffer, cursor };
  const width = Math.max(8, room - 2);
  const start = Math.min(Math.max(0, cursor - Math.floor(width / 2)), buffer.length + 1 - width);
  const end = start + width;
  const head = start > 0 ? '…' : '';
  const tail = end < buffer.length ? '…' : '';
  return {
    text: `${head}${buffer.slice(start, end)}${tail}`,
    cursor: cursor - start + head.length,
  };
}

/**
 * The transcript, written once above the live part. Ink's <Static> writes the items past the
 * count it wrote before, so a transcript kept to its last N lines stopped being written once it
 * had N (a session went silent after 2000 lines). Here a <Static> is given only the lines not
 * yet written, and starts again (a new key) once they are, so written lines can be dropped.
 */
function Transcript({ store, lines }: { store: ViewStore; lines: readonly TranscriptLine[] }) {
  const [written, setWritten] = useState(store.written);
  const fresh = useMemo(() => lines.filter((line) => line.id > written), [lines, written]);
  const last = fresh.at(-1)?.id;
  // Layout effects run after ink has written the commit's <Static> lines.
  useLayoutEffect(() => {
    if (last === undefined) return;
    store.written = last;
    setWritten(last);
  }, [store, last]);
  return (
    <Static key={written} items={fresh}>
      {(line) => <Line key={line.id} line={line} />}
    </Static>
  );
}

function View({ store }: { store: ViewStore }): React.JSX.Element {
  const s = useSyncExternalStore(store.subscribe, store.get);
  const shown = visiblePart(s.buffer, s.cursor, s.columns * Math.max(1, Math.floor(s.rows / 2)));
  const before = shown.text.slice(0, shown.cursor);
  const at = shown.text[shown.cursor] ?? ' ';
  const after = shown.text.slice(shown.cursor + 1);
  return (
    <>
      <Transcript store={store} lines={s.transcript} />
      {s.pager ? (
        <Box flexDirection="column">
          {s.pager.lines.slice(s.pager.offset, s.pager.offset + s.pager.page).map((text, i) => (
            <Line key={i} line={{ id: i, text, tone: toneOf(text) }} />
          ))}
          <Text inverse>{MORE_PROMPT}</Text>
        </Box>
      ) : s.busy ? (
        <Text color="cyan">
          {SPINNER[s.spinner % SPINNER.length]} {s.busy}
        </Text>
      ) : (
        <Box flexDirection="column">
          {s.header ? <Text color="blue">{s.header}</Text> : null}
          <Text>
            <Text bold>{s.prompt}</Text>
            {before}
            <Text inverse>{at}</Text>
            {after}
          </Text>
          {s.panel ? (
            <Box flexDirection="column">
              {s.panel.map((text, i) => (
                <Text key={i} color={i === 0 && text.startsWith('Possible') ? 'yellow' : undefined}>
                  {text}
                </Text>
              ))}
            </Box>
          ) : null}
        </Box>
      )}
    </>
  );
}

/** What ink needs of an output stream; over SSH it wraps the channel. */
export class TerminalOutput extends EventEmitter {
  readonly isTTY = true;
  constructor(
    private readonly sink: (text: string) => void,
    public columns: number,
    public rows: number,
    private readonly crlf: boolean,
  ) {
    super();
  }
  write(text: string): boolean {
    this.sink(this.crlf ? text.replace(/\r?\n/g, '\r\n') : text);
    return true;
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

export interface InkOptions {
  readonly columns: number;
  readonly rows: number;
  /** Over SSH there is no line discipline: `\n` must become `\r\n`. */
  readonly crlf: boolean;
  /** Use this stream as ink's stdout (the local terminal); otherwise write through the host. */
  readonly stdout?: NodeJS.WriteStream;
  /** After how many characters of transcript ink is mounted anew (see renewInk); tests set it low. */
  readonly renewAfterChars?: number;
}

export class InkTerminal {
  private readonly editor: LineEditor;
  private readonly store: ViewStore;
  private readonly output: TerminalOutput | undefined;
  private instance: Instance | undefined;
  private nextId = 0;
  private queue: Promise<void> = Promise.resolve();
  private lastWasTab = false;
  private closed = false;
  private spinTimer: NodeJS.Timeout | undefined;
  /** A Ctrl-R search is drawn in place of the prompt. */
  private searching = false;
  /** Ink instances this session has had (the first, then one per renewInk). */
  mounts = 0;
  /** Characters of transcript written since ink was last mounted. */
  private writtenChars = 0;

  constructor(
    private readonly engine: ShellEngine,
    private readonly host: TerminalHost,
    private readonly options: InkOptions,
  ) {
    this.editor = new LineEditor(host.history);
    this.store = new ViewStore({
      transcript: [],
      header: undefined,
      prompt: '',
      buffer: '',
      cursor: 0,
      panel: undefined,
      busy: undefined,
      pager: undefined,
      rows: options.rows,
      columns: options.columns,
      spinner: 0,
    });
    this.output = options.stdout
      ? undefined
      : new TerminalOutput(host.write, options.columns, options.rows, options.crlf);
    engine.onProgress = (step) => this.store.set({ busy: step });
    engine.screenColumns = options.columns;
  }

  private promptParts(): { header: string | undefined; prompt: string } {
    // Lines pasted after `load merge terminal` come without a prompt, as on Junos.
    if (this.engine.pasting) return { header: undefined, prompt: '' };
    const base = `${this.host.user}@${this.host.hostname()}`;
    if (this.engine.mode === 'operational') return { header: undefined, prompt: `${base}:~$ ` };
    const level = this.engine.editLevel;
    return { header: `[edit${level.length ? ` ${level.join(' ')}` : ''}]`, prompt: `${base}# ` };
  }

  start(): void {
    // Part of the transcript, so that a redraw of the screen keeps it.
    if (this.host.greeting?.length) this.append(this.host.greeting, 'plain');
    this.store.set(this.promptParts());
    this.mount();
  }

  private mount(): void {
    this.mounts++;
    this.writtenChars = 0;
    const stdout = (this.options.stdout ?? this.output) as unknown as NodeJS.WriteStream;
    const stdin = Object.assign(new PassThrough(), {
      isTTY: false,
      setRawMode: () => undefined,
    }) as unknown as NodeJS.ReadStream;
    this.instance = render(<View store={this.store} />, {
      stdout,
      stdin,
      stderr: stdout,
      exitOnCtrlC: false,
      patchConsole: false,
    });
  }

  resize(columns: number, rows: number): void {
    this.output?.resize(columns, rows);
    this.store.set({ rows, columns });
    this.engine.screenColumns = columns;
  }

  feed(data: string): Promise<void> {
    // While a live command runs (ping, monitor), Ctrl-C or `q` stops it and other keys are dropped.
    if (liveKeys(this.engine, data)) return Promise.resolve();
    this.queue = this.queue.then(() => this.process(data));
    return this.queue;
  }

  private append(lines: readonly string[], tone?: TranscriptLine['tone']): void {
    const added = lines.map((text) => ({ id: this.nextId++, text, tone: tone ?? toneOf(text) }));
    for (const line of lines) this.writtenChars += line.length + 1;
    const { written } = this.store;
    const unwritten = this.store.state.transcript.filter((line) => line.id > written);
    this.store.set({ transcript: [...unwritten, ...added] });
  }

  /** Keys at `--More--` (src/cli/pager.ts): lines that leave the page go to the transcript. */
  private pageKeys(data: string): void {
    for (const key of data) {
      const pager = this.store.state.pager;
      if (!pager) return;
      const step = pagerStep(pager, pagerKey(key));
      this.append(pager.lines.slice(pager.offset, step.state ? step.state.offset : step.to));
      this.store.set({ pager: step.state });
    }
  }

  private async process(data: string): Promise<void> {
    if (this.closed) return;
    if (this.store.state.pager) {
      this.pageKeys(data);
      return;
    }
    // Edits are drawn once per packet (and before anything else happens): a render costs
    // the length of the line, so one per typed character would cost its square.
    let edited: { buffer: string; cursor: number } | undefined;
    const draw = (): void => {
      if (edited) {
        // A Ctrl-R search ended: the prompt is the prompt again.
        const prompt = this.searching ? { prompt: this.promptParts().prompt } : {};
        this.searching = false;
        this.store.set({ ...edited, ...prompt, panel: undefined });
      }
      edited = undefined;
    };
    // While pasting (`load merge terminal`), `?` and TAB are text. Keys sent in the packet
    // of the command line itself are read as typed.
    this.editor.literal = this.engine.pasting;
    for (const action of this.editor.feed(data)) {
      if (this.closed) return;
      if (action.kind !== 'complete') this.lastWasTab = false;
      if (action.kind === 'changed') {
        edited = { buffer: action.buffer, cursor: action.cursor };
        continue;
      }
      draw();
      switch (action.kind) {
        case 'submit':
          if (this.engine.pasting) {
            this.append([action.line], 'plain');
            this.store.set({ buffer: '', cursor: 0, panel: undefined });
            const over = this.engine.paste(action.line);
            if (over) this.show(over.output, false, true);
            this.store.set(this.promptParts());
          } else await this.submit(action.line, true);
          break;
        case 'interrupt':
          if (this.engine.pasting) {
            this.append(['^C', ...this.engine.cancelPaste().output], 'plain');
            this.store.set({ buffer: '', cursor: 0, panel: undefined, ...this.promptParts() });
            break;
          }
          this.append([`${this.promptParts().prompt}^C`], 'plain');
          this.store.set({ buffer: '', cursor: 0, panel: undefined });
          break;
        case 'eof':
          if (this.engine.pasting) {
            const loaded = await this.engine.endPaste();
            this.show(loaded.output, loaded.ok, true);
            this.store.set(this.promptParts());
            break;
          }
          // Ctrl-D on an empty line is `exit`: up a level, refused with changes, or the end.
          await this.submit('exit', false);
          break;
        case 'help':
          this.showPanel(formatHelp(this.host.complete(this.editor.buffer, this.editor.cursor)));
          break;
        case 'complete':
          this.tab();
          break;
        case 'too-long':
          if (this.store.state.panel?.[0] !== TOO_LONG) this.store.set({ panel: [TOO_LONG] });
          break;
        case 'search':
          this.searching = true;
          this.store.set({
            prompt: `(${action.failed ? 'failed ' : ''}reverse-i-search)'${action.query}': `,
            buffer: action.match,
            cursor: action.match.length,
            panel: undefined,
          });
          break;
        case 'redraw':
          this.clearScreen();
          break;
      }
    }
    if (!this.closed) draw();
  }

  /**
   * Ink keeps everything it has written in one string for the life of its instance
   * (`fullStaticOutput`), so a session's memory would grow with all it ever printed. After
   * RENEW_AFTER_CHARS, once every transcript line is written and no pager waits, the instance is
   * unmounted (its live part cleared first) and a new one mounted: what it held is freed.
   */
  private renewInk(): void {
    const limit = this.options.renewAfterChars ?? RENEW_AFTER_CHARS;
    if (this.closed || !this.instance || this.writtenChars < limit) return;
    if (this.store.state.pager || this.store.written < this.nextId - 1) return;
    this.instance.clear();
    this.instance.unmount();
    this.mount();
  }

  /** Run a line as typed; `remember` keeps it in the history. */
  private async submit(line: string, remember: boolean): Promise<void> {
    this.renewInk();
    const { header, prompt } = this.promptParts();
    this.append([...(header ? [header] : []), `${prompt}${line}`], 'plain');
    this.store.set({ buffer: '', cursor: 0, panel: undefined });
    await this.run(line, remember);
    if (!this.closed) this.store.set(this.promptParts());
  }

  /** Ctrl-L: the screen cleared, the prompt and line drawn again at the top. */
  private clearScreen(): void {
    this.instance?.clear();
    const clear = '\x1b[2J\x1b[3J\x1b[H';
    if (this.options.stdout) this.options.stdout.write(clear);
    else this.host.write(clear);
    this.store.set({ panel: undefined, spinner: this.store.state.spinner });
  }

  /**
   * Help or a completion list under the prompt. Ink clears the screen and its scrollback and
   * writes the whole session again whenever its live part is as tall as the screen, so a list
   * too tall for it is written above the prompt instead, as bash writes one.
   */
  private showPanel(lines: readonly string[]): void {
    const { rows, columns, prompt } = this.store.state;
    const promptRows = Math.ceil((prompt.length + this.editor.buffer.length + 1) / columns);
    if (1 + promptRows + lines.length < rows) {
      this.store.set({ panel: lines });
      return;
    }
    this.append([`${prompt}${this.editor.buffer}`, ...lines], 'plain');
    this.store.set({ panel: undefined });
  }

  private tab(): void {
    const { buffer, cursor } = this.editor;
    const action = tabAction(this.host.complete(buffer, cursor), this.lastWasTab);
    if (action.kind === 'insert') {
      this.editor.setLine(
        buffer.slice(0, cursor) + action.text + buffer.slice(cursor),
        cursor + action.text.length,
      );
      this.store.set({ buffer: this.editor.buffer, cursor: this.editor.cursor, panel: undefined });
      this.lastWasTab = !action.final;
    } else if (action.kind === 'list') {
      this.showPanel(action.lines);
      this.lastWasTab = false;
    } else this.lastWasTab = true;
  }

  private async run(line: string, remember: boolean): Promise<void> {
    // A command that takes more than a moment shows a spinner with its step.
    const slow = setTimeout(() => {
      if (!this.store.state.busy) this.store.set({ busy: 'working' });
      this.spinTimer = setInterval(
        () => this.store.set({ spinner: this.store.state.spinner + 1 }),
        80,
      );
    }, 150);
    try {
      const { exit, history } = await runTypedLine(
        this.engine,
        line,
        this.promptParts().prompt.length,
        (o) => this.show(o.lines, o.ok, o.noMore),
        (l) => this.append([l]),
      );
      if (remember) this.editor.remember(history);
      if (exit) this.end(0);
    } finally {
      clearTimeout(slow);
      if (this.spinTimer) clearInterval(this.spinTimer);
      this.store.set({ busy: undefined });
    }
  }

  /** Long output goes through the pager unless the terminal length is 0 or `| no-more` is asked. */
  private show(lines: readonly string[], ok: boolean, noMore: boolean): void {
    const waiting = this.store.state.pager;
    if (waiting) {
      this.store.set({ pager: appendToPager(waiting, lines) });
      return;
    }
    // A page leaves the screen's last row free: ink clears the screen and its scrollback and
    // writes the whole session again whenever its live part (the page and --More--) fills it.
    const { rows } = this.store.state;
    const length = this.engine.terminal.length;
    const pager = startPager(lines, {
      ok,
      noMore,
      length: length ? Math.max(1, Math.min(length, rows - 2)) : length,
      rows: rows - 1,
    });
    if (pager) this.store.set({ pager });
    else this.append(lines, ok ? undefined : 'error');
  }

  /** Show at once what the engine has to tell (a commit confirmed rolled back). */
  notify(): void {
    this.queue = this.queue.then(() => {
      if (this.closed) return;
      const lines = this.engine.news();
      if (lines.length > 0) this.append(lines, 'error');
    });
  }

  private end(code: number): void {
    this.dispose();
    this.host.close(code);
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.saveHistory(this.editor.entries);
    this.engine.dispose();
    this.instance?.unmount();
  }
}
