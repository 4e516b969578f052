/**
 * Inactive nodes (Junos `deactivate`): they stay in the configuration (the
 * store, revisions, compare, rebase) and are written marked, but nothing
 * applies them. Defaults, verify, render and the backends see `activeTree`.
 */
import type { SchemaNode } from '../schema/index.js';
import { childSchema } from './serialise.js';
import { configNode, type ConfigNode } from './tree.js';

/** Per tree: a commit's unchanged subtrees are not walked again. */
const activeMemo = new WeakMap<ConfigNode, ConfigNode>();

/**
 * The tree without its inactive nodes. A subtree with none is returned as it
 * is; a tag node whose entries were all inactive goes too (`ethernet` with no
 * `eth*` left), as a delete of them would leave it.
 */
export function activeTree(tree: ConfigNode, schema: SchemaNode | undefined): ConfigNode {
  const known = activeMemo.get(tree);
  if (known) return known;
  let children: Map<string, ConfigNode> | undefined;
  for (const [name, child] of tree.children) {
    const s = childSchema(schema, name);
    let active = child.inactive ? undefined : activeTree(child, s);
    if (active && active !== child && s?.kind === 'tag' && active.children.size === 0)
      active = undefined;
    if (active === child) continue;
    children ??= new Map(tree.children);
    if (active) children.set(name, active);
    else children.delete(name);
  }
  const result = children ? configNode(children, tree.values, tree.comment) : tree;
  activeMemo.set(tree, result);
  return result;
}

/** Whether any node of the tree is inactive. */
export function hasInactive(tree: ConfigNode, schema: SchemaNode | undefined): boolean {
  return activeTree(tree, schema) !== tree;
}
