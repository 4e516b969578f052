/**
 * Kernel rendering (pure): the configuration -> the links, addresses and
 * bridge/VXLAN parameters the target namespace should have.
 */
import { getNode, type ConfigNode } from '../config/tree.js';
import { canonicalAddressPrefix } from '../schema/index.js';

export type LinkKind = 'ethernet' | 'loopback' | 'bridge' | 'vxlan' | 'dummy' | 'vlan';

/** Kinds FOS1 creates (and so may delete); ethernet and loopback exist by themselves. */
export const VIRTUAL_KINDS: ReadonlySet<LinkKind> = new Set(['bridge', 'vxlan', 'dummy', 'vlan']);

export interface BridgeParameters {
  readonly stp: boolean;
  readonly priority: number;
  /** Seconds. */
  readonly aging: number;
  readonly forwardDelay: number;
  readonly helloTime: number;
  readonly maxAge: number;
}

export interface VxlanParameters {
  readonly vni: number | undefined;
  readonly remote: string | undefined;
  readonly group: string | undefined;
  readonly local: string | undefined;
  readonly dev: string | undefined;
  readonly port: number;
  readonly learning: boolean;
  readonly external: boolean;
  readonly ttl: number;
  readonly tos: number;
  readonly df: string;
  /** Head-end replication: every remote of a VXLAN with more than one, as all-zero FDB entries. */
  readonly flood: readonly string[];
}

export interface VlanParameters {
  readonly parent: string;
  readonly id: number;
  readonly protocol: '802.1Q' | '802.1ad';
}

export interface LinkState {
  readonly name: string;
  readonly kind: LinkKind;
  readonly up: boolean;
  readonly mtu: number | undefined;
  readonly mac: string | undefined;
  /** The description, kept as the kernel's ifalias. */
  readonly alias: string | undefined;
  readonly master: string | undefined;
  /** `address/prefix`, in the kernel's spelling. */
  readonly addresses: readonly string[];
  readonly bridge?: BridgeParameters;
  readonly vxlan?: VxlanParameters;
  readonly vlan?: VlanParameters;
}

export interface KernelState {
  readonly links: ReadonlyMap<string, LinkState>;
}

/** Addresses the kernel puts on lo by itself; FOS1 never removes them. */
export const LOOPBACK_DEFAULTS = ['127.0.0.1/8', '::1/128'];

const leaf = (n: ConfigNode, name: string): string | undefined => n.children.get(name)?.values[0];
const has = (n: ConfigNode, name: string): boolean => n.children.has(name);
const num = (n: ConfigNode, name: string): number | undefined => {
  const v = leaf(n, name);
  return v === undefined ? undefined : Number(v);
};

function staticAddresses(n: ConfigNode): string[] {
  return (n.children.get('address')?.values ?? [])
    .filter((a) => a !== 'dhcp' && a !== 'dhcpv6')
    .map(canonicalAddressPrefix);
}

function common(
  name: string,
  kind: LinkKind,
  n: ConfigNode,
  master: string | undefined,
): LinkState {
  return {
    name,
    kind,
    up: !has(n, 'disable'),
    mtu: num(n, 'mtu'),
    mac: leaf(n, 'mac')?.toLowerCase(),
    alias: leaf(n, 'description'),
    master,
    addresses: staticAddresses(n),
  };
}

/**
 * The desired kernel state of a configuration (with defaults already filled
 * in by verify's `withDefaults`).
 */
export function renderKernel(config: ConfigNode): KernelState {
  const links = new Map<string, LinkState>();
  const interfaces = getNode(config, ['interfaces']);
  if (!interfaces) return { links };
  const masters = new Map<string, string>();
  for (const [bridge, entry] of interfaces.children.get('bridge')?.children ?? []) {
    for (const member of entry.children.get('member')?.children.get('interface')?.children.keys() ??
      [])
      masters.set(member, bridge);
  }
  const add = (link: LinkState): void => void links.set(link.name, link);
  const addVlans = (parent: string, n: ConfigNode): void => {
    for (const [vid, vif] of n.children.get('vif')?.children ?? []) {
      const name = `${parent}.${vid}`;
      add({
        ...common(name, 'vlan', vif, masters.get(name)),
        vlan: { parent, id: Number(vid), protocol: '802.1Q' },
      });
    }
    for (const [sid, svif] of n.children.get('vif-s')?.children ?? []) {
      const name = `${parent}.${sid}`;
      const protocol = leaf(svif, 'protocol') === '802.1q' ? '802.1Q' : '802.1ad';
      add({
        ...common(name, 'vlan', svif, masters.get(name)),
        vlan: { parent, id: Number(sid), protocol },
      });
      for (const [cid, cvif] of svif.children.get('vif-c')?.children ?? []) {
        const cname = `${name}.${cid}`;
        add({
          ...common(cname, 'vlan', cvif, masters.get(cname)),
          vlan: { parent: name, id: Number(cid), protocol: '802.1Q' },
        });
      }
    }
  };

  for (const [name, n] of interfaces.children.get('loopback')?.children ?? []) {
    add({
      ...common(name, 'loopback', n, undefined),
      up: true,
      mtu: undefined,
      addresses: [...LOOPBACK_DEFAULTS, ...staticAddresses(n)],
    });
  }
  for (const [name, n] of interfaces.children.get('ethernet')?.children ?? []) {
    add(common(name, 'ethernet', n, masters.get(name)));
    addVlans(name, n);
  }
  for (const [name, n] of interfaces.children.get('dummy')?.children ?? [])
    add(common(name, 'dummy', n, masters.get(name)));
  for (const [name, n] of interfaces.children.get('vxlan')?.children ?? []) {
    const parameters = n.children.get('parameters');
    const ip = parameters?.children.get('ip');
    const remotes = (n.children.get('remote')?.values ?? []).map(canonicalAddressPrefix);
    const address = (v: string | undefined): string | undefined =>
      v === undefined ? undefined : canonicalAddressPrefix(v);
    add({
      ...common(name, 'vxlan', n, masters.get(name)),
      vxlan: {
        vni: num(n, 'vni'),
        // One remote is the link's own; several are flooded to through the forwarding database.
        remote: remotes.length === 1 ? remotes[0] : undefined,
        flood: remotes.length > 1 ? [...remotes].sort() : [],
        group: address(leaf(n, 'group')),
        local: address(leaf(n, 'source-address')),
        dev: leaf(n, 'source-interface'),
        port: num(n, 'port') ?? 8472,
        learning: !(parameters?.children.has('nolearning') ?? false),
        external: parameters?.children.has('external') ?? false,
        ttl: Number(ip ? (leaf(ip, 'ttl') ?? 16) : 16),
        tos: Number(ip ? (leaf(ip, 'tos') ?? 0) : 0),
        df: ip ? (leaf(ip, 'df') ?? 'unset') : 'unset',
      },
    });
  }
  // A bridge port that is not configured itself (a bare physical port) is still ours to enslave.
  for (const [member, bridge] of masters) {
    if (!links.has(member)) {
      add({
        name: member,
        kind: 'ethernet',
        up: true,
        mtu: undefined,
        mac: undefined,
        alias: undefined,
        master: bridge,
        addresses: [],
      });
    }
  }
  for (const [name, n] of interfaces.children.get('bridge')?.children ?? []) {
    add({
      ...common(name, 'bridge', n, undefined),
      bridge: {
        stp: has(n, 'stp'),
        priority: num(n, 'priority') ?? 32768,
        aging: num(n, 'aging') ?? 300,
        forwardDelay: num(n, 'forwarding-delay') ?? 14,
        helloTime: num(n, 'hello-time') ?? 2,
        maxAge: num(n, 'max-age') ?? 20,
      },
    });
    addVlans(name, n);
  }
  return { links };
}
