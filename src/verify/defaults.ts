/** Schema defaults, filled in wherever their parent node exists. */
import type { ContainerNode, SchemaNode } from '../schema/index.js';
import { TreeEditor, type ConfigNode } from '../config/tree.js';

/** The tree the backends see: the candidate plus the defaults of every present node. */
export function withDefaults(tree: ConfigNode, schema: ContainerNode): ConfigNode {
  const editor = new TreeEditor(tree);
  const visit = (node: ConfigNode, s: SchemaNode, path: string[]): void => {
    if (s.unsupported) return;
    if (s.kind === 'tag') {
      for (const [key, entry] of node.children) visit(entry, s.entry, [...path, key]);
      return;
    }
    if (s.kind !== 'container' && s.kind !== 'entry') return;
    for (const [name, child] of s.children) {
      const present = node.children.get(name);
      if (present) visit(present, child, [...path, name]);
      else if (
        (child.kind === 'leaf' || child.kind === 'multi') &&
        child.default !== undefined &&
        path.length > 0
      ) {
        editor.setValue([...path, name], child.default);
      }
    }
  };
  visit(tree, schema, []);
  return editor.finish();
}
