/**
 * The operational command tree: each command is declared once (its words,
 * arguments with value types and completion sources, a handler returning
 * data, and a text view of that data), and this module builds the tree that
 * dispatch, TAB and `?`, `run`, `| display json`, the error messages and the
 * generated reference all read.
 */
import { excerpt } from '../../grammar/index.js';
import {
  didYouMean,
  entriesAt,
  formatPath,
  getNode,
  listAllowed as list,
  matchKeyword,
  nearestWords,
} from '../config/index.js';
import type { ValueHelp, ValueType } from '../schema/index.js';
import { OpError, type OpContext } from './context.js';
import type { CompletionSourceSpec } from './sources.js';

/** The values of a command's arguments, by name (`{ N: '3' }`); absent when an optional one was not given. */
export type OpArgs = Readonly<Record<string, string | undefined>>;

/** Where a command may be given: `run` in configuration mode offers only some. */
export type OpMode = 'operational' | 'configuration';

/** An argument: a value in the command's words. */
export interface ArgSpec {
  readonly type: ValueType;
  /** What `?` shows for it, such as `<N>`; the type's own formats when absent. */
  readonly format?: string;
  readonly help: string;
  /** Where TAB finds values for it: a name in the completion source registry. */
  readonly source?: string;
  /**
   * The value names an entry of the running configuration (`vrf name NAME`):
   * TAB offers the configured ones (unless `source` says otherwise), and a
   * name that is not configured is refused, naming it, before the command runs.
   */
  readonly reference?: ArgReference;
  /** Words the type refuses that an operator may well type, and what to type instead. */
  readonly instead?: Readonly<Record<string, string>>;
}

/** What a reference argument names: the entries of one named list of the configuration. */
export interface ArgReference {
  /** In the operator's words, for the refusal: `VRF`. */
  readonly what: string;
  /** The path of the list (a tag node): `['vrf', 'name']`. */
  readonly path: readonly string[];
}

/** The completion source a reference argument's values come from (made by the tree). */
export const referenceSource = (reference: ArgReference): string =>
  `configured ${reference.path.join(' ')}`;

/**
 * The refusal for a reference argument whose value is not configured, or
 * undefined when it is: `VRF 'blue' does not exist (vrf name blue); configured: red`.
 */
export function unknownReference(
  ctx: OpContext,
  reference: ArgReference,
  value: string,
): OpError | undefined {
  const running = ctx.system.applied();
  const path = [...reference.path, value];
  if (getNode(running, path) !== undefined) return undefined;
  const known = entriesAt(running, ...reference.path).map(([name]) => name);
  // Deactivated (`deactivate vrf name blue`): in the configuration, but nothing applies it.
  if (getNode(ctx.system.running().tree, path) !== undefined)
    return new OpError(
      `${reference.what} '${value}' is deactivated in the running configuration (${formatPath(path)}): 'activate' it to use it`,
    );
  return new OpError(
    `${reference.what} '${value}' does not exist (${formatPath(path)}); ${
      known.length ? `configured: ${list(known)}` : `no ${reference.what} is configured`
    }`,
  );
}

/** The declaration of one operational command. */
export interface CommandSpec<Data> {
  /** Help of the command's last word (what `?` shows for it). */
  readonly help: string;
  /** The arguments named in the pattern (`<N>`, `[<name>]`). */
  readonly args?: Readonly<Record<string, ArgSpec>>;
  /** An alias left out of TAB, `?` and the reference (`quit` beside `exit`). */
  readonly hidden?: boolean;
  /** Not offered through `run` in configuration mode (`configure`, `exit`). */
  readonly operationalOnly?: boolean;
  /**
   * Options after the pattern's words, in any order, each at most once
   * (`ping <host> count 3 size 100`): a name with a value, or a flag.
   */
  readonly options?: Readonly<Record<string, OptionSpec>>;
  /**
   * Runs until it ends or is stopped (ping, monitor): it writes its text view
   * line by line through `ctx.live` as it goes, stops when `ctx.live.signal`
   * aborts (Ctrl-C, `q`), and returns its data at the end. Its `text` view of
   * that data is the same lines, for a front-end that shows them only then.
   */
  readonly live?: boolean;
  /** The command's exit status from its data (a tool's own, as ping's); 0 when absent. */
  status?(data: Data): number;
  /** Acts on the daemon (`restart ssh`): refused in a process that is not `fos serve`. */
  readonly daemon?: boolean;
  /** Reads what the command shows; throws an OpError for a refusal the user must see. */
  run(ctx: OpContext, args: OpArgs): Data | Promise<Data>;
  /** The text view of the data. */
  text(data: Data, args: OpArgs): string[];
  /** `| display set`, for data that has a set form. */
  set?(data: Data, args: OpArgs): string[];
}

/** An option of a command: a value (`count <N>`), or a flag without one. */
export type OptionSpec = ArgSpec | { readonly flag: true; readonly help: string };

/** A declared command: its pattern split into words (`show`, `firewall`, `group`, `[<name>]`). */
export interface OpCommand extends CommandSpec<unknown> {
  readonly pattern: string;
  readonly words: readonly string[];
}

/** Declare a command: `command('show system commit diff <N>', { help, args: { N: ... }, run, text })`. */
export function command<Data>(pattern: string, spec: CommandSpec<Data>): OpCommand {
  const words = pattern.split(' ').filter(Boolean);
  const references = Object.entries(spec.args ?? {}).filter(([, a]) => a.reference);
  const run: CommandSpec<Data>['run'] =
    references.length === 0
      ? spec.run
      : (ctx, args) => {
          for (const [name, a] of references) {
            const value = args[name];
            const refused =
              value === undefined ? undefined : unknownReference(ctx, a.reference!, value);
            if (refused) throw refused;
          }
          return spec.run(ctx, args);
        };
  return { ...(spec as unknown as CommandSpec<unknown>), run, pattern: words.join(' '), words };
}

/** Help for a word that is not a command by itself (`show nat`), and a hint for a wrong word after it. */
export interface WordSpec {
  readonly help: string;
  readonly hint?: string;
}

/** One area's commands (src/op/interfaces.ts, src/op/firewall.ts, ...). */
export interface OpArea {
  readonly name: string;
  /** Help of intermediate words, by their words: `{ 'show nat': 'Network address translation' }`. */
  readonly words?: Readonly<Record<string, string | WordSpec>>;
  readonly commands: readonly OpCommand[];
  /** Completion sources this area knows (links in the namespace, configured chains). */
  readonly sources?: readonly CompletionSourceSpec[];
}

/** A value position in the tree, and what may follow it. */
export interface ArgNode {
  readonly name: string;
  readonly spec: ArgSpec;
  readonly next: OpNode;
}

export interface OpNode {
  readonly word: string;
  /** The words to here as declared (`show system commit diff <N>`). */
  readonly path: readonly string[];
  help: string | undefined;
  hint: string | undefined;
  /** A command ends here. */
  command: OpCommand | undefined;
  readonly keywords: Map<string, OpNode>;
  arg: ArgNode | undefined;
  /** Every command at or below is hidden. */
  hidden: boolean;
  /** Every command at or below is operational only. */
  operationalOnly: boolean;
}

export interface OpTree {
  readonly root: OpNode;
  readonly commands: readonly OpCommand[];
  readonly sources: ReadonlyMap<string, CompletionSourceSpec>;
  /** What is wrong with the declarations (empty when they are consistent). */
  readonly problems: readonly string[];
}

function newNode(word: string, path: readonly string[]): OpNode {
  return {
    word,
    path,
    help: undefined,
    hint: undefined,
    command: undefined,
    keywords: new Map(),
    arg: undefined,
    hidden: true,
    operationalOnly: true,
  };
}

const ARG_RE = /^(\[)?<([A-Za-z][A-Za-z0-9-]*)>(\])?$/;

/**
 * The options of a command below the node its pattern ends at: one keyword
 * node per option not given yet, each (after its value) leading to the node
 * of the options still left. A node per set of options given, made once.
 */
function addOptions(end: OpNode, c: OpCommand, problems: string[]): void {
  const names = Object.keys(c.options ?? {}).sort();
  if (names.length > 8) problems.push(`'${c.pattern}': more than 8 options`);
  const made = new Map<string, OpNode>();
  const nodeFor = (given: readonly string[], path: readonly string[]): OpNode => {
    const key = given.join(' ');
    const existing = made.get(key);
    if (existing) return existing;
    const node = given.length === 0 ? end : newNode(path.at(-1) ?? '', path);
    made.set(key, node);
    if (given.length > 0) node.hint = `given already: ${given.join(', ')}`;
    node.command = c;
    node.hidden = c.hidden === true;
    node.operationalOnly = c.operationalOnly === true;
    for (const name of names) {
      if (given.includes(name)) continue;
      if (node.keywords.has(name)) {
        problems.push(
          `'${c.pattern}': option '${name}' is also a word after '${node.path.join(' ')}'`,
        );
        continue;
      }
      const spec = c.options![name]!;
      const rest = [...given, name].sort();
      const word = newNode(name, [...node.path, name]);
      word.help = spec.help;
      word.hidden = node.hidden;
      word.operationalOnly = node.operationalOnly;
      node.keywords.set(name, word);
      if ('flag' in spec) {
        // A flag's word is itself where the next option may follow.
        const after = nodeFor(rest, word.path);
        for (const [k, v] of after.keywords) word.keywords.set(k, v);
        word.command = c;
      } else {
        const next = nodeFor(rest, [...word.path, `<${name}>`]);
        word.arg = { name, spec, next };
      }
    }
    return node;
  };
  nodeFor([], end.path);
}

/** The argument a pattern word stands for (`<N>`, `[<name>]`), or undefined for a keyword. */
export function argName(word: string): string | undefined {
  return ARG_RE.exec(word)?.[2];
}

/** Build the tree from the areas; problems are collected, not thrown (the self-check reports them). */
export function buildOpTree(areas: readonly OpArea[]): OpTree {
  const root = newNode('', []);
  root.help = 'Operational commands';
  const problems: string[] = [];
  const commands: OpCommand[] = [];
  const sources = new Map<string, CompletionSourceSpec>();
  const setHelp = (node: OpNode, help: string, hint: string | undefined, where: string): void => {
    if (node.help !== undefined && node.help !== help)
      problems.push(
        `'${node.path.join(' ')}': help given twice ('${node.help}', '${help}' in ${where})`,
      );
    node.help = help;
    if (hint !== undefined) node.hint = hint;
  };
  const mark = (node: OpNode, c: OpCommand): void => {
    node.hidden &&= c.hidden === true;
    node.operationalOnly &&= c.operationalOnly === true;
  };
  for (const area of areas) {
    for (const source of area.sources ?? []) {
      if (sources.has(source.name))
        problems.push(`completion source '${source.name}' is declared twice (in ${area.name})`);
      sources.set(source.name, source);
    }
    for (const c of area.commands) {
      commands.push(c);
      let node = root;
      mark(root, c);
      let last = root;
      const argNames = new Set<string>();
      c.words.forEach((word, i) => {
        const m = ARG_RE.exec(word);
        if (!m) {
          let child = node.keywords.get(word);
          if (!child) node.keywords.set(word, (child = newNode(word, [...node.path, word])));
          node = child;
          last = node;
          mark(node, c);
          return;
        }
        const name = m[2]!;
        const optional = m[1] !== undefined;
        const spec = c.args?.[name];
        if (optional !== (m[3] !== undefined))
          problems.push(`'${c.pattern}': unbalanced '${word}'`);
        if (optional && i !== c.words.length - 1)
          problems.push(`'${c.pattern}': only the last argument may be optional`);
        if (!spec) {
          problems.push(`'${c.pattern}': argument <${name}> is not declared in args`);
          return;
        }
        if (argNames.has(name)) problems.push(`'${c.pattern}': argument <${name}> appears twice`);
        argNames.add(name);
        if (optional) {
          if (node.command)
            problems.push(`'${c.pattern}': '${node.path.join(' ')}' is already a command`);
          node.command = c;
        }
        if (node.arg && (node.arg.name !== name || node.arg.spec !== spec))
          problems.push(
            `'${c.pattern}': another argument (<${node.arg.name}>) already follows '${node.path.join(' ')}'`,
          );
        node.arg ??= { name, spec, next: newNode(`<${name}>`, [...node.path, `<${name}>`]) };
        node = node.arg.next;
        mark(node, c);
      });
      for (const spec of Object.values(c.args ?? {}))
        if (spec.reference && spec.source === undefined) {
          const reference = spec.reference;
          const name = referenceSource(reference);
          if (!sources.has(name))
            sources.set(name, {
              name,
              help: `The entries of '${reference.path.join(' ')}' in the running configuration`,
              read: (system) => entriesAt(system.applied(), ...reference.path).map(([n]) => n),
            });
        }
      for (const name of Object.keys(c.args ?? {}))
        if (!argNames.has(name))
          problems.push(`'${c.pattern}': argument ${name} is not in the pattern`);
      if (node.command && node.command !== c) problems.push(`'${c.pattern}' is declared twice`);
      node.command = c;
      if (c.options) addOptions(node, c, problems);
      if (last === root) problems.push(`'${c.pattern}': a command starts with a word`);
      else setHelp(last, c.help, undefined, c.pattern);
    }
  }
  for (const area of areas)
    for (const [words, spec] of Object.entries(area.words ?? {})) {
      let node: OpNode | undefined = root;
      for (const word of words.split(' ')) node = node?.keywords.get(word);
      if (!node) {
        problems.push(`'${words}' (help in ${area.name}) is not a word of any command`);
        continue;
      }
      const { help, hint } = typeof spec === 'string' ? { help: spec, hint: undefined } : spec;
      setHelp(node, help, hint, area.name);
    }
  const visit = (node: OpNode): void => {
    if (
      node !== root &&
      node.arg === undefined &&
      node.help === undefined &&
      !node.path.at(-1)?.startsWith('<')
    )
      problems.push(`'${node.path.join(' ')}' has no help`);
    for (const child of node.keywords.values()) visit(child);
    if (node.arg) {
      const source = node.arg.spec.source;
      if (source !== undefined && !sources.has(source))
        problems.push(
          `'${node.arg.next.path.join(' ')}': completion source '${source}' is not in the registry`,
        );
      visit(node.arg.next);
    }
  };
  visit(root);
  return { root, commands, sources, problems };
}

// ------------------------------------------------------------------ dispatch

/** Why the words do not name a command; `index` is the word it is about (words.length: after the last). */
export type OpWordError =
  | {
      readonly code: 'unknown-command';
      readonly index: 0;
      readonly word: string;
      readonly allowed: readonly string[];
    }
  | {
      readonly code: 'unknown-word';
      readonly index: number;
      readonly word: string;
      readonly at: readonly string[];
      readonly allowed: readonly string[];
      readonly hint?: string;
    }
  | {
      /** A prefix of several keywords (`s`: set, show). */
      readonly code: 'ambiguous';
      readonly index: number;
      readonly word: string;
      readonly at: readonly string[];
      readonly candidates: readonly string[];
    }
  | {
      readonly code: 'extra-word';
      readonly index: number;
      readonly word: string;
      readonly at: readonly string[];
    }
  | {
      readonly code: 'invalid-value';
      readonly index: number;
      readonly word: string;
      readonly at: readonly string[];
      readonly arg: ArgNode;
      /** Keywords allowed in the argument's place (`vrf all` beside `vrf <name>`). */
      readonly keywords?: readonly string[];
    }
  | {
      readonly code: 'value-required';
      readonly index: number;
      readonly at: readonly string[];
      readonly arg: ArgNode;
    }
  | {
      readonly code: 'incomplete';
      readonly index: number;
      readonly at: readonly string[];
      readonly allowed: readonly string[];
    };

export type OpMatch =
  | { readonly ok: true; readonly command: OpCommand; readonly args: OpArgs }
  | { readonly ok: false; readonly error: OpWordError };

/** May this node be used in this mode (a hidden alias may be typed, never offered). */
function usable(node: OpNode, mode: OpMode): boolean {
  return mode === 'operational' || !node.operationalOnly;
}

/** The words that may follow at a node, for `?` and for errors, in order. */
export function keywordsAt(node: OpNode, mode: OpMode): OpNode[] {
  return [...node.keywords.values()]
    .filter((k) => !k.hidden && usable(k, mode))
    .sort((a, b) => a.word.localeCompare(b.word));
}

/** What `?` shows for an argument: its format, or its type's formats. */
export function argHelp(arg: ArgNode): ValueHelp[] {
  return arg.spec.format !== undefined
    ? [{ format: arg.spec.format, description: arg.spec.help }]
    : arg.spec.type.help.map((h) => ({
        format: h.format,
        description: arg.spec.help || h.description,
      }));
}

function allowedAt(node: OpNode, mode: OpMode): string[] {
  return [
    ...keywordsAt(node, mode).map((k) => k.word),
    ...(node.arg ? argHelp(node.arg).map((h) => h.format) : []),
  ];
}

interface Walk {
  readonly node: OpNode;
  readonly args: Record<string, string>;
  readonly error?: OpWordError;
}

/** Follow the words through the tree as far as they go. */
function walk(tree: OpTree, words: readonly string[], mode: OpMode): Walk {
  let node = tree.root;
  const args: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const at = words.slice(0, i);
    const keyword = node.keywords.get(word);
    if (keyword && usable(keyword, mode)) {
      node = keyword;
      continue;
    }
    // A value is never a prefix: `ping co` pings the host co.
    if (node.arg?.spec.type.accepts(word)) {
      args[node.arg.name] = word;
      node = node.arg.next;
      continue;
    }
    const offered = keywordsAt(node, mode).map((k) => k.word);
    const prefix = matchKeyword(word, offered);
    if (prefix.kind === 'prefix') {
      node = node.keywords.get(prefix.word)!;
      continue;
    }
    if (prefix.kind === 'ambiguous')
      return {
        node,
        args,
        error: { code: 'ambiguous', index: i, word, at, candidates: prefix.candidates },
      };
    const allowed = allowedAt(node, mode);
    let error: OpWordError;
    if (i === 0) error = { code: 'unknown-command', index: 0, word, allowed };
    else if (allowed.length === 0) error = { code: 'extra-word', index: i, word, at };
    else if (node.arg && node.keywords.size === 0)
      error = { code: 'invalid-value', index: i, word, at, arg: node.arg };
    else if (node.arg && nearestWords(word, [...node.keywords.keys()]).length === 0)
      // Neither a keyword nor near one: a value of the argument beside them that its type refuses.
      error = {
        code: 'invalid-value',
        index: i,
        word,
        at,
        arg: node.arg,
        keywords: allowed.filter((w) => node.keywords.has(w)),
      };
    else
      error = {
        code: 'unknown-word',
        index: i,
        word,
        at,
        allowed,
        ...(node.hint !== undefined ? { hint: node.hint } : {}),
      };
    return { node, args, error };
  }
  return { node, args };
}

/** The node the words lead to (prefixes matched), or what is wrong with them: `help` reads it. */
export function opNodeAt(
  tree: OpTree,
  words: readonly string[],
  mode: OpMode,
): { readonly node: OpNode } | { readonly error: OpWordError } {
  const w = walk(tree, words, mode);
  return w.error ? { error: w.error } : { node: w.node };
}

/** The command the words name, with its arguments, or what is wrong with them. */
export function resolveOp(tree: OpTree, words: readonly string[], mode: OpMode): OpMatch {
  const w = walk(tree, words, mode);
  if (w.error) return { ok: false, error: w.error };
  if (w.node.command) return { ok: true, command: w.node.command, args: w.args };
  if (w.node.arg && w.node.keywords.size === 0)
    return {
      ok: false,
      error: { code: 'value-required', index: words.length, at: words, arg: w.node.arg },
    };
  return {
    ok: false,
    error: { code: 'incomplete', index: words.length, at: words, allowed: allowedAt(w.node, mode) },
  };
}

const q = (word: string): string => excerpt(word);
const words = (at: readonly string[]): string => q(at.join(' '));

/** The message for a word error, as configuration mode words its own. */
export function describeOpError(error: OpWordError): string {
  switch (error.code) {
    case 'unknown-command':
      return `unknown command '${q(error.word)}'${didYouMean(error.word, error.allowed)}; expected ${list(error.allowed)}`;
    case 'unknown-word':
      return `unknown word '${q(error.word)}' after '${words(error.at)}'${didYouMean(error.word, error.allowed)}; expected one of: ${list(error.allowed)}${error.hint ? ` (${error.hint})` : ''}`;
    case 'ambiguous':
      return error.index === 0
        ? `ambiguous command '${q(error.word)}': it begins ${list(error.candidates)}`
        : `ambiguous word '${q(error.word)}' after '${words(error.at)}': it begins ${list(error.candidates)}`;
    case 'extra-word':
      return `unknown word '${q(error.word)}': '${words(error.at)}' is a complete command and takes no more words`;
    case 'invalid-value':
      return `'${q(error.word)}' is not a valid value for '${words(error.at)}'; expected ${error.keywords?.length ? `one of ${list(error.keywords)}, or ` : ''}${argHelp(
        error.arg,
      )
        .map((h) => `${h.format} (${h.description})`)
        .join(', ')}${insteadOf(error.arg, error.word)}`;
    case 'value-required':
      return `'${words(error.at)}' needs ${argHelp(error.arg)
        .map((h) => `${h.format}: ${h.description}`)
        .join(', ')}`;
    case 'incomplete':
      return `'${words(error.at)}' is not a complete command; expected one of: ${list(error.allowed)}`;
  }
}

/** An argument's advice for a word its type refuses (`vrf default`: leave out `vrf NAME`). */
function insteadOf(arg: ArgNode, word: string): string {
  const instead = arg.spec.instead ?? {};
  const advice = Object.hasOwn(instead, word) ? instead[word] : undefined;
  return advice ? `; ${advice}` : '';
}

// ---------------------------------------------------------------- completion

export interface OpChoice {
  readonly word: string;
  readonly help: string;
}

export interface OpCompletion {
  /** Words that may come next (keywords, values of a completion source). */
  readonly choices: readonly OpChoice[];
  /** What a free value here looks like (`<N>  Revision number`). */
  readonly values: readonly ValueHelp[];
  /** The words so far are a command (`<Enter>` is a choice). */
  readonly complete: boolean;
}

/**
 * What may follow the finished words: the keywords, the values of an
 * argument's completion source (through `runtime`) and its formats.
 */
export function completeOp(
  tree: OpTree,
  words: readonly string[],
  mode: OpMode,
  runtime: (source: string, args: OpArgs) => readonly string[],
): OpCompletion {
  const w = walk(tree, words, mode);
  if (w.error) return { choices: [], values: [], complete: false };
  const node = w.node;
  const choices: OpChoice[] = keywordsAt(node, mode).map((k) => ({
    word: k.word,
    help: k.help ?? '',
  }));
  let values: ValueHelp[] = [];
  if (node.arg) {
    const arg = node.arg;
    const source =
      arg.spec.source ?? (arg.spec.reference ? referenceSource(arg.spec.reference) : undefined);
    const known = source === undefined ? [] : runtime(source, w.args);
    const offered = [...new Set([...arg.spec.type.words, ...known])].filter(
      (v) => arg.spec.type.accepts(v) && !node.keywords.has(v),
    );
    const helps = argHelp(arg);
    // Fixed words are choices; the type's help lists them as formats too (see src/cli/complete.ts).
    choices.push(
      ...offered.map((v) => ({
        word: v,
        help: helps.find((h) => h.format === v)?.description ?? arg.spec.help,
      })),
    );
    values = helps.filter((h) => !offered.includes(h.format));
  }
  return { choices, values, complete: node.command !== undefined };
}

/** Every command reachable in this mode, in tree order (hidden aliases left out). */
export function visibleCommands(tree: OpTree, mode: OpMode = 'operational'): OpCommand[] {
  return tree.commands.filter((c) => !c.hidden && (mode === 'operational' || !c.operationalOnly));
}
