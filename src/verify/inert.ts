/** Settings a commit keeps but does not apply yet (schema `inert`), so the operator is told. */
import { formatPath } from '../config/errors.js';
import { treesEqual, type ConfigNode } from '../config/tree.js';
import { childSchema } from '../config/serialise.js';
import type { ContainerNode, SchemaNode } from '../schema/index.js';

/** Whether any node at or below a schema node is inert (most areas have none: not walked). */
const holdsInert = new WeakMap<SchemaNode, boolean>();

function anyInert(s: SchemaNode): boolean {
  const known = holdsInert.get(s);
  if (known !== undefined) return known;
  let found = s.inert !== undefined;
  if (!found && s.kind === 'tag') found = anyInert(s.entry);
  if (!found && (s.kind === 'container' || s.kind === 'entry'))
    for (const child of s.children.values()) if (anyInert(child)) found = true;
  holdsInert.set(s, found);
  return found;
}

/** One line per reason, naming the paths of `candidate` that changed and are not applied. */
export function inertChanges(
  running: ConfigNode,
  candidate: ConfigNode,
  schema: ContainerNode,
): string[] {
  const byReason = new Map<string, string[]>();
  // Both trees are walked together; a subtree the candidate shares with running has no changes.
  const visit = (
    node: ConfigNode,
    before: ConfigNode | undefined,
    s: SchemaNode | undefined,
    path: string[],
  ): void => {
    if (node === before || (s && !anyInert(s))) return;
    if (s?.inert) {
      if (!before || !treesEqual(before, node))
        byReason.set(s.inert, [...(byReason.get(s.inert) ?? []), formatPath(path)]);
      return;
    }
    if (s?.kind === 'leaf' || s?.kind === 'multi' || s?.kind === 'flag') return;
    for (const [word, child] of node.children)
      visit(child, before?.children.get(word), childSchema(s, word), [...path, word]);
  };
  visit(candidate, running, schema, []);
  return [...byReason].map(([reason, paths]) => {
    const shown = paths.slice(0, 6).join(', ');
    return `recorded but not applied (${reason}): ${shown}${paths.length > 6 ? `, and ${paths.length - 6} more` : ''}`;
  });
}
