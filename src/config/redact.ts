/** Secret leaves (passwords, keys) hidden for display: `show` never prints them unless asked and allowed. */
import { keywordChildren, type SchemaNode } from '../schema/index.js';
import { schemaAt } from './resolve.js';
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
            inactive: child.inactive,
          }
        : redactSecrets(child, s);
    if (next !== child) changed = true;
    children.set(word, next);
  }
  return changed
    ? { children, values: tree.values, comment: tree.comment, inactive: tree.inactive }
    : tree;
}

/**
 * Where the value of a secret leaf starts in the words of a `set` or `delete`
 * (the verb not included) typed at an edit level, or undefined when the command
 * names no secret. Values are not checked: a wrong password is still a password.
 */
export function secretValueIndex(
  schema: SchemaNode,
  words: readonly string[],
  level: readonly string[] = [],
): number | undefined {
  let node = schemaAt(schema, level);
  for (let index = 0; index < words.length; index++) {
    if (!node) return undefined;
    if (node.kind === 'leaf' || node.kind === 'multi') return node.secret ? index : undefined;
    node = node.kind === 'tag' ? node.entry : keywordChildren(node)?.get(words[index]!);
  }
  return undefined;
}

/** The same for a whole command, verb first: the index of the secret value in `words`. */
export function secretWordIndex(
  schema: SchemaNode,
  words: readonly string[],
  level: readonly string[] = [],
): number | undefined {
  if (words[0] !== 'set' && words[0] !== 'delete') return undefined;
  const index = secretValueIndex(schema, words.slice(1), level);
  return index === undefined ? undefined : index + 1;
}

/** A command (verb first) as it may be written down: the value of a secret leaf becomes `********`. */
export function redactCommand(
  schema: SchemaNode,
  words: readonly string[],
  level: readonly string[] = [],
): readonly string[] {
  const index = secretWordIndex(schema, words, level);
  return index === undefined ? words : [...words.slice(0, index), REDACTED];
}

const secretNames = new WeakMap<SchemaNode, ReadonlySet<string>>();

/** The names of the secret leaves of a schema (`plaintext-password`, ...). */
export function secretLeafNames(schema: SchemaNode): ReadonlySet<string> {
  const known = secretNames.get(schema);
  if (known) return known;
  const names = new Set<string>();
  const walk = (node: SchemaNode, name: string): void => {
    if ((node.kind === 'leaf' || node.kind === 'multi') && node.secret) names.add(name);
    if (node.kind === 'tag') walk(node.entry, name);
    for (const [word, child] of keywordChildren(node) ?? []) walk(child, word);
  };
  walk(schema, '');
  secretNames.set(schema, names);
  return names;
}
