/** Secret leaves (passwords, keys) hidden for display: `show` never prints them unless asked and allowed. */
import type { SchemaNode } from '../schema/index.js';
import { childSchema } from './serialise.js';
import type { ConfigNode } from './tree.js';

export const REDACTED = '********';

export function redactSecrets(tree: ConfigNode, schema: SchemaNode | undefined): ConfigNode {
  let changed = false;
  const children = new Map<string, ConfigNode>();
  for (const [word, child] of tree.children) {
    const s = childSchema(schema, word);
    const next =
      (s?.kind === 'leaf' || s?.kind === 'multi') && s.secret
        ? {
            children: child.children,
            values: child.values.map(() => REDACTED),
            comment: child.comment,
          }
        : redactSecrets(child, s);
    if (next !== child) changed = true;
    children.set(word, next);
  }
  return changed ? { children, values: tree.values, comment: tree.comment } : tree;
}
