/** `set`, `delete` and `comment` on a config tree, checked against the schema. */
import {
  describeType,
  text as textType,
  type ContainerNode,
  type SchemaNode,
} from '../schema/index.js';
import { formatPath, type EditError } from './errors.js';
import { resolveWords, type PathError } from './resolve.js';
import type { ConfigPath, TreeEditor } from './tree.js';

export type EditResult =
  | { readonly ok: true }
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
 * (`service ssh`, a `blackhole` with its `distance`) may mean something empty, so it stays.
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
  return editor.remove(path, pruneEmptyGroups(schema))
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
  editor.setInactive(path, inactive);
  return OK;
}
