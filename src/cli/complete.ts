/**
 * Completion and `?` help, computed from what may follow at the cursor: the
 * operational command tree (src/op) in operational mode and after `run`, the
 * configuration mode's command words, then the schema for configuration paths.
 */
import { parseScript } from '../../grammar/index.js';
import { getNode, type ConfigNode } from '../config/index.js';
import { completeOp, opTree, type OpChoice, type OpCompletion } from '../op/index.js';
import { CONFIGURATION, type CommandWord } from './config-words.js';
import { expandConfiguration } from './expand.js';
import {
  referencePaths,
  valueHelp,
  type CompletionSource,
  type ContainerNode,
  type LeafNode,
  type SchemaNode,
  type TagNode,
  type ValueHelp,
} from '../schema/index.js';

export type Choice = OpChoice;

/** Choices that start with what is typed at the cursor, value formats, and whether Enter may run it. */
export interface Completion extends OpCompletion {
  /** The part of the word under the cursor already typed. */
  readonly partial: string;
}

export interface CompletionContext {
  readonly mode: 'operational' | 'configuration';
  readonly level: readonly string[];
  /** The tree whose tag entries are offered (the candidate, or running). */
  readonly tree: ConfigNode;
  /** The values of a completion source (src/op/sources.ts), such as the links in the target namespace. */
  readonly runtime: (
    source: string,
    args?: Readonly<Record<string, string | undefined>>,
  ) => readonly string[];
}

/** Split the text before the cursor into finished words and the partial word at the cursor. */
function splitAtCursor(before: string): { words: string[]; partial: string } | undefined {
  const endsInSpace = before === '' || /\s$/.test(before);
  const parsed = parseScript(before);
  if (parsed.errors.length > 0) return undefined;
  const command = parsed.commands[parsed.commands.length - 1];
  if (command?.pipes.length) return undefined;
  const all = command ? command.words.map((w) => w.text) : [];
  if (endsInSpace || /[;]\s*$/.test(before)) return { words: all, partial: '' };
  return { words: all.slice(0, -1), partial: all[all.length - 1] ?? '' };
}

function childrenOf(node: SchemaNode): ReadonlyMap<string, SchemaNode> | undefined {
  return node.kind === 'container' || node.kind === 'entry' ? node.children : undefined;
}

/** The words a completion source offers: run-time values, fixed ones, or names configured elsewhere. */
function sourceWords(source: CompletionSource | undefined, ctx: CompletionContext): string[] {
  if (!source) return [];
  if (source.kind === 'runtime') return [...ctx.runtime(source.provider)];
  if (source.kind === 'static') return [...source.values];
  return source.paths.flatMap((p) => [...(getNode(ctx.tree, p)?.children.keys() ?? [])]);
}

/** The entries a reference leaf may name (`jump-target` offers the chains). */
function namesFor(node: LeafNode | TagNode, tree: ConfigNode, at: readonly string[]): string[] {
  const names: string[] = [];
  if (!node.reference) return names;
  for (const p of referencePaths(node.reference, at))
    for (const name of getNode(tree, p)?.children.keys() ?? []) names.push(name);
  return names;
}

/**
 * A type's fixed words (`dhcp`, `dhcpv6`) are offered as choices with their own
 * descriptions; its help lists them as formats too, so the formats left are the
 * free ones (`<x.x.x.x/x>`): else `?` shows each fixed word twice.
 */
function freeFormats(helps: readonly ValueHelp[], offered: readonly string[]): ValueHelp[] {
  const words = new Set(offered);
  return helps.filter((h) => !words.has(h.format));
}

/** The description of a fixed word of a type (`dhcp`: Dynamic Host ...), else `fallback`. */
function wordHelp(helps: readonly ValueHelp[], word: string, fallback: string): string {
  return helps.find((h) => h.format === word)?.description ?? fallback;
}

/** Completion inside a configuration path (after set/delete/edit/show/...). */
function completePath(
  schema: ContainerNode,
  ctx: CompletionContext,
  words: readonly string[],
  verb: string,
): Omit<Completion, 'partial'> {
  let node: SchemaNode = schema;
  const path: string[] = [];
  const full = [...ctx.level, ...words];
  for (let i = 0; i < full.length; i++) {
    const word = full[i]!;
    if (node.unsupported) return { choices: [], values: [], complete: true };
    if (node.kind === 'tag') {
      path.push(word);
      node = node.entry;
    } else if (node.kind === 'leaf' || node.kind === 'multi') {
      return { choices: [], values: [], complete: true };
    } else if (node.kind === 'flag') {
      return { choices: [], values: [], complete: true };
    } else {
      const child: SchemaNode | undefined = childrenOf(node)?.get(word);
      if (!child) return { choices: [], values: [], complete: false };
      path.push(word);
      node = child;
    }
  }
  const existing = getNode(ctx.tree, path);
  switch (node.kind) {
    case 'container':
    case 'entry': {
      const choices = [...node.children.values()]
        .map((c) => ({ word: c.name, help: c.unsupported ? `${c.help} (not yet)` : c.help }))
        .sort((a, b) => a.word.localeCompare(b.word));
      // In `delete`, only what is configured can be named.
      const present =
        verb === 'delete' ? choices.filter((c) => existing?.children.has(c.word)) : choices;
      return { choices: present, values: [], complete: verb !== 'set' || path.length > 0 };
    }
    case 'tag': {
      const configured = new Set(existing?.children.keys() ?? []);
      const runtime = sourceWords(node.completion, ctx).filter((n) => node.key.accepts(n));
      const named = namesFor(node, ctx.tree, path).filter((n) => node.key.accepts(n));
      const words = [
        ...new Set([
          ...configured,
          ...(verb === 'delete' ? [] : [...named, ...runtime, ...node.key.words]),
        ]),
      ];
      const helps = valueHelp(node);
      return {
        choices: words.map((w) => ({
          word: w,
          help: configured.has(w) ? 'configured' : wordHelp(helps, w, node.help),
        })),
        values: verb === 'delete' ? [] : freeFormats(helps, words),
        complete: verb === 'delete' || verb === 'show',
      };
    }
    case 'leaf':
    case 'multi': {
      const current = existing?.values ?? [];
      const source = [...namesFor(node, ctx.tree, path), ...sourceWords(node.completion, ctx)];
      const words = verb === 'delete' ? current : [...new Set([...node.type.words, ...source])];
      // A set: `delete` offers every member of a 100k-member group.
      const configured = new Set(current);
      const helps = valueHelp(node);
      return {
        choices: words.map((w) => ({
          word: w,
          help: configured.has(w) ? 'configured' : wordHelp(helps, w, node.help),
        })),
        values: verb === 'delete' ? [] : freeFormats(helps, words),
        complete: verb !== 'set',
      };
    }
    case 'flag':
      return { choices: [], values: [], complete: true };
  }
}

/** Does an ordered list (rules) lie at or below this node? */
const holdsOrdered = new WeakMap<SchemaNode, boolean>();
function leadsToOrdered(node: SchemaNode): boolean {
  let known = holdsOrdered.get(node);
  if (known === undefined) {
    holdsOrdered.set(node, false); // an entry points back at its tag
    known =
      !node.unsupported &&
      ((node.kind === 'tag' && (node.ordered === true || leadsToOrdered(node.entry))) ||
        [...(childrenOf(node)?.values() ?? [])].some(leadsToOrdered));
    holdsOrdered.set(node, known);
  }
  return known;
}

/**
 * Completion after `insert`: the keywords that lead to an ordered list, the
 * configured entries on the way, then `rule A before|after rule B` with the
 * configured numbers.
 */
function completeInsert(
  schema: ContainerNode,
  ctx: CompletionContext,
  words: readonly string[],
): Omit<Completion, 'partial'> {
  const none = { choices: [], values: [], complete: false };
  let node: SchemaNode = schema;
  const path: string[] = [];
  const full = [...ctx.level, ...words];
  let listAt = -1;
  for (let i = 0; i < full.length; i++) {
    const word = full[i]!;
    if (node.kind === 'tag') {
      path.push(word);
      node = node.entry;
      continue;
    }
    const child: SchemaNode | undefined = childrenOf(node)?.get(word);
    if (!child) return none;
    path.push(word);
    node = child;
    if (child.kind === 'tag' && child.ordered) {
      listAt = i;
      break;
    }
  }
  const configured = (p: readonly string[]): string[] => [
    ...(getNode(ctx.tree, p)?.children.keys() ?? []),
  ];
  if (listAt < 0) {
    if (node.kind === 'tag')
      return {
        choices: configured(path).map((w) => ({ word: w, help: 'configured' })),
        values: [],
        complete: false,
      };
    const choices = [...(childrenOf(node)?.values() ?? [])]
      .filter((c) => leadsToOrdered(c) && getNode(ctx.tree, [...path, c.name]))
      .map((c) => ({ word: c.name, help: c.help }))
      .sort((a, b) => a.word.localeCompare(b.word));
    return { choices, values: [], complete: false };
  }
  // An edit level inside a rule has no list below it to insert in.
  if (listAt < ctx.level.length) return none;
  const tag = node as TagNode;
  const after = full.slice(listAt + 1);
  const numbers = configured(path);
  const rules = (except?: string): Choice[] =>
    numbers.filter((n) => n !== except).map((n) => ({ word: n, help: `Configured ${tag.name}` }));
  switch (after.length) {
    case 0:
      return { choices: rules(), values: [], complete: false };
    case 1:
      return {
        choices: [
          { word: 'after', help: `Just after another ${tag.name}` },
          { word: 'before', help: `Just before another ${tag.name}` },
        ],
        values: [],
        complete: false,
      };
    case 2:
      return { choices: [{ word: tag.name, help: tag.help }], values: [], complete: false };
    case 3:
      return { choices: rules(after[0]), values: [], complete: false };
    case 4:
      return { choices: [], values: [], complete: true };
    default:
      return none;
  }
}

function completeCommand(
  table: Readonly<Record<string, CommandWord>>,
  schema: ContainerNode,
  ctx: CompletionContext,
  words: readonly string[],
): Omit<Completion, 'partial'> {
  let level: Readonly<Record<string, CommandWord>> | undefined = table;
  let current: CommandWord | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next: CommandWord | undefined = level?.[word];
    if (!next) {
      // A value word (a number, a file) ends the command words.
      if (current?.value) return { choices: [], values: [], complete: true };
      return { choices: [], values: [], complete: false };
    }
    current = next;
    if (word === 'insert') return completeInsert(schema, ctx, words.slice(i + 1));
    if (next.path) return completePath(schema, ctx, words.slice(i + 1), word);
    if (next.op) return completeOp(opTree, words.slice(i + 1), ctx.mode, ctx.runtime);
    level = next.next;
  }
  const choices = Object.entries(level ?? {})
    .map(([word, c]) => ({ word, help: c.help }))
    .sort((a, b) => a.word.localeCompare(b.word));
  return {
    choices,
    values: current?.value ? [current.value] : [],
    complete: current?.done ?? false,
  };
}

/** What may come at the cursor of a line. */
export function completeLine(
  line: string,
  cursor: number,
  schema: ContainerNode,
  ctx: CompletionContext,
): Completion {
  const split = splitAtCursor(line.slice(0, cursor));
  if (!split) return { choices: [], values: [], partial: '', complete: false };
  // Finished words may be prefixes (`se int eth <TAB>`); the op tree matches its own.
  const expanded =
    ctx.mode === 'configuration' ? expandConfiguration(schema, ctx.level, split.words) : undefined;
  const finished = expanded?.ok ? expanded.words : split.words;
  const result =
    ctx.mode === 'operational'
      ? completeOp(opTree, finished, 'operational', ctx.runtime)
      : completeCommand(CONFIGURATION, schema, ctx, finished);
  const choices = result.choices.filter((c) => c.word.startsWith(split.partial));
  // A half-typed word is not a command yet.
  return {
    ...result,
    choices,
    partial: split.partial,
    complete: result.complete && split.partial === '',
  };
}

/** The longest common prefix of the choices (what TAB can insert without asking). */
export function commonPrefix(words: readonly string[]): string {
  if (words.length === 0) return '';
  let prefix = words[0]!;
  for (const w of words) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** `?` output: the choices and value formats, one line of help each. */
export function formatHelp(completion: Completion): string[] {
  const rows: [string, string][] = [
    ...completion.choices.map((c): [string, string] => [c.word, c.help]),
    ...completion.values.map((v): [string, string] => [v.format, v.description]),
  ];
  if (completion.complete) rows.push(['<Enter>', 'Execute the current command']);
  if (rows.length === 0) return ['No completions here.'];
  const width = Math.min(
    30,
    rows.reduce((n, [w]) => Math.max(n, w.length), 0),
  );
  return ['Possible completions:', ...rows.map(([w, h]) => `  ${w.padEnd(width)}  ${h}`)];
}

/** What TAB does: insert the only choice (or the common prefix), or, on a second TAB, list them. */
export type TabResult =
  | { readonly kind: 'insert'; readonly text: string; readonly final: boolean }
  | { readonly kind: 'list'; readonly lines: readonly string[] }
  | { readonly kind: 'nothing' };

export function tabAction(completion: Completion, secondTab: boolean): TabResult {
  const words = completion.choices.map((c) => c.word);
  if (words.length === 1)
    return { kind: 'insert', text: `${words[0]!.slice(completion.partial.length)} `, final: true };
  const prefix = commonPrefix(words);
  if (prefix.length > completion.partial.length)
    return { kind: 'insert', text: prefix.slice(completion.partial.length), final: false };
  if (secondTab || words.length === 0)
    return { kind: 'list', lines: formatHelp(completion).slice(1) };
  return { kind: 'nothing' };
}
