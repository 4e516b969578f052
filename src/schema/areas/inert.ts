/**
 * Paths that are accepted and kept, but that no backend applies yet. A
 * commit that sets one of them says so; the reference marks them. Rules are
 * data: the schema paths they cover.
 */
import type { SchemaNode } from '../node.js';

interface InertRule {
  /** Schema paths of the nodes this rule covers: keywords, with `*` for a tag entry. */
  readonly paths: readonly string[];
  readonly reason: string;
}

const ETHTOOL = 'link speed, duplex, offloads and ring buffers (ethtool) are not applied yet';
const SYSCTL = 'per-interface IPv4/IPv6 settings (sysctls) are not applied yet';

/** Every link entry that carries `ip`/`ipv6` settings. */
const LINK_ENTRIES = [
  'interfaces ethernet *',
  'interfaces ethernet * vif *',
  'interfaces ethernet * vif-s *',
  'interfaces ethernet * vif-s * vif-c *',
  'interfaces bridge *',
  'interfaces bridge * vif *',
  'interfaces vxlan *',
  'interfaces dummy *',
  'interfaces bonding *',
  'interfaces bonding * vif *',
  'interfaces bonding * vif-s *',
  'interfaces bonding * vif-s * vif-c *',
  'interfaces wireguard *',
];

const under = (parents: readonly string[], names: readonly string[]): string[] =>
  parents.flatMap((p) => names.map((n) => `${p} ${n}`));

export const INERT_RULES: readonly InertRule[] = [
  {
    paths: under(
      ['interfaces ethernet *'],
      [
        'speed',
        'duplex',
        'offload',
        'ring-buffer',
        'hw-id',
        'disable-flow-control',
        'disable-link-detect',
      ],
    ),
    reason: ETHTOOL,
  },
  { paths: under(LINK_ENTRIES, ['ip', 'ipv6']), reason: SYSCTL },
  {
    paths: under(['interfaces bridge * member interface *'], ['cost', 'priority', 'isolated']),
    reason: 'bridge port cost, priority and isolation are not applied yet',
  },
  {
    paths: [
      'protocols static route * next-hop * bfd',
      'protocols static route6 * next-hop * bfd',
      'protocols static table * route * next-hop * bfd',
      'protocols static table * route6 * next-hop * bfd',
    ],
    reason: 'BFD for static routes needs FRR 9; FRR 8.4 here keeps the route without it',
  },
  {
    paths: ['interfaces bonding * disable-link-detect'],
    reason: ETHTOOL,
  },
  {
    paths: ['interfaces wireguard * per-client-thread'],
    reason: "WireGuard's per-client threads are not applied yet",
  },
  {
    paths: ['vrf bind-to-all'],
    reason: 'binding services to all VRFs (the l3mdev_accept sysctls) is not applied yet',
  },
  {
    paths: ['vrf name * vni'],
    reason: "a VRF's EVPN VNI is kept but not applied yet (EVPN is not implemented)",
  },
  {
    paths: ['protocols static arp'],
    reason: 'static ARP entries are kept but not applied yet',
  },
  {
    paths: under(['system'], ['domain-name', 'domain-search', 'name-server', 'time-zone']),
    reason:
      'name resolution and the time zone are kept for the router image; the lab changes nothing of the host for them',
  },
];

function children(node: SchemaNode): [string, SchemaNode][] {
  if (node.kind === 'container' || node.kind === 'entry')
    return [...node.children.values()].map((c) => [c.name, c]);
  if (node.kind === 'tag') return [['*', node.entry]];
  return [];
}

/**
 * Mark the nodes the rules name, by schema path (an OSPF `interface X cost`
 * is not a bridge port's). Runs once, while the schema is being built; a path
 * that names no node is an error, so the rules cannot go stale.
 */
export function markInert(root: SchemaNode): void {
  const wanted = new Map<string, string>();
  for (const rule of INERT_RULES) for (const path of rule.paths) wanted.set(path, rule.reason);
  const found = new Set<string>();
  const visit = (node: SchemaNode, path: string): void => {
    for (const [word, child] of children(node)) {
      const here = path ? `${path} ${word}` : word;
      const reason = wanted.get(here);
      if (reason !== undefined) {
        (child as { inert?: string }).inert = reason;
        found.add(here);
      }
      if (!child.unsupported) visit(child, here);
    }
  };
  visit(root, '');
  const missing = [...wanted.keys()].filter((p) => !found.has(p));
  if (missing.length > 0)
    throw new Error(`schema: inert paths that name no node: ${missing.join(', ')}`);
}
