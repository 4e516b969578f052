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
  type XdpProtocol,
} from '../render/xdp.js';
import { convergeByPlan, type Backend, type Intent } from './contract.js';

export interface XdpActual {
  readonly pinned: ReadonlyMap<string, XdpState>;
  /** Elements read back from the pins, by interface. */
  readonly dumped: ReadonlyMap<string, XdpElements>;
}

/** What an interface held before the commit, when it is known: for a restore that loads it back. */
interface Before {
  readonly contents: XdpContents;
  readonly capacity: XdpCapacity;
}

export type XdpStep =
  | {
      readonly kind: 'attach';
      readonly iface: string;
      readonly contents: XdpContents;
      readonly capacity: XdpCapacity;
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
      /** For a swap the pinned maps do not fit: a fresh load. */
      readonly contents: XdpContents;
      readonly capacity: XdpCapacity;
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

/** The loader's default capacities (bpf/fos_maps.bpf.h): a map is never made smaller. */
const FLOOR = { hosts: 65536, nets: 16384, excludes: 4096 } as const;

function capacityFor(count: number, floor: number): number {
  let n = floor;
  while (n < count + Math.ceil(count / 4)) n *= 2;
  return n;
}

function capacityOf(
  elements: XdpElements,
): Required<Pick<XdpCapacity, 'hosts' | 'nets' | 'excludes'>> {
  const c = elementCounts(elements);
  return {
    hosts: capacityFor(Math.max(c['block4']!, c['block6']!), FLOOR.hosts),
    nets: capacityFor(Math.max(c['blocknet4']!, c['blocknet6']!), FLOOR.nets),
    excludes: capacityFor(Math.max(c['exclude4']!, c['exclude6']!), FLOOR.excludes),
  };
}

/** Whether every map of the pinned program has room for these elements. */
function fits(state: XdpState, elements: XdpElements): boolean {
  const c = elementCounts(elements);
  return ELEMENT_MAPS.every((m) => (state.maps[m]?.capacity ?? 0) >= c[m]!);
}

function countsMatch(state: XdpState, elements: XdpElements): boolean {
  const c = elementCounts(elements);
  return ELEMENT_MAPS.every((m) => state.maps[m]?.elements === c[m]);
}

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

function fromDump(dump: { block: readonly XdpEntry[]; exclude: readonly XdpEntry[] }): XdpElements {
  const map = (list: readonly XdpEntry[]) =>
    new Map(list.map((e) => [canonicalPrefix(e.prefix), e.rule] as const));
  return { block: map(dump.block), exclude: map(dump.exclude) };
}

/** What was applied to an interface, if the running revision configured it. */
function appliedOf(intent: Intent<XdpDesired>, iface: string): XdpInterfaceDesired | undefined {
  if (intent.journal !== undefined) return undefined;
  return intent.applied?.interfaces.get(iface);
}

/** The elements an interface's maps hold, when known: read back, or applied and counted alike. */
function knownElements(
  intent: Intent<XdpDesired>,
  actual: XdpActual,
  iface: string,
): XdpElements | undefined {
  const dumped = actual.dumped.get(iface);
  if (dumped) return dumped;
  const state = actual.pinned.get(iface);
  const applied = appliedOf(intent, iface);
  if (!state || !applied) return undefined;
  const elements = xdpElements(applied);
  return countsMatch(state, elements) ? elements : undefined;
}

function beforeOf(state: XdpState, elements: XdpElements | undefined): Before | undefined {
  if (!elements || !state.consistent) return undefined;
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

// ------------------------------------------------------------------ deltas

interface Delta {
  delta: XdpDelta;
  undo: XdpDelta;
}

function diffMaps(
  have: ReadonlyMap<string, number>,
  want: ReadonlyMap<string, number>,
): { add: XdpEntry[]; remove: string[]; undoAdd: XdpEntry[]; undoRemove: string[] } {
  const add: XdpEntry[] = [];
  const remove: string[] = [];
  const undoAdd: XdpEntry[] = [];
  const undoRemove: string[] = [];
  for (const [prefix, rule] of want) {
    const old = have.get(prefix);
    if (old === rule) continue;
    add.push({ prefix, rule });
    if (old === undefined) undoRemove.push(prefix);
    else undoAdd.push({ prefix, rule: old });
  }
  for (const [prefix, rule] of have)
    if (!want.has(prefix)) {
      remove.push(prefix);
      undoAdd.push({ prefix, rule });
    }
  return { add, remove, undoAdd, undoRemove };
}

const sameLimit = (a: XdpLimit | undefined, b: XdpLimit | undefined): boolean =>
  a?.rate === b?.rate && a?.burst === b?.burst && a?.rule === b?.rule;

function deltaOf(state: XdpState, have: XdpElements, d: XdpInterfaceDesired): Delta {
  const want = xdpElements(d);
  const block = diffMaps(have.block, want.block);
  const exclude = diffMaps(have.exclude, want.exclude);
  const delta: { -readonly [K in keyof XdpDelta]: XdpDelta[K] } = {};
  const undo: { -readonly [K in keyof XdpDelta]: XdpDelta[K] } = {};
  const enabled = state.enabled ?? true;
  if (enabled !== d.enabled) {
    delta.enabled = d.enabled;
    undo.enabled = enabled;
  }
  if (block.add.length) delta.block = block.add;
  if (block.remove.length) delta.unblock = block.remove;
  if (exclude.add.length) delta.exclude = exclude.add;
  if (exclude.remove.length) delta.unexclude = exclude.remove;
  if (block.undoAdd.length) undo.block = block.undoAdd;
  if (block.undoRemove.length) undo.unblock = block.undoRemove;
  if (exclude.undoAdd.length) undo.exclude = exclude.undoAdd;
  if (exclude.undoRemove.length) undo.unexclude = exclude.undoRemove;
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

function planXdp(intent: Intent<XdpDesired>, actual: XdpActual): XdpPlan {
  const detach: XdpStep[] = [];
  const change: XdpStep[] = [];
  const names = [...new Set([...actual.pinned.keys(), ...intent.desired.interfaces.keys()])].sort();
  for (const iface of names) {
    const d = intent.desired.interfaces.get(iface);
    const state = actual.pinned.get(iface);
    const known = knownElements(intent, actual, iface);
    const before = state && beforeOf(state, known);
    if (!d) {
      if (state) detach.push({ kind: 'detach', iface, ...(before ? { before } : {}) });
      continue;
    }
    const want = xdpElements(d);
    const capacity = capacityOf(want);
    const contents = contentsOf(d);
    const attach = (reason: string): XdpStep => ({
      kind: 'attach',
      iface,
      contents,
      capacity,
      reason,
      pinned: state !== undefined,
      ...(before ? { before } : {}),
    });
    if (!state) change.push(attach('new'));
    else if (!state.attached) change.push(attach('its pins are not attached'));
    else if (!state.consistent) change.push(attach('its pins are not consistent'));
    else if (!known) change.push(attach('what its maps hold is not known'));
    else if (!fits(state, want)) change.push(attach('its maps grow'));
    else {
      const { delta, undo } = deltaOf(state, known, d);
      if (state.current === false)
        change.push({ kind: 'swap', iface, delta, undo, contents, capacity });
      else if (!deltaEmpty(delta))
        change.push({ kind: 'update', iface, delta, undo, contents, capacity });
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
      const c = step.contents;
      const limits = c.limits.length ? `; limits ${c.limits.map(limitText).join(', ')}` : '';
      return [
        `${at}: load with fresh maps (${step.reason}): ${c.block.length} blocked, ${c.exclude.length} excluded${limits}${c.enabled ? '' : '; disabled'}`,
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
    if (applied && countsMatch(state, xdpElements(applied))) continue;
    dumped.set(iface, fromDump(await xdpDump(target, iface)));
  }
  return { pinned, dumped };
}

function stepLines(step: XdpStep): string[] {
  if (step.kind === 'detach') return [];
  if (step.kind === 'attach') return contentsLines(step.contents);
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
    if (step.kind === 'attach')
      for (const key of ['hosts', 'nets', 'excludes'] as const)
        if ((step.capacity[key] ?? 0) > MAX_CAPACITY[key])
          problems.push(
            `xdp ${step.iface}: ${step.capacity[key]} ${key} do not fit the program's maps (at most ${MAX_CAPACITY[key]})`,
          );
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
    case 'attach':
      await xdpAttach(target, step.iface, step.contents, {
        capacity: step.capacity,
        object: xdpProgramObject(),
      });
      return;
    case 'update':
      await xdpUpdate(target, step.iface, step.delta);
      return;
    case 'swap':
      try {
        await xdpSwap(target, step.iface, { delta: step.delta, object: xdpProgramObject() });
      } catch (e) {
        // The new build lays its maps out differently: fresh maps, swapped in all the same.
        if (!(e instanceof XdpError) || e.code !== 'incompatible') throw e;
        await xdpAttach(target, step.iface, step.contents, {
          capacity: step.capacity,
          object: xdpProgramObject(),
        });
      }
  }
}

async function restoreStep(target: Target, step: XdpStep): Promise<string | undefined> {
  const loadBack = async (before: Before | undefined): Promise<string | undefined> => {
    if (!before) return `xdp ${step.iface}: what its maps held before is not known; not put back`;
    await xdpAttach(target, step.iface, before.contents, {
      capacity: before.capacity,
      object: xdpProgramObject(),
    });
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
