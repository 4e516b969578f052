/**
 * Three-way rebase of a candidate onto a newer running config: my changes
 * (base -> candidate) are replayed on theirs (running); a value or a comment
 * changed on both sides to different results is a conflict.
 *
 * The merge walks the three trees together, node by node: values, multi-leaf
 * members, whether a node is there, comments and inactive marks each merge
 * three ways. A
 * subtree one side left as the base had it is taken whole from the other
 * side, and a merged node equal to running's (or the candidate's) is that
 * node, so the result shares their unchanged subtrees. An entry of an ordered
 * list (a rule) that both sides added differently is a conflict, not merged.
 */
import type { ContainerNode, SchemaNode } from '../schema/index.js';
import {
  childSchema,
  configNode,
  EMPTY_TREE,
  formatSetPath,
  treesEqual,
  type ConfigNode,
} from '../config/index.js';

export type RebaseResult =
  | { readonly ok: true; readonly tree: ConfigNode }
  | { readonly ok: false; readonly conflicts: string[] };

/** One value three ways: whichever side changed it wins; both changing it differently is a conflict. */
function merge3<T>(was: T, mine: T, theirs: T): { value: T } | 'conflict' {
  if (mine === was || mine === theirs) return { value: theirs };
  if (theirs === was) return { value: mine };
  return 'conflict';
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((v, i) => v === b[i]));
}

/** Multi-leaf values: each value kept or removed three ways; theirs keep their order, mine follow. */
function mergeValues(
  was: readonly string[],
  mine: readonly string[],
  theirs: readonly string[],
): readonly string[] {
  if (sameValues(mine, was)) return theirs;
  if (sameValues(theirs, was)) return mine;
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

/** Whether a merged node has exactly the parts of an existing one (which is then used instead). */
function hasParts(
  n: ConfigNode,
  children: ReadonlyMap<string, ConfigNode>,
  values: readonly string[],
  comment: string | undefined,
  inactive: boolean,
): boolean {
  if (n.comment !== comment || n.inactive !== inactive || !sameValues(n.values, values))
    return false;
  if (n.children.size !== children.size) return false;
  for (const [name, child] of children) if (n.children.get(name) !== child) return false;
  return true;
}

class Merge {
  readonly conflicts: string[] = [];
  /** The path of the node being merged (pushed and popped on the way down). */
  private readonly path: string[] = [];

  private conflict(suffix = ''): void {
    this.conflicts.push(`${formatSetPath(this.path)}${suffix}`);
  }

  /**
   * A child subtree: taken whole from one side when the other left it as the
   * base had it (shared, or equal: one comparison per unchanged subtree),
   * merged further down otherwise.
   */
  private child(
    b: ConfigNode | undefined,
    m: ConfigNode | undefined,
    t: ConfigNode | undefined,
    s: SchemaNode | undefined,
  ): ConfigNode | undefined {
    if (m === b || m === t) return t;
    if (t === b) return m;
    if (b && m && treesEqual(m, b)) return t;
    if (b && t && treesEqual(t, b)) return m;
    // A rule is one unit: two different rules at a new number (two inserts before
    // the same rule both take its free number) are not merged into a third.
    if (!b && m && t && s?.kind === 'entry' && s.tag.ordered && !treesEqual(m, t)) {
      this.conflict(` (a different ${s.tag.name} added on both sides)`);
      return t;
    }
    return this.node(b, m, t, s);
  }

  node(
    b: ConfigNode | undefined,
    m: ConfigNode | undefined,
    t: ConfigNode | undefined,
    s: SchemaNode | undefined,
  ): ConfigNode | undefined {
    const base = b ?? EMPTY_TREE;
    const mine = m ?? EMPTY_TREE;
    const theirs = t ?? EMPTY_TREE;
    const conflictsBefore = this.conflicts.length;
    const isLeaf = s?.kind === 'leaf' || s?.kind === 'multi' || (!s && base.values.length > 0);
    let values: readonly string[] = [];
    const children = new Map<string, ConfigNode>();
    if (s?.kind === 'leaf') {
      const value = merge3(base.values[0], mine.values[0], theirs.values[0]);
      if (value === 'conflict') this.conflict();
      else if (value.value !== undefined)
        values = value.value === theirs.values[0] ? theirs.values : [value.value];
    } else if (isLeaf) {
      values = mergeValues(base.values, mine.values, theirs.values);
    } else {
      // Children are unordered (order is applied when writing): theirs, then mine, then the base's.
      const visit = (name: string): void => {
        if (children.has(name)) return;
        this.path.push(name);
        const child = this.child(
          base.children.get(name),
          mine.children.get(name),
          theirs.children.get(name),
          childSchema(s, name),
        );
        this.path.pop();
        if (child) children.set(name, child);
      };
      for (const name of theirs.children.keys()) visit(name);
      for (const name of mine.children.keys()) if (!theirs.children.has(name)) visit(name);
      for (const name of base.children.keys())
        if (!theirs.children.has(name) && !mine.children.has(name)) visit(name);
    }
    const comment = merge3(base.comment, mine.comment, theirs.comment);
    if (comment === 'conflict') this.conflict(' (comment)');
    // Two sides that both changed a yes/no mark agree on it: it cannot conflict.
    const inactive = merge3(base.inactive, mine.inactive, theirs.inactive);
    const mark = inactive === 'conflict' ? theirs.inactive : inactive.value;
    // The tree is not used once there is a conflict: only the paths are.
    if (comment === 'conflict' || this.conflicts.length > conflictsBefore) return t;
    // A node stays when it holds something, or when neither side removed it (an emptied entry).
    const present =
      this.path.length === 0 ||
      values.length > 0 ||
      children.size > 0 ||
      (!isLeaf && s?.kind !== 'tag' && kept(b, m, t));
    if (!present) {
      // A comment left on a node that is gone: commented on one side, deleted on the other.
      if (comment.value !== undefined) this.conflict(' (comment)');
      return undefined;
    }
    if (t && hasParts(t, children, values, comment.value, mark)) return t;
    if (m && hasParts(m, children, values, comment.value, mark)) return m;
    return configNode(children, values, comment.value, mark);
  }
}

export function rebase(
  base: ConfigNode,
  candidate: ConfigNode,
  running: ConfigNode,
  schema: ContainerNode,
): RebaseResult {
  const merge = new Merge();
  const tree = merge.node(base, candidate, running, schema) ?? EMPTY_TREE;
  if (merge.conflicts.length > 0) return { ok: false, conflicts: merge.conflicts };
  return { ok: true, tree };
}
