/** Schema defaults, filled in wherever their parent node exists. */
import type { ContainerNode, LeafNode, SchemaNode } from '../schema/index.js';
import { TreeEditor, type ConfigNode } from '../config/tree.js';

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

/** Trees are immutable values: the defaults of one tree are computed once per schema. */
const memo = new WeakMap<ConfigNode, WeakMap<ContainerNode, ConfigNode>>();

/** The tree the backends see: the candidate plus the defaults of every present node. */
export function withDefaults(tree: ConfigNode, schema: ContainerNode): ConfigNode {
  let bySchema = memo.get(tree);
  if (!bySchema) memo.set(tree, (bySchema = new WeakMap()));
  const known = bySchema.get(schema);
  if (known) return known;
  const result = computeDefaults(tree, schema);
  bySchema.set(schema, result);
  return result;
}

function computeDefaults(tree: ConfigNode, schema: ContainerNode): ConfigNode {
  const editor = new TreeEditor(tree);
  forEachAbsentLeaf(tree, schema, (path, name, leaf) => {
    if (leaf.default !== undefined) editor.setValue([...path, name], leaf.default);
  });
  return editor.finish();
}
