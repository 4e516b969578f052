/**
 * Reference values in a config tree: the leaves (and tag keys) whose value
 * names an entry of another list, found through the schema's `Reference`.
 * Verify checks that each names something configured; `rename` of an entry
 * rewrites the references to it.
 */
import {
  referencedName,
  referencePaths,
  type ContainerNode,
  type Reference,
  type SchemaNode,
} from '../schema/index.js';
import { formatPath } from './errors.js';
import { configNode, getNode, TreeEditor, type ConfigNode, type ConfigPath } from './tree.js';

/** One reference found in a tree: where it is, what it names, and whether it is a value or a tag key. */
export interface FoundReference {
  readonly path: readonly string[];
  readonly reference: Reference;
  readonly name: string;
  readonly key: boolean;
}
const NONE: readonly FoundReference[] = [];

/** Schema nodes with no reference anywhere below them are not walked. */
const holdsReferences = new WeakMap<SchemaNode, boolean>();

function childrenOf(s: SchemaNode): Iterable<SchemaNode> {
  if (s.kind === 'container' || s.kind === 'entry') return s.children.values();
  if (s.kind === 'tag') return [s.entry];
  return [];
}

function holds(s: SchemaNode): boolean {
  let known = holdsReferences.get(s);
  if (known === undefined) {
    // Marked first: the entry of a tag points back at it.
    holdsReferences.set(s, false);
    known = (s.kind === 'leaf' || s.kind === 'multi' || s.kind === 'tag') && !!s.reference;
    if (!s.unsupported) for (const c of childrenOf(s)) if (holds(c)) known = true;
    holdsReferences.set(s, known);
  }
  return known;
}

/** Subtrees are shared between revisions: an unchanged one is not walked again. */
const memo = new WeakMap<
  ConfigNode,
  { readonly s: SchemaNode; readonly found: readonly FoundReference[] }
>();

function collect(node: ConfigNode, s: SchemaNode): readonly FoundReference[] {
  if (!holds(s)) return NONE;
  const known = memo.get(node);
  if (known?.s === s) return known.found;
  let out: FoundReference[] | undefined;
  const add = (prefix: string, list: readonly FoundReference[]): void => {
    if (list.length === 0) return;
    out ??= [];
    for (const f of list) out.push({ ...f, path: [prefix, ...f.path] });
  };
  if (s.kind === 'leaf' || s.kind === 'multi') {
    const reference = s.reference;
    if (reference)
      for (const value of node.values)
        (out ??= []).push({
          path: [],
          reference,
          name: referencedName(reference, value),
          key: false,
        });
  } else if (s.kind === 'tag') {
    for (const [key, entry] of node.children) {
      if (s.reference)
        (out ??= []).push({ path: [key], reference: s.reference, name: key, key: true });
      add(key, collect(entry, s.entry));
    }
  } else if (s.kind === 'container' || s.kind === 'entry') {
    for (const [name, child] of node.children) {
      const cs = s.children.get(name);
      if (cs) add(name, collect(child, cs));
    }
  }
  const found = out ?? NONE;
  memo.set(node, { s, found });
  return found;
}

/** Every reference in the tree, with its full path. */
export function referencesIn(tree: ConfigNode, schema: ContainerNode): FoundReference[] {
  const all: FoundReference[] = [];
  for (const [name, child] of tree.children) {
    const s = schema.children.get(name);
    if (s) for (const f of collect(child, s)) all.push({ ...f, path: [name, ...f.path] });
  }
  return all;
}

/**
 * Whether the name is configured in one of the lists the reference may name
 * (`at`: the path of the referencing leaf, for lists of its own instance).
 */
export function referenceExists(
  tree: ConfigNode,
  reference: Reference,
  name: string,
  at: readonly string[] = [],
): boolean {
  if (reference.builtin?.includes(name)) return true;
  return referencePaths(reference, at).some((p) => getNode(tree, [...p, name]) !== undefined);
}

/** Where a reference's name would be configured, as the operator would type it. */
export function referenceTargets(
  reference: Reference,
  name: string,
  at: readonly string[] = [],
): string {
  return referencePaths(reference, at)
    .map((p) => formatPath([...p, name]))
    .join(' or ');
}

const samePath = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((w, i) => w === b[i]);

/** The references in `tree` that name the entry at `entry` (a tag entry: `firewall ipv4 name WAN-IN`). */
export function referencesNaming(
  tree: ConfigNode,
  schema: ContainerNode,
  entry: ConfigPath,
): FoundReference[] {
  const list = entry.slice(0, -1);
  const name = entry[entry.length - 1];
  return referencesIn(tree, schema).filter(
    (f) => f.name === name && referencePaths(f.reference, f.path).some((p) => samePath(p, list)),
  );
}

/**
 * `rename LIST OLD to NEW`: move the entry and rewrite every reference that
 * named it (`jump-target OLD` becomes `jump-target NEW`; `!OLD` becomes
 * `!NEW`). The caller has checked that `from` is an entry and NEW is free.
 */
export function renameEntry(
  tree: ConfigNode,
  schema: ContainerNode,
  from: ConfigPath,
  key: string,
): ConfigNode {
  const list = from.slice(0, -1);
  const old = from[from.length - 1]!;
  const source = getNode(tree, from);
  if (!source) return tree;
  const move = new TreeEditor(tree);
  move.graft([...list, key], source);
  move.remove(from);
  const moved = move.finish();
  // Found in a finished tree: the walk memoises per node, and an editor's own
  // copies change under it (the references of a copy rewritten below would stay
  // the old ones for verify).
  const naming = referencesNaming(moved, schema, from);
  const editor = new TreeEditor(moved);
  // Keys last and deepest first, so a rewritten key does not move a value still to rewrite.
  naming.sort((a, b) => Number(a.key) - Number(b.key) || b.path.length - a.path.length);
  for (const f of naming) {
    const at = getNode(editor.tree, f.path);
    if (!at) continue;
    if (f.key) {
      const renamed = [...f.path.slice(0, -1), key];
      if (getNode(editor.tree, renamed)) continue;
      editor.graft(renamed, at);
      editor.remove(f.path);
      continue;
    }
    const values = at.values.map((v) =>
      referencedName(f.reference, v) !== old
        ? v
        : v.startsWith('!') && f.reference.negatable
          ? `!${key}`
          : key,
    );
    editor.graft(f.path, configNode(at.children, [...new Set(values)], at.comment));
  }
  return editor.finish();
}
