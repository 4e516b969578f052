/**
 * The three-way rebase of a candidate onto a newer running configuration,
 * over random trees with comments: the merge laws, and conflicts named by path.
 */
import { describe, expect, it } from 'vitest';
import {
  applyInsert,
  childSchema,
  formatSetPath,
  loadSetForm,
  getNode,
  pruneEmptyGroups,
  toSetForm,
  treesEqual,
  TreeEditor,
  type ConfigNode,
} from '../src/config/index.js';
import { schema, type SchemaNode } from '../src/schema/index.js';
import { rebase } from '../src/session/index.js';
import { randomTree, rng, sampleValue } from './helpers/generate.js';

type Edit = (editor: TreeEditor) => void;

interface Place {
  readonly path: readonly string[];
  readonly node: SchemaNode;
}

/** Every node of a tree below the root, with its schema node. */
function places(tree: ConfigNode): Place[] {
  const out: Place[] = [];
  const visit = (n: ConfigNode, s: SchemaNode | undefined, path: string[]): void => {
    for (const [word, child] of n.children) {
      const cs = childSchema(s, word);
      if (!cs) continue;
      out.push({ path: [...path, word], node: cs });
      visit(child, cs, [...path, word]);
    }
  };
  visit(tree, schema, []);
  return out;
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const isPrefix = (a: readonly string[], b: readonly string[]): boolean =>
  a.length <= b.length && a.every((w, i) => b[i] === w);

/** A value for a leaf that differs from `not`, or undefined. */
function otherValue(
  node: SchemaNode,
  r: () => number,
  not: readonly (string | undefined)[],
): string | undefined {
  if (node.kind !== 'leaf' && node.kind !== 'multi') return undefined;
  for (let i = 0; i < 20; i++) {
    const v = sampleValue(node.type, r);
    if (v !== undefined && !not.includes(v) && node.constraints.every((c) => c.test(v))) return v;
  }
  return undefined;
}

/** A random path of words below a schema node, ending in a value: something to add there. */
function randomAddition(
  start: SchemaNode,
  r: () => number,
): { path: string[]; value?: string; multi: boolean } | undefined {
  const path: string[] = [];
  let node = start;
  for (let depth = 0; depth < 8; depth++) {
    if (node.kind === 'leaf' || node.kind === 'multi') {
      const value = otherValue(node, r, []);
      return value === undefined ? undefined : { path, value, multi: node.kind === 'multi' };
    }
    if (node.kind === 'flag') return { path, multi: false };
    if (node.kind === 'tag') {
      const key = sampleValue(node.key, r);
      if (key === undefined || !node.keyConstraints.every((c) => c.test(key))) return undefined;
      path.push(key);
      node = node.entry;
      continue;
    }
    if (node.kind !== 'container' && node.kind !== 'entry') return undefined;
    const children = [...node.children.values()].filter((c) => !c.unsupported);
    if (children.length === 0) return { path, multi: false };
    node = pick(r, children);
    path.push(node.name);
  }
  return undefined;
}

/** One random edit at (or below) a place: change a value, delete, comment, or add. */
function randomEdit(place: Place, tree: ConfigNode, r: () => number, seed: number): Edit {
  const { path, node } = place;
  const current = getNode(tree, path);
  const choice = r();
  if (node.kind === 'leaf' && choice < 0.5) {
    const value = otherValue(node, r, [current?.values[0]]);
    if (value !== undefined) return (e) => e.setValue(path, value);
  }
  if (node.kind === 'multi' && choice < 0.5) {
    const value = otherValue(node, r, current?.values ?? []);
    if (value !== undefined) return (e) => e.addValue(path, value);
  }
  if (node.kind !== 'tag' && choice < 0.75) {
    const text = r() < 0.2 ? undefined : `edit ${seed} 'quoted' "double"`;
    return (e) => void e.setComment(path, text);
  }
  if (node.kind !== 'leaf' && node.kind !== 'multi' && node.kind !== 'flag' && choice < 0.9) {
    const addition = randomAddition(node, r);
    if (addition) {
      const at = [...path, ...addition.path];
      return (e) => {
        if (addition.value === undefined) e.ensure(at);
        else if (addition.multi) e.addValue(at, addition.value);
        else e.setValue(at, addition.value);
      };
    }
  }
  return (e) => void e.remove(path, pruneEmptyGroups(schema));
}

const apply = (tree: ConfigNode, ...edits: Edit[]): ConfigNode => {
  const editor = new TreeEditor(tree);
  for (const edit of edits) edit(editor);
  return editor.finish();
};

/** Trees compared with their comments; the set form says where they differ. */
function expectSameTree(actual: ConfigNode, expected: ConfigNode): void {
  if (!treesEqual(actual, expected))
    expect(toSetForm(actual, schema)).toBe(toSetForm(expected, schema));
  expect(treesEqual(actual, expected)).toBe(true);
}

const SEEDS = Array.from({ length: 150 }, (_, i) => i + 1);

function base(seed: number): ConfigNode {
  return randomTree(schema, { seed, paths: 40, commentRate: 0.4 });
}

describe('rebase: the three-way merge laws over random trees with comments', () => {
  it.each(SEEDS)('no change on one side gives the other side (seed %i)', (seed) => {
    const r = rng(seed);
    const b = base(seed);
    const spots = places(b);
    const edits = Array.from({ length: 4 }, (_, i) =>
      randomEdit(pick(r, spots), b, r, seed * 10 + i),
    );
    const changed = apply(b, ...edits);
    const theirsOnly = rebase(b, b, changed, schema);
    expect(theirsOnly.ok).toBe(true);
    if (theirsOnly.ok) expectSameTree(theirsOnly.tree, changed);
    const mineOnly = rebase(b, changed, b, schema);
    expect(mineOnly.ok).toBe(true);
    if (mineOnly.ok) expectSameTree(mineOnly.tree, changed);
    const both = rebase(b, changed, changed, schema);
    expect(both.ok).toBe(true);
    if (both.ok) expectSameTree(both.tree, changed);
  });

  it.each(SEEDS)('disjoint changes on both sides are both kept, comments too (seed %i)', (seed) => {
    const r = rng(seed ^ 0x5bd1e995);
    const b = base(seed);
    const spots = places(b);
    let mine: Place | undefined;
    let theirs: Place | undefined;
    for (let i = 0; i < 50 && !(mine && theirs); i++) {
      const a = pick(r, spots);
      const c = pick(r, spots);
      if (!isPrefix(a.path, c.path) && !isPrefix(c.path, a.path)) [mine, theirs] = [a, c];
    }
    if (!mine || !theirs) return;
    const myEdit = randomEdit(mine, b, r, seed);
    const theirEdit = randomEdit(theirs, b, r, seed + 1000);
    const m = apply(b, myEdit);
    const t = apply(b, theirEdit);
    const expected = apply(b, theirEdit, myEdit);
    // The two edits really are independent: either order gives the same tree.
    expectSameTree(apply(b, myEdit, theirEdit), expected);
    const merged = rebase(b, m, t, schema);
    expect(merged.ok, merged.ok ? '' : merged.conflicts.join(', ')).toBe(true);
    if (merged.ok) expectSameTree(merged.tree, expected);
  });

  it.each(SEEDS)(
    'a leaf changed on both sides to different values is a conflict with its path (seed %i)',
    (seed) => {
      const r = rng(seed ^ 0x27d4eb2d);
      const b = base(seed);
      const leaves = places(b).filter((p) => p.node.kind === 'leaf');
      if (leaves.length === 0) return;
      const { path, node } = pick(r, leaves);
      const was = getNode(b, path)!.values[0];
      const v1 = otherValue(node, r, [was]);
      const v2 = v1 === undefined ? undefined : otherValue(node, r, [was, v1]);
      if (v1 === undefined || v2 === undefined) return;
      const result = rebase(
        b,
        apply(b, (e) => e.setValue(path, v1)),
        apply(b, (e) => e.setValue(path, v2)),
        schema,
      );
      expect(result).toEqual({ ok: false, conflicts: [formatSetPath(path)] });
      // Deleting what the other side changed is a conflict too.
      const deleted = rebase(
        b,
        apply(
          b,
          (e) => void e.remove(path.slice(0, Math.max(1, path.length - 1 - Math.floor(r() * 2)))),
        ),
        apply(b, (e) => e.setValue(path, v2)),
        schema,
      );
      expect(deleted.ok).toBe(false);
      if (!deleted.ok) expect(deleted.conflicts).toContain(formatSetPath(path));
    },
  );

  it.each(SEEDS)(
    'a comment changed on both sides differently is a conflict with its path (seed %i)',
    (seed) => {
      const r = rng(seed ^ 0x165667b1);
      const b = base(seed);
      const spots = places(b).filter((p) => p.node.kind !== 'tag');
      const { path } = pick(r, spots);
      const result = rebase(
        b,
        apply(b, (e) => void e.setComment(path, `mine ${seed}`)),
        apply(b, (e) => void e.setComment(path, `theirs ${seed}`)),
        schema,
      );
      expect(result).toEqual({ ok: false, conflicts: [`${formatSetPath(path)} (comment)`] });
      // The same comment on both sides agrees.
      const same = rebase(
        b,
        apply(b, (e) => void e.setComment(path, `both ${seed}`)),
        apply(b, (e) => void e.setComment(path, `both ${seed}`)),
        schema,
      );
      expect(same.ok).toBe(true);
      if (same.ok) expect(getNode(same.tree, path)?.comment).toBe(`both ${seed}`);
    },
  );
});

describe('rebase: cases by hand', () => {
  const tree = (lines: string[]): ConfigNode => {
    const e = new TreeEditor();
    for (const l of lines) {
      const [kind, ...rest] = l.split(' ');
      const value = rest.pop()!;
      if (kind === 'set') e.setValue(rest, value);
      else if (kind === 'add') e.addValue(rest, value);
      else e.setComment(rest, value);
    }
    return e.finish();
  };
  const ETH0 = ['interfaces', 'ethernet', 'eth0'];

  it('their annotations survive my unrelated change', () => {
    const b = tree([
      'set interfaces ethernet eth0 mtu 1400',
      'set interfaces ethernet eth1 mtu 1400',
      'comment interfaces ethernet eth0 old',
    ]);
    const t = apply(b, (e) => void e.setComment(ETH0, 'circuit 4711'));
    const m = apply(b, (e) => e.setValue(['interfaces', 'ethernet', 'eth1', 'mtu'], '9000'));
    const r = rebase(b, m, t, schema);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(getNode(r.tree, ETH0)?.comment).toBe('circuit 4711');
    expect(getNode(r.tree, ['interfaces', 'ethernet', 'eth1', 'mtu'])?.values).toEqual(['9000']);
  });

  it('a comment on a node the other side deleted is a conflict', () => {
    const b = tree([
      'set interfaces ethernet eth0 mtu 1400',
      'set interfaces ethernet eth1 mtu 1400',
    ]);
    const m = apply(b, (e) => void e.setComment(ETH0, 'mine'));
    const t = apply(b, (e) => void e.remove(ETH0));
    expect(rebase(b, m, t, schema)).toEqual({
      ok: false,
      conflicts: ['interfaces ethernet eth0 (comment)'],
    });
  });

  it('a rule both sides put at the same number is a conflict, not one rule made of two', () => {
    const F = 'set firewall ipv4 forward filter rule';
    const b = loadSetForm(
      [
        `${F} 10 action accept`,
        `${F} 20 action drop`,
        `${F} 20 destination port 81`,
        `${F} 20 protocol tcp`,
        `${F} 30 action drop`,
        `${F} 30 source address 198.51.100.0/24`,
      ].join('\n'),
      schema,
    ).tree;
    const moved = (a: string) =>
      apply(b, (e) => {
        const r = applyInsert(
          e,
          schema,
          `firewall ipv4 forward filter rule ${a} before rule 10`.split(' '),
        );
        expect(r.ok && r.moves[0]!.to).toBe(5);
      });
    // Both sessions insert before rule 10 and get rule 5: mine is 20, theirs 30.
    const r = rebase(b, moved('20'), moved('30'), schema);
    expect(r.ok ? toSetForm(r.tree, schema) : r.conflicts).toEqual([
      'firewall ipv4 forward filter rule 5 (a different rule added on both sides)',
    ]);
  });

  it('multi-leaf values added on both sides are all kept, theirs first', () => {
    const b = tree(['add system name-server 192.0.2.1']);
    const m = apply(b, (e) => e.addValue(['system', 'name-server'], '192.0.2.2'));
    const t = apply(b, (e) => e.addValue(['system', 'name-server'], '192.0.2.3'));
    const r = rebase(b, m, t, schema);
    expect(r.ok && getNode(r.tree, ['system', 'name-server'])?.values).toEqual([
      '192.0.2.1',
      '192.0.2.3',
      '192.0.2.2',
    ]);
  });
});
