/** `show configuration`, and the view of a configuration tree that `show` in configuration mode shares. */
import {
  curlyChild,
  schemaAt,
  setCommands,
  toCurly,
  toJsonValue,
  toSetForm,
  type ConfigJson,
  type ConfigNode,
} from '../config/index.js';
import type { ContainerNode, SchemaNode } from '../schema/index.js';
import type { OpContext } from './context.js';
import { command, type OpArea } from './tree.js';
import { textWidth, wrapIndented } from './wrap.js';

/**
 * A configuration subtree as a command shows it: curly text, set commands,
 * or JSON (its `toJSON`, which `| display json` prints).
 */
export class ConfigurationView {
  private readonly node: SchemaNode | undefined;

  constructor(
    readonly tree: ConfigNode,
    readonly path: readonly string[],
    private readonly root: ContainerNode,
  ) {
    this.node = path.length === 0 ? root : schemaAt(root, path);
  }

  /** The curly form; at a terminal's width (src/op/wrap.ts) long lines wrap, for display only. */
  curly(): string[] {
    const lines = this.curlyLines();
    const width = textWidth();
    return width === undefined ? lines : lines.flatMap((l) => wrapIndented(l, width));
  }

  private curlyLines(): string[] {
    const s = this.node;
    if (this.path.length === 0) return toCurly(this.tree, this.root).trimEnd().split('\n');
    // A leaf or a tag node shows as itself; a node or tag entry shows what it holds.
    if (s && (s.kind === 'leaf' || s.kind === 'multi' || s.kind === 'flag' || s.kind === 'tag'))
      return curlyChild(this.path[this.path.length - 1]!, this.tree, s, 0);
    const body = toCurly(this.tree, (s as ContainerNode | undefined) ?? this.root).trimEnd();
    return body ? body.split('\n') : [];
  }

  set(): string[] {
    if (this.path.length > 0) return setCommands(this.tree, this.node ?? this.root, this.path);
    // The whole tree: the set form kept per node, as revisions store it.
    const text = toSetForm(this.tree, this.root);
    return text ? text.trimEnd().split('\n') : [];
  }

  toJSON(): ConfigJson | string | string[] {
    const s = this.node;
    if (s?.kind === 'leaf') return this.tree.values[0] ?? '';
    if (s?.kind === 'multi') return [...this.tree.values];
    return toJsonValue(this.tree, s);
  }
}

const running = (ctx: OpContext): ConfigurationView =>
  new ConfigurationView(ctx.visible(ctx.system.running().tree), [], ctx.schema);

export const configurationCommands: OpArea = {
  name: 'configuration',
  commands: [
    command('show configuration', {
      help: 'Show the running configuration',
      run: running,
      text: (view) => view.curly(),
      set: (view) => view.set(),
    }),
    command('show configuration commands', {
      help: 'As set commands',
      run: running,
      text: (view) => view.set(),
      set: (view) => view.set(),
    }),
    command('show configuration json', {
      help: 'As JSON',
      run: running,
      text: (view) => [JSON.stringify(view, null, 2)],
      set: (view) => view.set(),
    }),
  ],
};
