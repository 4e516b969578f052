/** Cross-node checks of `system`: somebody must still be able to log in and configure. */
import { entriesAt, hasAt, valueAt, type ConfigNode } from '../config/tree.js';
import type { VerifyIssue } from './issues.js';

/** A crypt hash that no password matches: `!` and `*` lock the account (VyOS's default is `!`). */
const LOCKED_HASH = /^[!*]/;

/** Whether a user entry can log in: not disabled, with a usable password or a public key. */
export function canLogIn(user: ConfigNode): boolean {
  if (hasAt(user, 'disable')) return false;
  const hash = valueAt(user, 'authentication', 'encrypted-password');
  const password =
    (hash !== undefined && !LOCKED_HASH.test(hash)) ||
    hasAt(user, 'authentication', 'plaintext-password');
  const keys = entriesAt(user, 'authentication', 'public-keys').some(([, k]) => hasAt(k, 'key'));
  return password || keys;
}

/** The tree carries defaults here: every user has a level. */
export function checkSystem(tree: ConfigNode): VerifyIssue[] {
  const users = entriesAt(tree, 'system', 'login', 'user');
  const admins = users.filter(([, u]) => valueAt(u, 'level') === 'admin' && canLogIn(u));
  if (admins.length > 0) return [];
  return [
    {
      path: ['system', 'login', 'user'],
      message:
        users.length === 0
          ? 'no user could log in: configure a user with level admin and a password or public key'
          : `no user of level admin could log in (${users.map(([n]) => n).join(', ')}: operator, disabled, or without a password or key); nobody could configure the router again`,
    },
  ];
}

export type LoginLevel = 'admin' | 'operator';

/** A user's level in a configuration (admin by default); a user who is not configured has none. */
export function loginLevel(tree: ConfigNode, user: string): LoginLevel | undefined {
  const entry = entriesAt(tree, 'system', 'login', 'user').find(([name]) => name === user)?.[1];
  if (!entry) return undefined;
  return valueAt(entry, 'level') === 'operator' ? 'operator' : 'admin';
}
