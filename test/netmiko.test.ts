/** netmiko's vyos driver (python3-netmiko from Debian) against `fos serve`. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { repoRoot } from './helpers/paths.js';
import { serve, type Served } from './helpers/serve.js';

let lab: Lab;
let server: Served;
beforeAll(async () => {
  lab = await makeLab();
  server = await serve(lab.flags);
});
afterAll(async () => {
  await server?.stop();
  await lab.down();
});

describe('netmiko vyos driver', () => {
  it('connects, sends two set lines, commits, leaves config mode, and the change is in the namespace', () => {
    const r = spawnSync(
      '/usr/bin/python3',
      [
        join(repoRoot, 'test', 'automation', 'netmiko_vyos.py'),
        // netmiko's own 2 s idle waits shortened (see the script): FOS1 answers at once.
        '--fast',
        String(server.port),
        "set interfaces ethernet eth2 address '10.20.0.1/24'",
        "set interfaces ethernet eth2 description 'via netmiko'",
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('Committed revision');
    expect(r.stdout).toMatch(/eth2\s+10\.20\.0\.1\/24\s+u\/u\s+via netmiko/);
    const [link] = JSON.parse(lab.ip('-json', '-details', 'address', 'show', 'dev', 'eth2'));
    expect(link.ifalias).toBe('via netmiko');
    expect(link.addr_info.map((a: { local: string }) => a.local)).toContain('10.20.0.1');
  });

  it('works the same with login banners before and after the login', async () => {
    const set = await runFos([
      ...lab.flags,
      '-c',
      [
        'configure',
        String.raw`set system login banner pre-login 'Authorised use only.\nAll sessions are logged.'`,
        String.raw`set system login banner post-login 'Welcome to the lab router.\n\tChange window: Sundays'`,
        'commit',
      ].join('\n'),
    ]);
    expect(set.code, set.err).toBe(0);
    const r = spawnSync(
      '/usr/bin/python3',
      [
        join(repoRoot, 'test', 'automation', 'netmiko_vyos.py'),
        '--fast',
        String(server.port),
        "set interfaces ethernet eth3 description 'behind a banner'",
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('Committed revision');
    expect(r.stdout).toMatch(/eth3\s+-\s+u\/u\s+behind a banner/);
    expect(JSON.parse(lab.ip('-json', '-details', 'link', 'show', 'dev', 'eth3'))[0].ifalias).toBe(
      'behind a banner',
    );
  });
});
