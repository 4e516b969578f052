/** Every configuration error, typed, and its one message. */
import { excerpt, UNSAFE_CHARACTER } from '../../grammar/index.js';
import { describeType } from '../schema/index.js';
import type { PathError } from './resolve.js';
import { didYouMean } from './suggest.js';

export type EditError =
  | PathError
  | {
      readonly code: 'value-required';
      readonly at: readonly string[];
      readonly help: string;
      readonly what: 'value' | 'name';
    }
  | { readonly code: 'nothing-to-delete'; readonly at: readonly string[]; readonly value?: string }
  | { readonly code: 'unsupported'; readonly at: readonly string[]; readonly reason: string }
  | { readonly code: 'bad-verb'; readonly word: string; readonly allowed: readonly string[] }
  | { readonly code: 'comment-needs-text'; readonly at: readonly string[] }
  | { readonly code: 'bad-comment'; readonly at: readonly string[]; readonly reason: string }
  | {
      readonly code: 'bad-activation';
      readonly verb: 'deactivate' | 'activate';
      readonly at: readonly string[];
      readonly reason: string;
    }
  | { readonly code: 'not-configured'; readonly at: readonly string[] }
  | {
      readonly code: 'bad-insert';
      /** The word it is about, counted from the first after `insert`. */
      readonly index: number;
      readonly at: readonly string[];
      readonly reason: string;
    };

/** A path as messages show it: odd words quoted, long words shortened, unsafe characters escaped. */
export function formatPath(path: readonly string[]): string {
  return path.map(pathExcerpt).join(' ');
}

function pathExcerpt(word: string): string {
  if (/^[^\s'"|;#{}\\]+$/.test(word) && !UNSAFE_CHARACTER.test(word)) return excerpt(word);
  return `"${excerpt(word.replace(/["\\]/g, '\\$&'))}"`;
}

/** A word or value as a message quotes it: short, unsafe characters escaped. */
const q = (word: string): string => excerpt(word);

function under(at: readonly string[]): string {
  return at.length === 0 ? 'at the top level' : `under '${formatPath(at)}'`;
}

/** The words an error says were expected: the first `max`, then how many in all. */
export function listAllowed(words: readonly string[], max = 12): string {
  const shown = words.slice(0, max).join(', ');
  return words.length > max ? `${shown}, ... (${words.length} in all)` : shown;
}

export function describeEditError(error: EditError): string {
  switch (error.code) {
    case 'empty-path':
      return 'a configuration path is required';
    case 'unknown-word':
      return `unknown word '${q(error.word)}' ${under(error.at)}${didYouMean(error.word, error.allowed)}; expected one of: ${listAllowed(error.allowed)}`;
    case 'invalid-value': {
      const target = `'${formatPath(error.at)}'`;
      if (error.reason) return `'${q(error.word)}' is not allowed for ${target}: ${error.reason}`;
      const type = error.node.kind === 'tag' ? error.node.key : error.node.type;
      return `'${q(error.word)}' is not a valid value for ${target}; expected ${describeType(type)}`;
    }
    case 'no-value-allowed':
      return `'${formatPath(error.at)}' takes no value, found '${q(error.word)}'`;
    case 'extra-word':
      return `unexpected '${q(error.word)}' after the value of '${formatPath(error.at)}'`;
    case 'value-required':
      return `'${formatPath(error.at)}' needs a ${error.what}: ${error.help}`;
    case 'nothing-to-delete':
      return error.value === undefined
        ? `nothing to delete: '${formatPath(error.at)}' is not configured`
        : `nothing to delete: '${formatPath(error.at)}' has no value '${q(error.value)}'`;
    case 'unsupported':
      return `'${formatPath(error.at)}' is not supported: ${error.reason}`;
    case 'bad-verb':
      return `unknown command '${q(error.word)}'${didYouMean(error.word, error.allowed)}; expected ${error.allowed.join(', ')}`;
    case 'bad-comment':
      return `cannot comment '${formatPath(error.at)}': ${error.reason}`;
    case 'bad-activation':
      return `cannot ${error.verb} '${formatPath(error.at)}': ${error.reason}`;
    case 'not-configured':
      return `'${formatPath(error.at)}' is not configured`;
    case 'bad-insert':
      return error.at.length === 0
        ? `cannot insert: ${error.reason}`
        : `cannot insert in '${formatPath(error.at)}': ${error.reason}`;
    case 'comment-needs-text':
      return `comment on '${formatPath(error.at)}' needs the comment text as its last word`;
  }
}

/** Where in the command's words an error points (index into the words after the verb). */
export function errorWordIndex(error: EditError, wordCount: number): number {
  return 'index' in error ? error.index : wordCount;
}
