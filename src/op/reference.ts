/** The operational command reference in docs/, generated from the tree (a test fails when the file is stale). */
import {
  argHelp,
  argName,
  referenceSource,
  type ArgSpec,
  type OpArea,
  type OpCommand,
  type OpNode,
  type OpTree,
} from './tree.js';

/** Where TAB finds an argument's values, for its reference entry. */
function tabNote(spec: ArgSpec): string {
  const source = spec.source ?? (spec.reference ? referenceSource(spec.reference) : undefined);
  return source === undefined ? '' : ` (TAB: ${source})`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/**
 * The help of the words between a command's first word and its last that are
 * not commands themselves (`show nat source rules`: Network address
 * translation, Source NAT).
 */
function contextOf(tree: OpTree, words: readonly string[]): string[] {
  const helps: string[] = [];
  let node: OpNode | undefined = tree.root;
  let last = -1;
  words.forEach((w, i) => (last = argName(w) !== undefined ? last : i));
  words.forEach((word, i) => {
    const isArg = argName(word) !== undefined;
    node = isArg ? node?.arg?.next : node?.keywords.get(word);
    if (node && !isArg && i > 0 && i < last && !node.command && node.help) helps.push(node.help);
  });
  return helps;
}

/** One command's reference entry: what the generated reference and `help COMMAND` both show. */
export interface OpEntry {
  readonly pattern: string;
  /** Each argument or option: its formats (`<N>`, `count <N>`) and its help. */
  readonly args: readonly { readonly formats: readonly string[]; readonly help: string }[];
  readonly description: string;
  readonly notes: readonly string[];
}

export function opEntry(tree: OpTree, c: OpCommand): OpEntry {
  const args: { formats: string[]; help: string }[] = c.words
    .map(argName)
    .filter((name): name is string => name !== undefined)
    .map((name) => {
      const spec = c.args![name]!;
      const formats = argHelp({ name, spec, next: tree.root }).map((h) => h.format);
      return { formats, help: `${spec.help}${tabNote(spec)}` };
    });
  for (const [name, spec] of Object.entries(c.options ?? {})) {
    if ('flag' in spec) {
      args.push({ formats: [name], help: spec.help });
      continue;
    }
    const formats = argHelp({ name, spec, next: tree.root }).map((h) => `${name} ${h.format}`);
    args.push({ formats, help: `${spec.help}${tabNote(spec)}` });
  }
  const notes = [
    ...(c.options ? ['options in any order'] : []),
    ...(c.live ? ['live: Ctrl-C or `q` stops it'] : []),
    ...(c.daemon ? ['in fos serve only'] : []),
    ...(c.operationalOnly ? ['operational mode only'] : []),
  ];
  return {
    pattern: c.pattern,
    args,
    description: [...contextOf(tree, c.words), c.help].join(': '),
    notes,
  };
}

/** `help COMMAND`: the entry as lines of text. */
export function opEntryText(entry: OpEntry): string[] {
  const note = entry.notes.length ? ` (${entry.notes.join('; ').replace(/`/g, '')})` : '';
  const width = Math.min(
    24,
    entry.args.reduce((n, a) => Math.max(n, a.formats.join(', ').length), 0),
  );
  return [
    entry.pattern,
    `  ${entry.description}${note}`,
    ...entry.args.map((a) => `    ${a.formats.join(', ').padEnd(width)}  ${a.help}`),
  ];
}

export function renderOpReference(areas: readonly OpArea[], tree: OpTree): string {
  const out: string[] = [
    '# Operational command reference',
    '',
    '<!-- Generated from the operational command tree (src/op) by `npm run docs`; do not edit by hand. -->',
    '',
    'Every operational command FOS1 knows. `<N>` stands for an argument and `[<name>]` for one',
    'that may be left out; TAB offers the values of the completion source named beside it.',
    'Every command prints its data as JSON with `| display json`. In configuration mode, `run`',
    'runs any of them except those marked *operational mode only*. A live command (ping,',
    'monitor) prints its lines as they come and returns its data when it ends.',
    '',
  ];
  for (const area of areas) {
    const commands = area.commands.filter((c) => !c.hidden);
    if (commands.length === 0) continue;
    out.push(`## ${area.name}`, '', '| command | arguments | description |', '| --- | --- | --- |');
    for (const c of commands) {
      const entry = opEntry(tree, c);
      const args = entry.args.map(
        (a) => `${a.formats.map((f) => `\`${f}\``).join(', ')} ${a.help}`,
      );
      const note = entry.notes.length ? ` — *${entry.notes.join('; ')}*` : '';
      out.push(
        `| \`${c.pattern}\` | ${escapeCell(args.join('<br>'))} | ${escapeCell(entry.description + note)} |`,
      );
    }
    out.push('');
  }
  out.push('## Completion sources', '', '| source | values |', '| --- | --- |');
  for (const source of [...tree.sources.values()].sort((a, b) => a.name.localeCompare(b.name)))
    out.push(`| \`${source.name}\` | ${escapeCell(source.help)} |`);
  out.push('');
  return out.join('\n');
}
