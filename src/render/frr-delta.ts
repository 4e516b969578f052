/**
 * The difference between what FOS1 last applied to a daemon and what it
 * renders now, as FRR commands in FRR's own context blocks: `no ...` for
 * what went away, then what is new. Pure. Each command keeps the config path
 * that produced it, so a refusal names that path.
 */
import { isContext, type FrrContext, type FrrItem, type FrrLine } from './frr.js';

/** One command of a delta: the words sent, and the config path it stands for. */
export interface DeltaCommand {
  readonly text: string;
  readonly path: readonly string[];
}

const key = (item: FrrItem): string => (isContext(item) ? `\u0000${item.header.text}` : item.text);

/** `no X` for X, and X for `no X`. */
function negate(text: string): string {
  return text.startsWith('no ') ? text.slice(3) : `no ${text}`;
}

/** The neighbor (or peer-group) a bgpd line is about, if any. */
function neighborOf(text: string): string | undefined {
  // (Most lines are not: a route, a prefix-list entry. The regex only for those that may be.)
  if (!text.startsWith('neighbor ') && !text.startsWith('no neighbor ')) return undefined;
  const m = /^(?:no )?neighbor (\S+)(?: |$)/.exec(text);
  return m?.[1];
}

/**
 * Settings whose new value replaces the old one in FRR, where `no OLD`
 * would do more than remove it (`no neighbor X remote-as N` deletes the
 * neighbor with all its settings).
 */
const REPLACED_BY_NEW = [
  /^neighbor \S+ remote-as /,
  /^neighbor \S+ interface (?:v6only )?remote-as /,
  /^neighbor \S+ peer-group \S+$/,
  /^neighbor \S+ interface (?:v6only )?peer-group /,
];

function prefixOf(text: string): string | undefined {
  for (const re of REPLACED_BY_NEW) {
    const m = re.exec(text);
    if (m) return m[0];
  }
  return undefined;
}

interface Context {
  /**
   * Per `router bgp` instance (its header: the default one and each VRF's), the neighbors
   * that go away entirely: `no neighbor X` once, nothing else of them.
   */
  readonly goneNeighbors: ReadonlyMap<string, ReadonlySet<string>>;
  /** The header of the top-level context being compared. */
  readonly top: string;
}

const NONE: ReadonlySet<string> = new Set();
const goneIn = (ctx: Context): ReadonlySet<string> => ctx.goneNeighbors.get(ctx.top) ?? NONE;

/** Every line of a removed context, negated (a context FRR cannot delete as a whole). */
function negateAll(item: FrrContext, ctx: Context, out: DeltaCommand[]): void {
  const body: DeltaCommand[] = [];
  for (const child of item.body) {
    if (isContext(child)) negateAll(child, ctx, body);
    else if (!goneIn(ctx).has(neighborOf(child.text) ?? '\u0000'))
      body.push({ text: negate(child.text), path: child.path });
  }
  if (body.length === 0) return;
  out.push({ text: item.header.text, path: item.header.path });
  out.push(...body);
  out.push({ text: item.exit, path: item.header.path });
}

/** Contexts FRR deletes as a whole with `no HEADER`. */
const DELETABLE = /^(?:router bgp|router ospf6?(?: vrf \S+)?$|route-map |bfd$|profile |peer )/;

/**
 * The parts of two bodies between the items they share at their start and
 * at their end (the same objects: a kept render). Keys are unique in a
 * body, so a shared item is in both and the rest is compared as before; a
 * one-route change at 10,000 routes compares one item.
 */
function unshared(
  before: readonly FrrItem[],
  after: readonly FrrItem[],
): [readonly FrrItem[], readonly FrrItem[]] {
  let start = 0;
  const most = Math.min(before.length, after.length);
  while (start < most && before[start] === after[start]) start++;
  let end = 0;
  while (end < most - start && before[before.length - 1 - end] === after[after.length - 1 - end])
    end++;
  if (start === 0 && end === 0) return [before, after];
  return [before.slice(start, before.length - end), after.slice(start, after.length - end)];
}

function diffBodies(
  allBefore: readonly FrrItem[],
  allAfter: readonly FrrItem[],
  ctx: Context,
  out: DeltaCommand[],
  header = '',
): void {
  const [before, after] = unshared(allBefore, allAfter);
  const old = new Map(before.map((i) => [key(i), i]));
  const now = new Map(after.map((i) => [key(i), i]));
  const added = after.filter((i) => !isContext(i) && !old.has(key(i))) as FrrLine[];
  const replacedPrefixes = new Set(
    added.map((l) => prefixOf(l.text)).filter((p) => p !== undefined),
  );
  const sentNeighborRemoval = new Set<string>();
  const addedTexts = new Set(added.map((l) => l.text));
  // What went away first, in reverse order (inner settings before what holds them).
  for (const item of [...before].reverse()) {
    if (now.has(key(item))) continue;
    if (isContext(item)) {
      if (DELETABLE.test(item.header.text))
        out.push({ text: negate(item.header.text), path: item.header.path });
      else negateAll(item, ctx, out);
      continue;
    }
    const neighbor = neighborOf(item.text);
    if (neighbor !== undefined && goneIn(ctx).has(neighbor)) {
      // `no neighbor X` at the level of `router bgp` takes all of it, address families too.
      if (
        header.startsWith('router bgp') &&
        !sentNeighborRemoval.has(neighbor) &&
        !item.text.startsWith('no ')
      ) {
        sentNeighborRemoval.add(neighbor);
        out.push({ text: `no neighbor ${neighbor}`, path: neighborPath(item.path) });
      }
      continue;
    }
    const prefix = prefixOf(item.text);
    if (prefix !== undefined && replacedPrefixes.has(prefix)) continue;
    // `no X` going away while X comes: X alone says it.
    if (addedTexts.has(negate(item.text))) continue;
    out.push({ text: negate(item.text), path: item.path });
  }
  // Then what is new or changed, in the order of the render.
  for (const item of after) {
    const was = old.get(key(item));
    if (!isContext(item)) {
      if (!was) out.push({ text: item.text, path: item.path });
      continue;
    }
    const inner: DeltaCommand[] = [];
    const within = header === '' ? { ...ctx, top: item.header.text } : ctx;
    diffBodies(was && isContext(was) ? was.body : [], item.body, within, inner, item.header.text);
    if (inner.length === 0 && was) continue;
    out.push({ text: item.header.text, path: item.header.path });
    out.push(...inner);
    out.push({ text: item.exit, path: item.header.path });
  }
}

function neighborsIn(items: readonly FrrItem[], into: Set<string>): Set<string> {
  for (const item of items) {
    if (isContext(item)) neighborsIn(item.body, into);
    else {
      const n = neighborOf(item.text);
      if (n !== undefined) into.add(n);
    }
  }
  return into;
}

/** The path of the neighbor (or peer-group) entry a line's path is inside: `... bgp neighbor X`. */
function neighborPath(path: readonly string[]): readonly string[] {
  const i = path.findIndex(
    (w, j) => (w === 'neighbor' || w === 'peer-group') && path[j - 1] === 'bgp',
  );
  return i < 0 ? path : path.slice(0, i + 2);
}

/** Per top-level `router bgp` context, the neighbors it names. */
function neighborsByInstance(items: readonly FrrItem[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const item of items)
    if (isContext(item) && item.header.text.startsWith('router bgp'))
      out.set(item.header.text, neighborsIn(item.body, new Set()));
  return out;
}

/** The commands that take a daemon from `before` to `after`; empty when nothing changed. */
export function frrDelta(before: readonly FrrItem[], after: readonly FrrItem[]): DeltaCommand[] {
  // The same render (kept with an unchanged part of the tree): nothing changed.
  if (before === after) return [];
  const was = neighborsByInstance(before);
  const now = neighborsByInstance(after);
  const goneNeighbors = new Map<string, Set<string>>();
  for (const [instance, names] of was) {
    const kept = now.get(instance) ?? new Set<string>();
    goneNeighbors.set(instance, new Set([...names].filter((n) => !kept.has(n))));
  }
  const ctx: Context = { goneNeighbors, top: '' };
  const out: DeltaCommand[] = [];
  diffBodies(before, after, ctx, out);
  return out;
}

/**
 * The lines of `after` that are new against `before`, each inside its
 * contexts: what a dry run checks without the daemon's current state.
 */
export function addedLines(allBefore: readonly FrrItem[], allAfter: readonly FrrItem[]): FrrItem[] {
  if (allBefore === allAfter) return [];
  const [before, after] = unshared(allBefore, allAfter);
  const old = new Map(before.map((i) => [key(i), i]));
  const out: FrrItem[] = [];
  for (const item of after) {
    const was = old.get(key(item));
    if (!isContext(item)) {
      if (!was) out.push(item);
      continue;
    }
    const body = addedLines(was && isContext(was) ? was.body : [], item.body);
    if (body.length || !was) out.push({ ...item, body });
  }
  return out;
}
