/** The three written forms of a config tree: set commands, curly braces, JSON. */
import { UNSAFE_CHARACTER } from '../../grammar/index.js';
import type { ContainerNode, SchemaNode } from '../schema/index.js';
import { runSliced, runToEnd, workBelow, type NodeWork } from './slice.js';
import { sortedChildren, type ConfigNode } from './tree.js';

/** The schema node for a child word of a node (undefined when the schema does not know it). */
export function childSchema(node: SchemaNode | undefined, word: string): SchemaNode | undefined {
  if (!node) return undefined;
  if (node.kind === 'tag') return node.entry;
  if (node.kind === 'container' || node.kind === 'entry') return node.children.get(word);
  return undefined;
}

const BARE_WORD = /^[A-Za-z0-9_@+:./,=-]+$/;

/** A value in set form: single quotes, backslash escapes. */
const NEEDS_ESCAPE = /[\\'\n\t]/;

export function quoteSet(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return `'${value}'`;
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t')}'`;
}

/** A path word: bare when it can be, quoted otherwise. */
export function pathWord(word: string): string {
  return BARE_WORD.test(word) ? word : quoteSet(word);
}

export function formatSetPath(path: readonly string[]): string {
  return path.map(pathWord).join(' ');
}

/**
 * A leaf's value in the curly form, quoted only where VyOS's `show` quotes it:
 * bare when it is one word (`mtu 1400`, `address !192.0.2.0/24`), quoted when
 * empty or holding spaces, quotes, braces, `#`, `;`, `*`, backslashes, unsafe
 * characters, or a `//` or `/*` that would start a comment.
 */
export function curlyValue(value: string): string {
  return BARE_VALUE.test(value) && !/\/[/*]/.test(value) && !UNSAFE_CHARACTER.test(value)
    ? value
    : quoteCurly(value);
}

const BARE_VALUE = /^[^\s"'{}#;*\\]+$/;

function quoteCurly(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

// ------------------------------------------------------------------ set form

/**
 * `set ...` lines for a subtree at path, and after them its `comment ...` lines
 * and the `deactivate ...` lines of its inactive nodes (as Junos's `display set`).
 */
export function setCommands(
  tree: ConfigNode,
  schema: SchemaNode,
  path: readonly string[] = [],
): string[] {
  const lines: string[] = [];
  const comments: string[] = [];
  // The path is carried down as text: each node adds one word, no path is formatted twice.
  const visit = (node: ConfigNode, s: SchemaNode | undefined, prefix: string): void => {
    if (node.comment !== undefined && prefix !== '')
      comments.push(`comment ${prefix} ${quoteSet(node.comment)}`);
    if (node.inactive && prefix !== '') comments.push(`deactivate ${prefix}`);
    if (s && (s.kind === 'leaf' || s.kind === 'multi')) {
      for (const v of node.values) lines.push(`set ${prefix} ${quoteSet(v)}`);
      return;
    }
    if (node.children.size === 0) {
      if (prefix !== '' && s?.kind !== 'tag') lines.push(`set ${prefix}`);
      return;
    }
    for (const [word, child] of sortedChildren(node))
      visit(
        child,
        childSchema(s, word),
        prefix === '' ? pathWord(word) : `${prefix} ${pathWord(word)}`,
      );
  };
  visit(tree, schema, formatSetPath(path));
  return [...lines, ...comments];
}

// ---------------------------------------------------------------- curly form

export interface CurlyOptions {
  /** Prefix each line with this marker (`+ ` / `- ` / `  `) for diffs. */
  readonly marker?: string;
  readonly indent?: number;
}

/** Curly lines for one named child (as it appears inside its parent). */
export function curlyChild(
  word: string,
  node: ConfigNode,
  s: SchemaNode | undefined,
  indent: number,
  marker = '',
): string[] {
  const out: string[] = [];
  curlyChildInto(out, word, node, s, indent, marker);
  return out;
}

/**
 * Appends to `out` rather than returning arrays to spread: `push(...lines)`
 * of a 45,000-rule chain overflows the call stack.
 */
export function curlyChildInto(
  out: string[],
  word: string,
  node: ConfigNode,
  s: SchemaNode | undefined,
  indent: number,
  marker = '',
): void {
  const indentation = `${marker}${'    '.repeat(indent)}`;
  // A tag node carries no comment of its own; its entries do.
  if (node.comment !== undefined && s?.kind !== 'tag')
    out.push(`${indentation}/* ${node.comment} */`);
  // Junos marks an inactive statement so; the curly loader reads it back.
  const pad = node.inactive ? `${indentation}${INACTIVE}` : indentation;
  if (s && (s.kind === 'leaf' || s.kind === 'multi')) {
    for (const v of node.values) out.push(`${pad}${word} ${curlyValue(v)}`);
    return;
  }
  if (s?.kind === 'flag' || (!s && node.children.size === 0 && node.values.length === 0)) {
    out.push(`${pad}${word}`);
    return;
  }
  if (s?.kind === 'tag') {
    for (const [key, entry] of sortedChildren(node)) {
      if (entry.comment !== undefined) out.push(`${indentation}/* ${entry.comment} */`);
      out.push(`${entryHead(indentation, word, key, entry.inactive)} {`);
      curlyChildrenInto(out, entry, s.entry, indent + 1, marker);
      out.push(`${indentation}}`);
    }
    return;
  }
  out.push(`${pad}${word} {`);
  curlyChildrenInto(out, node, s, indent + 1, marker);
  out.push(`${indentation}}`);
}

/** The prefix of an inactive statement in the curly form. */
export const INACTIVE = 'inactive: ';

/** `ethernet eth0` as the head of a tag entry's block, marked when inactive. */
export function entryHead(
  indentation: string,
  word: string,
  key: string,
  inactive: boolean,
): string {
  return `${indentation}${inactive ? INACTIVE : ''}${word} ${BARE_WORD.test(key) ? key : quoteCurly(key)}`;
}

function curlyChildrenInto(
  out: string[],
  node: ConfigNode,
  s: SchemaNode | undefined,
  indent: number,
  marker: string,
): void {
  for (const [word, child] of sortedChildren(node))
    curlyChildInto(out, word, child, childSchema(s, word), indent, marker);
}

/** The whole tree in curly form, as `show` prints it and config.boot holds it. */
export function toCurly(tree: ConfigNode, schema: ContainerNode): string {
  const lines: string[] = [];
  curlyChildrenInto(lines, tree, schema, 0, '');
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/**
 * The set form of a whole tree as one text, the way revisions are stored.
 * Each subtree's text is kept per node: a commit that changes one rule of a
 * large configuration writes the rest from the texts of the unchanged nodes.
 */
export function toSetForm(tree: ConfigNode, schema: ContainerNode): string {
  return runToEnd(toSetFormSteps(tree, schema));
}

/** `toSetForm` in slices, for a daemon that serves other sessions meanwhile. */
export function toSetFormSliced(tree: ConfigNode, schema: ContainerNode): Promise<string> {
  return runSliced(toSetFormSteps(tree, schema));
}

/** The text of one small subtree per step, then the whole from the texts memoised. */
export function* toSetFormSteps(tree: ConfigNode, schema: ContainerNode): Generator<void, string> {
  yield* workBelow(tree, schema, '', setTextWork);
  const { sets, comments } = setText(tree, schema, '');
  return sets + comments;
}

const childPrefix = (prefix: string, word: string): string =>
  prefix === '' ? pathWord(word) : `${prefix} ${pathWord(word)}`;

const setTextWork: NodeWork<string> = {
  child: childPrefix,
  known: (node, _s, prefix) => setTextMemo.get(node)?.prefix === prefix,
  visit: (node, s, prefix) => void setText(node, s, prefix),
};

interface SetText {
  readonly sets: string;
  readonly comments: string;
}

const setTextMemo = new WeakMap<ConfigNode, { readonly prefix: string; readonly text: SetText }>();

function setText(node: ConfigNode, s: SchemaNode | undefined, prefix: string): SetText {
  const known = setTextMemo.get(node);
  if (known?.prefix === prefix) return known.text;
  let sets = '';
  let comments = '';
  if (node.comment !== undefined && prefix !== '')
    comments = `comment ${prefix} ${quoteSet(node.comment)}\n`;
  if (node.inactive && prefix !== '') comments += `deactivate ${prefix}\n`;
  if (s && (s.kind === 'leaf' || s.kind === 'multi')) {
    // One flat string for all values (a group of 100k members): join, not 100k concatenations.
    const head = `set ${prefix} `;
    if (node.values.length > 0) sets = `${node.values.map((v) => head + quoteSet(v)).join('\n')}\n`;
  } else if (node.children.size === 0) {
    if (prefix !== '' && s?.kind !== 'tag') sets = `set ${prefix}\n`;
  } else {
    for (const [word, child] of sortedChildren(node)) {
      const t = setText(child, childSchema(s, word), childPrefix(prefix, word));
      sets += t.sets;
      comments += t.comments;
    }
  }
  const result = { sets, comments };
  setTextMemo.set(node, { prefix, text: result });
  return result;
}

// ---------------------------------------------------------------------- JSON

export type ConfigJson = { [name: string]: ConfigJson | string | string[] };

/** JSON as VyOS prints it: leaves are strings, multi-leaves arrays, flags `{}`. */
export function toJsonValue(tree: ConfigNode, schema: SchemaNode | undefined): ConfigJson {
  const out: ConfigJson = {};
  for (const [word, child] of sortedChildren(tree)) {
    const s = childSchema(schema, word);
    if (s?.kind === 'leaf') out[word] = child.values[0] ?? '';
    else if (s?.kind === 'multi') out[word] = [...child.values];
    else out[word] = toJsonValue(child, s);
  }
  return out;
}

export function toJson(tree: ConfigNode, schema: ContainerNode): string {
  return `${JSON.stringify(toJsonValue(tree, schema), null, 2)}\n`;
}
