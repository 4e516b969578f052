/** Checks every area gets from its schema: leaves that must be present. */
import type { ContainerNode, SchemaNode } from '../schema/index.js';
import type { ConfigNode } from '../config/tree.js';
import { formatPath } from '../config/errors.js';
import type { VerifyIssue } from './issues.js';

export function checkRequired(tree: ConfigNode, schema: ContainerNode): VerifyIssue[] {
  const issues: VerifyIssue[] = [];
  const visit = (node: ConfigNode, s: SchemaNode, path: string[]): void => {
    if (s.unsupported) return;
    if (s.kind === 'tag') {
      for (const [key, entry] of node.children) visit(entry, s.entry, [...path, key]);
      return;
    }
    if (s.kind !== 'container' && s.kind !== 'entry') return;
    for (const [name, child] of s.children) {
      const present = node.children.get(name);
      if (present) visit(present, child, [...path, name]);
      else if (
        (child.kind === 'leaf' || child.kind === 'multi') &&
        child.required &&
        path.length > 0
      ) {
        issues.push({ path, message: `'${formatPath([...path, name])}' must be set` });
      }
    }
  };
  visit(tree, schema, []);
  return issues;
}
