/**
 * `help` and `help COMMAND`: the reference entry of an operational command
 * or of a configuration path, from the same data as the generated reference
 * in docs/ (src/op/reference.ts, src/cli/reference.ts).
 */
import { describeEditError, formatPath, resolveWords, schemaAt } from '../config/index.js';
import {
  describeOpError,
  keywordsAt,
  opEntry,
  opEntryText,
  opNodeAt,
  opTree,
  visibleCommands,
  type OpMode,
} from '../op/index.js';
import { keywordChildren, type ContainerNode, type SchemaNode } from '../schema/index.js';
import { CONFIGURATION } from './config-words.js';
import { schemaEntry } from './reference.js';

export type HelpResult =
  | { readonly ok: true; readonly lines: string[] }
  | { readonly ok: false; readonly message: string; readonly index: number };

/** Entries `help show` lists before it counts the rest. */
const MAX_ENTRIES = 60;

function rows(pairs: readonly (readonly [string, string])[], indent = '  '): string[] {
  const width = Math.min(
    28,
    pairs.reduce((n, [w]) => Math.max(n, w.length), 0),
  );
  return pairs.map(([w, h]) => `${indent}${w.padEnd(width)}  ${h}`);
}

/** `help [WORDS]` for operational commands; `index` of an error counts from the first of `words`. */
export function opHelp(words: readonly string[], mode: OpMode): HelpResult {
  const at = opNodeAt(opTree, words, mode);
  if ('error' in at)
    return { ok: false, message: describeOpError(at.error), index: at.error.index };
  const node = at.node;
  if (words.length === 0)
    return {
      ok: true,
      lines: [
        'Operational commands:',
        ...rows(keywordsAt(node, mode).map((k) => [k.word, k.help ?? ''])),
        "'help COMMAND' shows the reference entry of a command ('help show interfaces');",
        'TAB completes a word, ? lists what may follow, | display json prints the data.',
      ],
    };
  const below = visibleCommands(opTree, mode).filter((c) =>
    node.path.every((w, i) => c.words[i] === w),
  );
  const shown = below.slice(0, MAX_ENTRIES).flatMap((c) => opEntryText(opEntry(opTree, c)));
  const more =
    below.length > MAX_ENTRIES
      ? [`... and ${below.length - MAX_ENTRIES} more: 'help' with more words narrows it`]
      : [];
  return { ok: true, lines: [...shown, ...more] };
}

/** The entry of one schema node at `path`, and what may come below it. */
function schemaHelp(node: SchemaNode, path: readonly string[]): string[] {
  const entry = schemaEntry(node);
  const lines = [
    `${formatPath(path)} (${entry.kind})`,
    `  ${entry.description.replace(/\*/g, '')}`,
  ];
  if (entry.values.length > 0)
    lines.push(
      '  Values:',
      ...rows(
        entry.values.map((v) => [v.format, v.description]),
        '    ',
      ),
    );
  if (entry.default !== undefined) lines.push(`  Default: ${entry.default}`);
  const branch = node.kind === 'tag' ? node.entry : node;
  const children = keywordChildren(branch);
  if (children && children.size > 0 && !node.unsupported)
    lines.push(
      node.kind === 'tag' ? '  Under each entry:' : '  Under it:',
      ...rows(
        [...children.values()].map((c) => [c.name, c.unsupported ? `${c.help} (not yet)` : c.help]),
        '    ',
      ),
    );
  return lines;
}

/**
 * `help [WORDS]` in configuration mode: the commands, one command's words,
 * or the entry of the path after a path verb (`help set interfaces ethernet`,
 * or the path alone). The words are expanded already (see expand.ts).
 */
export function configurationHelp(
  schema: ContainerNode,
  level: readonly string[],
  words: readonly string[],
): HelpResult {
  const [verb, ...rest] = words;
  if (verb === undefined)
    return {
      ok: true,
      lines: [
        'Configuration commands:',
        ...rows(Object.entries(CONFIGURATION).map(([w, c]) => [w, c.help])),
        "'help set PATH' shows the reference entry of a configuration path; 'help run COMMAND'",
        'that of an operational command.',
      ],
    };
  const command = CONFIGURATION[verb];
  if (verb === 'insert' && (rest.length === 0 || endsWithPlace(rest)))
    return { ok: true, lines: insertHelp(schema) };
  if (command?.op) {
    const op = opHelp(rest, 'configuration');
    return op.ok ? op : { ...op, index: op.index + 1 };
  }
  if (command && (!command.path || rest.length === 0)) {
    const next = Object.entries(command.next ?? {}).map(([w, c]): [string, string] => [w, c.help]);
    return {
      ok: true,
      lines: [
        `${verb}`,
        `  ${command.help}`,
        ...(command.value ? rows([[command.value.format, command.value.description]], '    ') : []),
        ...rows(next, '    '),
      ],
    };
  }
  const pathWords = command ? rest : words;
  const offset = command ? 1 : 0;
  const full = [...level, ...pathWords];
  const resolved = resolveWords(schema, full);
  if (resolved.kind === 'invalid') {
    const error = resolved.error;
    const index = 'index' in error ? error.index - level.length + offset : offset;
    return { ok: false, message: describeEditError(error), index };
  }
  const node = resolved.kind === 'unsupported' ? schemaAt(schema, resolved.path) : resolved.node;
  return { ok: true, lines: node ? schemaHelp(node, resolved.path) : [] };
}

/** The paths of the ordered lists (`firewall ipv4 name <name> rule`), for `help insert`. */
export function orderedLists(schema: ContainerNode): string[] {
  const out: string[] = [];
  const visit = (node: SchemaNode, path: string): void => {
    if (node.unsupported) return;
    if (node.kind === 'tag') {
      if (node.ordered) out.push(path);
      else visit(node.entry, `${path} <${node.name}>`);
      return;
    }
    for (const child of keywordChildren(node)?.values() ?? [])
      visit(child, path ? `${path} ${child.name}` : child.name);
  };
  visit(schema, '');
  return out;
}

/** An insert line's place at its end (`... before rule 20`, `... after 20`): help shows insert's own entry. */
function endsWithPlace(words: readonly string[]): boolean {
  const place = words.findLastIndex((w) => w === 'before' || w === 'after');
  return place > 0 && words.length - place <= 3;
}

function insertHelp(schema: ContainerNode): string[] {
  return [
    'insert PATH rule A before|after rule B',
    `  ${CONFIGURATION.insert!.help}.`,
    "  A rule's number is its order: rule A (which must exist) takes a free number between",
    '  rule B and its neighbour; where there is none, rule B and the rules right after it',
    "  move up (by the list's spacing, or by one). It prints what was renumbered; compare",
    '  shows it as deletes and sets, and commit applies it. The path may start at the edit',
    "  level ('edit firewall ipv4 name WAN', then 'insert rule 20 before rule 10').",
    '  Ordered lists:',
    ...orderedLists(schema).map((p) => `    ${p}`),
  ];
}
