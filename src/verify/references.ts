/**
 * The existence check every reference leaf gets from its schema: a value that
 * names a chain, a group, a route-map or a peer-group must name one that is
 * configured. One check for every area, driven by `Reference` in the schema.
 */
import type { ContainerNode } from '../schema/index.js';
import type { ConfigNode } from '../config/tree.js';
import { referenceExists, referencesIn, referenceTargets } from '../config/references.js';
import type { VerifyIssue } from './issues.js';

export function checkReferences(tree: ConfigNode, schema: ContainerNode): VerifyIssue[] {
  const issues: VerifyIssue[] = [];
  for (const f of referencesIn(tree, schema)) {
    if (referenceExists(tree, f.reference, f.name, f.path)) continue;
    issues.push({
      path: f.path,
      message: `${f.reference.what} '${f.name}' does not exist (${referenceTargets(f.reference, f.name, f.path)})`,
    });
  }
  return issues;
}
