/** The audit log stays bounded: entries are cut to a size, and only the newest N are kept. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSetForm } from '../src/config/index.js';
import { schema } from '../src/schema/index.js';
import {
  DEFAULT_AUDIT_ENTRIES,
  MAX_AUDIT_FIELD,
  MAX_AUDIT_NAME,
  Store,
} from '../src/store/store.js';
import { makeLab, type Lab } from './helpers/lab.js';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fos-audit-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const entry = (n: number, text = `t${n}`) => ({
  user: 'ops',
  session: 's',
  kind: 'set',
  text,
  outcome: 'ok',
});

describe('audit log bounds', () => {
  it('cuts a long text and says how long it was', () => {
    const store = new Store(freshDir());
    const huge = 'x'.repeat(1024 * 1024);
    store.audit({ ...entry(1), text: huge, outcome: `error: ${huge}`, user: 'u'.repeat(10_000) });
    const [e] = store.auditLog(1);
    expect(e!.text.length).toBeLessThanOrEqual(MAX_AUDIT_FIELD);
    expect(e!.text).toMatch(/^x+… \[cut: 1,048,576 characters in all\]$/);
    expect(e!.outcome.length).toBeLessThanOrEqual(MAX_AUDIT_FIELD);
    expect(e!.outcome.startsWith('error: xxx')).toBe(true);
    expect(e!.user.length).toBeLessThanOrEqual(MAX_AUDIT_NAME);
    store.close();
  });

  it('does not split a character made of two UTF-16 units', () => {
    const store = new Store(freshDir());
    store.audit(entry(1, '😀'.repeat(MAX_AUDIT_FIELD)));
    const text = store.auditLog(1)[0]!.text;
    expect(text).not.toMatch(
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
    );
    expect(text).toMatch(/^(😀)+… \[cut: /);
    store.close();
  });

  it(`keeps the newest entries (${DEFAULT_AUDIT_ENTRIES.toLocaleString('en')} by default)`, () => {
    const dir = freshDir();
    const store = new Store(dir);
    expect(store.auditKeep).toBe(DEFAULT_AUDIT_ENTRIES);
    store.auditKeep = 50;
    for (let n = 1; n <= 120; n++) store.audit(entry(n));
    const log = store.auditLog(1000);
    expect(log).toHaveLength(50);
    expect(log[0]!.text).toBe('t120');
    expect(log[49]!.text).toBe('t71');
    // A smaller limit trims at the next entry.
    store.auditKeep = 10;
    store.audit(entry(121));
    expect(store.auditLog(1000).map((e) => e.text)).toEqual(
      Array.from({ length: 10 }, (_, k) => `t${121 - k}`),
    );
    store.close();
  });

  it('a store written to forever stays the same size', () => {
    const dir = freshDir();
    const store = new Store(dir);
    store.auditKeep = 100;
    const big = 'y'.repeat(100_000);
    const size = (): number =>
      statSync(join(dir, 'fos.db')).size + statSync(join(dir, 'fos.db-wal')).size;
    for (let n = 0; n < 300; n++) store.audit(entry(n, big));
    const before = size();
    for (let n = 0; n < 1000; n++) store.audit(entry(n, big));
    // Deleted pages are reused; the WAL is checkpointed and reused at its usual size.
    expect(size()).toBeLessThan(2 * before + 5_000_000);
    expect(store.auditLog(1000)).toHaveLength(100);
    store.close();
  });
});

describe('system config-management audit-entries', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await makeLab();
  });
  afterAll(async () => lab.down());

  it('sets how many entries the store keeps', async () => {
    const router = lab.router();
    await router.initialize();
    expect(router.store.auditKeep).toBe(DEFAULT_AUDIT_ENTRIES);
    const running = router.running();
    const candidate = loadSetForm(
      "set system config-management audit-entries '100'\n",
      schema,
      running.tree,
    ).tree;
    const outcome = await router.commit({
      candidate,
      baseId: running.id,
      baseTree: running.tree,
      user: 'ops',
      origin: 'cli',
      session: 'audit',
    });
    expect(outcome.kind).toBe('committed');
    expect(router.store.auditKeep).toBe(100);
    for (let n = 0; n < 300; n++) router.store.audit(entry(n));
    expect(router.store.auditLog(1000)).toHaveLength(100);
    // Another process opening the store reads the limit from the running configuration.
    const other = lab.router();
    other.running();
    expect(other.store.auditKeep).toBe(100);
  });
});
