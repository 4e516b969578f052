/**
 * Long work in small slices. The daemon serves every session from one event
 * loop, so work that runs for seconds (a 100k-line load) is written as a
 * generator that yields between small steps; `runSliced` gives the loop a
 * turn whenever the work has held it for a slice, and `runToEnd` runs it in
 * one go where nobody waits (a batch, a test).
 */
import type { SchemaNode } from '../schema/index.js';
import type { ConfigNode } from './tree.js';

/** How long work may hold the event loop before other sessions get a turn. */
export const SLICE_MS = 8;

export function runToEnd<T>(steps: Generator<unknown, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export async function runSliced<T>(steps: Generator<unknown, T>, sliceMs = SLICE_MS): Promise<T> {
  let since = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - since >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
}

// ------------------------------------------------------- memoised tree walks

/**
 * Whether a schema node may stand for a large subtree: a tag node, or a
 * branch with a tag node somewhere below it. Below every other node a tree
 * is small (bounded by the schema), apart from the values of a multi-leaf.
 */
const tagsBelow = new WeakMap<SchemaNode, boolean>();

export function holdsTags(s: SchemaNode | undefined): boolean {
  if (!s || s.unsupported) return false;
  if (s.kind === 'tag') return true;
  if (s.kind !== 'container' && s.kind !== 'entry') return false;
  const known = tagsBelow.get(s);
  if (known !== undefined) return known;
  tagsBelow.set(s, false);
  let found = false;
  for (const child of s.children.values()) if (holdsTags(child)) found = true;
  tagsBelow.set(s, found);
  return found;
}

/** Work memoised per node that a walk can do ahead, one subtree at a time. */
export interface NodeWork<C> {
  /** The context of a child (the path text of `setText`, say). */
  readonly child: (ctx: C, word: string) => C;
  /** Whether the work of a node is already memoised: its subtree is not walked. */
  readonly known: (node: ConfigNode, s: SchemaNode | undefined, ctx: C) => boolean;
  /** Do (and memoise) the work of a node. */
  readonly visit: (node: ConfigNode, s: SchemaNode | undefined, ctx: C) => void;
}

function childOf(s: SchemaNode | undefined, word: string): SchemaNode | undefined {
  if (!s) return undefined;
  if (s.kind === 'tag') return s.entry;
  if (s.kind === 'container' || s.kind === 'entry') return s.children.get(word);
  return undefined;
}

/**
 * Do the memoised work of every node below `node`, bottom-up, one small
 * subtree per step (a tag entry without tags below it, such as one rule).
 * The node's own work is left to the caller, which then finds every child
 * memoised: the same function, the same result, in slices.
 */
export function* workBelow<C>(
  node: ConfigNode,
  s: SchemaNode | undefined,
  ctx: C,
  work: NodeWork<C>,
  done = { visits: 0 },
): Generator<void, void> {
  if (!holdsTags(s)) return;
  for (const [word, child] of node.children) {
    const cs = childOf(s, word);
    const cctx = work.child(ctx, word);
    if (work.known(child, cs, cctx)) continue;
    if (holdsTags(cs)) yield* workBelow(child, cs, cctx, work, done);
    work.visit(child, cs, cctx);
    // A few subtrees per step: a yield passes through every level of the walk.
    if (++done.visits % VISITS_PER_STEP === 0) yield;
  }
}

const VISITS_PER_STEP = 16;

/** A node that memoised work may hold: a container, tag or tag entry the schema supports. */
export function isBranch(s: SchemaNode | undefined): s is SchemaNode {
  return (
    s !== undefined &&
    !s.unsupported &&
    (s.kind === 'container' || s.kind === 'tag' || s.kind === 'entry')
  );
}
