/** Schema defaults, filled in wherever their parent node exists. */
import type { ContainerNode, EntryNode, LeafNode, SchemaNode } from '../schema/index.js';
import type { ConfigNode } from '../config/tree.js';
import { isBranch, runSliced, runToEnd, workBelow, type NodeWork } from '../config/slice.js';

/**
 * Visit, for every node present in the tree, the schema leaves it could hold
 * but does not (what defaults and required checks look at).
 */
export function forEachAbsentLeaf(
  tree: ConfigNode,
  schema: ContainerNode,
  visit: (path: readonly string[], name: string, leaf: LeafNode) => void,
): void {
  const walk = (node: ConfigNode, s: SchemaNode, path: string[]): void => {
    if (s.unsupported) return;
    if (s.kind === 'tag') {
      for (const [key, entry] of node.children) walk(entry, s.entry, [...path, key]);
      return;
    }
    if (s.kind !== 'container' && s.kind !== 'entry') return;
    for (const [name, child] of s.children) {
      const present = node.children.get(name);
      if (present) walk(present, child, [...path, name]);
      else if ((child.kind === 'leaf' || child.kind === 'multi') && path.length > 0)
        visit(path, name, child);
    }
  };
  walk(tree, schema, []);
}

/**
 * Trees are immutable values that share unchanged subtrees: the defaults of
 * a subtree are computed once per schema node, and an unchanged subtree of a
 * new candidate gets back the very same defaulted node. Backends that memoise
 * per node (the firewall's chains) then see unchanged parts as unchanged.
 */
const memo = new WeakMap<ConfigNode, { readonly s: SchemaNode; readonly result: ConfigNode }>();

/** The tree the backends see: the candidate plus the defaults of every present node. */
export function withDefaults(tree: ConfigNode, schema: ContainerNode): ConfigNode {
  return runToEnd(withDefaultsSteps(tree, schema));
}

/** `withDefaults` in slices, for a daemon that serves other sessions meanwhile. */
export function withDefaultsSliced(tree: ConfigNode, schema: ContainerNode): Promise<ConfigNode> {
  return runSliced(withDefaultsSteps(tree, schema));
}

const defaultsWork: NodeWork<undefined> = {
  child: () => undefined,
  known: (node, s) => !isBranch(s) || memo.get(node)?.s === s,
  visit: (node, s) => void defaulted(node, s!, false),
};

/** The defaults of one small subtree per step, then the root's from what is memoised. */
export function* withDefaultsSteps(
  tree: ConfigNode,
  schema: ContainerNode,
): Generator<void, ConfigNode> {
  yield* workBelow(tree, schema, undefined, defaultsWork);
  return defaulted(tree, schema, true);
}

function leafWith(value: string): ConfigNode {
  return { children: new Map(), values: [value], comment: undefined, inactive: false };
}

/** The leaves with a default among a branch's children (computed once per schema node). */
const defaultLeaves = new WeakMap<SchemaNode, readonly LeafNode[]>();

function leavesWithDefaults(s: ContainerNode | EntryNode): readonly LeafNode[] {
  let list = defaultLeaves.get(s);
  if (!list) {
    list = [...s.children.values()].filter(
      (c): c is LeafNode => (c.kind === 'leaf' || c.kind === 'multi') && c.default !== undefined,
    );
    defaultLeaves.set(s, list);
  }
  return list;
}

function defaulted(node: ConfigNode, s: SchemaNode, root: boolean): ConfigNode {
  // Leaves hold no defaults below them; unsupported areas are kept as they are.
  if (s.unsupported || (s.kind !== 'tag' && s.kind !== 'container' && s.kind !== 'entry'))
    return node;
  // One entry per node: a node sits at one place in a tree, so under one schema node.
  const known = memo.get(node);
  if (known?.s === s) return known.result;
  let children: Map<string, ConfigNode> | undefined;
  const change = (name: string, child: ConfigNode): void => {
    children ??= new Map(node.children);
    children.set(name, child);
  };
  if (s.kind === 'tag') {
    for (const [key, entry] of node.children) {
      const d = defaulted(entry, s.entry, false);
      if (d !== entry) change(key, d);
    }
  } else {
    // Walk what is present, then add what is absent and has a default: not every schema child.
    for (const [name, present] of node.children) {
      const child = s.children.get(name);
      if (!child) continue;
      const d = defaulted(present, child, false);
      if (d !== present) change(name, d);
    }
    if (!root)
      for (const leaf of leavesWithDefaults(s))
        if (!node.children.has(leaf.name)) change(leaf.name, leafWith(leaf.default!));
  }
  const result = children
    ? { children, values: node.values, comment: node.comment, inactive: node.inactive }
    : node;
  memo.set(node, { s, result });
  return result;
}
