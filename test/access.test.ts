/**
 * What a user logged in over SSH may touch: files only inside the
 * configuration directory, configuration mode only at level admin, and never
 * a configuration that nobody could log in to again.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigDirectory, MAX_CONFIG_FILE_BYTES } from '../src/store/config-files.js';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { serve, ssh, SshSession, type Served } from './helpers/serve.js';

let lab: Lab;
let server: Served;
let configDir: string;

const asFos = (command: string) => ssh(server.port, { password: 'fos', command });

beforeAll(async () => {
  lab = await makeLab();
  server = await serve(lab.flags);
  configDir = join(lab.state, 'config');
});
afterAll(async () => {
  await server?.stop();
  await lab.down();
});

describe('files over SSH stay inside the configuration directory', () => {
  it('refuses to load /etc/shadow or /proc/self/environ, and prints none of their lines', async () => {
    const shadow = readFileSync('/etc/shadow', 'utf8').split('\n')[0]!.split(':')[0]!;
    for (const path of ['/etc/shadow', '/proc/self/environ', '../fos.db', 'a/../../fos.db']) {
      const r = await asFos(`configure; load ${path}`);
      expect(r.code, path).not.toBe(0);
      expect(r.err, path).toContain('configuration directory');
      expect(r.err, path).toMatch(/absolute path|goes up with/);
    }
    const r = await asFos('configure; load /etc/shadow');
    expect(r.err).not.toContain(`${shadow}:`);
  });

  it('refuses to save outside it, so the store and host files cannot be overwritten', async () => {
    const before = readFileSync(join(lab.state, 'fos.db'));
    for (const path of [join(lab.state, 'fos.db'), '../fos.db', '/tmp/fos-access-test']) {
      const r = await asFos(`configure; save ${path}`);
      expect(r.code, path).not.toBe(0);
      expect(r.err, path).toContain('configuration directory');
    }
    expect(existsSync('/tmp/fos-access-test')).toBe(false);
    // The store still opens and holds its revisions.
    const shown = await asFos('show system commit');
    expect(shown.code, shown.err).toBe(0);
    expect(readFileSync(join(lab.state, 'fos.db')).length).toBeGreaterThanOrEqual(
      before.length / 2,
    );
  });

  it('saves and loads by name inside it, owner-only', async () => {
    const saved = await asFos(
      "configure; set interfaces ethernet eth1 description 'saved'; save lab.set",
    );
    expect(saved.code, saved.err).toBe(0);
    const file = join(configDir, 'lab.set');
    expect(readFileSync(file, 'utf8')).toContain("description 'saved'");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const loaded = await asFos('configure; load lab.set; compare');
    expect(loaded.code, loaded.err).toBe(0);
    expect(loaded.out).toContain('saved');
    // `save` alone writes config.boot, as VyOS writes /config/config.boot.
    expect((await asFos('configure; save')).code).toBe(0);
    expect(readFileSync(join(configDir, 'config.boot'), 'utf8')).toContain('interfaces {');
  });

  it('does not follow a symbolic link out of it, nor read devices, FIFOs or huge files', async () => {
    symlinkSync('/etc/shadow', join(configDir, 'shadow-link'));
    symlinkSync('/dev/zero', join(configDir, 'zero'));
    mkdirSync(join(configDir, 'sub'));
    symlinkSync('/etc', join(configDir, 'etc-link'));
    execFileSync('mkfifo', [join(configDir, 'fifo')]);
    writeFileSync(join(configDir, 'huge.set'), Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1, 0x20));
    const cases: [string, RegExp][] = [
      ['shadow-link', /symbolic link/],
      ['zero', /symbolic link/],
      ['etc-link/shadow', /leads out of it/],
      ['fifo', /not a regular file/],
      ['sub', /not a regular file|a directory/],
      ['huge.set', /more than the limit/],
    ];
    for (const [name, why] of cases) {
      const started = Date.now();
      const r = await asFos(`configure; load ${name}`);
      expect(r.code, name).not.toBe(0);
      expect(r.err, name).toMatch(why);
      expect(Date.now() - started, name).toBeLessThan(10_000);
    }
  });

  it('lists at most a few problems of a file that is not a configuration, each shortened', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `secret${i}:${'x'.repeat(200)}`);
    writeFileSync(join(configDir, 'junk'), `${lines.join('\n')}\n`);
    const r = await asFos('configure; load junk');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('more problems');
    expect(r.err).not.toContain('x'.repeat(100));
    expect(r.err.split('\n').length).toBeLessThan(30);
  });

  it('refuses a file that is not UTF-8, naming the line', async () => {
    writeFileSync(
      join(configDir, 'latin1.set'),
      Buffer.concat([
        Buffer.from("set system host-name 'a'\nset interfaces ethernet eth1 description '"),
        Buffer.from([0xe9]),
        Buffer.from("'\n"),
      ]),
    );
    const r = await asFos('configure; load latin1.set');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("'latin1.set' is not UTF-8 text (line 2)");
  });

  it('lets a local batch name any path with its own rights', async () => {
    const file = join(lab.state, 'local.set');
    writeFileSync(file, "set interfaces ethernet eth2 description 'local'\n");
    const r = await runFos([...lab.flags, '-c', `configure; merge ${file}; compare`]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('local');
  });

  it('ConfigDirectory refuses odd names before touching the file system', () => {
    const dir = new ConfigDirectory(configDir);
    for (const name of [
      '',
      '/etc/passwd',
      '..',
      'a/../b',
      './x',
      'a//b',
      'x\u001b[2J',
      'y'.repeat(300),
    ])
      expect(() => dir.resolve(name), JSON.stringify(name)).toThrow(/configuration directory/);
    expect(dir.resolve('sub/x.set')).toBe(join(configDir, 'sub', 'x.set'));
  });
});

describe('login levels', () => {
  it('an operator runs operational commands and may not configure; the shell says so', async () => {
    const add = await runFos([
      ...lab.flags,
      '-c',
      "configure; set system login user op authentication plaintext-password 'op-pass'; set system login user op level operator; commit",
    ]);
    expect(add.code, add.err).toBe(0);
    const shown = await ssh(server.port, {
      user: 'op',
      password: 'op-pass',
      command: 'show host name',
    });
    expect(shown).toMatchObject({ code: 0, out: 'fos\n' });
    const refused = await ssh(server.port, {
      user: 'op',
      password: 'op-pass',
      command: 'configure; set system login user op level admin; commit',
    });
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('user op has level operator');
    const session = new SshSession(server.port, { user: 'op', password: 'op-pass' });
    try {
      await session.waitFor('op@fos:~$ ');
      const out = await session.type('configure', /\$ $/);
      expect(out).toContain('configuration mode needs level admin');
      expect(out).not.toContain('[edit]');
    } finally {
      session.kill();
    }
  });

  it('refuses a commit that would leave no admin able to log in, and changes nothing', async () => {
    const before = (
      await runFos([...lab.flags, '-c', 'show configuration commands | display secrets'])
    ).out;
    for (const change of [
      'delete system login user fos',
      'set system login user fos level operator',
      'set system login user fos disable',
      "set system login user fos authentication encrypted-password '!'",
    ]) {
      const r = await runFos([...lab.flags, '-c', `configure; ${change}; commit`]);
      expect(r.code, change).not.toBe(0);
      expect(r.err, change).toContain('[system login user]');
      expect(r.err, change).toMatch(/no user (of level admin )?could log in/);
    }
    const after = (
      await runFos([...lab.flags, '-c', 'show configuration commands | display secrets'])
    ).out;
    expect(after).toBe(before);
    expect((await asFos('show host name')).code).toBe(0);
  });

  it('refuses the placeholder show prints for a secret as the secret', async () => {
    const r = await runFos([
      ...lab.flags,
      '-c',
      "configure; set system login user fos authentication encrypted-password '********'",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('what show prints in place of a secret');
  });
});
