/**
 * Paths that are accepted and kept, but that no backend applies yet. A
 * commit that sets one of them says so; the reference marks them. Rules are
 * data: where a node is (its area and parent) and what it is called.
 */
import type { SchemaNode } from '../node.js';

interface InertRule {
  /** Node names this rule covers. */
  readonly names: readonly string[];
  /** The parent node's name (a tag name for entries). */
  readonly parent: string | readonly string[];
  readonly reason: string;
}

const ETHTOOL = 'link speed, duplex, offloads and ring buffers (ethtool) are not applied yet';
const SYSCTL = 'per-interface IPv4/IPv6 settings (sysctls) are not applied yet';

export const INERT_RULES: readonly InertRule[] = [
  {
    names: [
      'speed',
      'duplex',
      'offload',
      'ring-buffer',
      'hw-id',
      'disable-flow-control',
      'disable-link-detect',
    ],
    parent: 'ethernet',
    reason: ETHTOOL,
  },
  {
    names: ['ip', 'ipv6'],
    parent: ['ethernet', 'vif', 'vif-s', 'vif-c', 'bridge', 'vxlan', 'dummy'],
    reason: SYSCTL,
  },
  {
    names: ['cost', 'priority', 'isolated'],
    parent: 'interface',
    reason: 'bridge port cost, priority and isolation are not applied yet',
  },
  {
    names: ['domain-name', 'domain-search', 'name-server', 'time-zone'],
    parent: 'system',
    reason:
      'name resolution and the time zone are kept for the router image; the lab changes nothing of the host for them',
  },
];

function children(node: SchemaNode): SchemaNode[] {
  if (node.kind === 'container' || node.kind === 'entry') return [...node.children.values()];
  if (node.kind === 'tag') return [node.entry];
  return [];
}

/** Mark the nodes the rules name. Runs once, while the schema is being built. */
export function markInert(root: SchemaNode): void {
  const visit = (node: SchemaNode): void => {
    for (const child of children(node)) {
      const rule = INERT_RULES.find(
        (r) =>
          r.names.includes(child.name) && ([] as string[]).concat(r.parent).includes(node.name),
      );
      if (rule && child.kind !== 'entry') (child as { inert?: string }).inert = rule.reason;
      if (!child.unsupported) visit(child);
    }
  };
  visit(root);
}
