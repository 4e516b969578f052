/**
 * What changed between two trees: as `delete`/`set`/`comment` commands that
 * turn the old tree into the new one, and as the curly form with `+`/`-`
 * markers that `compare` prints.
 */
import type { ContainerNode, Owner, SchemaNode } from '../schema/index.js';
import {
  childSchema,
  curlyChildInto,
  curlyValue,
  entryHead,
  formatSetPath,
  INACTIVE,
  quoteSet,
  setCommands,
} from './serialise.js';
import { configNode, EMPTY_TREE, naturalCompare, treesEqual, type ConfigNode } from './tree.js';

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
  if (path.length > 0 && a.inactive !== b.inactive)
    out.comments.push(`${b.inactive ? 'deactivate' : 'activate'} ${formatSetPath(path)}`);
  if (isLeaf(s)) {
    const at = formatSetPath(path);
    if (s!.kind === 'leaf') {
      if (a.values[0] !== b.values[0]) out.sets.push(`set ${at} ${quoteSet(b.values[0] ?? '')}`);
      return;
    }
    // Sets, not includes(): a group of 100k members would take 10^10 steps.
    const inA = new Set(a.values);
    const inB = new Set(b.values);
    const kept = a.values.filter((v) => inB.has(v));
    const sameOrder = kept.every((v, i) => b.values[i] === v);
    if (!sameOrder) {
      // Order matters (name servers): restate the list.
      out.deletes.push(`delete ${at}`);
      for (const v of b.values) out.sets.push(`set ${at} ${quoteSet(v)}`);
      return;
    }
    for (const v of a.values) if (!inB.has(v)) out.deletes.push(`delete ${at} ${quoteSet(v)}`);
    for (const v of b.values) if (!inA.has(v)) out.sets.push(`set ${at} ${quoteSet(v)}`);
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

/** Commands that turn `running` into `candidate`: deletes, then sets, then comments and (de)activations. */
export function diffCommands(
  running: ConfigNode,
  candidate: ConfigNode,
  schema: ContainerNode,
): string[] {
  const out: DiffCommands = { deletes: [], sets: [], comments: [] };
  diffInto(running, candidate, schema, [], out);
  return out.deletes.concat(out.sets, out.comments);
}

// ------------------------------------------------------------ owners of a change

/** The owners declared on a schema node and below it, memoised per node. */
const ownersBelowMemo = new WeakMap<SchemaNode, ReadonlySet<Owner>>();

function ownersBelow(s: SchemaNode): ReadonlySet<Owner> {
  const known = ownersBelowMemo.get(s);
  if (known) return known;
  const owners = new Set<Owner>();
  if (s.owner) owners.add(s.owner);
  const children =
    s.kind === 'container' || s.kind === 'entry'
      ? s.children.values()
      : s.kind === 'tag'
        ? [s.entry]
        : [];
  for (const child of children) for (const o of ownersBelow(child)) owners.add(o);
  ownersBelowMemo.set(s, owners);
  return owners;
}

function ownersInto(
  a: ConfigNode | undefined,
  b: ConfigNode | undefined,
  s: SchemaNode | undefined,
  inherited: Owner | undefined,
  out: Set<Owner>,
): void {
  if (a === b) return;
  const owner = s?.owner ?? inherited;
  const only = s === undefined || [...ownersBelow(s)].every((o) => o === owner);
  if (owner !== undefined && !out.has(owner)) {
    // A node that comes or goes, or a subtree with no other owner below: one comparison, no walk.
    if (!a || !b || (only && !treesEqual(a, b))) out.add(owner);
    else if (!only) {
      const values =
        a.values.length !== b.values.length || a.values.some((v, i) => v !== b.values[i]);
      if (values || a.comment !== b.comment) out.add(owner);
    }
  }
  if (only) return;
  const names = new Set([...(a?.children.keys() ?? []), ...(b?.children.keys() ?? [])]);
  for (const word of names)
    ownersInto(a?.children.get(word), b?.children.get(word), childSchema(s, word), owner, out);
}

/**
 * The owners (backends) whose part of the configuration differs between two
 * trees: what a commit from `running` to `candidate` must plan, check and apply.
 */
export function changedOwners(
  running: ConfigNode,
  candidate: ConfigNode,
  schema: ContainerNode,
): Set<Owner> {
  const out = new Set<Owner>();
  ownersInto(running ?? EMPTY_TREE, candidate ?? EMPTY_TREE, schema, undefined, out);
  return out;
}

// ------------------------------------------------------------ curly with markers

const UNCHANGED = '  ';
const ADDED = '+ ';
const REMOVED = '- ';
/** A node whose activation changed, as Junos marks it: `! inactive: ...` or `! active: ...`. */
const ACTIVATION = '! ';

const markOf = (n: ConfigNode): string => (n.inactive ? INACTIVE : 'active: ');

/** Whether two nodes differ in their inactive mark only. */
function onlyMarkDiffers(a: ConfigNode, b: ConfigNode): boolean {
  return (
    a.inactive !== b.inactive &&
    treesEqual(configNode(a.children, a.values, a.comment, b.inactive), b)
  );
}

// The curly writers append to one array: spreading a 45,000-rule chain into push() overflows the stack.
function curlyDiffChildren(
  out: string[],
  a: ConfigNode,
  b: ConfigNode,
  s: SchemaNode | undefined,
  indent: number,
): void {
  for (const word of unionNames(a, b)) {
    const ca = a.children.get(word);
    const cb = b.children.get(word);
    if (ca && cb && treesEqual(ca, cb)) continue;
    const cs = childSchema(s, word);
    if (!cb) curlyChildInto(out, word, ca!, cs, indent, REMOVED);
    else if (!ca) curlyChildInto(out, word, cb, cs, indent, ADDED);
    else curlyDiffNode(out, word, ca, cb, cs, indent);
  }
}

function curlyDiffNode(
  out: string[],
  word: string,
  a: ConfigNode,
  b: ConfigNode,
  s: SchemaNode | undefined,
  indent: number,
): void {
  const pad = '    '.repeat(indent);
  const commentLines = (): void => {
    if (a.comment === b.comment) return;
    if (a.comment !== undefined) out.push(`${REMOVED}${pad}/* ${a.comment} */`);
    if (b.comment !== undefined) out.push(`${ADDED}${pad}/* ${b.comment} */`);
  };
  if (isLeaf(s)) {
    commentLines();
    if (a.inactive !== b.inactive && a.values.join('\n') === b.values.join('\n')) {
      for (const v of b.values) out.push(`${ACTIVATION}${pad}${markOf(b)}${word} ${curlyValue(v)}`);
      return;
    }
    const inA = new Set(a.values);
    const inB = new Set(b.values);
    const removed = a.values.filter((v) => !inB.has(v));
    const added = b.values.filter((v) => !inA.has(v));
    const leafOf = (values: string[], inactive = b.inactive): ConfigNode => ({
      children: new Map(),
      values,
      comment: undefined,
      inactive,
    });
    if (a.inactive !== b.inactive) {
      curlyChildInto(out, word, leafOf([...a.values], a.inactive), s, indent, REMOVED);
      curlyChildInto(out, word, leafOf([...b.values]), s, indent, ADDED);
      return;
    }
    if (removed.length === 0 && added.length === 0 && a.values.join('\n') !== b.values.join('\n')) {
      curlyChildInto(out, word, leafOf([...a.values]), s, indent, REMOVED);
      curlyChildInto(out, word, leafOf([...b.values]), s, indent, ADDED);
      return;
    }
    if (removed.length) curlyChildInto(out, word, leafOf(removed), s, indent, REMOVED);
    if (added.length) curlyChildInto(out, word, leafOf(added), s, indent, ADDED);
    return;
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
        inactive: false,
      });
      if (!eb) curlyChildInto(out, word, single(ea!), s, indent, REMOVED);
      else if (!ea) curlyChildInto(out, word, single(eb), s, indent, ADDED);
      else {
        if (ea.comment !== eb.comment) {
          if (ea.comment !== undefined) out.push(`${REMOVED}${pad}/* ${ea.comment} */`);
          if (eb.comment !== undefined) out.push(`${ADDED}${pad}/* ${eb.comment} */`);
        }
        if (ea.inactive !== eb.inactive) {
          const head = entryHead(`${ACTIVATION}${pad}${markOf(eb)}`, word, key, false);
          if (onlyMarkDiffers(ea, eb)) {
            out.push(`${head} { ... }`);
            continue;
          }
          out.push(`${head} {`);
        } else out.push(entryHead(`${UNCHANGED}${pad}`, word, key, eb.inactive) + ' {');
        curlyDiffChildren(out, ea, eb, s.entry, indent + 1);
        out.push(`${UNCHANGED}${pad}}`);
      }
    }
    return;
  }
  commentLines();
  if (a.inactive !== b.inactive) {
    const head = `${ACTIVATION}${pad}${markOf(b)}${word}`;
    if (onlyMarkDiffers(a, b)) {
      out.push(`${head} { ... }`);
      return;
    }
    out.push(`${head} {`);
  } else out.push(`${UNCHANGED}${pad}${b.inactive ? INACTIVE : ''}${word} {`);
  curlyDiffChildren(out, a, b, s, indent + 1);
  out.push(`${UNCHANGED}${pad}}`);
}

/** The curly form of the changed branches, with `+ `/`- ` markers (empty when equal). */
export function diffCurly(
  running: ConfigNode,
  candidate: ConfigNode,
  schema: ContainerNode,
): string {
  const lines: string[] = [];
  curlyDiffChildren(lines, running ?? EMPTY_TREE, candidate ?? EMPTY_TREE, schema, 0);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
