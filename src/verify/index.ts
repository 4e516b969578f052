/**
 * Verification: every error in a candidate, each with its path. Pure: the
 * same tree always gives the same answer, and nothing is touched.
 */
import type { ContainerNode } from '../schema/index.js';
import type { ConfigNode } from '../config/tree.js';
import { withDefaults } from './defaults.js';
import { checkRequired } from './generic.js';
import { checkInterfaces } from './interfaces.js';
import { checkFirewall } from './firewall.js';
import { checkSystem } from './system.js';
import { checkPasswordRounds } from './passwords.js';
import { checkReferences } from './references.js';
import { checkRouting } from './routing.js';
import type { VerifyIssue } from './issues.js';

export type { VerifyIssue } from './issues.js';
export { withDefaults } from './defaults.js';
export { configuredLinks } from './interfaces.js';
export { canLogIn, loginLevel, type LoginLevel } from './system.js';

/** The checks of each area, run on the tree with defaults filled in. */
const areaChecks: ((tree: ConfigNode) => VerifyIssue[])[] = [
  checkInterfaces,
  checkFirewall,
  checkRouting,
  checkSystem,
  checkPasswordRounds,
];

export function verify(tree: ConfigNode, schema: ContainerNode): VerifyIssue[] {
  const effective = withDefaults(tree, schema);
  const issues = [...checkRequired(effective, schema), ...checkReferences(effective, schema)];
  for (const check of areaChecks) for (const issue of check(effective)) issues.push(issue);
  return issues;
}
export { inertChanges } from './inert.js';
