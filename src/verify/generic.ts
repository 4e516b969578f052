/** Checks every area gets from its schema: leaves that must be present. */
import type { ContainerNode, EntryNode, SchemaNode } from '../schema/index.js';
import type { ConfigNode } from '../config/tree.js';
import { formatPath } from '../config/errors.js';
import { isBranch, runSliced, runToEnd, workBelow, type NodeWork } from '../config/slice.js';
import type { VerifyIssue } from './issues.js';

/** Missing required leaves below a node, as paths relative to it (each: the parent path and the leaf name). */
type Missing = readonly (readonly string[])[];
const NONE: Missing = [];

/** Subtrees are shared between revisions: an unchanged one is not walked again. */
const memo = new WeakMap<ConfigNode, { readonly s: SchemaNode; readonly result: Missing }>();

/** The required leaves among a branch's children (computed once per schema node). */
const requiredLeaves = new WeakMap<SchemaNode, readonly string[]>();

function requiredOf(s: ContainerNode | EntryNode): readonly string[] {
  let list = requiredLeaves.get(s);
  if (!list) {
    list = [...s.children.values()]
      .filter((c) => (c.kind === 'leaf' || c.kind === 'multi') && c.required)
      .map((c) => c.name);
    requiredLeaves.set(s, list);
  }
  return list;
}

function missing(node: ConfigNode, s: SchemaNode): Missing {
  if (s.unsupported || (s.kind !== 'tag' && s.kind !== 'container' && s.kind !== 'entry'))
    return NONE;
  const known = memo.get(node);
  if (known?.s === s) return known.result;
  let out: (readonly string[])[] | undefined;
  const add = (prefix: string, list: Missing): void => {
    if (list.length === 0) return;
    out ??= [];
    for (const m of list) out.push([prefix, ...m]);
  };
  if (s.kind === 'tag') {
    for (const [key, entry] of node.children) add(key, missing(entry, s.entry));
  } else {
    for (const [name, present] of node.children) {
      const child = s.children.get(name);
      if (child) add(name, missing(present, child));
    }
    for (const name of requiredOf(s)) {
      if (node.children.has(name)) continue;
      out ??= [];
      out.push([name]);
    }
  }
  const result = out ?? NONE;
  memo.set(node, { s, result });
  return result;
}

export function checkRequired(tree: ConfigNode, schema: ContainerNode): VerifyIssue[] {
  return runToEnd(checkRequiredSteps(tree, schema));
}

/** `checkRequired` in slices, for a daemon that serves other sessions meanwhile. */
export function checkRequiredSliced(
  tree: ConfigNode,
  schema: ContainerNode,
): Promise<VerifyIssue[]> {
  return runSliced(checkRequiredSteps(tree, schema));
}

const missingWork: NodeWork<undefined> = {
  child: () => undefined,
  known: (node, s) => !isBranch(s) || memo.get(node)?.s === s,
  visit: (node, s) => void missing(node, s!),
};

/** The missing leaves of one small subtree per step, then the issues from what is memoised. */
export function* checkRequiredSteps(
  tree: ConfigNode,
  schema: ContainerNode,
): Generator<void, VerifyIssue[]> {
  yield* workBelow(tree, schema, undefined, missingWork);
  const issues: VerifyIssue[] = [];
  // The root's own leaves are never required (areas are containers).
  for (const [name, child] of schema.children) {
    const present = tree.children.get(name);
    if (!present) continue;
    for (const m of missing(present, child)) {
      const path = [name, ...m.slice(0, -1)];
      issues.push({ path, message: `'${formatPath([name, ...m])}' must be set` });
    }
  }
  return issues;
}
