/**
 * The host key a router makes at its first start (src/ssh/server.ts): ssh2's own generator
 * sometimes writes an ed25519 key that ssh2 then refuses to read, which left a router
 * restarting its daemon forever. Every key made must read back, and be kept.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
});
