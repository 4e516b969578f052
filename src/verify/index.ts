/**
 * Verification: every error in a candidate, each with its path. Pure: the
 * same tree always gives the same answer, and nothing is touched.
 */
import type { ContainerNode } from '../schema/index.js';
import type { ConfigNode } from '../config/tree.js';
import { runSliced, runToEnd } from '../config/slice.js';
import { withDefaultsSteps } from './defaults.js';
import { checkRequiredSteps } from './generic.js';
import { checkInterfaces } from './interfaces.js';
import { checkFirewallSteps } from './firewall.js';
import { checkSystem } from './system.js';
import { checkPasswordRounds } from './passwords.js';
import { checkXdp } from './xdp.js';
import { checkReferences } from './references.js';
import { checkRouting } from './routing.js';
import type { VerifyIssue } from './issues.js';

export type { VerifyIssue } from './issues.js';
export { withDefaults, withDefaultsSliced } from './defaults.js';
export { configuredLinks } from './interfaces.js';
export { canLogIn, loginLevel, type LoginLevel } from './system.js';

/** The checks of each area, run on the tree with defaults filled in (a large area's in steps). */
const areaChecks: ((tree: ConfigNode) => Generator<void, VerifyIssue[]>)[] = [
  // eslint-disable-next-line require-yield
  function* (tree) {
    return checkInterfaces(tree);
  },
  checkFirewallSteps,
  // eslint-disable-next-line require-yield
  function* (tree) {
    return checkXdp(tree);
  },
  // eslint-disable-next-line require-yield
  function* (tree) {
    return checkRouting(tree);
  },
  // eslint-disable-next-line require-yield
  function* (tree) {
    return [...checkSystem(tree), ...checkPasswordRounds(tree)];
  },
];

export function verify(tree: ConfigNode, schema: ContainerNode): VerifyIssue[] {
  return runToEnd(verifySteps(tree, schema));
}

/** `verify` in slices, for a daemon that serves other sessions meanwhile. */
export function verifySliced(tree: ConfigNode, schema: ContainerNode): Promise<VerifyIssue[]> {
  return runSliced(verifySteps(tree, schema));
}

export function* verifySteps(
  tree: ConfigNode,
  schema: ContainerNode,
): Generator<void, VerifyIssue[]> {
  const effective = yield* withDefaultsSteps(tree, schema);
  const issues = [
    ...(yield* checkRequiredSteps(effective, schema)),
    ...checkReferences(effective, schema),
  ];
  for (const check of areaChecks) {
    for (const issue of yield* check(effective)) issues.push(issue);
    yield;
  }
  return issues;
}
export { inertChanges } from './inert.js';
