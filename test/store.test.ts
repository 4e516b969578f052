import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { processAlive, Store } from '../src/store/store.js';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { repoRoot } from './helpers/paths.js';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fos-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const revision = (n: number, config = `set system host-name 'r${n}'\n`) => ({
  user: 'ops',
  origin: 'cli' as const,
  comment: `c${n}`,
  config,
  plan: '',
});

/** A child process working on the same store through the built module. */
function child(dir: string, script: string): ChildProcess {
  const code = `import { Store } from ${JSON.stringify(join(repoRoot, 'dist', 'src', 'store', 'store.js'))};\nconst store = new Store(${JSON.stringify(dir)});\n${script}`;
  return spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** The exit status, also when the process already exited before anyone asked. */
function exited(p: ChildProcess): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode);
  return new Promise((resolve) => p.on('exit', (code) => resolve(code)));
}

function integrity(dir: string): string {
  const db = new Database(join(dir, 'fos.db'), { readonly: true });
  try {
    return (db.pragma('integrity_check', { simple: true }) as string) ?? '';
  } finally {
    db.close();
  }
}

describe('the revision store', () => {
  it('numbers revisions back from running and keeps the last N', () => {
    const store = new Store(freshDir());
    for (let i = 1; i <= 5; i++) store.record(revision(i), { keep: 3 });
    expect(store.list().map((r) => r.comment)).toEqual(['c5', 'c4', 'c3']);
    expect(store.back(0)!.config).toBe("set system host-name 'r5'\n");
    expect(store.back(2)!.comment).toBe('c3');
    expect(store.back(3)).toBeUndefined();
    store.close();
  });

  it('compresses large configurations and reads them back', () => {
    const dir = freshDir();
    const store = new Store(dir);
    const big = Array.from(
      { length: 2000 },
      (_, i) => `set interfaces ethernet eth0 vif ${i + 1} description 'customer ${i}'`,
    ).join('\n');
    store.record(revision(1, big), { keep: 10 });
    expect(store.latest()!.config).toBe(big);
    store.close();
    const db = new Database(join(dir, 'fos.db'), { readonly: true });
    const row = db.prepare('SELECT compressed, length(config) AS size FROM revisions').get() as {
      compressed: number;
      size: number;
    };
    db.close();
    expect(row.compressed).toBe(1);
    expect(row.size).toBeLessThan(big.length / 4);
  });

  it('keeps the revision a pending confirmation restores, even past the limit', () => {
    const store = new Store(freshDir());
    store.record(revision(1), { keep: 2 });
    store.record(revision(2), { keep: 2, confirm: { deadline: Date.now() + 60_000, user: 'ops' } });
    for (let i = 3; i <= 5; i++) store.record(revision(i), { keep: 2, confirm: 'keep' });
    const pending = store.pending()!;
    expect(store.byId(pending.restoreId)!.comment).toBe('c1');
    store.close();
  });

  it('two processes writing at once leave a consistent store', async () => {
    const dir = freshDir();
    const store = new Store(dir);
    const other = child(
      dir,
      `for (let i = 0; i < 150; i++) { store.record({ user: 'child', origin: 'batch', comment: 'x' + i, config: 'set system host-name c\\n', plan: '' }, { keep: 1000 }); store.audit({ user: 'child', session: 's', kind: 'set', text: 't', outcome: 'ok' }); }\nstore.close();`,
    );
    for (let i = 0; i < 150; i++) {
      store.record(revision(i), { keep: 1000 });
      store.audit({ user: 'parent', session: 's', kind: 'set', text: 't', outcome: 'ok' });
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(await exited(other)).toBe(0);
    expect(store.list(1000)).toHaveLength(300);
    expect(store.auditLog(1000)).toHaveLength(300);
    store.close();
    expect(integrity(dir)).toBe('ok');
  });

  it('a process killed while writing leaves the store readable and consistent', async () => {
    const dir = freshDir();
    new Store(dir).close();
    const writer = child(
      dir,
      `process.stdout.write('go\\n'); for (let i = 0; ; i++) store.record({ user: 'w', origin: 'batch', comment: String(i), config: 'x'.repeat(2000 + i), plan: '' }, { keep: 50 });`,
    );
    await new Promise((resolve) => writer.stdout!.once('data', resolve));
    await new Promise((r) => setTimeout(r, 300));
    writer.kill('SIGKILL');
    await exited(writer);
    expect(integrity(dir)).toBe('ok');
    const store = new Store(dir);
    const latest = store.latest()!;
    expect(latest.config).toBe('x'.repeat(2000 + Number(latest.comment)));
    expect(store.list().length).toBeLessThanOrEqual(50);
    store.close();
  });

  it('the commit lock: a live holder refuses, a dead holder loses it', async () => {
    const dir = freshDir();
    const holder = child(
      dir,
      `store.tryLock('commit', 'alice'); process.stdout.write('held\\n'); setInterval(() => {}, 1000);`,
    );
    await new Promise((resolve) => holder.stdout!.once('data', resolve));
    const store = new Store(dir);
    const refused = store.tryLock('commit', 'bob');
    expect(refused).toMatchObject({ ok: false, holder: { user: 'alice', pid: holder.pid } });
    holder.kill('SIGKILL');
    await exited(holder);
    expect(store.tryLock('commit', 'bob')).toEqual({ ok: true });
    store.close();
  });

  it('the crash journal: per backend, cleared, and one written before the contract still read', () => {
    const dir = freshDir();
    const store = new Store(dir);
    expect(store.inflightJournal()).toBeUndefined();
    store.setInflight({ kernel: ['br0', 'eth0'], nft: true });
    expect(store.inflightJournal()).toEqual({ kernel: ['br0', 'eth0'], nft: true });
    store.setInflight(undefined);
    expect(store.inflightJournal()).toBeUndefined();
    store.close();
    // The journal of older FOS1 versions: the kernel's link names alone.
    const db = new Database(join(dir, 'fos.db'));
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('inflight', ?)").run(
      JSON.stringify(['br0', 'vxlan10']),
    );
    db.close();
    const again = new Store(dir);
    expect(again.inflightJournal()).toEqual({ kernel: ['br0', 'vxlan10'] });
    again.close();
  });

  it('a process that exited but was never reaped (a zombie) is dead: its lock and watcher count for nothing', async () => {
    const dir = freshDir();
    // `sleep 0` exits at once; its parent becomes `sleep 5`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const zombie = Number(
      await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(`${d}`))),
    );
    await expect
      .poll(() => readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]![0])
      .toBe('Z');
    expect(processAlive(zombie)).toBe(false);
    expect(processAlive(parent.pid!)).toBe(true);
    const store = new Store(dir);
    store.setConfirmWatcher(zombie);
    expect(store.confirmWatcher()).toBeUndefined();
    store.setConfirmWatcher(parent.pid!);
    expect(store.confirmWatcher()).toBe(parent.pid);
    store.close();
    parent.kill('SIGKILL');
    await exited(parent);
  });

  it('a watcher retires only while nothing is pending, and gives up its registration as it does', () => {
    const store = new Store(freshDir());
    store.setConfirmWatcher(process.pid);
    store.setPending({ restoreId: 1, committedId: 2, deadline: Date.now() + 60_000, user: 'ops' });
    expect(store.retireConfirmWatcher(process.pid)).toBe(false);
    expect(store.confirmWatcher()).toBe(process.pid);
    store.clearPending();
    expect(store.retireConfirmWatcher(process.pid)).toBe(true);
    expect(store.confirmWatcher()).toBeUndefined();
    store.close();
  });
});

describe('a store file that is not a FOS1 store', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await makeLab();
  });
  afterAll(async () => lab.down());

  /** A state directory whose fos.db holds these bytes (or a foreign SQLite database). */
  function stateWith(content: string | 'sqlite'): string {
    const dir = freshDir();
    const file = join(dir, 'fos.db');
    if (content === 'sqlite') {
      const db = new Database(file);
      db.exec('CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES (1);');
      db.close();
    } else writeFileSync(file, content);
    return dir;
  }

  it.each([
    ['empty (0 bytes)', ''],
    ['not an SQLite database', 'hello\n'],
    ['an SQLite database of something else', 'sqlite' as const],
  ])(
    'refuses to start when the file is %s, naming it and how to initialise',
    async (what, content) => {
      const dir = stateWith(content);
      const file = join(dir, 'fos.db');
      const before = readFileSync(file);
      expect(() => new Store(dir)).toThrow(file);
      const snapshot = lab.snapshot();
      const r = await runFos(['--netns', lab.netns, '--state', dir, '-c', 'show system commit']);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`${file} is ${what.replace(/ \(0 bytes\)/, '')}`);
      expect(r.err).toContain(`fos --state ${dir} init`);
      // Nothing was started over it: the file is as it was, and the namespace untouched.
      expect(readFileSync(file)).toEqual(before);
      expect(readdirSync(dir).sort()).toEqual(['fos.db']);
      expect(lab.snapshot()).toEqual(snapshot);
    },
  );

  it('fos init keeps the refused file aside and starts a new store; the next start seeds it', async () => {
    const dir = stateWith('');
    const init = await runFos(['--state', dir, 'init']);
    expect(init.code, init.err).toBe(0);
    const aside = readdirSync(dir).find((f) => f.startsWith('fos.db.not-a-store-'));
    expect(aside).toBeDefined();
    expect(statSync(join(dir, aside!)).size).toBe(0);
    expect(init.out).toContain(join(dir, aside!));
    const r = await runFos(['--netns', lab.netns, '--state', dir, '-c', 'show system commit']);
    expect(r.code, r.err).toBe(0);
    // One revision: the seeded default configuration.
    expect(r.out).toMatch(/^0 +\S+ \S+ by fos via boot\n +default configuration\n$/);
  });

  it('fos init refuses a store that is already one, and changes nothing', async () => {
    const dir = freshDir();
    const store = new Store(dir);
    store.record(revision(1), { keep: 10 });
    store.close();
    const r = await runFos(['--state', dir, 'init']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${join(dir, 'fos.db')} is already a FOS1 store (1 revision)`);
    const again = new Store(dir);
    expect(again.list()).toHaveLength(1);
    again.close();
  });

  it('a missing store is created, and a store made before stores were marked still opens', () => {
    const dir = freshDir();
    expect(existsSync(join(dir, 'fos.db'))).toBe(false);
    const store = new Store(dir);
    store.record(revision(1), { keep: 10 });
    store.close();
    const db = new Database(join(dir, 'fos.db'));
    db.pragma('application_id = 0');
    db.close();
    const old = new Store(dir);
    expect(old.list()).toHaveLength(1);
    old.close();
  });
});

describe('file modes', () => {
  const mode = (file: string): string => (statSync(file).mode & 0o777).toString(8);

  it('fos.db and its -wal and -shm files are 0600, also when they existed with other modes', () => {
    const dir = freshDir();
    const first = new Store(dir);
    const db = join(dir, 'fos.db');
    const files = [db, `${db}-wal`, `${db}-shm`];
    first.audit({ user: 'ops', session: 's', kind: 'test', text: '', outcome: 'ok' });
    for (const f of files) expect([f, mode(f)]).toEqual([f, '600']);
    for (const f of files) chmodSync(f, 0o644);
    const second = new Store(dir);
    try {
      for (const f of files) expect([f, mode(f)]).toEqual([f, '600']);
    } finally {
      second.close();
      first.close();
    }
  });
});
