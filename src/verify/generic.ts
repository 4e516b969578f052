/** Checks every area gets from its schema: leaves that must be present. */
import type { ContainerNode } from '../schema/index.js';
import type { ConfigNode } from '../config/tree.js';
import { formatPath } from '../config/errors.js';
import { forEachAbsentLeaf } from './defaults.js';
import type { VerifyIssue } from './issues.js';

export function checkRequired(tree: ConfigNode, schema: ContainerNode): VerifyIssue[] {
  const issues: VerifyIssue[] = [];
  forEachAbsentLeaf(tree, schema, (path, name, leaf) => {
    if (leaf.required)
      issues.push({ path, message: `'${formatPath([...path, name])}' must be set` });
  });
  return issues;
}
