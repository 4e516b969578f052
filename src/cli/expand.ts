/**
 * Unambiguous prefixes of keywords, as Junos and the VyOS op mode accept them
 * (`sho int`, `se int eth eth0 mtu 1400`): configuration mode's command words
 * and the keywords of configuration paths become the full words before the
 * command runs, so what is stored, audited and kept in history is spelt in
 * full. Values (names, numbers, files, comments) are never expanded; a word
 * that begins several keywords is an error naming them. Operational commands
 * are matched the same way by the op tree itself (src/op/tree.ts).
 */
import { excerpt } from '../../grammar/index.js';
import { didYouMean, formatPath, listAllowed, matchKeyword } from '../config/index.js';
import { keywordChildren, type ContainerNode, type SchemaNode } from '../schema/index.js';
import { CONFIGURATION, type CommandWord } from './config-words.js';

export type Expansion =
  | { readonly ok: true; readonly words: readonly string[] }
  /** `index`: the word the error is about. */
  | { readonly ok: false; readonly index: number; readonly message: string };

/** The verbs whose words after them are a configuration path. */
const PATH_VERBS = new Set([
  'set',
  'delete',
  'edit',
  'show',
  'comment',
  'annotate',
  'copy',
  'rename',
]);

function ambiguous(
  word: string,
  what: string,
  candidates: readonly string[],
  at?: readonly string[],
): string {
  const where =
    at === undefined ? '' : at.length === 0 ? ' at the top level' : ` under '${formatPath(at)}'`;
  return `ambiguous ${what} '${excerpt(word)}'${where}: it begins ${listAllowed(candidates)}`;
}

/**
 * The keywords of a path written in full, from `level` (the edit level).
 * Expansion stops at the first word the schema does not know: resolving the
 * path then reports it, with a suggestion.
 */
export function expandPath(
  schema: ContainerNode,
  level: readonly string[],
  words: readonly string[],
  /** Stop after the keyword at `index` that led to `node` (insert stops at its list). */
  stop?: (node: SchemaNode, index: number) => boolean,
): Expansion {
  const out = [...words];
  let node: SchemaNode | undefined = schema;
  for (const word of level) {
    if (!node) break;
    node = node.kind === 'tag' ? node.entry : keywordChildren(node)?.get(word);
  }
  for (let i = 0; i < out.length && node; i++) {
    if (node.unsupported) break;
    if (node.kind === 'tag') {
      node = node.entry;
      continue;
    }
    const children = keywordChildren(node);
    if (!children) break; // a leaf's value, or words after a flag
    const m = matchKeyword(out[i]!, children.keys());
    if (m.kind === 'ambiguous')
      return {
        ok: false,
        index: i,
        message: ambiguous(out[i]!, 'word', m.candidates, [...level, ...out.slice(0, i)]),
      };
    if (m.kind === 'none') break;
    out[i] = m.word;
    node = children.get(m.word);
    if (node && stop?.(node, i)) break;
  }
  return { ok: true, words: out };
}

/**
 * `insert PATH rule A before|after rule B`: the path's keywords up to the
 * ordered list, then `before`/`after` and the list's word again; the numbers
 * are values. Past the list's word the rule's own keywords must not be
 * matched (`a` would become `action`, not `after`).
 */
function expandInsert(
  schema: ContainerNode,
  level: readonly string[],
  words: readonly string[],
): Expansion {
  let list: { index: number; name: string } | undefined;
  const path = expandPath(schema, level, words, (node, index) => {
    if (node.kind !== 'tag' || !node.ordered) return false;
    list = { index, name: node.name };
    return true;
  });
  if (!path.ok || !list) return path;
  const out = [...path.words];
  for (const [at, keywords] of [
    [list.index + 2, ['before', 'after']],
    [list.index + 3, [list.name]],
  ] as const) {
    const word = out[at];
    if (word === undefined) break;
    const m = matchKeyword(word, keywords);
    if (m.kind === 'exact' || m.kind === 'prefix') out[at] = m.word;
  }
  return { ok: true, words: out };
}

/** The words after a command word (`commit che` -> `commit check`); values are left as they are. */
function expandOptions(table: Readonly<Record<string, CommandWord>>, words: string[]): Expansion {
  for (let i = 0; i < words.length; i++) {
    const m = matchKeyword(words[i]!, Object.keys(table));
    if (m.kind === 'ambiguous')
      return { ok: false, index: i, message: ambiguous(words[i]!, 'word', m.candidates) };
    if (m.kind === 'none') continue;
    words[i] = m.word;
    const entry = table[m.word]!;
    // A required value follows (`commit comment TEXT`): it is never a keyword.
    if (entry.value && !entry.done) i++;
  }
  return { ok: true, words };
}

/** A configuration-mode command with its keywords in full; indexes count from the verb (0). */
export function expandConfiguration(
  schema: ContainerNode,
  level: readonly string[],
  words: readonly string[],
): Expansion {
  if (words.length === 0) return { ok: true, words };
  const [typed, ...rest] = words as [string, ...string[]];
  const verbs = Object.keys(CONFIGURATION);
  const m = matchKeyword(typed, [...verbs, 'quit']);
  if (m.kind === 'ambiguous')
    return { ok: false, index: 0, message: ambiguous(typed, 'command', m.candidates) };
  if (m.kind === 'none')
    return {
      ok: false,
      index: 0,
      message: `unknown command '${excerpt(typed)}'${didYouMean(typed, verbs)}; expected ${verbs.join(', ')}`,
    };
  const verb = m.word;
  const shifted = (e: Expansion): Expansion =>
    e.ok ? { ok: true, words: [verb, ...e.words] } : { ...e, index: e.index + 1 };
  if (verb === 'help') {
    // `help COMMAND...`, or `help PATH` for a path alone (`help int eth`).
    if (rest.length === 0) return { ok: true, words: [verb] };
    const asCommand = matchKeyword(rest[0]!, verbs);
    return shifted(
      asCommand.kind === 'none'
        ? expandPath(schema, level, rest)
        : expandConfiguration(schema, level, rest),
    );
  }
  if (verb === 'insert') return shifted(expandInsert(schema, level, rest));
  if (PATH_VERBS.has(verb)) {
    // What is not path: the comment text, and `to NEW-NAME` of copy and rename.
    const end =
      verb === 'comment' || verb === 'annotate'
        ? Math.max(0, rest.length - 1)
        : verb === 'copy' || verb === 'rename'
          ? rest.lastIndexOf('to') === -1
            ? rest.length
            : rest.lastIndexOf('to')
          : rest.length;
    const path = expandPath(schema, level, rest.slice(0, end));
    if (!path.ok) return shifted(path);
    return shifted({ ok: true, words: [...path.words, ...rest.slice(end)] });
  }
  const table = CONFIGURATION[verb]?.next;
  return shifted(table ? expandOptions(table, [...rest]) : { ok: true, words: rest });
}
