/**
 * The commit's pure work in slices: each sliced function gives the same
 * result as its synchronous form on a 100,000-line tree, and lets a timer set
 * before it fire before it ends (the daemon's other sessions get turns).
 * Every tree is loaded fresh: the functions memoise per node, and a warm
 * memo would make the second run a lookup.
 */
import { describe, expect, it, vi } from 'vitest';
import { busyConfigLines } from '../bench/busy.js';
import {
  editTree,
  loadSetForm,
  toSetForm,
  treesEqual,
  type ConfigNode,
} from '../src/config/index.js';
import { SLICE_MS } from '../src/config/slice.js';
import { treesEqualSliced } from '../src/config/tree.js';
import { toSetFormSliced } from '../src/config/serialise.js';
import { renderFirewall, renderFirewallSliced } from '../src/render/firewall.js';
import { schema } from '../src/schema/index.js';
import { withDefaults, withDefaultsSliced } from '../src/verify/defaults.js';
import { checkFirewall, checkFirewallSliced } from '../src/verify/firewall.js';
import { checkRequired, checkRequiredSliced } from '../src/verify/generic.js';
import { verify, verifySliced } from '../src/verify/index.js';

/** The busy bench's 100k lines, and rules that miss their `action` and name a group that is not there. */
const text = `${busyConfigLines()}${Array.from(
  { length: 300 },
  (_, i) =>
    `set firewall ipv4 name LAN rule ${i + 1} protocol 'udp'\n` +
    `set firewall ipv4 name LAN rule ${i + 1} source group address-group 'NOPE'\n` +
    `set nat source rule ${i + 1} source address '10.${i >> 8}.${i & 255}.0/24'\n` +
    `set nat source rule ${i + 1} translation address 'masquerade'\n`,
).join('')}`;

const fresh = (): ConfigNode => loadSetForm(text, schema).tree;

/**
 * Run sliced work with a timer ticking: how many times it fired before the work ended. The
 * slicer's clock (performance.now) advances a millisecond each time it is read, so the work
 * yields every few steps however fast this machine runs it (a quiet machine finished the
 * fastest walk in under four real slices); the timer still fires on real time.
 */
async function withTicker<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let clock = performance.now();
  const now = vi.spyOn(performance, 'now').mockImplementation(() => (clock += 1));
  const ticker = setInterval(() => turns++, 0);
  try {
    const result = await work();
    return { result, turns };
  } finally {
    clearInterval(ticker);
    now.mockRestore();
  }
}

describe('sliced verify', () => {
  it('withDefaults', async () => {
    const sync = withDefaults(fresh(), schema);
    const tree = fresh();
    const { result, turns } = await withTicker(() => withDefaultsSliced(tree, schema));
    expect(turns).toBeGreaterThan(3);
    // Defaults were added (a rule's absent leaves with defaults), and the trees are the same.
    expect(result).not.toBe(tree);
    expect(treesEqual(result, sync)).toBe(true);
    expect(treesEqual(result, tree)).toBe(false);
    // The memo holds: the same tree again is the same defaulted tree.
    expect(withDefaults(tree, schema)).toBe(result);
  });

  it('checkRequired', async () => {
    const sync = checkRequired(withDefaults(fresh(), schema), schema);
    const effective = withDefaults(fresh(), schema);
    const { result, turns } = await withTicker(() => checkRequiredSliced(effective, schema));
    expect(turns).toBeGreaterThan(3);
    expect(sync.length).toBe(300);
    expect(result).toEqual(sync);
  });

  it('checkFirewall', async () => {
    const defaulted = withDefaults(fresh(), schema);
    const started = performance.now();
    const sync = checkFirewall(defaulted);
    const syncMs = performance.now() - started;
    const effective = withDefaults(fresh(), schema);
    const { result, turns } = await withTicker(() => checkFirewallSliced(effective));
    // It yields; how often depends on how long the work takes on this machine (a slice is SLICE_MS).
    expect(turns).toBeGreaterThanOrEqual(Math.max(1, Math.floor(syncMs / (4 * SLICE_MS))));
    // The missing group is the generic reference check's now (verify counts it), not the firewall's.
    expect(result).toEqual(sync);
  });

  it('verify', async () => {
    const sync = verify(fresh(), schema);
    const tree = fresh();
    const { result, turns } = await withTicker(() => verifySliced(tree, schema));
    expect(turns).toBeGreaterThan(3);
    expect(sync.length).toBe(600);
    expect(result).toEqual(sync);
  });
});

describe('sliced serialisation', () => {
  it('toSetForm', async () => {
    const sync = toSetForm(fresh(), schema);
    const tree = fresh();
    const { result, turns } = await withTicker(() => toSetFormSliced(tree, schema));
    expect(turns).toBeGreaterThan(3);
    expect(result.length).toBe(sync.length);
    expect(result === sync).toBe(true);
    expect(loadSetForm(result, schema).report.accepted).toBe(100_000 + 1200);
  });
});

describe('sliced rendering', () => {
  it('renderFirewall', async () => {
    const sync = renderFirewall(withDefaults(fresh(), schema));
    const effective = withDefaults(fresh(), schema);
    const { result, turns } = await withTicker(() => renderFirewallSliced(effective));
    expect(turns).toBeGreaterThan(3);
    const filter = result.tables.get('inet fos_filter')!;
    expect(filter.sets.get('N4_customers')!.elements.length).toBe(49_999);
    expect(result.tables.get('ip fos_nat')!.chains.get('source')!.rules.length).toBe(300);
    expect(result).toEqual(sync);
  });
});

describe('sliced comparison', () => {
  it('treesEqual', async () => {
    const a = fresh();
    const b = fresh();
    const { result, turns } = await withTicker(() => treesEqualSliced(a, b));
    expect(turns).toBeGreaterThan(3);
    expect(result).toBe(true);
    expect(treesEqual(a, b)).toBe(true);
    // One value deep in the tree differs, or one comment.
    const rule = ['firewall', 'ipv4', 'forward', 'filter', 'rule', '12000'];
    const changed = editTree(b, (e) => e.setValue([...rule, 'action'], 'drop'));
    const commented = editTree(b, (e) => e.setComment(rule, 'x'));
    for (const other of [changed, commented]) {
      expect(treesEqual(a, other)).toBe(false);
      expect(await treesEqualSliced(a, other)).toBe(false);
      expect(await treesEqualSliced(other, a)).toBe(false);
    }
  });
});
