/**
 * Sessions whose running configuration moved on under them: after a `commit
 * confirmed` timed out and rolled back, and after another user's commit. Real
 * kernel, real store; the shell engine is driven as a front-end drives it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScript } from '../grammar/index.js';
import { ShellEngine } from '../src/cli/engine.js';
import { routerAccess } from '../src/main.js';
import { schema } from '../src/schema/index.js';
import type { Router } from '../src/commit/router.js';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';

let lab: Lab;
let router: Router;

const BASE = [
  'configure',
  "set interfaces ethernet eth0 address '192.0.2.1/24'",
  "set interfaces ethernet eth0 mtu '1400'",
  "set interfaces ethernet eth1 mtu '1400'",
  "set interfaces ethernet eth2 description 'spare'",
  "set firewall group network-group LAN network '10.0.0.0/8'",
  "comment interfaces ethernet eth0 'uplink, circuit 4711'",
  "comment interfaces ethernet eth1 'lan'",
  "comment interfaces ethernet eth2 'reserved for the lab'",
  'commit',
];

function engine(user: string, session: string): ShellEngine {
  return new ShellEngine(
    schema,
    routerAccess(router, user, session),
    { read: () => '', write: () => undefined },
    { user, session, origin: 'cli', allowSecrets: false },
  );
}

/** Type one line into a session; the output of its commands, and whether they all worked. */
async function type(e: ShellEngine, line: string): Promise<{ out: string; ok: boolean }> {
  const out: string[] = [];
  for (const command of parseScript(line).commands) {
    const r = await e.execute(command);
    out.push(...r.output);
    if (!r.ok) return { out: out.join('\n'), ok: false };
  }
  return { out: out.join('\n'), ok: true };
}

/** What the confirm timer does when the deadline has come. */
async function timeout(): Promise<void> {
  const pending = router.store.pending();
  expect(pending).toBeDefined();
  router.store.setPending({ ...pending!, deadline: Date.now() - 1 });
  const reverted = await router.revertIfExpired();
  expect(reverted?.kind).toBe('committed');
}

const mtu = (dev: string): number =>
  (JSON.parse(lab.ip('-json', 'link', 'show', 'dev', dev)) as { mtu: number }[])[0]!.mtu;

const comments = async (): Promise<string> =>
  (await runFos([...lab.flags, '-c', 'show configuration commands | match ^comment'])).out;

beforeAll(async () => {
  lab = await makeLab();
  router = lab.router();
  const r = await runFos([...lab.flags, '-c', BASE.join('\n')]);
  expect(r.code, r.err).toBe(0);
});
afterAll(async () => lab.down());

describe('after a commit confirmed timed out', () => {
  it('the next commit from the same session does what compare showed, and keeps every annotation', async () => {
    const before = await comments();
    expect(before.split('\n').filter(Boolean)).toHaveLength(3);
    const s = engine('ops', 'long');
    await type(s, 'configure');
    await type(
      s,
      "set interfaces ethernet eth0 mtu '1300'; set interfaces ethernet eth1 mtu '1300'",
    );
    expect((await type(s, 'commit confirmed 1')).out).toMatch(/rolled back in 1 minute/);
    expect(mtu('eth0')).toBe(1300);
    // A change pending in the session when the deadline passes.
    await type(s, "set firewall group network-group LAN network '172.16.0.0/12'");
    await timeout();
    expect(mtu('eth0')).toBe(1400);
    // The operator puts one MTU back, as the confirmed commit had it, and looks.
    const set = await type(s, "set interfaces ethernet eth0 mtu '1300'");
    expect(set.ok).toBe(true);
    // The session is told, and its pending change now stands on the restored configuration.
    expect(set.out).toMatch(
      /^Rolled back at .* commit confirmed by ops was not confirmed; restored revision \d+\./,
    );
    expect(set.out).toContain('Your uncommitted changes now stand on the restored configuration.');
    const compare = (await type(s, 'compare')).out;
    const committed = await type(s, 'commit');
    expect(committed.ok, committed.out).toBe(true);
    // Whatever compare showed is what the commit did.
    expect(compare).toContain('+         mtu 1300');
    expect(compare).toContain('172.16.0.0/12');
    expect(compare).not.toContain('ethernet eth1');
    expect(mtu('eth0')).toBe(1300);
    expect(mtu('eth1')).toBe(1400);
    const running = (await runFos([...lab.flags, '-c', 'show configuration commands'])).out;
    expect(running).toContain("set firewall group network-group LAN network '172.16.0.0/12'");
    expect(await comments()).toBe(before);
  });
});

describe('a rollback done by another process', () => {
  it('is told to a session at its next command, and a change after it is not a conflict', async () => {
    const s = engine('ops', 'short');
    const watcher = lab.router();
    await type(s, 'configure');
    await type(s, "set interfaces ethernet eth1 mtu '1500'");
    expect((await type(s, 'commit confirmed 1')).ok).toBe(true);
    const op = engine('viewer', 'op');
    expect((await type(op, 'show host name')).out).toBe('fos');
    // The deadline passes; a watcher (another process in real life) reverts.
    const pending = watcher.store.pending()!;
    watcher.store.setPending({ ...pending, deadline: Date.now() - 1 });
    expect((await watcher.revertIfExpired())?.kind).toBe('committed');
    // A second owner arriving late finds nothing left to do.
    expect(await router.revertIfExpired()).toBeUndefined();
    expect(mtu('eth1')).toBe(1400);
    const told = await type(s, "set interfaces ethernet eth1 mtu '1450'");
    expect(told.out).toMatch(/^Rolled back at .*: commit confirmed by ops was not confirmed/);
    expect((await type(op, 'show host name')).out).toMatch(/^Rolled back at .*\nfos$/);
    // Told once only.
    expect((await type(op, 'show host name')).out).toBe('fos');
    expect((await type(s, 'compare')).out).toBe(
      '  interfaces {\n      ethernet eth1 {\n-         mtu 1400\n+         mtu 1450\n      }\n  }',
    );
    expect((await type(s, 'commit')).ok).toBe(true);
    expect(mtu('eth1')).toBe(1450);
    expect(await comments()).toContain("comment interfaces ethernet eth1 'lan'");
  });
});

describe("another user's commit under a session with changes", () => {
  it('compare shows what a commit would change and says running moved on; the commit keeps their annotations', async () => {
    const s = engine('ops', 'stale');
    await type(s, 'configure');
    await type(s, "set interfaces ethernet eth3 description 'mine'");
    const theirs = await runFos([
      ...lab.flags,
      '--user',
      'bob',
      '-c',
      "configure; comment interfaces ethernet eth2 'bob was here'; set interfaces ethernet eth2 mtu '1280'; commit",
    ]);
    expect(theirs.code, theirs.err).toBe(0);
    const compare = await type(s, 'compare');
    expect(compare.out).toMatch(
      /Running changed since this session started \(revision \d+\): revision \d+ by bob \(batch, /,
    );
    expect(compare.out).toContain("'update' rebases the candidate onto it");
    // Only this session's change: bob's commit is not shown as removals.
    expect(compare.out).toContain('+         description mine');
    expect(compare.out).not.toMatch(/^- /m);
    expect(compare.out).not.toContain('eth2');
    expect((await type(s, 'commit')).ok).toBe(true);
    expect(await comments()).toContain("comment interfaces ethernet eth2 'bob was here'");
    expect(mtu('eth2')).toBe(1280);
    expect(lab.ip('-json', 'link', 'show', 'dev', 'eth3')).toContain('"ifalias":"mine"');
  });

  it('compare names the paths when the rebase would conflict', async () => {
    const s = engine('ops', 'conflict');
    await type(s, 'configure');
    await type(s, "comment interfaces ethernet eth2 'mine'");
    await type(s, "set interfaces ethernet eth3 mtu '1300'");
    const theirs = await runFos([
      ...lab.flags,
      '--user',
      'bob',
      '-c',
      "configure; comment interfaces ethernet eth2 'theirs'; commit",
    ]);
    expect(theirs.code, theirs.err).toBe(0);
    const compare = (await type(s, 'compare')).out;
    expect(compare).toContain(
      'These paths changed both here and in running; a commit is refused until they agree:\n  interfaces ethernet eth2 (comment)',
    );
    expect(compare).toContain('+         mtu 1300');
    const refused = await type(s, 'commit');
    expect(refused.ok).toBe(false);
    expect(refused.out).toContain('interfaces ethernet eth2 (comment)');
  });

  it('a session without changes follows running', async () => {
    const s = engine('ops', 'clean');
    await type(s, 'configure');
    const theirs = await runFos([
      ...lab.flags,
      '-c',
      "configure; set interfaces ethernet eth3 description 'theirs'; commit",
    ]);
    expect(theirs.code, theirs.err).toBe(0);
    expect((await type(s, 'compare')).out).toBe('No changes.');
    expect((await type(s, 'show interfaces ethernet eth3 description')).out).toBe(
      'description theirs',
    );
  });
});
