/** The command reference in docs/, generated from the schema (a test fails when the file is stale). */
import type { ContainerNode, SchemaNode, ValueHelp } from '../schema/index.js';
import { valueHelp } from '../schema/index.js';

function helpCell(helps: readonly ValueHelp[]): string {
  return helps.map((h) => `\`${h.format}\` ${h.description}`).join('<br>');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function kindOf(node: SchemaNode): string {
  switch (node.kind) {
    case 'tag':
      return 'tag';
    case 'multi':
      return 'multi';
    case 'leaf':
      return 'leaf';
    case 'flag':
      return 'flag';
    default:
      return 'node';
  }
}

/** One path's reference entry: what the generated reference and `help PATH` both show. */
export interface SchemaEntry {
  readonly kind: string;
  readonly values: readonly ValueHelp[];
  readonly default: string | undefined;
  readonly description: string;
}

export function schemaEntry(node: SchemaNode): SchemaEntry {
  const isLeaf = node.kind === 'leaf' || node.kind === 'multi';
  const note = node.unsupported
    ? ` — *not yet: ${node.unsupported}*`
    : node.inert
      ? ` — *kept, not applied yet: ${node.inert}*`
      : '';
  const secret = isLeaf && node.secret ? ' (secret)' : '';
  const ordered = node.kind === 'tag' && node.ordered ? ' (ordered: `insert` moves entries)' : '';
  return {
    kind: kindOf(node),
    values: node.kind === 'tag' || isLeaf ? valueHelp(node) : [],
    default: isLeaf ? node.default : undefined,
    description: node.help + secret + ordered + note,
  };
}

export function renderReference(root: ContainerNode): string {
  const out: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated from the schema by `npm run docs`; do not edit by hand. -->',
    '',
    'Every configuration path FOS1 knows. `<name>` stands for the key of a tag node',
    '(`interfaces ethernet <ethernet>` is `interfaces ethernet eth0`). Kinds: **node** holds',
    'other nodes, **tag** is a named list, **leaf** holds one value, **multi** a list of',
    'values, **flag** no value. Paths marked *not yet* are accepted by `fos check` as',
    'unsupported, with the reason shown. An *ordered* tag is evaluated in the order of its',
    'numbers (rules); `insert` moves and renumbers its entries.',
    '',
  ];
  for (const area of root.children.values()) {
    out.push(
      `## ${area.name}`,
      '',
      area.help + (area.unsupported ? ` — *not yet: ${area.unsupported}*` : ''),
      '',
    );
    if (area.unsupported) continue;
    out.push('| path | kind | values | default | description |', '| --- | --- | --- | --- | --- |');
    const visit = (node: SchemaNode, path: string): void => {
      if (node.kind === 'entry') {
        for (const child of node.children.values()) visit(child, `${path} ${child.name}`);
        return;
      }
      const entry = schemaEntry(node);
      const dflt = entry.default !== undefined ? `\`${entry.default}\`` : '';
      out.push(
        `| \`${path}\` | ${entry.kind} | ${escapeCell(helpCell(entry.values))} | ${dflt} | ${escapeCell(entry.description)} |`,
      );
      if (node.unsupported) return;
      if (node.kind === 'tag') visit(node.entry, `${path} <${node.name}>`);
      else if (node.kind === 'container')
        for (const child of node.children.values()) visit(child, `${path} ${child.name}`);
    };
    for (const child of (area as ContainerNode).children.values())
      visit(child, `${area.name} ${child.name}`);
    out.push('');
  }
  return out.join('\n');
}
