/** Password hashes a login would have to compute: bounded rounds. */
import { getNode, type ConfigNode } from '../config/tree.js';
import { cryptRounds, MAX_PASSWORD_ROUNDS } from '../schema/index.js';
import type { VerifyIssue } from './issues.js';

export function checkPasswordRounds(tree: ConfigNode): VerifyIssue[] {
  const issues: VerifyIssue[] = [];
  for (const [name, user] of getNode(tree, ['system', 'login', 'user'])?.children ?? []) {
    const hash = getNode(user, ['authentication', 'encrypted-password'])?.values[0];
    const rounds = hash === undefined ? undefined : cryptRounds(hash);
    if (rounds === undefined || rounds <= MAX_PASSWORD_ROUNDS) continue;
    issues.push({
      path: ['system', 'login', 'user', name, 'authentication', 'encrypted-password'],
      message: `the hash asks for ${Number.isFinite(rounds) ? rounds : 'more than a trillion'} rounds; at most ${MAX_PASSWORD_ROUNDS} are accepted (glibc's default is 5000)`,
    });
  }
  return issues;
}
