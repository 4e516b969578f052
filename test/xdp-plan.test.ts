/**
 * The xdp backend's plan (pure): what it asks of the loader for a change, made
 * incrementally from the running revision's rendering, must be what a full
 * comparison with the maps' contents gives. Random groups that overlap, random
 * edits; and the plan's choices between update, attach and detach.
 */
import { describe, expect, it } from 'vitest';
import type { XdpState } from '../src/apply/bpf.js';
import { xdpBackend, type XdpActual, type XdpPlan } from '../src/backends/xdp.js';
import {
  applyDelete,
  applySet,
  loadSetForm,
  TreeEditor,
  type ConfigNode,
} from '../src/config/index.js';
import {
  elementCounts,
  renderXdp,
  xdpElements,
  type XdpDesired,
  type XdpElements,
} from '../src/render/xdp.js';
import { schema } from '../src/schema/index.js';
import { withDefaults } from '../src/verify/index.js';

function load(lines: string[]): ConfigNode {
  const { tree, report } = loadSetForm(lines.join('\n'), schema);
  expect(report.invalid).toEqual([]);
  return tree;
}

function edit(base: ConfigNode, verb: 'set' | 'delete', line: string): ConfigNode {
  const editor = new TreeEditor(base);
  const words = line.split(' ');
  if (verb === 'set') expect(applySet(editor, schema, words).ok).toBe(true);
  else applyDelete(editor, schema, words);
  return editor.finish();
}

const render = (tree: ConfigNode): XdpDesired => renderXdp(withDefaults(tree, schema));

/** The pins of an interface holding exactly these elements. */
function pinnedWith(iface: string, elements: XdpElements, capacity = 65536): XdpState {
  const counts = elementCounts(elements);
  return {
    interface: iface,
    exists: true,
    attached: true,
    consistent: true,
    current: true,
    mode: 'generic',
    enabled: true,
    limits: [],
    maps: Object.fromEntries(
      Object.entries(counts).map(([m, n]) => [m, { id: 1, capacity, elements: n }]),
    ),
  };
}

/** A plan's element changes as sorted lines, to compare two plans. */
function changes(plan: XdpPlan): string[] {
  const out: string[] = [];
  for (const s of plan.steps) {
    if (s.kind !== 'update') {
      out.push(`${s.kind} ${s.iface}`);
      continue;
    }
    for (const e of s.delta.block ?? []) out.push(`block ${e.prefix} ${e.rule}`);
    for (const p of s.delta.unblock ?? []) out.push(`unblock ${p}`);
    for (const e of s.delta.exclude ?? []) out.push(`exclude ${e.prefix} ${e.rule}`);
    for (const p of s.delta.unexclude ?? []) out.push(`unexclude ${p}`);
  }
  return out.sort();
}

/** A small random generator with a seed, so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

describe('the xdp plan', () => {
  const base = [
    "set interfaces ethernet eth0 address '192.0.2.1/24'",
    'set firewall xdp interface eth0 drop source group address-group A',
    'set firewall xdp interface eth0 drop source group address-group B',
    'set firewall xdp interface eth0 drop source group network-group N',
    'set firewall xdp interface eth0 drop source address 10.0.0.3',
    'set firewall xdp interface eth0 exclude source group address-group B',
  ];

  it('changes incrementally exactly what a full comparison with the maps changes', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = random(seed);
      const pick = (n: number) => Math.floor(rnd() * n);
      const member = (): string => `10.0.0.${pick(12)}`;
      const lines = [...base];
      for (let i = 0; i < 8; i++)
        lines.push(`set firewall group address-group A address ${member()}`);
      for (let i = 0; i < 8; i++)
        lines.push(`set firewall group address-group B address ${member()}`);
      lines.push('set firewall group network-group N network 10.0.1.0/24');
      let tree = load(lines);
      const applied = render(tree);
      const held = xdpElements(applied.interfaces.get('eth0')!);
      for (let i = 0; i < 4; i++) {
        const group = pick(2) ? 'A' : 'B';
        tree = edit(
          tree,
          pick(2) ? 'set' : 'delete',
          `firewall group address-group ${group} address ${member()}`,
        );
      }
      const desired = render(tree);
      const state = pinnedWith('eth0', held);
      const incremental = xdpBackend.plan(
        { desired, applied },
        { pinned: new Map([['eth0', state]]), dumped: new Map() },
      );
      const full = xdpBackend.plan(
        { desired, applied: undefined },
        { pinned: new Map([['eth0', state]]), dumped: new Map([['eth0', held]]) },
      );
      expect(changes(incremental), `seed ${seed}`).toEqual(changes(full));
      // And applying those changes to what the maps held gives the new rendering.
      const after = new Map(held.block);
      for (const s of incremental.steps)
        if (s.kind === 'update') {
          for (const p of s.delta.unblock ?? []) after.delete(p);
          for (const e of s.delta.block ?? []) after.set(e.prefix, e.rule);
        }
      expect(new Map([...after].sort()), `seed ${seed}`).toEqual(
        new Map([...xdpElements(desired.interfaces.get('eth0')!).block].sort()),
      );
    }
  });

  it('updates in place, attaches fresh where the maps are unknown or too small, detaches what is gone', () => {
    const tree = load([
      ...base,
      'set firewall group address-group A address 10.0.0.1',
      'set firewall group address-group B address 10.0.0.2',
      'set firewall group network-group N network 10.0.1.0/24',
    ]);
    const applied = render(tree);
    const held = xdpElements(applied.interfaces.get('eth0')!);
    const desired = render(edit(tree, 'set', 'firewall group address-group A address 10.0.0.9'));
    const plan = (actual: XdpActual, a: XdpDesired | undefined = applied) =>
      xdpBackend.plan({ desired, applied: a }, actual).steps.map((s) => s.kind);
    const pinned = (state: XdpState) => new Map([['eth0', state]]);
    expect(plan({ pinned: pinned(pinnedWith('eth0', held)), dumped: new Map() })).toEqual([
      'update',
    ]);
    // Counts that disagree with the running revision: the elements are unknown.
    const other = pinnedWith('eth0', { block: new Map(), exclude: new Map() });
    expect(plan({ pinned: pinned(other), dumped: new Map() })).toEqual(['attach']);
    expect(plan({ pinned: pinned(pinnedWith('eth0', held, 3)), dumped: new Map() })).toEqual([
      'attach',
    ]);
    expect(plan({ pinned: new Map(), dumped: new Map() })).toEqual(['attach']);
    const stale = { ...pinnedWith('eth2', held), interface: 'eth2' };
    expect(
      plan({
        pinned: new Map([
          ['eth0', pinnedWith('eth0', held)],
          ['eth2', stale],
        ]),
        dumped: new Map(),
      }),
    ).toEqual(['detach', 'update']);
    // Nothing changes: nothing to do.
    expect(
      xdpBackend.empty(
        xdpBackend.plan(
          { desired: applied, applied },
          { pinned: pinned(pinnedWith('eth0', held)), dumped: new Map() },
        ),
      ),
    ).toBe(true);
  });
});
