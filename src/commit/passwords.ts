/**
 * Passwords: hashing and checking (on worker threads, see crypt-pool.ts), and
 * the commit step that turns a plaintext-password into its hash so that it
 * never reaches the store.
 */
import { timingSafeEqual } from 'node:crypto';
import { editTree, getNode, type ConfigNode } from '../config/index.js';
import { cryptRounds, MAX_PASSWORD_ROUNDS } from '../schema/index.js';
import { runCrypt } from './crypt-pool.js';
import { randomSalt } from './sha512crypt.js';

/** Hash a new password with a random salt. */
export function hashPassword(password: string): Promise<string> {
  return runCrypt({ password, salt: randomSalt() });
}

const HASH = /^\$6\$(?:rounds=(\d+)\$)?([^$]{0,16})\$[./0-9A-Za-z]{86}$/;

/**
 * Check a password against a `$6$` hash. Other schemes, and a hash of more
 * than MAX_PASSWORD_ROUNDS rounds (verify refuses them; an older revision
 * may hold one), never match and cost nothing.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = HASH.exec(hash);
  if (!m || (cryptRounds(hash) ?? Infinity) > MAX_PASSWORD_ROUNDS) return false;
  const computed = Buffer.from(
    await runCrypt({
      password,
      salt: m[2]!,
      ...(m[1] === undefined ? {} : { rounds: Number(m[1]) }),
    }),
  );
  const expected = Buffer.from(hash);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

export async function hashPlaintextPasswords(tree: ConfigNode): Promise<ConfigNode> {
  const users = getNode(tree, ['system', 'login', 'user']);
  const plain = [...(users?.children ?? [])].filter(([, u]) =>
    getNode(u, ['authentication', 'plaintext-password']),
  );
  if (plain.length === 0) return tree;
  const hashes = await Promise.all(
    plain.map(([, user]) =>
      hashPassword(getNode(user, ['authentication', 'plaintext-password'])!.values[0] ?? ''),
    ),
  );
  return editTree(tree, (editor) => {
    plain.forEach(([name], k) => {
      const base = ['system', 'login', 'user', name, 'authentication'];
      editor.setValue([...base, 'encrypted-password'], hashes[k]!);
      editor.remove([...base, 'plaintext-password']);
    });
  });
}
