/**
 * Words -> path: walk the schema with the words of a `set`/`delete` command,
 * checking each keyword, tag key and value on the way.
 */
import {
  keywordChildren,
  type BranchNode,
  type ContainerNode,
  type Constraint,
  type LeafNode,
  type SchemaNode,
  type TagNode,
} from '../schema/index.js';
import { BIDI_CONTROL } from '../../grammar/index.js';
import { REDACTED } from './redact.js';

/** The longest value of any type (the longest real ones are public keys, a few KiB). */
export const MAX_VALUE_LENGTH = 8192;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LINE_BREAKS = /[\n\t]/g;

export type PathError =
  | {
      readonly code: 'unknown-word';
      readonly index: number;
      readonly word: string;
      readonly at: readonly string[];
      readonly allowed: readonly string[];
    }
  | {
      readonly code: 'invalid-value';
      readonly index: number;
      readonly word: string;
      readonly at: readonly string[];
      readonly node: LeafNode | TagNode;
      /** The failed constraint's message; undefined when the type itself refused the value. */
      readonly reason?: string;
    }
  | {
      readonly code: 'no-value-allowed';
      readonly index: number;
      readonly word: string;
      readonly at: readonly string[];
    }
  | {
      readonly code: 'extra-word';
      readonly index: number;
      readonly word: string;
      readonly at: readonly string[];
    }
  | { readonly code: 'empty-path' };

export interface ResolvedPath {
  readonly kind: 'resolved';
  /** Keywords and tag keys, without a leaf's value. */
  readonly path: readonly string[];
  /** The schema node the path ends at. */
  readonly node: SchemaNode;
  /** The value given for a leaf or multi-leaf. */
  readonly value: string | undefined;
}

export interface UnsupportedPath {
  readonly kind: 'unsupported';
  /** The path down to and including the unsupported node. */
  readonly path: readonly string[];
  readonly reason: string;
}

export interface InvalidPath {
  readonly kind: 'invalid';
  readonly error: PathError;
}

export type Resolution = ResolvedPath | UnsupportedPath | InvalidPath;

function failedConstraint(constraints: readonly Constraint[], value: string): string | undefined {
  for (const c of constraints) if (!c.test(value)) return c.message;
  return undefined;
}

/**
 * What no value of any type may be or hold, whatever its type says; undefined when it is
 * fine. A type with `lineBreaks` (a banner) may hold newlines and tabs, nothing else.
 */
export function universalValueProblem(value: string, lineBreaks = false): string | undefined {
  if (value.length > MAX_VALUE_LENGTH) return `a value is at most ${MAX_VALUE_LENGTH} characters`;
  if (value.includes('\ufffd') || LONE_SURROGATE.test(value)) return 'it is not valid UTF-8 text';
  if (BIDI_CONTROL.test(value))
    return 'it holds a bidirectional control character, which would make it display other than it is';
  if (!lineBreaks) return CONTROL.test(value) ? 'it holds a control character' : undefined;
  if (CONTROL.test(value.replace(LINE_BREAKS, '')))
    return 'it holds a control character other than a newline (\\n) or a tab (\\t)';
  return undefined;
}

/** Check a value against a leaf's type and constraints; the error names the word. */
export function checkLeafValue(
  node: LeafNode | TagNode,
  value: string,
): { ok: true } | { ok: false; reason?: string } {
  const type = node.kind === 'tag' ? node.key : node.type;
  const universal = universalValueProblem(value, type.lineBreaks);
  if (universal !== undefined) return { ok: false, reason: universal };
  if (node.kind !== 'tag' && node.secret && value === REDACTED)
    return {
      ok: false,
      reason: `'${REDACTED}' is what show prints in place of a secret; give the secret itself`,
    };
  if (!type.accepts(value)) return { ok: false };
  const reason = failedConstraint(
    node.kind === 'tag' ? node.keyConstraints : node.constraints,
    value,
  );
  return reason === undefined ? { ok: true } : { ok: false, reason };
}

function invalidValue(
  node: LeafNode | TagNode,
  word: string,
  index: number,
  path: readonly string[],
  reason: string | undefined,
): InvalidPath {
  return {
    kind: 'invalid',
    error: {
      code: 'invalid-value',
      index,
      word,
      at: [...path],
      node,
      ...(reason ? { reason } : {}),
    },
  };
}

/** Resolve words (without the `set`/`delete` verb) starting at a node of the schema. */
export function resolveWords(
  root: ContainerNode | BranchNode,
  words: readonly string[],
  prefix: readonly string[] = [],
): Resolution {
  if (words.length === 0 && prefix.length === 0)
    return { kind: 'invalid', error: { code: 'empty-path' } };
  const path: string[] = [...prefix];
  let node: SchemaNode = root;
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    if (node.unsupported) return { kind: 'unsupported', path, reason: node.unsupported };
    switch (node.kind) {
      case 'container':
      case 'entry': {
        const child = node.children.get(word);
        if (!child) {
          const allowed = [...node.children.keys()].sort();
          return {
            kind: 'invalid',
            error: { code: 'unknown-word', index, word, at: [...path], allowed },
          };
        }
        path.push(word);
        node = child;
        break;
      }
      case 'tag': {
        const check = checkLeafValue(node, word);
        if (!check.ok) {
          return invalidValue(node, word, index, path, check.reason);
        }
        path.push(word);
        node = node.entry;
        break;
      }
      case 'leaf':
      case 'multi': {
        if (index < words.length - 1) {
          return {
            kind: 'invalid',
            error: { code: 'extra-word', index: index + 1, word: words[index + 1]!, at: [...path] },
          };
        }
        const check = checkLeafValue(node, word);
        if (!check.ok) {
          return invalidValue(node, word, index, path, check.reason);
        }
        return { kind: 'resolved', path, node, value: word };
      }
      case 'flag':
        return { kind: 'invalid', error: { code: 'no-value-allowed', index, word, at: [...path] } };
    }
  }
  if (node.unsupported) return { kind: 'unsupported', path, reason: node.unsupported };
  return { kind: 'resolved', path, node, value: undefined };
}

/** The schema node at a config path (keywords and tag keys), or undefined. */
export function schemaAt(root: SchemaNode, path: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const word of path) {
    if (!node) return undefined;
    if (node.kind === 'tag') node = node.entry;
    else node = keywordChildren(node)?.get(word);
  }
  return node;
}
