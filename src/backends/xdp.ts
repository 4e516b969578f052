/**
 * The xdp backend: `firewall xdp`, one XDP program per interface with its
 * maps, pinned under /sys/fs/bpf/fos/NS/IFACE and changed through the
 * loader (src/apply/bpf.ts).
 *
 * - observe: what is pinned (`xdpList`: link, program, map ids, element
 *   counts, settings). The elements themselves are read back (`xdpDump`)
 *   only where what FOS1 applied cannot be trusted: start-up, the first
 *   commit, a crash journal, or counts that differ from the running
 *   revision's rendering. Nothing is asked of the loader when nothing is
 *   pinned and nothing is configured.
 * - plan: per interface, `attach` (fresh maps holding everything: a new
 *   interface, pins that are not consistent or whose elements are unknown, a
 *   map that must grow; swapped in atomically when a program is attached),
 *   `update` (a delta: only the elements that change, the settings; the link
 *   and program stay), `swap` (a newer build of the program on the same maps)
 *   or `detach`.
 * - check: the change lines are validated, and the verifier judges the
 *   program (nothing attached) when the plan loads one; a rejection is a
 *   problem carrying the verifier's words.
 * - restore: an update is undone by its inverse delta (same maps, same
 *   link); an attach where nothing was pinned is detached; an attach or
 *   detach over pins whose elements were known loads them back.
 */
import {
  contentsLines,
  deltaLines,
  xdpAnyPinned,
  xdpAttach,
  xdpCheck,
  xdpDetach,
  xdpDump,
  xdpList,
  xdpProgramObject,
  xdpSwap,
  xdpUpdate,
  XdpError,
  type XdpCapacity,
  type XdpContents,
  type XdpDelta,
  type XdpEntry,
  type XdpLimit,
  type XdpState,
} from '../apply/bpf.js';
import type { Target } from '../apply/target.js';
import {
  canonicalPrefix,
  elementCounts,
  renderXdp,
  xdpElements,
  type XdpDesired,
  type XdpElements,
  type XdpInterfaceDesired,
  isHostPrefix,
  isV6Prefix,
  type XdpProtocol,
  type XdpSourceList,
} from '../render/xdp.js';
import { convergeByPlan, type Backend, type Intent } from './contract.js';

export interface XdpActual {
  readonly pinned: ReadonlyMap<string, XdpState>;
  /** Elements read back from the pins, by interface. */
  readonly dumped: ReadonlyMap<string, XdpElements>;
}

/**
 * What an interface's maps held before the commit, when known: for a restore
 * that loads it back. The elements are made only then (from the applied
 * rendering, 100,000 of them for a large group: not on every commit).
 */
interface Before {
  readonly state: XdpState;
  readonly elements: () => XdpElements;
}

export type XdpStep =
  | {
      readonly kind: 'attach';
      readonly iface: string;
      readonly desired: XdpInterfaceDesired;
      readonly reason: string;
      /** Something was pinned for the interface before. */
      readonly pinned: boolean;
      readonly before?: Before;
    }
  | {
      readonly kind: 'update' | 'swap';
      readonly iface: string;
      readonly delta: XdpDelta;
      readonly undo: XdpDelta;
      /** For a swap whose pinned maps do not fit the new build: a fresh load of this. */
      readonly desired: XdpInterfaceDesired;
    }
  | { readonly kind: 'detach'; readonly iface: string; readonly before?: Before };

export interface XdpPlan {
  readonly steps: readonly XdpStep[];
}

// ------------------------------------------------------------------ contents

const ELEMENT_MAPS = [
  'block4',
  'block6',
  'blocknet4',
  'blocknet6',
  'exclude4',
  'exclude6',
] as const;
type Counts = Readonly<Record<string, number>>;

/** The loader's default capacities (bpf/fos_maps.bpf.h): a map is never made smaller. */
const FLOOR = { hosts: 65536, nets: 16384, excludes: 4096 } as const;

function capacityFor(count: number, floor: number): number {
  let n = floor;
  while (n < count + Math.ceil(count / 4)) n *= 2;
  return n;
}

/**
 * Element counts of a rendering, kept: the running revision's were counted
 * by the commit that applied it, and a plan made incrementally records the
 * new rendering's from the old counts and its changes.
 */
const countsMemo = new WeakMap<XdpInterfaceDesired, Counts>();

function countsOf(d: XdpInterfaceDesired): Counts {
  let c = countsMemo.get(d);
  if (!c) countsMemo.set(d, (c = elementCounts(xdpElements(d))));
  return c;
}

function capacityOf(c: Counts): Required<Pick<XdpCapacity, 'hosts' | 'nets' | 'excludes'>> {
  return {
    hosts: capacityFor(Math.max(c['block4']!, c['block6']!), FLOOR.hosts),
    nets: capacityFor(Math.max(c['blocknet4']!, c['blocknet6']!), FLOOR.nets),
    excludes: capacityFor(Math.max(c['exclude4']!, c['exclude6']!), FLOOR.excludes),
  };
}

/** Whether every map of the pinned program has room for these counts. */
const fits = (state: XdpState, c: Counts): boolean =>
  ELEMENT_MAPS.every((m) => (state.maps[m]?.capacity ?? 0) >= c[m]!);

const countsMatch = (state: XdpState, c: Counts): boolean =>
  ELEMENT_MAPS.every((m) => state.maps[m]?.elements === c[m]);

const entries = (m: ReadonlyMap<string, number>): XdpEntry[] =>
  [...m].map(([prefix, rule]) => ({ prefix, rule }));

function limitsOf(d: XdpInterfaceDesired): XdpLimit[] {
  return d.limits.map((l) => ({ ...l }));
}

function contentsOf(d: XdpInterfaceDesired): XdpContents {
  const e = xdpElements(d);
  return {
    enabled: d.enabled,
    block: entries(e.block),
    exclude: entries(e.exclude),
    limits: limitsOf(d),
  };
}

/** A fresh load: its contents and map sizes. */
const freshLoad = (d: XdpInterfaceDesired) => ({
  contents: contentsOf(d),
  capacity: capacityOf(countsOf(d)),
});

/** A restore's load of what was there: the elements known, the settings and sizes observed. */
function loadOf(before: Before): { contents: XdpContents; capacity: XdpCapacity } {
  const { state } = before;
  const elements = before.elements();
  return {
    contents: {
      enabled: state.enabled ?? true,
      block: entries(elements.block),
      exclude: entries(elements.exclude),
      limits: [...(state.limits ?? [])],
    },
    capacity: {
      hosts: state.maps.block4?.capacity ?? FLOOR.hosts,
      nets: state.maps.blocknet4?.capacity ?? FLOOR.nets,
      excludes: state.maps.exclude4?.capacity ?? FLOOR.excludes,
      ...(state.maps.sources ? { sources: state.maps.sources.capacity } : {}),
    },
  };
}

function fromDump(dump: { block: readonly XdpEntry[]; exclude: readonly XdpEntry[] }): XdpElements {
  const map = (list: readonly XdpEntry[]) =>
    new Map(list.map((e) => [canonicalPrefix(e.prefix), e.rule] as const));
  return { block: map(dump.block), exclude: map(dump.exclude) };
}

/** What was applied to an interface, if the running revision configured it (and no commit broke off). */
function appliedOf(intent: Intent<XdpDesired>, iface: string): XdpInterfaceDesired | undefined {
  if (intent.journal !== undefined) return undefined;
  return intent.applied?.interfaces.get(iface);
}

/** What an interface's maps hold, when known: read back, or the applied rendering when its counts agree. */
type Known =
  | { readonly from: 'dump'; readonly elements: XdpElements }
  | { readonly from: 'applied'; readonly applied: XdpInterfaceDesired };

function knownOf(intent: Intent<XdpDesired>, actual: XdpActual, iface: string): Known | undefined {
  const dumped = actual.dumped.get(iface);
  if (dumped) return { from: 'dump', elements: dumped };
  const state = actual.pinned.get(iface);
  const applied = appliedOf(intent, iface);
  if (!state || !applied || !countsMatch(state, countsOf(applied))) return undefined;
  return { from: 'applied', applied };
}

function beforeOf(state: XdpState | undefined, known: Known | undefined): Before | undefined {
  if (!state?.consistent || !known) return undefined;
  return {
    state,
    elements: known.from === 'dump' ? () => known.elements : () => xdpElements(known.applied),
  };
}

// ------------------------------------------------------------------ element changes

/** Elements whose rule changes (undefined: removed), with the rule each had (undefined: absent). */
interface Changes {
  readonly block: Map<string, { was: number | undefined; now: number | undefined }>;
  readonly exclude: Map<string, { was: number | undefined; now: number | undefined }>;
}

function fullChanges(have: XdpElements, want: XdpElements): Changes {
  const diff = (h: ReadonlyMap<string, number>, w: ReadonlyMap<string, number>) => {
    const out = new Map<string, { was: number | undefined; now: number | undefined }>();
    for (const [prefix, now] of w) {
      const was = h.get(prefix);
      if (was !== now) out.set(prefix, { was, now });
    }
    for (const [prefix, was] of h) if (!w.has(prefix)) out.set(prefix, { was, now: undefined });
    return out;
  };
  return { block: diff(have.block, want.block), exclude: diff(have.exclude, want.exclude) };
}

/**
 * What differs between two versions of one list: the members of the part
 * between their common head and tail, minus those in both (a multi-leaf
 * keeps its order, so adding or deleting a few members of 100,000 compares
 * the two arrays once and builds sets of a few).
 */
function listDiff(
  old: readonly string[],
  now: readonly string[],
): { added: string[]; removed: string[] } {
  let head = 0;
  const max = Math.min(old.length, now.length);
  while (head < max && old[head] === now[head]) head++;
  let tail = 0;
  while (tail < max - head && old[old.length - 1 - tail] === now[now.length - 1 - tail]) tail++;
  const oldMid = old.slice(head, old.length - tail);
  const nowMid = now.slice(head, now.length - tail);
  const inOld = new Set(oldMid);
  const inNow = new Set(nowMid);
  return {
    added: nowMid.filter((p) => !inOld.has(p)),
    removed: oldMid.filter((p) => !inNow.has(p)),
  };
}

const setMemo = new WeakMap<readonly string[], Set<string>>();
function setOf(list: readonly string[]): Set<string> {
  let set = setMemo.get(list);
  if (!set) setMemo.set(list, (set = new Set(list)));
  return set;
}

/** The rule a prefix counts for in a sequence of lists: the first that holds it. */
function ruleIn(lists: readonly XdpSourceList[], prefix: string): number | undefined {
  for (const l of lists) if (setOf(l.prefixes).has(prefix)) return l.rule;
  return undefined;
}

/**
 * The changes from an applied rendering to a new one, list by list, when
 * both have the same lists (the same groups, rules and order); undefined
 * otherwise. Lists that share their prefixes (an unchanged group) cost nothing.
 */
function incrementalChanges(a: XdpInterfaceDesired, d: XdpInterfaceDesired): Changes | undefined {
  const side = (
    la: readonly XdpSourceList[],
    ld: readonly XdpSourceList[],
  ): Changes['block'] | undefined => {
    if (la.length !== ld.length) return undefined;
    for (let i = 0; i < la.length; i++)
      if (la[i]!.rule !== ld[i]!.rule || la[i]!.what !== ld[i]!.what) return undefined;
    const out: Changes['block'] = new Map();
    for (let i = 0; i < la.length; i++) {
      if (la[i]!.prefixes === ld[i]!.prefixes) continue;
      const { added, removed } = listDiff(la[i]!.prefixes, ld[i]!.prefixes);
      const single = la.length === 1;
      for (const p of added) {
        const was = single ? undefined : ruleIn(la, p);
        const now = single ? ld[i]!.rule : ruleIn(ld, p);
        if (was !== now) out.set(p, { was, now });
      }
      for (const p of removed) {
        const was = single ? la[i]!.rule : ruleIn(la, p);
        const now = single ? undefined : ruleIn(ld, p);
        if (was !== now) out.set(p, { was, now });
      }
    }
    return out;
  };
  const block = side(a.drop, d.drop);
  const exclude = side(a.exclude, d.exclude);
  return block && exclude ? { block, exclude } : undefined;
}

function mapOf(prefix: string, side: 'block' | 'exclude'): string {
  const v = isV6Prefix(prefix) ? 6 : 4;
  return side === 'exclude' ? `exclude${v}` : `block${isHostPrefix(prefix) ? '' : 'net'}${v}`;
}

/** Counts after the changes, from the counts before. */
function countsAfter(before: Counts, changes: Changes): Counts {
  const c: Record<string, number> = { ...before };
  for (const side of ['block', 'exclude'] as const)
    for (const [prefix, { was, now }] of changes[side]) {
      if (was === undefined && now !== undefined) c[mapOf(prefix, side)]!++;
      if (was !== undefined && now === undefined) c[mapOf(prefix, side)]!--;
    }
  return c;
}

// ------------------------------------------------------------------ deltas

interface Delta {
  delta: XdpDelta;
  undo: XdpDelta;
}

const sameLimit = (a: XdpLimit | undefined, b: XdpLimit | undefined): boolean =>
  a?.rate === b?.rate && a?.burst === b?.burst && a?.rule === b?.rule;

function deltaOf(state: XdpState, changes: Changes, d: XdpInterfaceDesired): Delta {
  const delta: { -readonly [K in keyof XdpDelta]: XdpDelta[K] } = {};
  const undo: { -readonly [K in keyof XdpDelta]: XdpDelta[K] } = {};
  const enabled = state.enabled ?? true;
  if (enabled !== d.enabled) {
    delta.enabled = d.enabled;
    undo.enabled = enabled;
  }
  for (const [side, un] of [
    ['block', 'unblock'],
    ['exclude', 'unexclude'],
  ] as const) {
    const add: XdpEntry[] = [];
    const remove: string[] = [];
    const undoAdd: XdpEntry[] = [];
    const undoRemove: string[] = [];
    for (const [prefix, { was, now }] of changes[side]) {
      if (now === undefined) remove.push(prefix);
      else add.push({ prefix, rule: now });
      if (was === undefined) undoRemove.push(prefix);
      else undoAdd.push({ prefix, rule: was });
    }
    if (add.length) delta[side] = add;
    if (remove.length) delta[un] = remove;
    if (undoAdd.length) undo[side] = undoAdd;
    if (undoRemove.length) undo[un] = undoRemove;
  }
  const had = new Map((state.limits ?? []).map((l) => [l.protocol, l]));
  const wanted = new Map(limitsOf(d).map((l) => [l.protocol, l]));
  const set: XdpLimit[] = [];
  const unset: XdpProtocol[] = [];
  const undoSet: XdpLimit[] = [];
  const undoUnset: XdpProtocol[] = [];
  for (const protocol of ['all', 'tcp-syn', 'udp'] as const) {
    const old = had.get(protocol);
    const now = wanted.get(protocol);
    if (sameLimit(old, now)) continue;
    if (now) set.push(now);
    else unset.push(protocol);
    if (old) undoSet.push(old);
    else undoUnset.push(protocol);
  }
  if (set.length) delta.limits = set;
  if (unset.length) delta.unlimit = unset;
  if (undoSet.length) undo.limits = undoSet;
  if (undoUnset.length) undo.unlimit = undoUnset;
  return { delta, undo };
}

const deltaEmpty = (d: XdpDelta): boolean => deltaLines(d).length === 0;

// ------------------------------------------------------------------ plan

/** The element changes from what the maps hold to a rendering, and the rendering's counts. */
function changesTo(known: Known, d: XdpInterfaceDesired): { changes: Changes; counts: Counts } {
  if (known.from === 'applied') {
    const changes = incrementalChanges(known.applied, d);
    if (changes) {
      if (!countsMemo.has(d)) countsMemo.set(d, countsAfter(countsOf(known.applied), changes));
      return { changes, counts: countsOf(d) };
    }
  }
  const have = known.from === 'dump' ? known.elements : xdpElements(known.applied);
  return { changes: fullChanges(have, xdpElements(d)), counts: countsOf(d) };
}

function planXdp(intent: Intent<XdpDesired>, actual: XdpActual): XdpPlan {
  const detach: XdpStep[] = [];
  const change: XdpStep[] = [];
  const names = [...new Set([...actual.pinned.keys(), ...intent.desired.interfaces.keys()])].sort();
  for (const iface of names) {
    const d = intent.desired.interfaces.get(iface);
    const state = actual.pinned.get(iface);
    const known = knownOf(intent, actual, iface);
    const before = beforeOf(state, known);
    if (!d) {
      if (state) detach.push({ kind: 'detach', iface, ...(before ? { before } : {}) });
      continue;
    }
    const attach = (reason: string): XdpStep => ({
      kind: 'attach',
      iface,
      desired: d,
      reason,
      pinned: state !== undefined,
      ...(before ? { before } : {}),
    });
    if (!state) change.push(attach('new'));
    else if (!state.attached) change.push(attach('its pins are not attached'));
    else if (!state.consistent) change.push(attach('its pins are not consistent'));
    else if (!known) change.push(attach('what its maps hold is not known'));
    else {
      const { changes, counts } = changesTo(known, d);
      if (!fits(state, counts)) change.push(attach('its maps grow'));
      else {
        const { delta, undo } = deltaOf(state, changes, d);
        if (state.current === false) change.push({ kind: 'swap', iface, delta, undo, desired: d });
        else if (!deltaEmpty(delta))
          change.push({ kind: 'update', iface, delta, undo, desired: d });
      }
    }
  }
  return { steps: [...detach, ...change] };
}

// ------------------------------------------------------------------ describe

const SHOWN = 8;

function listed(verb: string, items: readonly string[]): string[] {
  const lines = items.slice(0, SHOWN).map((i) => `  ${verb} ${i}`);
  if (items.length > SHOWN) lines.push(`  ... and ${items.length - SHOWN} more to ${verb}`);
  return lines;
}

const limitText = (l: XdpLimit): string => `${l.protocol} ${l.rate}/s burst ${l.burst}`;

function describeStep(step: XdpStep): string[] {
  const at = `xdp ${step.iface}`;
  switch (step.kind) {
    case 'detach':
      return [`${at}: detach the program and remove its pins`];
    case 'attach': {
      const d = step.desired;
      const n = countsOf(d);
      const c = { limits: limitsOf(d), enabled: d.enabled };
      const blocked = n['block4']! + n['block6']! + n['blocknet4']! + n['blocknet6']!;
      const excluded = n['exclude4']! + n['exclude6']!;
      const limits = c.limits.length ? `; limits ${c.limits.map(limitText).join(', ')}` : '';
      return [
        `${at}: load with fresh maps (${step.reason}): ${blocked} blocked, ${excluded} excluded${limits}${c.enabled ? '' : '; disabled'}`,
      ];
    }
    case 'update':
    case 'swap': {
      const d = step.delta;
      const parts: string[] = [];
      const count = (what: string, add = 0, remove = 0) => {
        if (add || remove) parts.push(`${what} +${add} -${remove}`);
      };
      count('blocked', d.block?.length, d.unblock?.length);
      count('excluded', d.exclude?.length, d.unexclude?.length);
      for (const l of d.limits ?? []) parts.push(`limit ${limitText(l)}`);
      for (const p of d.unlimit ?? []) parts.push(`no limit ${p}`);
      if (d.enabled !== undefined) parts.push(d.enabled ? 'enable' : 'disable');
      const head =
        step.kind === 'swap'
          ? `${at}: swap in the new program build on the same maps${parts.length ? `; ${parts.join(', ')}` : ''}`
          : `${at}: update the maps in place: ${parts.join(', ')}`;
      return [
        head,
        ...listed(
          'block',
          (d.block ?? []).map((e) => `${e.prefix} (rule ${e.rule})`),
        ),
        ...listed('unblock', d.unblock ?? []),
        ...listed(
          'exclude',
          (d.exclude ?? []).map((e) => `${e.prefix} (rule ${e.rule})`),
        ),
        ...listed('unexclude', d.unexclude ?? []),
      ];
    }
  }
}

// ------------------------------------------------------------------ the backend

async function observeXdp(target: Target, intent: Intent<XdpDesired>): Promise<XdpActual> {
  if (!xdpAnyPinned(target)) return { pinned: new Map(), dumped: new Map() };
  const pinned = new Map(
    (await xdpList(target, xdpProgramObject())).map((s) => [s.interface, s] as const),
  );
  const dumped = new Map<string, XdpElements>();
  for (const [iface, state] of pinned) {
    if (!state.consistent) continue;
    const applied = appliedOf(intent, iface);
    if (applied && countsMatch(state, countsOf(applied))) continue;
    dumped.set(iface, fromDump(await xdpDump(target, iface)));
  }
  return { pinned, dumped };
}

function stepLines(step: XdpStep): string[] {
  if (step.kind === 'detach') return [];
  if (step.kind === 'attach') return contentsLines(freshLoad(step.desired).contents);
  return [...deltaLines(step.delta), ...deltaLines(step.undo)];
}

/** The loader's bounds on map sizes (bpf/loader/main.c). */
const MAX_CAPACITY = { hosts: 1 << 24, nets: 1 << 22, excludes: 1 << 20 } as const;

async function checkXdp(target: Target, plan: XdpPlan) {
  const problems: string[] = [];
  for (const step of plan.steps) {
    try {
      stepLines(step);
    } catch (e) {
      problems.push(`xdp ${step.iface}: ${(e as Error).message}`);
    }
    if (step.kind === 'attach') {
      const capacity = capacityOf(countsOf(step.desired));
      for (const key of ['hosts', 'nets', 'excludes'] as const)
        if (capacity[key] > MAX_CAPACITY[key])
          problems.push(
            `xdp ${step.iface}: ${capacity[key]} ${key} do not fit the program's maps (at most ${MAX_CAPACITY[key]})`,
          );
    }
  }
  if (plan.steps.some((s) => s.kind === 'attach' || s.kind === 'swap')) {
    try {
      await xdpCheck(target, xdpProgramObject());
    } catch (e) {
      if (!(e instanceof XdpError)) throw e;
      // The loader's words name the verifier ("the kernel verifier rejected fos_xdp: ...").
      problems.push(
        e.code === 'verifier' ? e.message : `the XDP program cannot be loaded: ${e.message}`,
      );
    }
  }
  return problems.length ? { ok: false as const, problems } : { ok: true as const, plan };
}

async function applyStep(target: Target, step: XdpStep): Promise<void> {
  switch (step.kind) {
    case 'detach':
      await xdpDetach(target, step.iface);
      return;
    case 'attach': {
      const { contents, capacity } = freshLoad(step.desired);
      await xdpAttach(target, step.iface, contents, { capacity, object: xdpProgramObject() });
      return;
    }
    case 'update':
      await xdpUpdate(target, step.iface, step.delta);
      return;
    case 'swap':
      try {
        await xdpSwap(target, step.iface, { delta: step.delta, object: xdpProgramObject() });
      } catch (e) {
        // The new build lays its maps out differently: fresh maps, swapped in all the same.
        if (!(e instanceof XdpError) || e.code !== 'incompatible') throw e;
        const { contents, capacity } = freshLoad(step.desired);
        await xdpAttach(target, step.iface, contents, { capacity, object: xdpProgramObject() });
      }
  }
}

async function restoreStep(target: Target, step: XdpStep): Promise<string | undefined> {
  const loadBack = async (before: Before | undefined): Promise<string | undefined> => {
    if (!before) return `xdp ${step.iface}: what its maps held before is not known; not put back`;
    const { contents, capacity } = loadOf(before);
    await xdpAttach(target, step.iface, contents, { capacity, object: xdpProgramObject() });
    return undefined;
  };
  switch (step.kind) {
    case 'update':
    case 'swap':
      await xdpUpdate(target, step.iface, step.undo);
      return undefined;
    case 'attach':
      if (!step.pinned) {
        await xdpDetach(target, step.iface);
        return undefined;
      }
      return loadBack(step.before);
    case 'detach':
      return loadBack(step.before);
  }
}

const stepName = (step: XdpStep): string => `${step.kind} ${step.iface}`;

export const xdpBackend: Backend<XdpDesired, XdpActual, XdpPlan> = {
  name: 'xdp',
  owns: ['bpf'],
  // Groups live under `firewall group` (nft's); a link the kernel made again lost its program.
  reads: ['nft', 'kernel'],
  // The programs attach to links the kernel backend creates.
  after: ['kernel'],
  // Each loader request is all or nothing and answers what it did; reading 100k elements back costs more.
  recheck: false,

  render: (config) => renderXdp(config),

  observe: observeXdp,

  plan: planXdp,

  empty: (plan) => plan.steps.length === 0,

  describe: (plan) => plan.steps.flatMap(describeStep),

  check: checkXdp,

  // The interfaces a commit touches; start-up then reads their maps back instead of trusting the revision.
  journal: (plan) => plan.steps.map((s) => s.iface),

  async apply(target, plan, progress) {
    for (const step of plan.steps)
      await progress.step(stepName(step), () => applyStep(target, step));
  },

  async restore(target, plan, _actual, progress) {
    const problems: string[] = [];
    const begun = new Set(progress.begun);
    for (const step of [...plan.steps].reverse()) {
      if (!begun.has(stepName(step))) continue;
      try {
        const left = await restoreStep(target, step);
        if (left) problems.push(left);
      } catch (e) {
        problems.push(`xdp ${step.iface}: ${(e as Error).message}`);
      }
    }
    return problems;
  },

  async drift(target, desired) {
    // The loader's element counts are its own bookkeeping: the elements are read back.
    const intent = { desired, applied: undefined };
    const plan = planXdp(intent, await observeXdp(target, intent));
    return plan.steps.map((s) => `# ${describeStep(s)[0]}`);
  },

  converge: (target, intent) => convergeByPlan(xdpBackend, target, intent),
};
