/** A plaintext-password never reaches the store: at commit it becomes a SHA-512 crypt hash. */
import { editTree, getNode, type ConfigNode } from '../config/index.js';
import { hashPassword } from './sha512crypt.js';

export function hashPlaintextPasswords(tree: ConfigNode): ConfigNode {
  const users = getNode(tree, ['system', 'login', 'user']);
  const plain = [...(users?.children ?? [])].filter(([, u]) =>
    getNode(u, ['authentication', 'plaintext-password']),
  );
  if (plain.length === 0) return tree;
  return editTree(tree, (editor) => {
    for (const [name, user] of plain) {
      const password = getNode(user, ['authentication', 'plaintext-password'])!.values[0] ?? '';
      const base = ['system', 'login', 'user', name, 'authentication'];
      editor.setValue([...base, 'encrypted-password'], hashPassword(password));
      editor.remove([...base, 'plaintext-password']);
    }
  });
}
