/**
 * Three-way rebase of a candidate onto a newer running config: my changes
 * (base -> candidate) are replayed on theirs (running); a value or a comment
 * changed on both sides to different results is a conflict.
 *
 * The merge walks the three trees together, node by node. A subtree that one
 * side left as it was in the base is taken whole from the other side (so the
 * result shares running's unchanged subtrees); only where both sides changed
 * something does it look further down. Comments are merged like values.
 */
import type { ContainerNode, SchemaNode } from '../schema/index.js';
import {
  childSchema,
  configNode,
  EMPTY_TREE,
  formatSetPath,
  naturalCompare,
  treesEqual,
  type ConfigNode,
} from '../config/index.js';

export type RebaseResult =
  | { readonly ok: true; readonly tree: ConfigNode }
  | { readonly ok: false; readonly conflicts: string[] };

function same(a: ConfigNode | undefined, b: ConfigNode | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return treesEqual(a, b);
}

/** One value three ways: whichever side changed it wins; both changing it differently is a conflict. */
function merge3<T>(was: T, mine: T, theirs: T): { value: T } | 'conflict' {
  if (mine === was || mine === theirs) return { value: theirs };
  if (theirs === was) return { value: mine };
  return 'conflict';
}

/** Multi-leaf values: each value kept or removed three ways; theirs keep their order, mine follow. */
function mergeValues(
  was: readonly string[],
  mine: readonly string[],
  theirs: readonly string[],
): string[] {
  const b = new Set(was);
  const m = new Set(mine);
  const t = new Set(theirs);
  const kept = theirs.filter((v) => !(b.has(v) && !m.has(v)));
  return [...kept, ...mine.filter((v) => !b.has(v) && !t.has(v))];
}

/** Whether a node is still there, three ways: the side that added or removed it wins. */
function kept(
  b: ConfigNode | undefined,
  m: ConfigNode | undefined,
  t: ConfigNode | undefined,
): boolean {
  const was = b !== undefined;
  return (m !== undefined) !== was ? m !== undefined : t !== undefined;
}

class Merge {
  readonly conflicts: string[] = [];

  node(
    b: ConfigNode | undefined,
    m: ConfigNode | undefined,
    t: ConfigNode | undefined,
    s: SchemaNode | undefined,
    path: readonly string[],
  ): ConfigNode | undefined {
    if (same(m, b) || same(m, t)) return t;
    if (same(t, b)) return m;
    const base = b ?? EMPTY_TREE;
    const mine = m ?? EMPTY_TREE;
    const theirs = t ?? EMPTY_TREE;
    const at = formatSetPath(path);
    const conflictsBefore = this.conflicts.length;
    const isLeaf = s?.kind === 'leaf' || s?.kind === 'multi' || (!s && base.values.length > 0);
    let values: readonly string[] = [];
    const children = new Map<string, ConfigNode>();
    if (s?.kind === 'leaf') {
      const value = merge3(base.values[0], mine.values[0], theirs.values[0]);
      if (value === 'conflict') this.conflicts.push(at);
      else if (value.value !== undefined) values = [value.value];
    } else if (isLeaf) {
      values = mergeValues(base.values, mine.values, theirs.values);
    } else {
      const names = new Set([...theirs.children.keys(), ...mine.children.keys()]);
      for (const name of base.children.keys()) names.add(name);
      for (const name of [...names].sort(naturalCompare)) {
        const child = this.node(
          base.children.get(name),
          mine.children.get(name),
          theirs.children.get(name),
          childSchema(s, name),
          [...path, name],
        );
        if (child) children.set(name, child);
      }
    }
    const comment = merge3(base.comment, mine.comment, theirs.comment);
    if (comment === 'conflict') this.conflicts.push(`${at} (comment)`);
    // A node stays when it holds something, or when neither side removed it (an emptied entry).
    const present =
      path.length === 0 ||
      values.length > 0 ||
      children.size > 0 ||
      (!isLeaf && s?.kind !== 'tag' && kept(b, m, t));
    if (!present) {
      // A comment left on a node that is gone: commented on one side, deleted on the other.
      const clean = this.conflicts.length === conflictsBefore;
      if (clean && comment !== 'conflict' && comment.value !== undefined)
        this.conflicts.push(`${at} (comment)`);
      return undefined;
    }
    return configNode(children, values, comment === 'conflict' ? undefined : comment.value);
  }
}

export function rebase(
  base: ConfigNode,
  candidate: ConfigNode,
  running: ConfigNode,
  schema: ContainerNode,
): RebaseResult {
  const merge = new Merge();
  const tree = merge.node(base, candidate, running, schema, []) ?? EMPTY_TREE;
  if (merge.conflicts.length > 0) return { ok: false, conflicts: merge.conflicts };
  return { ok: true, tree };
}
