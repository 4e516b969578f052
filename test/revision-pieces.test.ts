/**
 * Revisions written in pieces: the set form built from pieces kept per node
 * (and per block of a large multi-leaf) is the text a fresh walk gives after
 * any edit, and the store keeps each chunk once, shared by the revisions
 * that hold it, reading every revision back whole.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  applyDelete,
  applySet,
  loadSetForm,
  setCommands,
  setFormPieces,
  toSetForm,
  TreeEditor,
  VALUES_PER_PIECE,
  type ConfigNode,
} from '../src/config/index.js';
import { schema } from '../src/schema/index.js';
import { Store } from '../src/store/store.js';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fos-pieces-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function edit(base: ConfigNode, verb: 'set' | 'delete', line: string): ConfigNode {
  const editor = new TreeEditor(base);
  const words = line.split(' ');
  if (verb === 'set') expect(applySet(editor, schema, words).ok).toBe(true);
  else applyDelete(editor, schema, words);
  return editor.finish();
}

/** The set form by a walk that keeps nothing. */
const fresh = (tree: ConfigNode): string =>
  setCommands(tree, schema)
    .map((l) => `${l}\n`)
    .join('');

const host = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** A seeded generator, so a failure can be run again. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function big(members: number, rules = 50): ConfigNode {
  const lines = ["set interfaces ethernet eth0 address '192.0.2.1/24'"];
  for (let i = 0; i < members; i++)
    lines.push(`set firewall group address-group BIG address ${host(i)}`);
  for (let r = 1; r <= rules; r++)
    lines.push(
      `set firewall ipv4 forward filter rule ${r} action accept`,
      `set firewall ipv4 forward filter rule ${r} destination port ${1000 + r}`,
      `set firewall ipv4 forward filter rule ${r} protocol tcp`,
    );
  lines.push("comment firewall group address-group BIG 'blocked hosts'");
  const { tree, report } = loadSetForm(lines.join('\n'), schema);
  expect(report.invalid).toEqual([]);
  return tree;
}

describe('the set form in pieces', () => {
  it('is the text of a fresh walk after random edits of a large group and of rules', () => {
    const next = random(13);
    const members = 5 * VALUES_PER_PIECE + 17;
    let tree = big(members);
    expect(toSetForm(tree, schema)).toBe(fresh(tree));
    let added = members;
    for (let round = 0; round < 60; round++) {
      const what = next();
      if (what < 0.4)
        tree = edit(tree, 'set', `firewall group address-group BIG address ${host(added++)}`);
      else if (what < 0.7)
        tree = edit(
          tree,
          'delete',
          `firewall group address-group BIG address ${host(Math.floor(next() * added))}`,
        );
      else if (what < 0.8) {
        // Several at once, at the start of the list too.
        for (let k = 0; k < 3; k++)
          tree = edit(
            tree,
            'delete',
            `firewall group address-group BIG address ${host(k + round)}`,
          );
      } else if (what < 0.9)
        tree = edit(
          tree,
          'set',
          `firewall ipv4 forward filter rule ${1 + Math.floor(next() * 60)} description 'r${round}'`,
        );
      else
        tree = edit(
          tree,
          'delete',
          `firewall ipv4 forward filter rule ${1 + Math.floor(next() * 50)}`,
        );
      expect(toSetForm(tree, schema)).toBe(fresh(tree));
    }
  });

  it('keeps the pieces of what did not change: one member added changes one block', () => {
    const tree = big(10 * VALUES_PER_PIECE);
    const before = setFormPieces(tree, schema);
    const after = setFormPieces(
      edit(tree, 'set', 'firewall group address-group BIG address 172.16.0.1'),
      schema,
    );
    // Of the group's 11 blocks, 10 are the same objects; the comment is written anew (same text).
    expect(after.filter((p) => before.includes(p)).length).toBeGreaterThanOrEqual(10 + 1);
    const texts = new Set(before.map((p) => p.text));
    const changed = after.filter((p) => !texts.has(p.text));
    expect(changed.length).toBe(1);
    expect(changed[0]!.text).toContain('172.16.0.1');
    expect(changed[0]!.text.split('\n').length).toBeLessThanOrEqual(VALUES_PER_PIECE + 2);
  });
});

describe('revisions stored in chunks', () => {
  const chunkCount = (dir: string): number => {
    const db = new Database(join(dir, 'fos.db'), { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const record = async (store: Store, tree: ConfigNode, keep = 100): Promise<number> =>
    store.record(
      {
        user: 'ops',
        origin: 'cli',
        comment: '',
        plan: '',
        pieces: await store.packPieces(setFormPieces(tree, schema)),
      },
      { keep },
    );

  it('reads every revision back whole, and writes only the chunks a change made', async () => {
    const dir = freshDir();
    const store = new Store(dir);
    const trees = [big(20 * VALUES_PER_PIECE, 400)];
    const first = await record(store, trees[0]!);
    const chunks = chunkCount(dir);
    expect(chunks).toBeGreaterThan(20);
    trees.push(edit(trees[0]!, 'set', 'firewall group address-group BIG address 172.16.0.1'));
    const second = await record(store, trees[1]!);
    expect(chunkCount(dir)).toBe(chunks + 1);
    trees.push(edit(trees[1]!, 'set', "firewall ipv4 forward filter rule 200 description 'x'"));
    const third = await record(store, trees[2]!);
    expect(chunkCount(dir) - chunks - 1).toBeLessThanOrEqual(2);
    [first, second, third].forEach((id, i) =>
      expect(store.byId(id)!.config).toBe(fresh(trees[i]!)),
    );
    // The same configuration again shares every chunk.
    await record(store, trees[0]!);
    expect(store.latest()!.config).toBe(fresh(trees[0]!));
    store.close();
    // And another process (a restart) reads them the same.
    const again = new Store(dir);
    expect(again.byId(second)!.config).toBe(fresh(trees[1]!));
    again.close();
  });

  it('drops the chunks no kept revision holds when revisions are trimmed', async () => {
    const dir = freshDir();
    const store = new Store(dir);
    let tree = big(4 * VALUES_PER_PIECE, 100);
    await record(store, tree, 2);
    const base = chunkCount(dir);
    for (let i = 0; i < 6; i++) {
      tree = edit(tree, 'set', `firewall group address-group BIG address 172.16.0.${i + 1}`);
      await record(store, tree, 2);
    }
    // Two revisions kept: the chunks of the first and the changed block of the second.
    expect(store.list().length).toBe(2);
    expect(chunkCount(dir)).toBe(base + 1);
    expect(store.latest()!.config).toBe(fresh(tree));
    // Whole-text revisions (the older form) trim chunked ones too.
    for (let i = 0; i < 2; i++)
      store.record(
        { user: 'ops', origin: 'cli', comment: '', plan: '', config: "set system host-name 'r'\n" },
        { keep: 2 },
      );
    expect(chunkCount(dir)).toBe(0);
    store.close();
  });

  it('packs again a chunk that went between preparing and recording', async () => {
    const dir = freshDir();
    const store = new Store(dir);
    const tree = big(2 * VALUES_PER_PIECE);
    await record(store, tree, 1);
    const packed = await store.packPieces(setFormPieces(tree, schema));
    expect(packed.chunks.every((c) => c.packed === undefined)).toBe(true);
    // Another writer trims every chunk away meanwhile.
    store.record(
      { user: 'ops', origin: 'cli', comment: '', plan: '', config: "set system host-name 'r'\n" },
      { keep: 1 },
    );
    expect(chunkCount(dir)).toBe(0);
    store.record(
      { user: 'ops', origin: 'cli', comment: '', plan: '', pieces: packed },
      { keep: 1 },
    );
    expect(store.latest()!.config).toBe(fresh(tree));
    store.close();
  });
});
