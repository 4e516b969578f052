/**
 * The config tree: an immutable value. A node has named children (keywords,
 * and tag values below a tag node), the values of a leaf, an optional
 * comment, and an inactive mark (Junos `deactivate`: kept, shown, not
 * applied; see src/config/inactive.ts). Nothing here knows the schema.
 *
 * Edits go through a TreeEditor, which copies a node the first time it
 * touches it and mutates its own copies after that, so a bulk load of 100k
 * lines costs one copy per node, and every tree handed out stays unchanged.
 */
import { runSliced } from './slice.js';

export interface ConfigNode {
  readonly children: ReadonlyMap<string, ConfigNode>;
  /** The values of a leaf (one) or multi-leaf (several, in the order set). */
  readonly values: readonly string[];
  readonly comment: string | undefined;
  /** `deactivate`: the node stays in the configuration but is not applied. */
  readonly inactive: boolean;
}

export type ConfigPath = readonly string[];

interface EditableNode {
  children: Map<string, EditableNode>;
  values: string[];
  comment: string | undefined;
  inactive: boolean;
  /** The editor that may still change this node in place. */
  owner: object | undefined;
}

function node(
  owner: object | undefined,
  children: ReadonlyMap<string, ConfigNode> = new Map(),
  values: readonly string[] = [],
  comment: string | undefined = undefined,
  inactive = false,
): EditableNode {
  return {
    children: children as Map<string, EditableNode>,
    values: values as string[],
    comment,
    inactive,
    owner,
  };
}

export const EMPTY_TREE: ConfigNode = Object.freeze(node(undefined));

/** A finished node built from its parts (an editor copies it before changing it). */
export function configNode(
  children: ReadonlyMap<string, ConfigNode>,
  values: readonly string[],
  comment: string | undefined,
  inactive = false,
): ConfigNode {
  return node(undefined, children, values, comment, inactive);
}

export function getNode(tree: ConfigNode, path: ConfigPath): ConfigNode | undefined {
  let current: ConfigNode | undefined = tree;
  for (const word of path) {
    current = current.children.get(word);
    if (!current) return undefined;
  }
  return current;
}

/** The tree cut down to the node at `path` and its ancestors (empty when there is none). */
export function onlyAt(tree: ConfigNode, path: ConfigPath): ConfigNode {
  if (path.length === 0) return tree;
  let node = getNode(tree, path);
  if (!node) return EMPTY_TREE;
  for (let i = path.length - 1; i >= 0; i--)
    node = configNode(new Map([[path[i]!, node]]), [], undefined);
  return node;
}

export function hasPath(tree: ConfigNode, path: ConfigPath): boolean {
  return getNode(tree, path) !== undefined;
}

export function isEmptyNode(n: ConfigNode): boolean {
  return n.children.size === 0 && n.values.length === 0;
}

/**
 * Structural equality; shared subtrees compare in O(1). Recursive: called
 * for every node of a rebase, and a third faster on a whole tree than the
 * steps below run to the end (which `treesEqualSliced` runs in slices).
 */
export function treesEqual(a: ConfigNode, b: ConfigNode): boolean {
  if (a === b) return true;
  if (
    a.comment !== b.comment ||
    a.inactive !== b.inactive ||
    a.values.length !== b.values.length ||
    a.children.size !== b.children.size
  ) {
    return false;
  }
  for (let i = 0; i < a.values.length; i++) if (a.values[i] !== b.values[i]) return false;
  for (const [name, child] of a.children) {
    const other = b.children.get(name);
    if (!other || !treesEqual(child, other)) return false;
  }
  return true;
}

/** `treesEqual` in slices, for a daemon that serves other sessions meanwhile. */
export function treesEqualSliced(a: ConfigNode, b: ConfigNode): Promise<boolean> {
  return runSliced(treesEqualSteps(a, b));
}

/** Node pairs compared between two yields. */
const PAIRS_PER_STEP = 2048;

/** `treesEqual` with the pairs still to compare on a stack: a yield every few thousand pairs. */
export function* treesEqualSteps(a: ConfigNode, b: ConfigNode): Generator<void, boolean> {
  const stack: ConfigNode[] = [a, b];
  let compared = 0;
  while (stack.length > 0) {
    const y = stack.pop()!;
    const x = stack.pop()!;
    if (x === y) continue;
    if (
      x.comment !== y.comment ||
      x.inactive !== y.inactive ||
      x.values.length !== y.values.length ||
      x.children.size !== y.children.size
    )
      return false;
    for (let i = 0; i < x.values.length; i++) if (x.values[i] !== y.values[i]) return false;
    for (const [name, child] of x.children) {
      const other = y.children.get(name);
      if (!other) return false;
      stack.push(child, other);
    }
    if (++compared % PAIRS_PER_STEP === 0) yield;
  }
  return true;
}

export function countNodes(tree: ConfigNode): number {
  let n = 1 + tree.values.length;
  for (const child of tree.children.values()) n += countNodes(child);
  return n;
}

/** Builds a new tree from an old one; the old tree is never changed. */
export class TreeEditor {
  private readonly token = {};
  private root: EditableNode;
  private finished = false;
  /**
   * The values of the multi-leaves this editor changed, as insertion-ordered
   * sets: adding or removing one value is O(1), so a load of a 100k-member
   * group is linear. A leaf whose set lost values gets its array back from the
   * set when the tree is read.
   */
  private readonly valueSets = new WeakMap<EditableNode, Set<string>>();
  private readonly shrunk = new Set<EditableNode>();

  constructor(base: ConfigNode = EMPTY_TREE) {
    this.root = base as EditableNode;
  }

  /** This editor's own, mutable copy of a node. */
  private own(n: EditableNode): EditableNode {
    if (this.finished) throw new Error('TreeEditor used after finish()');
    if (n.owner === this.token) return n;
    const copy: EditableNode = {
      children: new Map(n.children),
      values: [...n.values],
      comment: n.comment,
      inactive: n.inactive,
      owner: this.token,
    };
    if (n.children.size >= SORT_CACHED_FROM) copiedFrom.set(copy, n);
    return copy;
  }

  /** Walk to the node at path, copying along the way; creates missing nodes when asked. */
  private reach(path: ConfigPath, create: boolean): EditableNode | undefined {
    this.root = this.own(this.root);
    let current = this.root;
    for (const word of path) {
      const child = current.children.get(word);
      let next: EditableNode;
      if (child) next = this.own(child);
      else if (create) next = node(this.token);
      else return undefined;
      if (next !== child) current.children.set(word, next);
      current = next;
    }
    return current;
  }

  private valuesOf(leaf: EditableNode): Set<string> {
    let set = this.valueSets.get(leaf);
    if (!set) {
      set = new Set(leaf.values);
      this.valueSets.set(leaf, set);
    }
    return set;
  }

  /** Make sure the path exists (a container, a tag entry or a flag). */
  ensure(path: ConfigPath): void {
    this.reach(path, true);
  }

  /** Whether the path exists in the tree being built. */
  has(path: ConfigPath): boolean {
    return getNode(this.root, path) !== undefined;
  }

  /** Set the one value of a leaf. */
  setValue(path: ConfigPath, value: string): void {
    const leaf = this.reach(path, true)!;
    leaf.values = [value];
    this.valueSets.delete(leaf);
    this.shrunk.delete(leaf);
  }

  /** Add a value to a multi-leaf; a value already there keeps its place. */
  addValue(path: ConfigPath, value: string): void {
    const leaf = this.reach(path, true)!;
    const set = this.valuesOf(leaf);
    if (set.has(value)) return;
    set.add(value);
    // A leaf that lost values is rebuilt from its set later; the others stay in step.
    if (!this.shrunk.has(leaf)) leaf.values.push(value);
  }

  /** Remove one value; a leaf left without values goes too. False when the value was not there. */
  removeValue(path: ConfigPath, value: string): boolean {
    const existing = getNode(this.root, path) as EditableNode | undefined;
    // A set of a node not yet copied stays right: that node never changes.
    if (!existing || !this.valuesOf(existing).has(value)) return false;
    const leaf = this.reach(path, false)!;
    const set = this.valuesOf(leaf);
    if (!set.delete(value)) return false;
    this.shrunk.add(leaf);
    if (set.size === 0 && leaf.children.size === 0) this.remove(path);
    return true;
  }
  /** Remove a subtree. False when it was not there. */
  remove(path: ConfigPath, pruneParents: (path: ConfigPath) => boolean = () => false): boolean {
    if (path.length === 0) {
      const had = this.root.children.size > 0;
      this.root = node(this.token);
      return had;
    }
    if (!getNode(this.root, path)) return false;
    const parentPath = path.slice(0, -1);
    const parent = this.reach(parentPath, false)!;
    parent.children.delete(path[path.length - 1]!);
    if (
      parent.children.size === 0 &&
      parent.values.length === 0 &&
      parentPath.length > 0 &&
      pruneParents(parentPath)
    ) {
      this.remove(parentPath, pruneParents);
    }
    return true;
  }

  /** Replace the subtree at path with another tree (used by copy, rename and merge). */
  graft(path: ConfigPath, subtree: ConfigNode): void {
    if (path.length === 0) {
      this.root = subtree as EditableNode;
      return;
    }
    const parent = this.reach(path.slice(0, -1), true)!;
    parent.children.set(path[path.length - 1]!, subtree as EditableNode);
  }

  setComment(path: ConfigPath, comment: string | undefined): boolean {
    if (!getNode(this.root, path)) return false;
    const target = this.reach(path, false)!;
    target.comment = comment === '' ? undefined : comment;
    return true;
  }

  /** `deactivate` / `activate` an existing node. False when it is not there. */
  setInactive(path: ConfigPath, inactive: boolean): boolean {
    if (!getNode(this.root, path)) return false;
    this.reach(path, false)!.inactive = inactive;
    return true;
  }

  get tree(): ConfigNode {
    this.settle();
    return this.root;
  }

  /** The finished tree; the editor can no longer change it. */
  finish(): ConfigNode {
    this.settle();
    this.finished = true;
    finishedEditors.add(this.token);
    return this.root;
  }

  /** Leaves that lost values take their arrays from their sets. */
  private settle(): void {
    for (const leaf of this.shrunk) leaf.values = [...this.valuesOf(leaf)];
    this.shrunk.clear();
  }
}

/** Run edits against a tree and return the new tree. */
export function editTree(base: ConfigNode, edits: (editor: TreeEditor) => void): ConfigNode {
  const editor = new TreeEditor(base);
  edits(editor);
  return editor.finish();
}

function allDigits(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Natural order: `eth2` before `eth10`, `rule 5` before `rule 10`; plain
 * string order otherwise.
 */
export function naturalCompare(a: string, b: string): number {
  if (a === b) return 0;
  // Rule numbers and VLAN ids: all digits, compared without splitting (a 200k-rule sort).
  if (allDigits(a) && allDigits(b)) {
    if (a.length === b.length) return a < b ? -1 : 1;
    const d = Number(a) - Number(b) || a.length - b.length;
    return d < 0 ? -1 : 1;
  }
  // Runs of digits and of other characters, taken in turn (what split(/(\d+)/) gives,
  // read in place: a sort of 10,000 prefixes compares 130,000 pairs).
  const la = a.length;
  const lb = b.length;
  let i = 0;
  let j = 0;
  for (;;) {
    // Characters other than digits: compared as strings.
    let ei = i;
    while (ei < la && !isDigit(a.charCodeAt(ei))) ei++;
    let ej = j;
    while (ej < lb && !isDigit(b.charCodeAt(ej))) ej++;
    const text = compareRange(a, i, ei, b, j, ej);
    if (text !== 0) return text;
    i = ei;
    j = ej;
    // The one that ends first has fewer runs.
    if (i === la || j === lb) return i === la && j === lb ? (a < b ? -1 : 1) : i === la ? -1 : 1;
    // Digits: as numbers, then by length (007 after 7).
    while (ei < la && isDigit(a.charCodeAt(ei))) ei++;
    while (ej < lb && isDigit(b.charCodeAt(ej))) ej++;
    if (ei - i === ej - j) {
      const digits = compareRange(a, i, ei, b, j, ej);
      if (digits !== 0) return digits;
    } else {
      const d = Number(a.slice(i, ei)) - Number(b.slice(j, ej)) || ei - i - (ej - j);
      return d < 0 ? -1 : 1;
    }
    i = ei;
    j = ej;
  }
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** a[i..ei) against b[j..ej), as `<` compares strings. */
function compareRange(a: string, i: number, ei: number, b: string, j: number, ej: number): number {
  for (; i < ei && j < ej; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return i < ei ? 1 : j < ej ? -1 : 0;
}

// ------------------------------------------ canonical order, kept per node

/**
 * Nodes with this many children keep their canonical order (a sort of
 * 10,000 prefixes costs about 10 ms); below it, sorting is cheaper than
 * keeping.
 */
const SORT_CACHED_FROM = 32;
/** Up to this many new children are put in place in the order of the node they were copied from. */
const SORT_PATCHED_UP_TO = 64;
/** The canonical order of nodes that can no longer change. */
const sortedOf = new WeakMap<ConfigNode, readonly (readonly [string, ConfigNode])[]>();
/** The node an editor copied each large node from. */
const copiedFrom = new WeakMap<ConfigNode, ConfigNode>();
/** Editors that finished: the nodes they own can no longer change. */
const finishedEditors = new WeakSet<object>();

function isFinal(n: ConfigNode): boolean {
  const owner = (n as EditableNode).owner;
  return owner === undefined || finishedEditors.has(owner);
}

const byName = (x: readonly [string, ConfigNode], y: readonly [string, ConfigNode]): number =>
  naturalCompare(x[0], y[0]);

/**
 * n's children in the order of the node it was copied from (whose order is
 * known), the few new ones put in place; undefined when that is not cheaper
 * than a sort.
 */
function patchedOrder(n: ConfigNode): [string, ConfigNode][] | undefined {
  const from = copiedFrom.get(n);
  const order = from && sortedOf.get(from);
  if (!from || !order) return undefined;
  const out: [string, ConfigNode][] = [];
  for (const [name] of order) {
    const child = n.children.get(name);
    if (child) out.push([name, child]);
  }
  const added = n.children.size - out.length;
  if (added > SORT_PATCHED_UP_TO) return undefined;
  if (added === 0) return out;
  for (const entry of n.children) {
    if (from.children.has(entry[0])) continue;
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (byName(out[mid]!, entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    out.splice(lo, 0, entry);
  }
  return out;
}

/** Children in canonical order (a new array; large finished nodes keep theirs). */
export function sortedChildren(n: ConfigNode): [string, ConfigNode][] {
  if (n.children.size < SORT_CACHED_FROM) return [...n.children].sort(byName);
  const known = sortedOf.get(n);
  if (known) return known.slice() as [string, ConfigNode][];
  const order = patchedOrder(n) ?? [...n.children].sort(byName);
  if (isFinal(n)) sortedOf.set(n, order.slice());
  return order;
}

// -------------------------------------------------- reading a tree by path

/** The node at a path below n (n itself for no path), or undefined. */
export const nodeAt = (n: ConfigNode | undefined, ...path: string[]): ConfigNode | undefined =>
  n && getNode(n, path);
/** The (first) value of the leaf at a path. */
export const valueAt = (n: ConfigNode | undefined, ...path: string[]): string | undefined =>
  nodeAt(n, ...path)?.values[0];
/** All values of the (multi-)leaf at a path. */
export const valuesAt = (n: ConfigNode | undefined, ...path: string[]): readonly string[] =>
  nodeAt(n, ...path)?.values ?? [];
export const hasAt = (n: ConfigNode | undefined, ...path: string[]): boolean =>
  nodeAt(n, ...path) !== undefined;
/** The children at a path in canonical order (tag entries: `rule 5` before `rule 10`). */
export const entriesAt = (n: ConfigNode | undefined, ...path: string[]): [string, ConfigNode][] => {
  const node = nodeAt(n, ...path);
  return node ? sortedChildren(node) : [];
};
