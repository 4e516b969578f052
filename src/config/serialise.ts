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
 * A piece of the set form: the text of a small subtree, or of a block of a
 * large multi-leaf's values. Pieces are kept per node, so an unchanged part
 * of the configuration gives the same piece objects from one revision to
 * the next (the store keeps each piece's text once, see src/store/store.ts).
 */
export interface SetFormPiece {
  readonly text: string;
}

/** The set form of a whole tree as pieces, in order: their texts joined are `toSetForm`. */
export function setFormPieces(tree: ConfigNode, schema: ContainerNode): readonly SetFormPiece[] {
  return runToEnd(setFormPiecesSteps(tree, schema));
}

/** `setFormPieces` in slices, for a daemon that serves other sessions meanwhile. */
export function setFormPiecesSliced(
  tree: ConfigNode,
  schema: ContainerNode,
): Promise<readonly SetFormPiece[]> {
  return runSliced(setFormPiecesSteps(tree, schema));
}

function* setFormPiecesSteps(
  tree: ConfigNode,
  schema: ContainerNode,
): Generator<void, readonly SetFormPiece[]> {
  yield* workBelow(tree, schema, '', setTextWork);
  const { sets, comments } = setText(tree, schema, '');
  return comments.length === 0 ? sets : [...sets, ...comments];
}

/**
 * The set form of a whole tree as one text, the way revisions are written
 * out. Each subtree's text is kept per node: a commit that changes one rule
 * of a large configuration writes the rest from the texts of the unchanged
 * nodes.
 */
export function toSetForm(tree: ConfigNode, schema: ContainerNode): string {
  return joinPieces(setFormPieces(tree, schema));
}

/** `toSetForm` in slices, for a daemon that serves other sessions meanwhile. */
export async function toSetFormSliced(tree: ConfigNode, schema: ContainerNode): Promise<string> {
  return joinPieces(await setFormPiecesSliced(tree, schema));
}

/** The text of one small subtree per step, then the whole from the texts memoised. */
export function* toSetFormSteps(tree: ConfigNode, schema: ContainerNode): Generator<void, string> {
  return joinPieces(yield* setFormPiecesSteps(tree, schema));
}

function joinPieces(pieces: readonly SetFormPiece[]): string {
  let text = '';
  for (const p of pieces) text += p.text;
  return text;
}

const childPrefix = (prefix: string, word: string): string =>
  prefix === '' ? pathWord(word) : `${prefix} ${pathWord(word)}`;

const setTextWork: NodeWork<string> = {
  child: childPrefix,
  known: (node, _s, prefix) => setTextMemo.get(node)?.prefix === prefix,
  visit: (node, s, prefix) => void setText(node, s, prefix),
};

interface SetText {
  readonly sets: readonly SetFormPiece[];
  readonly comments: readonly SetFormPiece[];
}

const NO_PIECES: readonly SetFormPiece[] = [];
/** Pieces of a node shorter than this together are one piece (a rule, a user). */
const MERGE_BELOW = 8192;
/** Values of a multi-leaf per piece. */
export const VALUES_PER_PIECE = 1024;

const setTextMemo = new WeakMap<ConfigNode, { readonly prefix: string; readonly text: SetText }>();

function merged(pieces: readonly SetFormPiece[]): readonly SetFormPiece[] {
  if (pieces.length < 2) return pieces;
  let length = 0;
  for (const p of pieces) {
    length += p.text.length;
    if (length >= MERGE_BELOW) return pieces;
  }
  return [{ text: joinPieces(pieces) }];
}

function setText(node: ConfigNode, s: SchemaNode | undefined, prefix: string): SetText {
  const known = setTextMemo.get(node);
  if (known?.prefix === prefix) return known.text;
  let sets: readonly SetFormPiece[] = NO_PIECES;
  let comments: readonly SetFormPiece[] = NO_PIECES;
  if (node.comment !== undefined && prefix !== '')
    comments = [{ text: `comment ${prefix} ${quoteSet(node.comment)}\n` }];
  if (node.inactive && prefix !== '') comments = [...comments, { text: `deactivate ${prefix}\n` }];
  if (s && (s.kind === 'leaf' || s.kind === 'multi')) {
    if (node.values.length > 0) sets = valuePieces(node.values, `set ${prefix} `);
  } else if (node.children.size === 0) {
    if (prefix !== '' && s?.kind !== 'tag') sets = [{ text: `set ${prefix}\n` }];
  } else {
    const allSets: SetFormPiece[] = [];
    const allComments: SetFormPiece[] = [...comments];
    for (const [word, child] of sortedChildren(node)) {
      const t = setText(child, childSchema(s, word), childPrefix(prefix, word));
      for (const p of t.sets) allSets.push(p);
      for (const p of t.comments) allComments.push(p);
    }
    sets = merged(allSets);
    comments = merged(allComments);
  }
  const result = { sets, comments };
  setTextMemo.set(node, { prefix, text: result });
  return result;
}

/** The lines of values[start, end) under one head. */
function valuesText(values: readonly string[], head: string, start: number, end: number): string {
  // One flat string per block: join, not a thousand concatenations.
  const lines: string[] = new Array<string>(end - start);
  for (let i = start; i < end; i++) lines[i - start] = head + quoteSet(values[i]!);
  return `${lines.join('\n')}\n`;
}

interface Block {
  readonly start: number;
  readonly end: number;
  readonly piece: SetFormPiece;
}

/**
 * The blocks of the large multi-leaves written last, by head (their path):
 * a group of 100,000 members that gains one keeps every block but the one
 * that changed, found by comparing the two value arrays from both ends.
 */
const largeLeaves = new Map<string, { values: readonly string[]; blocks: readonly Block[] }>();
const LARGE_LEAVES_KEPT = 64;

function valuePieces(values: readonly string[], head: string): readonly SetFormPiece[] {
  if (values.length <= VALUES_PER_PIECE)
    return [{ text: valuesText(values, head, 0, values.length) }];
  const old = largeLeaves.get(head);
  const blocks: Block[] = [];
  // The first value (from the start) and the last (from the end) that differ from the old ones.
  let from = 0;
  let to = values.length;
  const tailBlocks: Block[] = [];
  if (old) {
    const ov = old.values;
    const max = Math.min(ov.length, values.length);
    let head0 = 0;
    while (head0 < max && ov[head0] === values[head0]) head0++;
    let tail = 0;
    while (tail < max - head0 && ov[ov.length - 1 - tail] === values[values.length - 1 - tail])
      tail++;
    const shift = values.length - ov.length;
    for (const b of old.blocks) {
      if (b.end <= head0) blocks.push(b);
      else if (b.start >= ov.length - tail)
        tailBlocks.push(
          shift === 0 ? b : { start: b.start + shift, end: b.end + shift, piece: b.piece },
        );
    }
    // A short last block is written again with what follows it (appends do not leave a block per value).
    const last = blocks[blocks.length - 1];
    if (last && last.end - last.start < VALUES_PER_PIECE) blocks.pop();
    from = blocks.length ? blocks[blocks.length - 1]!.end : 0;
    to = tailBlocks.length ? tailBlocks[0]!.start : values.length;
  }
  for (let start = from; start < to; start += VALUES_PER_PIECE) {
    const end = Math.min(start + VALUES_PER_PIECE, to);
    blocks.push({ start, end, piece: { text: valuesText(values, head, start, end) } });
  }
  for (const b of tailBlocks) blocks.push(b);
  largeLeaves.delete(head);
  largeLeaves.set(head, { values, blocks });
  if (largeLeaves.size > LARGE_LEAVES_KEPT) largeLeaves.delete(largeLeaves.keys().next().value!);
  return blocks.map((b) => b.piece);
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
