/**
 * What changed between two trees: as `delete`/`set`/`comment` commands that
 * turn the old tree into the new one, and as the curly form with `+`/`-`
 * markers that `compare` prints.
 */
import type { ContainerNode, SchemaNode } from '../schema/index.js';
import { childSchema, curlyChild, formatSetPath, quoteSet, setCommands } from './serialise.js';
import { EMPTY_TREE, naturalCompare, treesEqual, type ConfigNode } from './tree.js';

export interface DiffCommands {
  readonly deletes: string[];
  readonly sets: string[];
  readonly comments: string[];
}

function isLeaf(s: SchemaNode | undefined): boolean {
  return s?.kind === 'leaf' || s?.kind === 'multi';
}

function unionNames(a: ConfigNode, b: ConfigNode): string[] {
  const names = new Set([...a.children.keys(), ...b.children.keys()]);
  return [...names].sort(naturalCompare);
}

function diffInto(
  a: ConfigNode,
  b: ConfigNode,
  s: SchemaNode | undefined,
  path: string[],
  out: DiffCommands,
): void {
  if (a === b) return;
  if (path.length > 0 && a.comment !== b.comment) {
    out.comments.push(`comment ${formatSetPath(path)} ${quoteSet(b.comment ?? '')}`);
  }
  if (isLeaf(s)) {
    const at = formatSetPath(path);
    if (s!.kind === 'leaf') {
      if (a.values[0] !== b.values[0]) out.sets.push(`set ${at} ${quoteSet(b.values[0] ?? '')}`);
      return;
    }
    const kept = a.values.filter((v) => b.values.includes(v));
    const sameOrder = kept.every((v, i) => b.values[i] === v);
    if (!sameOrder) {
      // Order matters (name servers): restate the list.
      out.deletes.push(`delete ${at}`);
      for (const v of b.values) out.sets.push(`set ${at} ${quoteSet(v)}`);
      return;
    }
    for (const v of a.values)
      if (!b.values.includes(v)) out.deletes.push(`delete ${at} ${quoteSet(v)}`);
    for (const v of b.values) if (!a.values.includes(v)) out.sets.push(`set ${at} ${quoteSet(v)}`);
    return;
  }
  for (const word of unionNames(a, b)) {
    const ca = a.children.get(word);
    const cb = b.children.get(word);
    const cs = childSchema(s, word);
    const at = [...path, word];
    if (ca && !cb) out.deletes.push(`delete ${formatSetPath(at)}`);
    else if (!ca && cb) {
      for (const line of setCommands(cb, cs ?? { kind: 'flag', name: word, help: '' }, at)) {
        (line.startsWith('comment ') ? out.comments : out.sets).push(line);
      }
    } else if (ca && cb) diffInto(ca, cb, cs, at, out);
  }
}

/** Commands that turn `running` into `candidate`: deletes, then sets, then comments. */
export function diffCommands(
  running: ConfigNode,
  candidate: ConfigNode,
  schema: ContainerNode,
): string[] {
  const out: DiffCommands = { deletes: [], sets: [], comments: [] };
  diffInto(running, candidate, schema, [], out);
  return [...out.deletes, ...out.sets, ...out.comments];
}

// ------------------------------------------------------------ curly with markers

const UNCHANGED = '  ';
const ADDED = '+ ';
const REMOVED = '- ';

function curlyDiffChildren(
  a: ConfigNode,
  b: ConfigNode,
  s: SchemaNode | undefined,
  indent: number,
): string[] {
  const out: string[] = [];
  for (const word of unionNames(a, b)) {
    const ca = a.children.get(word);
    const cb = b.children.get(word);
    if (ca && cb && treesEqual(ca, cb)) continue;
    const cs = childSchema(s, word);
    if (!cb) out.push(...curlyChild(word, ca!, cs, indent, REMOVED));
    else if (!ca) out.push(...curlyChild(word, cb, cs, indent, ADDED));
    else out.push(...curlyDiffNode(word, ca, cb, cs, indent));
  }
  return out;
}

function curlyDiffNode(
  word: string,
  a: ConfigNode,
  b: ConfigNode,
  s: SchemaNode | undefined,
  indent: number,
): string[] {
  const pad = '    '.repeat(indent);
  const out: string[] = [];
  const commentLines = (): void => {
    if (a.comment === b.comment) return;
    if (a.comment !== undefined) out.push(`${REMOVED}${pad}/* ${a.comment} */`);
    if (b.comment !== undefined) out.push(`${ADDED}${pad}/* ${b.comment} */`);
  };
  if (isLeaf(s)) {
    commentLines();
    const removed = a.values.filter((v) => !b.values.includes(v));
    const added = b.values.filter((v) => !a.values.includes(v));
    const leafOf = (values: string[]): ConfigNode => ({
      children: new Map(),
      values,
      comment: undefined,
    });
    if (removed.length === 0 && added.length === 0 && a.values.join('\n') !== b.values.join('\n')) {
      out.push(...curlyChild(word, leafOf([...a.values]), s, indent, REMOVED));
      out.push(...curlyChild(word, leafOf([...b.values]), s, indent, ADDED));
      return out;
    }
    if (removed.length) out.push(...curlyChild(word, leafOf(removed), s, indent, REMOVED));
    if (added.length) out.push(...curlyChild(word, leafOf(added), s, indent, ADDED));
    return out;
  }
  if (s?.kind === 'tag') {
    for (const key of unionNames(a, b)) {
      const ea = a.children.get(key);
      const eb = b.children.get(key);
      if (ea && eb && treesEqual(ea, eb)) continue;
      const single = (entry: ConfigNode): ConfigNode => ({
        children: new Map([[key, entry]]),
        values: [],
        comment: undefined,
      });
      if (!eb) out.push(...curlyChild(word, single(ea!), s, indent, REMOVED));
      else if (!ea) out.push(...curlyChild(word, single(eb), s, indent, ADDED));
      else {
        const header = `${pad}${word} ${key} {`;
        if (ea.comment !== eb.comment) {
          if (ea.comment !== undefined) out.push(`${REMOVED}${pad}/* ${ea.comment} */`);
          if (eb.comment !== undefined) out.push(`${ADDED}${pad}/* ${eb.comment} */`);
        }
        out.push(
          `${UNCHANGED}${header}`,
          ...curlyDiffChildren(ea, eb, s.entry, indent + 1),
          `${UNCHANGED}${pad}}`,
        );
      }
    }
    return out;
  }
  commentLines();
  out.push(
    `${UNCHANGED}${pad}${word} {`,
    ...curlyDiffChildren(a, b, s, indent + 1),
    `${UNCHANGED}${pad}}`,
  );
  return out;
}

/** The curly form of the changed branches, with `+ `/`- ` markers (empty when equal). */
export function diffCurly(
  running: ConfigNode,
  candidate: ConfigNode,
  schema: ContainerNode,
): string {
  const lines = curlyDiffChildren(running ?? EMPTY_TREE, candidate ?? EMPTY_TREE, schema, 0);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
