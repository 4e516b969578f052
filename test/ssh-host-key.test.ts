/**
 * The host key a router makes at its first start (src/ssh/server.ts): ssh2's own generator
 * sometimes writes an ed25519 key that ssh2 then refuses to read, which left a router
 * restarting its daemon forever. Every key made must read back, and be kept; a key on disk that
 * does not read back is moved aside and replaced.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHostKey, newHostKey } from '../src/ssh/server.js';

const dir = mkdtempSync(join(tmpdir(), 'fos-hostkey-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('host key', () => {
  it('every new key parses (ssh2 alone fails about once in 200)', () => {
    let unreadable = 0;
    for (let i = 0; i < 1000; i++) {
      const key = newHostKey();
      if (ssh2.utils.parseKey(key.private) instanceof Error) unreadable++;
      expect(key.public).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+/);
    }
    expect(unreadable).toBe(0);
  });

  it('is made once in the state directory and read back after', () => {
    const made = loadHostKey(dir);
    expect(ssh2.utils.parseKey(made)).not.toBeInstanceOf(Error);
    expect(readFileSync(join(dir, 'ssh_host_ed25519_key'), 'utf8')).toBe(made);
    expect(readFileSync(join(dir, 'ssh_host_ed25519_key.pub'), 'utf8')).toMatch(/^ssh-ed25519 /);
    expect(loadHostKey(dir)).toBe(made);
  });

  it('moves a key it cannot read aside and makes a new one, saying so', () => {
    const other = mkdtempSync(join(tmpdir(), 'fos-hostkey-'));
    try {
      const file = join(other, 'ssh_host_ed25519_key');
      const damaged =
        '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n';
      writeFileSync(file, damaged, { mode: 0o600 });
      writeFileSync(`${file}.pub`, 'ssh-ed25519 AAAA old\n');
      const warned: string[] = [];
      const made = loadHostKey(other, (line) => warned.push(line));
      expect(ssh2.utils.parseKey(made)).not.toBeInstanceOf(Error);
      expect(readFileSync(file, 'utf8')).toBe(made);
      expect(readFileSync(`${file}.unreadable`, 'utf8')).toBe(damaged);
      expect(readFileSync(`${file}.pub`, 'utf8')).not.toContain('old');
      expect(warned).toHaveLength(1);
      expect(warned[0]).toContain(`${file} cannot be read`);
      expect(warned[0]).toContain(`${file}.unreadable`);
      // Read back the next time, with nothing to say.
      expect(loadHostKey(other, (line) => warned.push(line))).toBe(made);
      expect(warned).toHaveLength(1);
      expect(existsSync(`${file}.unreadable`)).toBe(true);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
