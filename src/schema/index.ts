/** The one reference tree of FOS1, and its start-up self-check. */
import { firewall, nat, nat66 } from './areas/firewall.js';
import { interfaces } from './areas/interfaces.js';
import { markInert } from './areas/inert.js';
import { knownAreas } from './areas/known.js';
import { policy } from './areas/policy.js';
import { protocols } from './areas/protocols.js';
import { system } from './areas/system.js';
import { vrf } from './areas/vrf.js';
import { container, OWNERS, SAME_KEY, type ContainerNode, type SchemaNode } from './node.js';

export * from './node.js';
export * from './types.js';

export function buildSchema(): ContainerNode {
  const root = container('', 'Configuration root', [
    firewall,
    interfaces,
    nat,
    nat66,
    policy,
    protocols,
    system,
    vrf,
    ...knownAreas,
  ]);
  markInert(root);
  return root;
}

/** The schema every part of FOS1 reads. */
export const schema: ContainerNode = buildSchema();

export interface SchemaProblem {
  readonly path: string;
  readonly message: string;
}

function childrenOf(node: SchemaNode): Iterable<SchemaNode> {
  if (node.kind === 'container' || node.kind === 'entry') return node.children.values();
  if (node.kind === 'tag') return [node.entry];
  return [];
}

/** The schema node at a path of keywords (tag keys are not part of a reference's path). */
function schemaPath(root: SchemaNode, path: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const word of path) {
    if (node?.kind === 'tag' && word === SAME_KEY) {
      node = node.entry;
      continue;
    }
    if (!node || (node.kind !== 'container' && node.kind !== 'entry')) return undefined;
    node = node.children.get(word);
  }
  return node;
}

/**
 * Every node has help, every reference names a list of the schema, every owner exists, every implemented area has an
 * owner, and a node's priority is never lower than the one it inherits.
 */
export function checkSchema(root: ContainerNode = schema): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const known = new Set<string>(OWNERS);
  const visit = (
    node: SchemaNode,
    path: string,
    owner: string | undefined,
    priority: number,
  ): void => {
    const where = path || '(root)';
    if (!node.help.trim()) problems.push({ path: where, message: 'has no help text' });
    if (node.owner !== undefined && !known.has(node.owner)) {
      problems.push({ path: where, message: `names owner '${node.owner}', which does not exist` });
    }
    const effectiveOwner = node.owner ?? owner;
    if (node.priority !== undefined && node.priority < priority) {
      problems.push({
        path: where,
        message: `priority ${node.priority} is lower than its parent's ${priority}`,
      });
    }
    const effectivePriority = node.priority ?? priority;
    if (path && !effectiveOwner && !node.unsupported) {
      problems.push({ path: where, message: 'has no owner (no backend would apply it)' });
    }
    if (
      (node.kind === 'leaf' || node.kind === 'multi') &&
      node.default !== undefined &&
      !node.type.accepts(node.default)
    ) {
      problems.push({ path: where, message: `default '${node.default}' is not a valid value` });
    }
    if (node.kind === 'leaf' || node.kind === 'multi') {
      if (node.type.help.length === 0) problems.push({ path: where, message: 'has no value help' });
    }
    if (node.kind === 'tag' && node.key.help.length === 0)
      problems.push({ path: where, message: 'has no value help for its key' });
    if ((node.kind === 'leaf' || node.kind === 'multi' || node.kind === 'tag') && node.reference) {
      for (const target of node.reference.paths) {
        const list = schemaPath(root, target);
        if (list?.kind !== 'tag')
          problems.push({
            path: where,
            message: `refers to '${target.join(' ')}', which is not a named list of the schema`,
          });
      }
    }
    if (node.kind === 'tag' && node.ordered && !node.key.range)
      problems.push({ path: where, message: 'is ordered but its key is not a number range' });
    if (node.kind === 'tag' && node.orderRefs) {
      if (!node.ordered)
        problems.push({ path: where, message: 'has order references but is not ordered' });
      for (const ref of node.orderRefs) {
        const target = schemaPath(node.entry, ref);
        if (target?.kind !== 'leaf')
          problems.push({
            path: where,
            message: `order reference '${ref.join(' ')}' is not a leaf of its entries`,
          });
      }
    }
    if (node.unsupported) return;
    for (const child of childrenOf(node)) {
      const childPath =
        node.kind === 'tag'
          ? `${path} <${node.name}>`
          : path
            ? `${path} ${child.name}`
            : child.name;
      visit(child, childPath, effectiveOwner, effectivePriority);
    }
  };
  visit(root, '', undefined, 0);
  return problems;
}
