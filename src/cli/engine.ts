/**
 * The shell engine, without any I/O of its own: operational and configuration
 * mode, dispatch of one parsed command at a time, and output pipes. Batches
 * (`fos -c`), and later the interactive front-ends, all drive this.
 */
import { excerpt, type Command } from '../../grammar/index.js';
import {
  applyActivation,
  applyComment,
  checkLeafValue,
  applyDelete,
  applyInsert,
  applySet,
  describeEditError,
  detectForm,
  didYouMean,
  errorWordIndex,
  diffCurly,
  formatPath,
  formatSetPath,
  getNode,
  onlyAt,
  loadConfigTextSliced,
  loadSetFormSliced,
  matchKeyword,
  redactCommand,
  referencesNaming,
  renameEntry,
  redactSecrets,
  secretWordIndex,
  schemaAt,
  setCommands,
  toCurly,
  toSetForm,
  treesEqual,
  TreeEditor,
  type ConfigNode,
} from '../config/index.js';
import type { CommitOutcome } from '../commit/outcome.js';
import { describeOutcome, succeeded } from '../commit/outcome.js';
import type { CommitRequest } from '../commit/router.js';
import type { ContainerNode } from '../schema/index.js';
import { rebase, startSession, type Session } from '../session/index.js';
import { loginLevel } from '../verify/index.js';
import type { Origin, RevisionSummary } from '../store/store.js';
import {
  ConfigurationView,
  describeOpError,
  OpError,
  opTree,
  present,
  presentCommand,
  resolveOp,
  type OpContext,
  type OpSystem,
  type ShellControl,
} from '../op/index.js';
import { expandConfiguration } from './expand.js';
import { configurationHelp, opHelp } from './help.js';
import { MAX_LINE, MAX_SCRIPT_BYTES } from './limits.js';
import { runPipes } from './pipes.js';

export { VERSION } from '../op/index.js';

/** What `set terminal ...` changed, for the front-end (pager, width). */
export interface TerminalSettings {
  length: number | undefined;
  width: number | undefined;
}

/**
 * What the engine needs from the router: the running configuration and
 * revisions (which operational commands read too, see src/op), commits, locks
 * and the audit log.
 */
export interface RouterAccess extends OpSystem {
  commit(request: CommitRequest): Promise<CommitOutcome>;
  /** True when a pending confirmation was cleared; an outcome when the commit lock was not to be had. */
  confirm(user: string, session: string): Promise<boolean | CommitOutcome>;
  takeExclusive(
    session: string,
    user: string,
  ): { ok: true } | { ok: false; holder: { user: string; since: string } };
  releaseExclusive(session: string): void;
  audit(kind: string, text: string, outcome: string): void;
}

/**
 * Files that `save`, `load` and `merge` name. The front-end decides which
 * names may be reached (the configuration directory over SSH); a refusal is
 * thrown as an Error whose message names the file.
 */
export interface FileAccess {
  read(name: string): string;
  write(name: string, text: string): void;
}

/** What `save` and `load` use without a name, as VyOS's /config/config.boot. */
export const DEFAULT_CONFIG_FILE = 'config.boot';
/** How `load` applies a text: all of it, its top-level sections, merged, or as set commands. */
type LoadHow = 'override' | 'replace' | 'merge' | 'set';
const LOAD_HOWS: readonly LoadHow[] = ['override', 'replace', 'merge', 'set'];
/** Narrower than this, wrapped output would be unreadable: a smaller width is taken as this. */
const MIN_WRAP_WIDTH = 20;
/** What `load ... terminal` takes in all, as a script without a terminal may be. */
const MAX_PASTE_CHARACTERS = MAX_SCRIPT_BYTES;
/** How many problems of a file `load` lists before it only counts them. */
const MAX_LOAD_PROBLEMS = 20;

export interface ShellIdentity {
  readonly user: string;
  readonly session: string;
  readonly origin: Origin;
  /** May this session see secrets with `| display secrets`? */
  readonly allowSecrets: boolean;
}

export interface CommandResult {
  readonly output: string[];
  readonly ok: boolean;
  /** The session asked to end (`exit` in operational mode). */
  readonly exit?: boolean;
  /** `| no-more`: print it all, no pager. */
  readonly noMore?: boolean;
  /** For an error about one word: which word of the command (0 is the verb). */
  readonly wordIndex?: number;
  /** ...and its column in the line as typed, for a `^` under it. */
  readonly errorColumn?: number;
  /** The exit status a script ends with when this command fails (a tool's own, as ping's). */
  readonly exitCode?: number;
}

/** How a front-end takes the lines of a live command (ping, monitor) as they come. */
export interface ExecuteOptions {
  /** Each line of a live command's text view, at once; without it they come in the result. */
  readonly live?: (line: string) => void;
}

const ok = (...output: string[]): CommandResult => ({ output, ok: true });
const fail = (...output: string[]): CommandResult => ({ output, ok: false });
// For output of any length: spreading 45,000 lines into ok(...) overflows the call stack.
const okLines = (output: string[]): CommandResult => ({ output, ok: true });

/** What `rename` tells: the references it rewrote, a few by path, the rest counted. */
function renamedReferences(paths: readonly (readonly string[])[]): string[] {
  if (paths.length === 0) return [];
  const shown = paths.slice(0, 5).map((p) => `  ${formatPath(p)}`);
  const more = paths.length > shown.length ? [`  and ${paths.length - shown.length} more`] : [];
  return [
    `Renamed it in ${paths.length} reference${paths.length === 1 ? '' : 's'}:`,
    ...shown,
    ...more,
  ];
}
const failLines = (output: string[]): CommandResult => ({ output, ok: false });

export class ShellEngine {
  private session: Session | undefined;
  /** The newest revision this session has taken account of (told about, or stands on). */
  private seenId: number;
  /** Set for the command being run when it asked for `| display secrets`. */
  private showSecrets = false;
  readonly terminal: TerminalSettings = { length: undefined, width: undefined };
  /**
   * The columns of the screen an interactive front-end draws on (the pty's over
   * SSH); undefined without a terminal (exec, `fos -c`, a script), where no
   * output is wrapped.
   */
  screenColumns: number | undefined;
  /** The width the command being run wraps its text view at (see wrapWidth). */
  private wrapAt: number | undefined;
  /** Told each pipeline step of a running commit (for a progress display). */
  onProgress: ((step: string) => void) | undefined;

  constructor(
    readonly schema: ContainerNode,
    private readonly router: RouterAccess,
    private readonly files: FileAccess,
    private readonly identity: ShellIdentity,
  ) {
    this.seenId = router.running().id;
  }

  get mode(): 'operational' | 'configuration' {
    return this.session ? 'configuration' : 'operational';
  }

  get editLevel(): readonly string[] {
    return this.session?.level ?? [];
  }

  /** The tree completion offers names from: the candidate in configuration mode, else running. */
  get completionTree(): ConfigNode {
    return this.session?.candidate ?? this.router.running().tree;
  }

  /** Uncommitted changes in this session's candidate. */
  get modified(): boolean {
    return this.session !== undefined && !treesEqual(this.session.candidate, this.session.baseTree);
  }

  /** The live command running now, and what stops it. */
  private running: AbortController | undefined;

  /** A live command (ping, monitor) is running: Ctrl-C and `q` are for it. */
  get live(): boolean {
    return this.running !== undefined;
  }

  /** Stop the live command that runs now (Ctrl-C, `q`); false when none runs. */
  interrupt(): boolean {
    if (!this.running) return false;
    this.running.abort();
    return true;
  }

  async execute(command: Command, options: ExecuteOptions = {}): Promise<CommandResult> {
    const typed = command.words.map((w) => w.text);
    // Prefixes of keywords are written out before anything reads the words (see expand.ts).
    const expanded = this.session
      ? expandConfiguration(this.schema, this.session.level, typed)
      : ({ ok: true, words: typed } as const);
    let words = expanded.ok ? [...expanded.words] : typed;
    let pipes = command.pipes.map((p) => expandPipe(p.map((w) => w.text)));
    // Junos's `show [PATH] | compare [rollback N]` is `compare [rollback N]` of what is at the
    // edit level (and PATH) only.
    this.compareWithin = [];
    if (this.session && words[0] === 'show' && pipes[0]?.[0] === 'compare') {
      this.compareWithin = [...this.session.level, ...words.slice(1)];
      words = pipes[0];
      pipes = pipes.slice(1);
    }
    const displays = pipes.filter((p) => p[0] === 'display').map((p) => p[1] ?? '');
    const unknown = displays.find((d) => !['set', 'json', 'secrets'].includes(d));
    if (unknown !== undefined)
      return fail(
        `unknown display format '${excerpt(unknown)}'${didYouMean(unknown, DISPLAYS)}; expected set, json or secrets`,
      );
    const display = displays.find((d) => d !== 'secrets');
    this.showSecrets = displays.includes('secrets');
    if (this.showSecrets && !this.identity.allowSecrets)
      return fail('display secrets is not allowed for this session');
    const notices = this.catchUp(false);
    this.wrapAt = this.wrapWidth(display, pipes);
    const configuring = this.session !== undefined;
    const levelBefore = this.session?.level ?? [];
    // Lines stream only to a text view that no pipe filters or counts.
    const live =
      display === undefined && pipes.every((p) => p[0] === 'no-more' || p[0] === 'display')
        ? options.live
        : undefined;
    const result = !expanded.ok
      ? { ...fail(expanded.message), wordIndex: expanded.index }
      : await this.guarded(words, () =>
          configuring
            ? this.configuration(words, display, live)
            : this.operational(words, display, 0, live),
        );
    // Every configuration command is audited, with its level and whether it worked.
    if (configuring && words.length > 0) {
      const level = this.session?.level.length ? `[edit ${formatPath(this.session.level)}] ` : '';
      this.router.audit(
        words[0]!,
        `${level}${formatPath(redactCommand(this.schema, words, levelBefore))}`,
        result.ok ? 'ok' : `error: ${result.output[0] ?? ''}`,
      );
    }
    const lines = result.output.flatMap((o) => o.split('\n'));
    const pointed =
      result.wordIndex === undefined
        ? undefined
        : command.words[Math.min(result.wordIndex, command.words.length - 1)];
    const errorColumn =
      pointed === undefined
        ? undefined
        : result.wordIndex! >= command.words.length
          ? pointed.column + pointed.length + 1
          : pointed.column;
    // A failed command's output is its error, shown whole; a tool's own failure (ping) is output.
    const piped =
      result.ok || result.exitCode !== undefined
        ? runPipes(lines, pipes)
        : { ok: true as const, lines: [...lines, ...failureMarks(configuring, words, result)] };
    if (!piped.ok) return { ...fail(piped.error), output: [...notices, piped.error] };
    return {
      ...result,
      ...(errorColumn !== undefined ? { errorColumn } : {}),
      output: [...notices, ...piped.lines],
      noMore: pipes.some((p) => p[0] === 'no-more'),
    };
  }

  /**
   * The width a command's text view wraps at: only at an interactive terminal,
   * only the text view (not `| display json|set`), and only when no pipe reads
   * the lines (a `| match` sees a table row or a curly line whole). `set
   * terminal width N` gives it, else the screen's columns; `set terminal width
   * 0` turns wrapping off. A pty of 0 columns (`ssh -tt` from a script) is no
   * screen, as its 0 rows are for paging: it is not wrapped unless a width is set.
   */
  private wrapWidth(
    display: string | undefined,
    pipes: readonly (readonly string[])[],
  ): number | undefined {
    if (this.screenColumns === undefined || display !== undefined) return undefined;
    if (!pipes.every((p) => p[0] === 'no-more' || p[0] === 'display')) return undefined;
    const width = this.terminal.width ?? this.screenColumns;
    return width === 0 ? undefined : Math.max(MIN_WRAP_WIDTH, width);
  }

  /**
   * What a front-end shows at once when running changed outside this session's
   * commands: a `commit confirmed` that was rolled back (see catchUp).
   */
  news(): string[] {
    return this.catchUp(true);
  }

  /**
   * Take account of revisions committed since this session last looked. A
   * rollback of an unconfirmed commit is always told, and a candidate stands on
   * the restored configuration (its uncommitted changes rebased, unless they
   * conflict). A candidate without changes follows running; one with changes
   * is told once that running moved on (`compare` and `update` say more).
   * `pushed`: asked from outside a command, which only a rollback is worth.
   */
  private catchUp(pushed: boolean): string[] {
    const running = this.router.running();
    if (running.id === this.seenId) return [];
    const since = this.router.revisions().filter((r) => r.id > this.seenId);
    const rollbacks = since.filter((r) => r.origin === 'confirm-timeout').reverse();
    if (pushed && rollbacks.length === 0) return [];
    this.seenId = running.id;
    const lines = rollbacks.map(
      (r) => `Rolled back at ${when(r.time)} (revision ${r.id}): ${r.comment}.`,
    );
    const session = this.session;
    if (!session || session.baseId === running.id) return lines;
    if (!this.modified) {
      this.session = {
        ...session,
        candidate: running.tree,
        baseId: running.id,
        baseTree: running.tree,
      };
      return lines;
    }
    if (rollbacks.length === 0)
      return [
        `Running changed since this session started: ${describeRevisions(since)}.`,
        "'compare' shows what a commit would change; 'update' carries your changes onto it.",
      ];
    const rebased = rebase(session.baseTree, session.candidate, running.tree, this.schema);
    if (!rebased.ok)
      return [
        ...lines,
        'Your uncommitted changes conflict with the restored configuration at:',
        ...rebased.conflicts.map((c) => `  ${c}`),
        "A commit is refused until they agree; then 'update'.",
      ];
    this.session = {
      ...session,
      candidate: rebased.tree,
      baseId: running.id,
      baseTree: running.tree,
    };
    return [...lines, 'Your uncommitted changes now stand on the restored configuration.'];
  }

  /**
   * The engine boundary: whatever a handler or backend throws ends this one
   * command with an error (and an audit entry), never the session or the daemon.
   */
  private async guarded(
    words: readonly string[],
    run: () => Promise<CommandResult>,
  ): Promise<CommandResult> {
    try {
      return await run();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      try {
        this.router.audit('internal-error', formatSetPath(words), message);
      } catch {
        // The audit log itself failed: the error still reaches the user.
      }
      return fail(
        `Internal error while running '${excerpt(words.join(' '))}': ${excerpt(message, 400)}`,
      );
    }
  }

  // ------------------------------------------------------------ operational

  /** In a command about to run, which word is the value of a secret leaf (history masks it). */
  secretWord(words: readonly string[]): number | undefined {
    const expanded = this.session
      ? expandConfiguration(this.schema, this.session.level, words)
      : undefined;
    return secretWordIndex(this.schema, expanded?.ok ? expanded.words : words, this.editLevel);
  }

  /** A tree as this command may show it: secrets hidden unless asked for and allowed. */
  private visible(tree: ConfigNode): ConfigNode {
    return this.showSecrets ? tree : redactSecrets(tree, this.schema);
  }

  /** What operational commands may use in this session; `live` shows a live command's lines. */
  private opContext(signal: AbortSignal, live: ((line: string) => void) | undefined): OpContext {
    return {
      schema: this.schema,
      system: this.router,
      shell: this.shell,
      visible: (tree) => this.visible(tree),
      live: { line: live ?? (() => undefined), signal },
    };
  }

  /** Set by `exit` in operational mode: the session ends after this command. */
  private exitAsked = false;

  private readonly shell: ShellControl = {
    configure: (exclusive) => {
      const refused = this.configureRefusal();
      if (refused) return refused;
      if (exclusive) {
        const taken = this.router.takeExclusive(this.identity.session, this.identity.user);
        if (!taken.ok)
          return `Configuration is locked by user ${taken.holder.user} (configure exclusive, since ${taken.holder.since}).`;
      }
      this.startConfigure(exclusive);
      return undefined;
    },
    setTerminal: (setting, value) => {
      this.terminal[setting] = value;
    },
    exit: () => {
      this.exitAsked = true;
    },
    help: () => {
      const help = opHelp([], this.mode);
      return help.ok ? help.lines : [help.message];
    },
  };

  /**
   * An operational command, dispatched through the op tree (src/op): in
   * operational mode, or after `run` in configuration mode (`offset` is then
   * the index of its first word in the line).
   */
  private async operational(
    words: string[],
    display: string | undefined,
    offset = 0,
    live?: (line: string) => void,
  ): Promise<CommandResult> {
    if (words.length === 0) return ok();
    const first = resolveOp(opTree, words.slice(0, 1), this.mode);
    // `help COMMAND...` reads the whole tree; `help` alone is the declared command.
    if (first.ok && first.command.pattern === 'help' && words.length > 1) {
      const help = opHelp(words.slice(1), this.mode);
      return help.ok
        ? okLines(help.lines)
        : { ...fail(help.message), wordIndex: offset + 1 + help.index };
    }
    const match = resolveOp(opTree, words, this.mode);
    if (!match.ok)
      return { ...fail(describeOpError(match.error)), wordIndex: offset + match.error.index };
    const c = match.command;
    if (c.daemon && !this.router.daemon)
      return fail(
        `'${c.pattern}' acts on the daemon: run it in a session of fos serve (over SSH), not in this process`,
      );
    this.exitAsked = false;
    const controller = new AbortController();
    if (c.live) this.running = controller;
    const streamed = c.live === true && live !== undefined;
    let data: unknown;
    try {
      data = await c.run(
        this.opContext(controller.signal, streamed ? live : undefined),
        match.args,
      );
    } catch (e) {
      if (e instanceof OpError) return fail(e.message);
      throw e;
    } finally {
      if (this.running === controller) this.running = undefined;
    }
    // A live command's lines were shown as they came: only its data remains for json.
    const output = streamed ? [] : presentCommand(c, data, match.args, display, this.wrapAt);
    const status = c.status?.(data) ?? 0;
    return {
      output,
      ok: status === 0,
      ...(status !== 0 ? { exitCode: status } : {}),
      ...(this.exitAsked ? { exit: true } : {}),
    };
  }

  /**
   * Why this session may not enter configuration mode, if it may not. A user
   * who logged in over SSH has the level the running configuration gives
   * them now; a local session runs with the rights of its own process.
   */
  private configureRefusal(): string | undefined {
    if (this.identity.origin !== 'ssh') return undefined;
    const level = loginLevel(this.router.applied(), this.identity.user);
    if (level === 'admin') return undefined;
    return level === 'operator'
      ? `Permission denied: user ${this.identity.user} has level operator, which runs operational commands only; configuration mode needs level admin.`
      : `Permission denied: user ${this.identity.user} is no longer in the configuration.`;
  }

  /** Leave configuration mode, giving up `configure exclusive`. */
  private leaveConfigure(): void {
    if (this.session?.exclusive) this.router.releaseExclusive(this.identity.session);
    this.session = undefined;
  }

  /** Told once when the session ends (the front-end's entry in `show system users` goes). */
  onDispose: (() => void) | undefined;

  /** The session ends (the channel closed): nothing may stay locked, no live command run on. */
  dispose(): void {
    this.running?.abort();
    this.leaveConfigure();
    const told = this.onDispose;
    this.onDispose = undefined;
    told?.();
  }

  private startConfigure(exclusive: boolean): void {
    const running = this.router.running();
    this.session = startSession(running.tree, running.id, exclusive);
    this.router.audit('configure', exclusive ? 'exclusive' : '', 'ok');
  }

  // ---------------------------------------------------------- configuration

  private async configuration(
    words: string[],
    display: string | undefined,
    live?: (line: string) => void,
  ): Promise<CommandResult> {
    const session = this.session!;
    const [verb, ...rest] = words;
    switch (verb) {
      case 'set':
      case 'delete':
      case 'comment':
      case 'annotate':
        return this.edit(verb === 'annotate' ? 'comment' : verb, rest);
      case 'deactivate':
      case 'activate':
        return this.edit(verb, rest);
      case 'insert':
        return this.insert(rest);
      case 'edit':
        return this.editLevelTo(rest);
      case 'up':
        this.session = {
          ...session,
          level: session.level.slice(0, levelUp(session.level, this.schema)),
        };
        return ok();
      case 'top':
        this.session = { ...session, level: [] };
        return ok();
      case 'show':
        return this.showCandidate(rest, display);
      case 'compare':
        return rest[0] === 'saved' ? this.compareSaved(rest.slice(1)) : this.compare(rest);
      case 'commit':
        return this.commit(rest);
      case 'confirm': {
        const confirmed = await this.router.confirm(this.identity.user, this.identity.session);
        if (typeof confirmed !== 'boolean') return fail(...describeOutcome(confirmed));
        return ok(confirmed ? 'Commit confirmed.' : 'No commit is waiting for confirmation.');
      }
      case 'rollback':
        return this.rollback(rest);
      case 'discard':
        this.session = { ...session, candidate: session.baseTree };
        return ok('Changes discarded.');
      case 'copy':
      case 'rename':
        return this.copyOrRename(verb, rest);
      case 'update':
        return this.update();
      case 'load':
      case 'merge':
        return this.load(verb, rest);
      case 'save':
        return this.save(rest);
      case 'run':
        return this.operational(rest, display, 1, live);
      case 'help': {
        const help = configurationHelp(this.schema, session.level, rest);
        return help.ok ? okLines(help.lines) : { ...fail(help.message), wordIndex: 1 + help.index };
      }
      case 'exit':
      case 'quit':
        if (rest[0] === 'discard') {
          this.leaveConfigure();
          return ok();
        }
        if (session.level.length > 0) return this.configuration(['up'], display);
        if (this.modified)
          return fail(
            "Cannot exit: configuration modified. Use 'exit discard' to discard the changes.",
          );
        this.leaveConfigure();
        return ok();
      case undefined:
        return ok();
      default:
        return {
          ...fail(
            `unknown command '${excerpt(verb)}'; expected set, delete, deactivate, activate, insert, edit, up, top, show, compare, commit, confirm, rollback, discard, update, load, merge, save, copy, rename, comment, run, exit`,
          ),
          wordIndex: 0,
        };
    }
  }

  private edit(
    verb: 'set' | 'delete' | 'comment' | 'deactivate' | 'activate',
    words: string[],
  ): CommandResult {
    const session = this.session!;
    const editor = new TreeEditor(session.candidate);
    const result =
      verb === 'deactivate' || verb === 'activate'
        ? applyActivation(editor, this.schema, words, verb === 'deactivate', session.level)
        : (verb === 'set' ? applySet : verb === 'delete' ? applyDelete : applyComment)(
            editor,
            this.schema,
            words,
            session.level,
          );
    if (!result.ok) {
      return {
        ...fail(describeEditError(result.error)),
        wordIndex: 1 + errorWordIndex(result.error, words.length),
      };
    }
    this.session = { ...session, candidate: editor.finish() };
    return result.warning ? ok(result.warning) : ok();
  }

  /** `insert PATH rule A before|after rule B`: move a rule, telling what was renumbered. */
  private insert(words: string[]): CommandResult {
    const session = this.session!;
    const editor = new TreeEditor(session.candidate);
    const result = applyInsert(editor, this.schema, words, session.level);
    if (!result.ok)
      return {
        ...fail(describeEditError(result.error)),
        wordIndex: 1 + errorWordIndex(result.error, words.length),
      };
    if (result.moves.length > 0) this.session = { ...session, candidate: editor.finish() };
    return ok(...result.told);
  }

  private editLevelTo(words: string[]): CommandResult {
    const session = this.session!;
    const path = [...session.level, ...words];
    const node = schemaAt(this.schema, path);
    if (!node || node.unsupported) {
      const editor = new TreeEditor(session.candidate);
      const probe = applySet(editor, this.schema, words, session.level);
      return fail(probe.ok ? `cannot edit '${formatPath(path)}'` : describeEditError(probe.error));
    }
    if (node.kind === 'tag') {
      // `edit firewall zone`: a list of named entries; say what to add, and which exist.
      const names = [...(getNode(session.candidate, path)?.children.keys() ?? [])].slice(0, 8);
      return fail(
        `cannot edit '${formatPath(path)}' without a name: add one, as in 'edit ${formatPath(path)} ${names[0] ?? 'NAME'}'${names.length > 0 ? ` (configured: ${names.map((n) => excerpt(n)).join(', ')})` : ''}`,
      );
    }
    if (node.kind === 'leaf' || node.kind === 'multi' || node.kind === 'flag') {
      return fail(`cannot edit '${formatPath(path)}': only nodes and tag entries can be edited`);
    }
    const editor = new TreeEditor(session.candidate);
    editor.ensure(path);
    this.session = { ...session, level: path, candidate: editor.finish() };
    return ok();
  }

  private showCandidate(words: string[], display: string | undefined): CommandResult {
    const session = this.session!;
    const path = [...session.level, ...words];
    const node = getNode(this.visible(session.candidate), path);
    if (!node) return path.length === 0 ? ok() : fail(`'${formatPath(path)}' is not configured`);
    const view = new ConfigurationView(node, path, this.schema);
    return okLines(
      present(view, { text: (v) => v.curly(), set: (v) => v.set() }, display, this.wrapAt),
    );
  }

  /** What `show [PATH] | compare` narrows the next compare to (empty: the whole tree). */
  private compareWithin: readonly string[] = [];

  private compare(words: string[]): CommandResult {
    const session = this.session!;
    const [first, second] = words;
    let older: ConfigNode;
    let newer: ConfigNode = session.candidate;
    if (first === undefined) return this.compareWithRunning();
    if (first === 'rollback') {
      const n = parseRevisionNumber(second);
      const revision = n === undefined ? undefined : this.router.back(n);
      if (!revision)
        return fail(
          n === undefined
            ? "'compare rollback' needs N, counted back from running (0 is running); see 'run show system commit'"
            : this.noRollback(n),
        );
      older = revision.tree;
    } else {
      const a = parseRevisionNumber(first);
      const b = second === undefined ? undefined : parseRevisionNumber(second);
      const ra = a === undefined ? undefined : this.router.back(a);
      if (a !== undefined && !ra) return fail(this.noRollback(a));
      if (!ra || (second !== undefined && b === undefined))
        return fail('usage: compare [rollback N | N [M]] (N and M counted back from running)');
      older = ra.tree;
      if (b !== undefined) {
        const rb = this.router.back(b);
        if (!rb) return fail(this.noRollback(b));
        newer = rb.tree;
      }
    }
    return okLines(this.diffLines(older, newer));
  }

  /**
   * `compare saved`: the candidate against the file `save` wrote. Nothing is
   * printed when they agree, as VyOS does (Ansible's `vyos_config save: true`
   * saves only when this prints something).
   */
  private async compareSaved(words: string[]): Promise<CommandResult> {
    if (words.length > 0) return fail("usage: compare saved (against the file 'save' writes)");
    let text: string;
    try {
      text = this.files.read(DEFAULT_CONFIG_FILE);
    } catch (e) {
      return ok(`Nothing saved yet: ${(e as Error).message}`);
    }
    const loaded = await loadConfigTextSliced(text, this.schema);
    const lines = this.diffLines(loaded.tree, this.session!.candidate);
    return okLines(lines[0] === 'No changes.' ? [] : lines);
  }

  private diffLines(older: ConfigNode, newer: ConfigNode): string[] {
    const within = this.compareWithin;
    const diff = diffCurly(
      this.visible(onlyAt(older, within)),
      this.visible(onlyAt(newer, within)),
      this.schema,
    );
    return diff ? diff.trimEnd().split('\n') : ['No changes.'];
  }

  /**
   * `compare`: what a commit would change. When running moved on since the
   * session started, that is the candidate rebased onto running, as the commit
   * will rebase it, and the header says so.
   */
  private compareWithRunning(): CommandResult {
    const session = this.session!;
    const running = this.router.running();
    if (running.id === session.baseId)
      return okLines(this.diffLines(running.tree, session.candidate));
    const since = this.router.revisions().filter((r) => r.id > session.baseId);
    const header = [
      `Running changed since this session started (revision ${session.baseId}): ${describeRevisions(since)}.`,
    ];
    const rebased = rebase(session.baseTree, session.candidate, running.tree, this.schema);
    if (!rebased.ok)
      return okLines([
        ...header,
        'These paths changed both here and in running; a commit is refused until they agree:',
        ...rebased.conflicts.map((c) => `  ${c}`),
        'Your changes since the session started:',
        ...this.diffLines(session.baseTree, session.candidate),
      ]);
    return okLines([
      ...header,
      "A commit would make these changes to running ('update' rebases the candidate onto it):",
      ...this.diffLines(running.tree, rebased.tree),
    ]);
  }

  private async commit(words: string[]): Promise<CommandResult> {
    const session = this.session!;
    let comment: string | undefined;
    let confirmMinutes: number | undefined;
    let checkOnly = false;
    let andQuit = false;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (w === 'check') checkOnly = true;
      else if (w === 'and-quit') andQuit = true;
      else if (w === 'comment') {
        comment = words[++i];
        if (comment === undefined) return fail("'commit comment' needs the comment text");
      } else if (w === 'confirmed') {
        const next = words[i + 1];
        if (next !== undefined && /^[0-9]+$/.test(next)) {
          confirmMinutes = Number(next);
          i++;
          if (confirmMinutes < 1 || confirmMinutes > 65535)
            return fail('commit confirmed takes 1 to 65535 minutes');
        } else confirmMinutes = 10;
      } else
        return fail(
          `unknown word '${excerpt(w)}' after commit; expected check, comment, confirmed, and-quit`,
        );
    }
    const outcome = await this.router.commit({
      candidate: session.candidate,
      baseId: session.baseId,
      baseTree: session.baseTree,
      user: this.identity.user,
      origin: this.identity.origin,
      session: this.identity.session,
      ...(comment !== undefined ? { comment } : {}),
      ...(confirmMinutes !== undefined ? { confirmMinutes } : {}),
      checkOnly,
      onStep: (step) => this.onProgress?.(step),
    });
    const output = describeOutcome(outcome);
    if (!succeeded(outcome)) return failLines(output);
    if (!checkOnly) {
      // The session now stands on the new running configuration.
      const running = this.router.running();
      this.seenId = running.id;
      this.session = {
        ...session,
        candidate: running.tree,
        baseId: running.id,
        baseTree: running.tree,
      };
      if (andQuit) this.leaveConfigure();
    }
    return okLines(output);
  }

  private rollback(words: string[]): CommandResult {
    const n = parseRevisionNumber(words[0]);
    if (n === undefined || words.length > 1)
      return fail("usage: rollback N (0 is running; see 'run show system commit')");
    const revision = this.router.back(n);
    if (!revision) return fail(this.noRollback(n));
    this.session = { ...this.session!, candidate: revision.tree };
    return ok(
      `Loaded rollback ${n} (revision ${revision.id}) into the candidate; 'compare' shows the changes, 'commit' applies them.`,
    );
  }

  /** `rollback N` counts back from running; say how far back the store goes. */
  private noRollback(n: number): string {
    const kept = this.router.revisions().length;
    return kept === 0
      ? `there is no rollback ${n}: nothing has been committed`
      : `there is no rollback ${n}: ${kept} revision${kept === 1 ? ' is' : 's are'} kept (rollback 0 to ${kept - 1})`;
  }

  private update(): CommandResult {
    const session = this.session!;
    const running = this.router.running();
    if (running.id === session.baseId)
      return ok('The candidate is already based on the running configuration.');
    const rebased = rebase(session.baseTree, session.candidate, running.tree, this.schema);
    if (!rebased.ok) {
      return fail(
        'These paths changed both here and in the running configuration:',
        ...rebased.conflicts.map((c) => `  ${c}`),
        "Change them back here, or 'exit discard' and configure again.",
      );
    }
    this.session = {
      ...session,
      candidate: rebased.tree,
      baseId: running.id,
      baseTree: running.tree,
    };
    return ok('Updated: your changes now stand on the newest running configuration.');
  }

  /**
   * `copy PATH to KEY` / `rename PATH to KEY` for tag entries (`rename interfaces bridge br0 to
   * br1`, as Junos), or with the list's word again before the new name (`copy rule 10 to rule
   * 20`, as VyOS).
   */
  private copyOrRename(verb: 'copy' | 'rename', words: string[]): CommandResult {
    const session = this.session!;
    const to = words.indexOf('to');
    const keyAt =
      to >= 2 && to === words.length - 3 && words[to + 1] === words[to - 2] ? to + 2 : to + 1;
    if (to < 2 || keyAt !== words.length - 1)
      return fail(
        `usage: ${verb} PATH-TO-ENTRY to [LIST] NEW-NAME (${verb} interfaces bridge br0 to br1, ${verb} rule 10 to rule 20)`,
      );
    const from = [...session.level, ...words.slice(0, to)];
    const key = words[keyAt]!;
    const tag = schemaAt(this.schema, from.slice(0, -1));
    if (tag?.kind !== 'tag')
      return fail(
        `'${formatPath(from)}' is not an entry of a named list; only entries such as 'interfaces bridge br0' can be ${verb === 'copy' ? 'copied' : 'renamed'}`,
      );
    const source = getNode(session.candidate, from);
    if (!source) return fail(`'${formatPath(from)}' is not configured`);
    const check = checkLeafValue(tag, key);
    if (!check.ok)
      return fail(
        describeEditError({
          code: 'invalid-value',
          index: keyAt,
          word: key,
          at: from.slice(0, -1),
          node: tag,
          ...(check.reason ? { reason: check.reason } : {}),
        }),
      );
    const target = [...from.slice(0, -1), key];
    if (getNode(session.candidate, target)) return fail(`'${formatPath(target)}' already exists`);
    if (verb === 'rename') {
      // What named the old entry names the new one (a chain's jump-targets, a zone's from).
      const naming = referencesNaming(session.candidate, this.schema, from);
      this.session = {
        ...session,
        candidate: renameEntry(session.candidate, this.schema, from, key),
      };
      return ok(...renamedReferences(naming.map((f) => f.path)));
    }
    const editor = new TreeEditor(session.candidate);
    editor.graft(target, source);
    this.session = { ...session, candidate: editor.finish() };
    return ok();
  }

  /**
   * `load [override|replace|merge|set] FILE|terminal` as Junos spells them, and
   * VyOS's `load FILE` / `merge FILE`. `terminal` reads pasted lines until
   * Ctrl-D on a line of its own (see `paste`).
   */
  private async load(verb: 'load' | 'merge', words: string[]): Promise<CommandResult> {
    let how: LoadHow = verb === 'merge' ? 'merge' : 'override';
    let rest = words;
    if (verb === 'load' && LOAD_HOWS.includes(words[0] as LoadHow)) {
      how = words[0] as LoadHow;
      rest = words.slice(1);
      if (rest.length === 0)
        return fail(
          `usage: load ${how} FILE|terminal (a file in the configuration directory, or pasted lines)`,
        );
    }
    if (rest.length > 1)
      return fail(
        verb === 'merge'
          ? 'usage: merge [FILE] (a file in the configuration directory)'
          : 'usage: load [override|replace|merge|set] FILE|terminal (a file in the configuration directory)',
      );
    if (rest[0] === 'terminal' && verb === 'load') {
      if (how === 'override') how = 'merge';
      this.pasted = { how, lines: [], size: 0 };
      return ok('[Type ^D at a new line to end input, ^C to abandon it]');
    }
    const file = rest[0] ?? DEFAULT_CONFIG_FILE;
    let text: string;
    try {
      text = this.files.read(file);
    } catch (e) {
      return fail((e as Error).message);
    }
    return this.loadText(how, text, excerpt(file));
  }

  /** Apply a configuration text to the candidate, as `how` says; `shown` names it in messages. */
  private async loadText(how: LoadHow, text: string, shown: string): Promise<CommandResult> {
    const session = this.session!;
    const nothing = `Nothing was ${how === 'merge' ? 'merged' : 'loaded'}.`;
    if (how === 'set' && detectForm(text) !== 'set')
      return fail(
        `${shown} is not in set form (set, delete, comment, deactivate lines); 'load merge' takes the curly form`,
        nothing,
      );
    // In slices: a 100k-line file must not hold up every other session of the daemon.
    const loaded =
      how === 'set'
        ? await loadSetFormSliced(text, this.schema, session.candidate)
        : await loadConfigTextSliced(text, this.schema);
    const problems = [
      ...loaded.report.invalid.map((i) => `${shown}:${i.line}:${i.column}: ${i.message}`),
      ...loaded.report.unsupported.map(
        (u) => `${shown}:${u.line}:${u.column}: unsupported [${u.path}]: ${u.reason}`,
      ),
    ];
    if (problems.length > 0) {
      // A file that is not a configuration at all must not be echoed back line by line.
      const listed = problems.slice(0, MAX_LOAD_PROBLEMS);
      if (problems.length > listed.length)
        listed.push(`... and ${problems.length - listed.length} more problems`);
      return failLines([...listed, nothing]);
    }
    let candidate = loaded.tree;
    let done = `Loaded ${loaded.report.accepted} lines from ${shown}.`;
    if (how === 'merge') {
      // The file's set commands (and deactivate lines), applied on top of the candidate.
      candidate = (
        await loadSetFormSliced(
          setCommands(loaded.tree, this.schema).join('\n'),
          this.schema,
          session.candidate,
        )
      ).tree;
      done = `Merged ${loaded.report.accepted} lines from ${shown}.`;
    } else if (how === 'replace') {
      // Each top-level section the text has replaces the candidate's; the others stay.
      const editor = new TreeEditor(session.candidate);
      const sections = [...loaded.tree.children.keys()];
      for (const name of sections) editor.graft([name], loaded.tree.children.get(name)!);
      candidate = editor.finish();
      done = `Replaced ${sections.length === 0 ? 'nothing' : sections.join(', ')} with ${loaded.report.accepted} lines from ${shown}.`;
    }
    this.session = { ...session, candidate };
    return ok(done);
  }

  /** Lines pasted after `load merge|set|replace terminal`, until Ctrl-D. */
  private pasted: { how: LoadHow; lines: string[]; size: number } | undefined;

  /** `load ... terminal` is reading pasted lines: the front-end gives them to `paste`. */
  get pasting(): boolean {
    return this.pasted !== undefined;
  }

  /**
   * One pasted line. Undefined while reading goes on; a failed result when the
   * paste went past its bound (then it has ended and nothing was loaded).
   */
  paste(line: string): CommandResult | undefined {
    const p = this.pasted;
    if (!p) return fail('nothing is being pasted');
    p.size += line.length + 1;
    if (p.size > MAX_PASTE_CHARACTERS || line.length > MAX_LINE) {
      this.pasted = undefined;
      return fail(
        `pasted input is limited to ${MAX_PASTE_CHARACTERS} characters; nothing was loaded ('load ${p.how} FILE' takes larger files)`,
      );
    }
    p.lines.push(line);
    return undefined;
  }

  /** Ctrl-D at a new line: load what was pasted. */
  async endPaste(): Promise<CommandResult> {
    const p = this.pasted;
    if (!p) return fail('nothing is being pasted');
    this.pasted = undefined;
    if (!this.session) return fail('configuration mode has ended; nothing was loaded');
    const result = await this.guarded(['load', p.how, 'terminal'], () =>
      this.loadText(p.how, p.lines.join('\n'), 'terminal'),
    );
    this.router.audit(
      'load',
      `load ${p.how} terminal (${p.lines.length} lines)`,
      result.ok ? 'ok' : `error: ${result.output[0] ?? ''}`,
    );
    return result;
  }

  /** Ctrl-C while pasting: nothing is loaded. */
  cancelPaste(): CommandResult {
    this.pasted = undefined;
    return ok('Input abandoned; nothing was loaded.');
  }

  private save(words: string[]): CommandResult {
    const session = this.session!;
    if (words.length > 1) return fail('usage: save [FILE] (a file in the configuration directory)');
    const file = words[0] ?? DEFAULT_CONFIG_FILE;
    const text = file.endsWith('.set')
      ? toSetForm(session.candidate, this.schema)
      : toCurly(session.candidate, this.schema);
    try {
      this.files.write(file, text);
    } catch (e) {
      return fail((e as Error).message);
    }
    return ok(`Saved the candidate to ${excerpt(file)}.`);
  }
}

// ------------------------------------------------------------------ helpers

/** A revision's time as `show system commit` prints it. */
function when(iso: string): string {
  return iso.replace('T', ' ').slice(0, 19);
}

/** Revisions newest first, as `revision 9 by bob (ssh), revision 8 by alice (cli)`. */
function describeRevisions(revisions: readonly RevisionSummary[]): string {
  const named = revisions
    .slice(0, 3)
    .map((r) => `revision ${r.id} by ${r.user} (${r.origin}, ${when(r.time)})`);
  const more = revisions.length - named.length;
  return `${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function parseRevisionNumber(word: string | undefined): number | undefined {
  return word !== undefined && /^[0-9]{1,6}$/.test(word) ? Number(word) : undefined;
}

/** `up` leaves a tag entry as a whole (`edit interfaces ethernet eth0` -> `interfaces`). */
function levelUp(level: readonly string[], schema: ContainerNode): number {
  if (level.length === 0) return 0;
  const parent = schemaAt(schema, level.slice(0, -1));
  return parent?.kind === 'tag' ? level.length - 2 : level.length - 1;
}

const PIPES = ['match', 'except', 'grep', 'strip-private', 'count', 'no-more', 'display'];
const DISPLAYS = ['set', 'json', 'secrets'];

/** A pipe with its keywords in full (`| disp j` is `| display json`); a pattern is never touched. */
function expandPipe(words: string[]): string[] {
  const [name, ...args] = words;
  if (name === undefined) return words;
  const m = matchKeyword(name, PIPES);
  const full = m.kind === 'exact' || m.kind === 'prefix' ? m.word : name;
  if (full !== 'display' || args[0] === undefined) return [full, ...args];
  const d = matchKeyword(args[0], DISPLAYS);
  return [full, d.kind === 'exact' || d.kind === 'prefix' ? d.word : args[0], ...args.slice(1)];
}

/**
 * The lines VyOS ends a refusal with, which automation looks for (Ansible's
 * vyos terminal plugin fails a task on `Set failed`, `Delete failed` and
 * `Invalid command:`; `Commit failed` is FOS1's own wording already).
 */
function failureMarks(
  configuring: boolean,
  words: readonly string[],
  result: CommandResult,
): string[] {
  if (configuring) {
    if (words[0] === 'set') return ['  Set failed'];
    if (words[0] === 'delete') return ['  Delete failed'];
    return [];
  }
  if (result.wordIndex === undefined) return [];
  const at = Math.min(result.wordIndex, words.length);
  const bad = words[at];
  return [
    `  Invalid command: ${[...words.slice(0, at), ...(bad === undefined ? [] : [`[${bad}]`])].join(' ')}`,
  ];
}
