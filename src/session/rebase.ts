/**
 * Three-way rebase of a candidate onto a newer running config: my changes
 * (base -> candidate) are replayed on theirs (running); a path changed on
 * both sides to different results is a conflict.
 */
import type { ContainerNode, SchemaNode } from '../schema/index.js';
import {
  childSchema,
  formatSetPath,
  loadSetForm,
  quoteSet,
  sortedChildren,
  type ConfigNode,
} from '../config/index.js';

/**
 * Every leaf value, flag and empty node as key -> set line. A one-value
 * leaf's key is its path, so two different values of it collide.
 */
function entries(tree: ConfigNode, schema: ContainerNode): Map<string, string> {
  const map = new Map<string, string>();
  const visit = (node: ConfigNode, s: SchemaNode | undefined, path: string[]): void => {
    const at = formatSetPath(path);
    if (s?.kind === 'leaf') map.set(at, `set ${at} ${quoteSet(node.values[0] ?? '')}`);
    else if (s?.kind === 'multi')
      for (const v of node.values) map.set(`${at}\u0000${v}`, `set ${at} ${quoteSet(v)}`);
    else if (node.children.size === 0) {
      if (path.length > 0 && s?.kind !== 'tag') map.set(at, `set ${at}`);
    } else
      for (const [word, child] of sortedChildren(node))
        visit(child, childSchema(s, word), [...path, word]);
  };
  visit(tree, schema, []);
  return map;
}

export type RebaseResult =
  | { readonly ok: true; readonly tree: ConfigNode }
  | { readonly ok: false; readonly conflicts: string[] };

export function rebase(
  base: ConfigNode,
  candidate: ConfigNode,
  running: ConfigNode,
  schema: ContainerNode,
): RebaseResult {
  const b = entries(base, schema);
  const mine = entries(candidate, schema);
  const theirs = entries(running, schema);
  const conflicts: string[] = [];
  const result = new Map(theirs);
  for (const key of new Set([...b.keys(), ...mine.keys()])) {
    const was = b.get(key);
    const now = mine.get(key);
    if (was === now) continue;
    const other = theirs.get(key);
    if (other !== was && other !== now) {
      conflicts.push(key.replace('\u0000', ' '));
      continue;
    }
    if (now === undefined) result.delete(key);
    else result.set(key, now);
  }
  if (conflicts.length > 0) return { ok: false, conflicts };
  return { ok: true, tree: loadSetForm([...result.values()].join('\n'), schema).tree };
}
