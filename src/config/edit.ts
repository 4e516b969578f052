/** `set`, `delete` and `comment` on a config tree, checked against the schema. */
import {
  describeType,
  keywordChildren,
  text as textType,
  type ContainerNode,
  type SchemaNode,
  type TagNode,
} from '../schema/index.js';
import { formatPath, type EditError } from './errors.js';
import { didYouMean } from './suggest.js';
import { describeMoves, planInsert, type InsertWhere, type Move } from './insert.js';
import { checkLeafValue, resolveWords, schemaAt, type PathError } from './resolve.js';
import { configNode, getNode, type ConfigNode, type ConfigPath, type TreeEditor } from './tree.js';

export type EditResult =
  | {
      readonly ok: true;
      /** What to tell although it worked: `activate` of a node that was not inactive. */
      readonly warning?: string;
    }
  | { readonly ok: false; readonly error: EditError; readonly unsupported?: boolean };

const OK: EditResult = { ok: true };
const COMMENT_TEXT = textType(1024, 'Comment');

function fail(error: EditError): EditResult {
  return { ok: false, error, ...(error.code === 'unsupported' ? { unsupported: true } : {}) };
}

/**
 * After a delete, a parent left empty goes too when its emptiness means nothing: a tag node with
 * no entries (`ethernet` with no `eth*`), or a container that only groups other lists and
 * containers (`protocols static`, `policy`). A container with settings of its own
 * (`service ssh`, a `blackhole` with its `distance`) may mean something empty, so it stays,
 * and so does one marked `presence` (`authentication md5`: message-digest on).
 */
export function pruneEmptyGroups(schema: ContainerNode): (path: ConfigPath) => boolean {
  return (path) => {
    let node: SchemaNode | undefined = schema;
    for (const word of path) {
      if (!node) return false;
      node =
        node.kind === 'tag'
          ? node.entry
          : node.kind === 'container' || node.kind === 'entry'
            ? node.children.get(word)
            : undefined;
    }
    if (node?.kind === 'tag') return true;
    return node?.kind === 'container' && onlyGroups(node);
  };
}

function onlyGroups(node: ContainerNode): boolean {
  if (node.presence) return false;
  for (const child of node.children.values())
    if (child.kind !== 'tag' && child.kind !== 'container') return false;
  return true;
}

/** An error of the words after the edit level: indexes count from the first word typed. */
function failAt(error: PathError, prefix: readonly string[]): EditResult {
  return fail('index' in error ? { ...error, index: error.index - prefix.length } : error);
}

/** `set WORDS`: add or change one value, or create a node. */
export function applySet(
  editor: TreeEditor,
  schema: ContainerNode,
  words: readonly string[],
  prefix: readonly string[] = [],
): EditResult {
  const r = resolveWords(schema, [...prefix, ...words]);
  if (r.kind === 'invalid') return failAt(r.error, prefix);
  if (r.kind === 'unsupported') return fail({ code: 'unsupported', at: r.path, reason: r.reason });
  const { node, path, value } = r;
  switch (node.kind) {
    case 'leaf':
    case 'multi':
      if (value === undefined) {
        return fail({
          code: 'value-required',
          at: path,
          help: describeType(node.type),
          what: 'value',
        });
      }
      if (node.kind === 'leaf') editor.setValue(path, value);
      else editor.addValue(path, value);
      return OK;
    case 'tag':
      return fail({ code: 'value-required', at: path, help: describeType(node.key), what: 'name' });
    default:
      editor.ensure(path);
      return OK;
  }
}

/** `delete WORDS`: remove a value of a leaf, or a whole subtree. */
export function applyDelete(
  editor: TreeEditor,
  schema: ContainerNode,
  words: readonly string[],
  prefix: readonly string[] = [],
): EditResult {
  const r = resolveWords(schema, [...prefix, ...words]);
  if (r.kind === 'invalid') return failAt(r.error, prefix);
  // An unsupported subtree cannot be in the tree, so there is nothing to delete either.
  if (r.kind === 'unsupported') return fail({ code: 'unsupported', at: r.path, reason: r.reason });
  const { path, value } = r;
  if (value !== undefined) {
    return editor.removeValue(path, value)
      ? OK
      : fail({ code: 'nothing-to-delete', at: path, value });
  }
  // The edit level stays (edit made it; show and set there rely on it), and so does what is above it.
  const prune = pruneEmptyGroups(schema);
  return editor.remove(path, (p) => p.length > prefix.length && prune(p))
    ? OK
    : fail({ code: 'nothing-to-delete', at: path });
}

/** `comment WORDS "text"`: attach (or with "" remove) a comment on an existing node. */
export function applyComment(
  editor: TreeEditor,
  schema: ContainerNode,
  words: readonly string[],
  prefix: readonly string[] = [],
): EditResult {
  if (words.length < 2) return fail({ code: 'comment-needs-text', at: [...prefix, ...words] });
  const text = words[words.length - 1]!;
  const r = resolveWords(schema, [...prefix, ...words.slice(0, -1)]);
  if (r.kind === 'invalid') return failAt(r.error, prefix);
  if (r.kind === 'unsupported') return fail({ code: 'unsupported', at: r.path, reason: r.reason });
  const { path, node } = r;
  if (node.kind === 'tag')
    return fail({
      code: 'bad-comment',
      at: path,
      reason: 'comment one entry, such as ethernet eth0',
    });
  if (!COMMENT_TEXT.accepts(text) || text.includes('*/')) {
    return fail({
      code: 'bad-comment',
      at: path,
      reason: 'a comment is one line of text without control characters or */',
    });
  }
  if (!editor.has(path)) return fail({ code: 'not-configured', at: path });
  editor.setComment(path, text);
  return OK;
}

/**
 * `deactivate WORDS` / `activate WORDS`: mark an existing node inactive (kept
 * in the configuration, not applied) or active again. A whole node only: a
 * container, a tag entry or a leaf, not one value of it or every entry of a
 * tag node at once.
 */
export function applyActivation(
  editor: TreeEditor,
  schema: ContainerNode,
  words: readonly string[],
  inactive: boolean,
  prefix: readonly string[] = [],
): EditResult {
  const verb = inactive ? 'deactivate' : 'activate';
  const r = resolveWords(schema, [...prefix, ...words]);
  if (r.kind === 'invalid') return failAt(r.error, prefix);
  if (r.kind === 'unsupported') return fail({ code: 'unsupported', at: r.path, reason: r.reason });
  const { path, node, value } = r;
  if (value !== undefined)
    return fail({
      code: 'bad-activation',
      verb,
      at: path,
      reason: `name the leaf without its value ('${verb} ${formatPath(path)}')`,
    });
  if (node.kind === 'tag')
    return fail({
      code: 'bad-activation',
      verb,
      at: path,
      reason: `name one entry, such as '${verb} ${formatPath(path)} <name>'`,
    });
  if (!editor.has(path)) return fail({ code: 'not-configured', at: path });
  // As Junos: nothing to do is said, not an error.
  if ((getNode(editor.tree, path)?.inactive ?? false) === inactive)
    return {
      ok: true,
      warning: `warning: '${formatPath(path)}' is ${inactive ? 'already inactive' : 'not inactive'}`,
    };
  editor.setInactive(path, inactive);
  return OK;
}

export type InsertResult =
  | {
      readonly ok: true;
      /** The list's path (`firewall ipv4 name WAN rule`). */
      readonly list: readonly string[];
      readonly moves: readonly Move[];
      /** What to tell: `rule 20 is now rule 5`, or that it is already there. */
      readonly told: readonly string[];
    }
  | { readonly ok: false; readonly error: EditError; readonly unsupported?: boolean };

const WHERE: readonly string[] = ['before', 'after'];

/**
 * Walk the words of `insert` (after the verb) from the edit level to the
 * ordered list they name: the index of the list's word, or an error.
 */
function findOrderedList(
  schema: ContainerNode,
  words: readonly string[],
  prefix: readonly string[],
): { index: number; path: string[]; tag: TagNode } | { error: EditError } {
  const usage = 'insert PATH rule A before|after rule B';
  // An edit level inside a rule: the list is above it.
  let above: SchemaNode | undefined = schema;
  for (let j = 0; j < prefix.length && above; j++) {
    if (above.kind === 'tag' && above.ordered)
      return {
        error: {
          code: 'bad-insert',
          index: 0,
          at: prefix.slice(0, j - 1),
          reason: `the edit level is inside ${prefix[j - 1]} ${prefix[j]}; 'up' to the list first`,
        },
      };
    above = above.kind === 'tag' ? above.entry : keywordChildren(above)?.get(prefix[j]!);
  }
  let node: SchemaNode | undefined = schemaAt(schema, prefix);
  const path = [...prefix];
  for (let i = 0; i < words.length && node; i++) {
    const word = words[i]!;
    if (node.unsupported)
      return { error: { code: 'unsupported', at: path, reason: node.unsupported } };
    if (node.kind === 'tag') {
      const check = checkLeafValue(node, word);
      if (!check.ok)
        return {
          error: {
            code: 'invalid-value',
            index: i,
            word,
            at: [...path],
            node,
            ...(check.reason ? { reason: check.reason } : {}),
          },
        };
      if (WHERE.includes(words[i + 1] ?? ''))
        return {
          error: {
            code: 'bad-insert',
            index: Math.max(0, i - 1),
            at: path.slice(0, -1),
            reason: `'${formatPath(path)}' is not an ordered list: the order of its entries means nothing (${usage})`,
          },
        };
      path.push(word);
      node = node.entry;
      continue;
    }
    const children = keywordChildren(node);
    if (!children)
      return {
        error: {
          code: 'bad-insert',
          index: i - 1,
          at: path.slice(0, -1),
          reason: `'${formatPath(path)}' is not an ordered list (${usage})`,
        },
      };
    const child = children.get(word);
    if (!child)
      return {
        error: {
          code: 'unknown-word',
          index: i,
          word,
          at: [...path],
          allowed: [...children.keys()].sort(),
        },
      };
    path.push(word);
    if (child.kind === 'tag' && child.ordered) return { index: i, path, tag: child };
    node = child;
  }
  const lists = [...(node ? (keywordChildren(node)?.values() ?? []) : [])].filter(
    (c) => c.kind === 'tag' && c.ordered,
  );
  return {
    error: {
      code: 'bad-insert',
      index: words.length,
      at: path,
      reason:
        lists.length > 0
          ? `name the entries: ${lists[0]!.name} A before|after ${lists[0]!.name} B`
          : path.length === 0
            ? `name a list of rules: ${usage}`
            : `it holds no ordered list here; insert moves rules (${usage})`,
    },
  };
}

/**
 * `insert PATH rule A before|after rule B` (Junos): move rule A so that it is
 * evaluated just before or after rule B, renumbering as little as it must
 * (see planInsert). A route-map's `continue` and `on-match goto` follow the
 * rules they name.
 */
export function applyInsert(
  editor: TreeEditor,
  schema: ContainerNode,
  words: readonly string[],
  prefix: readonly string[] = [],
): InsertResult {
  const found = findOrderedList(schema, words, prefix);
  if ('error' in found) return fail(found.error) as InsertResult;
  const { index: i, path: list, tag } = found;
  const at = list.slice(0, -1);
  const name = tag.name;
  const bad = (index: number, reason: string): InsertResult =>
    fail({ code: 'bad-insert', index, at, reason }) as InsertResult;
  const key = (index: number, what: string): InsertResult | undefined => {
    const word = words[index];
    if (word === undefined)
      return bad(index, `name the ${name} ${what}: ${name} A before|after ${name} B`);
    const check = checkLeafValue(tag, word);
    if (check.ok) return undefined;
    return fail({
      code: 'invalid-value',
      index,
      word,
      at: list,
      node: tag,
      ...(check.reason ? { reason: check.reason } : {}),
    }) as InsertResult;
  };
  const aWrong = key(i + 1, 'to move');
  if (aWrong) return aWrong;
  const a = words[i + 1]!;
  const where = words[i + 2];
  if (where === undefined || !WHERE.includes(where))
    return bad(
      i + 2,
      where === undefined
        ? `say where ${name} ${a} goes: before|after ${name} B`
        : `expected 'before' or 'after' after '${name} ${a}', found '${where}'${didYouMean(where, WHERE)}`,
    );
  const again = words[i + 3];
  if (again !== name)
    return bad(
      i + 3,
      again === undefined
        ? `expected '${name} B' after '${where}'`
        : `expected '${name}' after '${where}', found '${again}'`,
    );
  const bWrong = key(i + 4, `to insert ${where}`);
  if (bWrong) return bWrong;
  const b = words[i + 4]!;
  const extra = words[i + 5];
  if (extra !== undefined)
    return fail({
      code: 'extra-word',
      index: i + 5,
      word: extra,
      at: [...list, b],
    }) as InsertResult;
  if (a === b) return bad(i + 4, `${name} ${a} cannot be inserted ${where} itself`);
  const entries = getNode(editor.tree, list)?.children ?? new Map<string, ConfigNode>();
  if (!entries.has(a)) return bad(i + 1, `${name} ${a} is not configured`);
  if (!entries.has(b)) return bad(i + 4, `${name} ${b} is not configured`);
  const range = tag.key.range!;
  const plan = planInsert(
    [...entries.keys()].map(Number),
    Number(a),
    Number(b),
    where as InsertWhere,
    range,
  );
  if (!plan.ok) return bad(i + 4, plan.reason);
  if (plan.moves.length === 0)
    return { ok: true, list, moves: [], told: [`${name} ${a} is already ${where} ${name} ${b}`] };
  for (const m of plan.moves) {
    const check = checkLeafValue(tag, String(m.to));
    if (!check.ok)
      return bad(
        i + 4,
        `${name} ${m.from} cannot become ${name} ${m.to}${check.reason ? `: ${check.reason}` : ''}`,
      );
  }
  const jumps = planJumps(name, entries, plan.moves, tag.orderRefs ?? []);
  if (!jumps.ok) return bad(i + 4, jumps.reason);
  moveEntries(editor, list, entries, plan.moves, jumps.rewrites);
  return { ok: true, list, moves: plan.moves, told: describeMoves(name, plan.moves) };
}

/** A jump leaf of an entry (by its old number) and the value it takes. */
interface Rewrite {
  readonly entry: string;
  readonly ref: readonly string[];
  readonly to: string;
}

/** The first of `sorted` at or above `n`, or undefined past the last. */
function firstFrom(sorted: readonly number[], n: number): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < n) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo];
}

/**
 * The jumps (`continue N`, `on-match goto N`) after the moves: a jump reaches
 * the first rule from N on (FRR's goto), so it keeps reaching the same rule,
 * under its new number when that rule moved or another would now come first.
 * Refused when a jump would point back (commit refuses those), or a jump past
 * the last rule would now reach one.
 */
function planJumps(
  name: string,
  entries: ReadonlyMap<string, ConfigNode>,
  moves: readonly Move[],
  refs: readonly (readonly string[])[],
): { ok: true; rewrites: Rewrite[] } | { ok: false; reason: string } {
  const rewrites: Rewrite[] = [];
  if (refs.length === 0) return { ok: true, rewrites };
  const renumbered = new Map(moves.map((m) => [m.from, m.to]));
  const newOf = (n: number): number => renumbered.get(n) ?? n;
  const oldSorted = [...entries.keys()].map(Number).sort((x, y) => x - y);
  const newSorted = oldSorted.map(newOf).sort((x, y) => x - y);
  for (const [key, entry] of entries) {
    for (const ref of refs) {
      const target = getNode(entry, ref)?.values[0];
      if (target === undefined) continue;
      const t = Number(target);
      const from = Number(key);
      const what = `${name} ${key}'s ${ref.join(' ')} ${target}`;
      const reached = firstFrom(oldSorted, t);
      const reachesNow = firstFrom(newSorted, t);
      if (reached === undefined) {
        if (reachesNow !== undefined)
          return {
            ok: false,
            reason: `${what} would reach ${name} ${reachesNow}, past the last ${name} before; change it first`,
          };
        continue;
      }
      const to = newOf(reached);
      // Pointing back already (commit refuses it): not this insert's doing.
      if (to <= newOf(from) && t > from)
        return {
          ok: false,
          reason: `${what} would jump back to ${name} ${to}${newOf(from) === from ? '' : ` (it would be ${name} ${newOf(from)})`}; a jump must name a later ${name}, so change it first`,
        };
      if (reachesNow !== to) rewrites.push({ entry: key, ref, to: String(to) });
    }
  }
  return { ok: true, rewrites };
}

/** Renumber entries at once (a new number may be an old one's), then set the jumps planned. */
function moveEntries(
  editor: TreeEditor,
  list: readonly string[],
  entries: ReadonlyMap<string, ConfigNode>,
  moves: readonly Move[],
  rewrites: readonly Rewrite[],
): void {
  const moved = moves.map((m) => [m, entries.get(String(m.from))!] as const);
  for (const [m] of moved) editor.remove([...list, String(m.from)]);
  for (const [m, entry] of moved) editor.graft([...list, String(m.to)], entry);
  const renumbered = new Map(moves.map((m) => [String(m.from), String(m.to)]));
  for (const { entry, ref, to } of rewrites) {
    const path = [...list, renumbered.get(entry) ?? entry, ...ref];
    const leaf = getNode(editor.tree, path)!;
    editor.graft(path, configNode(leaf.children, [to], leaf.comment, leaf.inactive));
  }
}
