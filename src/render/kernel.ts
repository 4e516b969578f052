/**
 * Kernel rendering (pure): the configuration -> the links, addresses and
 * bridge/VXLAN/VLAN/bond/VRF/WireGuard parameters the target namespace
 * should have.
 */
import { getNode, type ConfigNode } from '../config/tree.js';
import { canonicalAddressPrefix } from '../schema/index.js';

export type LinkKind =
  'ethernet' | 'loopback' | 'bridge' | 'vxlan' | 'dummy' | 'vlan' | 'bond' | 'vrf' | 'wireguard';

/** Kinds FOS1 creates (and so may delete); ethernet and loopback exist by themselves. */
export const VIRTUAL_KINDS: ReadonlySet<LinkKind> = new Set([
  'bridge',
  'vxlan',
  'dummy',
  'vlan',
  'bond',
  'vrf',
  'wireguard',
]);

/** The kernel's names of VyOS's bonding modes. */
export const BOND_MODES: Readonly<Record<string, string>> = {
  '802.3ad': '802.3ad',
  'active-backup': 'active-backup',
  broadcast: 'broadcast',
  'round-robin': 'balance-rr',
  'transmit-load-balance': 'balance-tlb',
  'adaptive-load-balance': 'balance-alb',
  'xor-hash': 'balance-xor',
};

/** Bond parameters; those a mode does not take are left out (the kernel refuses them). */
export interface BondParameters {
  /** The kernel's name: balance-rr, active-backup, 802.3ad... */
  readonly mode: string;
  readonly hashPolicy: string | undefined;
  readonly miimon: number;
  readonly minLinks: number;
  readonly primary: string | undefined;
  readonly lacpRate: string | undefined;
  readonly systemMac: string | undefined;
  readonly arpInterval: number;
  readonly arpTargets: readonly string[];
}

export interface WireguardPeer {
  readonly publicKey: string;
  readonly presharedKey: string | undefined;
  /** Canonical prefixes, sorted. */
  readonly allowedIps: readonly string[];
  /** `address:port`, `[v6]:port`. */
  readonly endpoint: string | undefined;
  readonly keepalive: number | undefined;
}

export interface WireguardParameters {
  readonly privateKey: string;
  readonly port: number | undefined;
  readonly fwmark: number;
  /** Sorted by public key. */
  readonly peers: readonly WireguardPeer[];
}

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
  readonly bond?: BondParameters;
  /** A VRF's routing table. */
  readonly table?: number;
  readonly wireguard?: WireguardParameters;
  /** The config path the link comes from (`interfaces ethernet eth1 vif 10`), for messages. */
  readonly path?: string;
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
  path: string,
): LinkState {
  return {
    name,
    kind,
    path,
    up: !has(n, 'disable'),
    mtu: num(n, 'mtu'),
    mac: leaf(n, 'mac')?.toLowerCase(),
    alias: leaf(n, 'description'),
    // A bridge or bond port belongs to it; any other link to its VRF.
    master: master ?? leaf(n, 'vrf'),
    addresses: staticAddresses(n),
  };
}

const MODES_WITH_HASH = new Set(['802.3ad', 'balance-xor']);
const MODES_WITH_PRIMARY = new Set(['active-backup', 'balance-tlb', 'balance-alb']);
const MODES_WITHOUT_ARP = new Set(['802.3ad', 'balance-tlb', 'balance-alb']);

function bondParameters(n: ConfigNode): BondParameters {
  const mode = BOND_MODES[leaf(n, 'mode') ?? '802.3ad'] ?? '802.3ad';
  const arp = n.children.get('arp-monitor');
  const arpInterval = MODES_WITHOUT_ARP.has(mode)
    ? 0
    : Number(arp ? (leaf(arp, 'interval') ?? 0) : 0);
  return {
    mode,
    hashPolicy: MODES_WITH_HASH.has(mode) ? (leaf(n, 'hash-policy') ?? 'layer2') : undefined,
    miimon: num(n, 'mii-mon-interval') ?? 100,
    minLinks: num(n, 'min-links') ?? 0,
    primary: MODES_WITH_PRIMARY.has(mode) ? leaf(n, 'primary') : undefined,
    lacpRate: mode === '802.3ad' ? (leaf(n, 'lacp-rate') ?? 'slow') : undefined,
    systemMac: mode === '802.3ad' ? leaf(n, 'system-mac')?.toLowerCase() : undefined,
    arpInterval,
    arpTargets: arpInterval > 0 ? [...(arp?.children.get('target')?.values ?? [])].sort() : [],
  };
}

function wireguardParameters(n: ConfigNode): WireguardParameters {
  const peers: WireguardPeer[] = [];
  for (const [, p] of n.children.get('peer')?.children ?? []) {
    if (has(p, 'disable')) continue;
    const address = leaf(p, 'address');
    const port = leaf(p, 'port');
    peers.push({
      publicKey: leaf(p, 'public-key') ?? '',
      presharedKey: leaf(p, 'preshared-key'),
      allowedIps: (p.children.get('allowed-ips')?.values ?? []).map(canonicalAddressPrefix).sort(),
      endpoint:
        address !== undefined && port !== undefined
          ? `${address.includes(':') ? `[${canonicalAddressPrefix(address)}]` : address}:${port}`
          : undefined,
      keepalive: num(p, 'persistent-keepalive'),
    });
  }
  peers.sort((a, b) => (a.publicKey < b.publicKey ? -1 : a.publicKey > b.publicKey ? 1 : 0));
  return {
    privateKey: leaf(n, 'private-key') ?? '',
    port: num(n, 'port'),
    fwmark: num(n, 'fwmark') ?? 0,
    peers,
  };
}

/**
 * The desired kernel state of a configuration (with defaults already filled
 * in by verify's `withDefaults`).
 */
export function renderKernel(config: ConfigNode): KernelState {
  const links = new Map<string, LinkState>();
  const add = (link: LinkState): void => void links.set(link.name, link);
  for (const [name, n] of getNode(config, ['vrf', 'name'])?.children ?? []) {
    add({
      name,
      kind: 'vrf',
      path: `vrf name ${name}`,
      up: true,
      mtu: undefined,
      mac: undefined,
      alias: leaf(n, 'description'),
      master: undefined,
      addresses: [],
      table: num(n, 'table'),
    });
  }
  const interfaces = getNode(config, ['interfaces']);
  if (!interfaces) return { links };
  const masters = new Map<string, string>();
  for (const [bridge, entry] of interfaces.children.get('bridge')?.children ?? []) {
    for (const member of entry.children.get('member')?.children.get('interface')?.children.keys() ??
      [])
      masters.set(member, bridge);
  }
  const bondMembers = new Set<string>();
  for (const [bond, entry] of interfaces.children.get('bonding')?.children ?? []) {
    for (const member of entry.children.get('member')?.children.get('interface')?.values ?? []) {
      masters.set(member, bond);
      bondMembers.add(member);
    }
  }
  const addVlans = (parent: string, n: ConfigNode, base: string): void => {
    for (const [vid, vif] of n.children.get('vif')?.children ?? []) {
      const name = `${parent}.${vid}`;
      add({
        ...common(name, 'vlan', vif, masters.get(name), `${base} vif ${vid}`),
        vlan: { parent, id: Number(vid), protocol: '802.1Q' },
      });
    }
    for (const [sid, svif] of n.children.get('vif-s')?.children ?? []) {
      const name = `${parent}.${sid}`;
      const protocol = leaf(svif, 'protocol') === '802.1q' ? '802.1Q' : '802.1ad';
      add({
        ...common(name, 'vlan', svif, masters.get(name), `${base} vif-s ${sid}`),
        vlan: { parent, id: Number(sid), protocol },
      });
      for (const [cid, cvif] of svif.children.get('vif-c')?.children ?? []) {
        const cname = `${name}.${cid}`;
        add({
          ...common(cname, 'vlan', cvif, masters.get(cname), `${base} vif-s ${sid} vif-c ${cid}`),
          vlan: { parent: name, id: Number(cid), protocol: '802.1Q' },
        });
      }
    }
  };
  const each = (family: string): [string, ConfigNode, string][] =>
    [...(interfaces.children.get(family)?.children ?? [])].map(([name, n]) => [
      name,
      n,
      `interfaces ${family} ${name}`,
    ]);

  for (const [name, n, path] of each('loopback')) {
    add({
      ...common(name, 'loopback', n, undefined, path),
      up: true,
      mtu: undefined,
      addresses: [...LOOPBACK_DEFAULTS, ...staticAddresses(n)],
    });
  }
  for (const [name, n, path] of each('ethernet')) {
    const link = common(name, 'ethernet', n, masters.get(name), path);
    // A bond sets its members' MTU and MAC address.
    add(bondMembers.has(name) ? { ...link, mtu: undefined, mac: undefined } : link);
    addVlans(name, n, path);
  }
  for (const [name, n, path] of each('dummy'))
    add(common(name, 'dummy', n, masters.get(name), path));
  for (const [name, n, path] of each('bonding')) {
    add({ ...common(name, 'bond', n, masters.get(name), path), bond: bondParameters(n) });
    addVlans(name, n, path);
  }
  for (const [name, n, path] of each('wireguard'))
    add({ ...common(name, 'wireguard', n, undefined, path), wireguard: wireguardParameters(n) });
  for (const [name, n, path] of each('vxlan')) {
    const parameters = n.children.get('parameters');
    const ip = parameters?.children.get('ip');
    const remotes = (n.children.get('remote')?.values ?? []).map(canonicalAddressPrefix);
    const address = (v: string | undefined): string | undefined =>
      v === undefined ? undefined : canonicalAddressPrefix(v);
    add({
      ...common(name, 'vxlan', n, masters.get(name), path),
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
  // A bridge or bond port that is not configured itself (a bare physical port) is still ours to enslave.
  for (const [member, master] of masters) {
    if (!links.has(member)) {
      add({
        name: member,
        kind: 'ethernet',
        up: true,
        mtu: undefined,
        mac: undefined,
        alias: undefined,
        master,
        addresses: [],
      });
    }
  }
  for (const [name, n, path] of each('bridge')) {
    add({
      ...common(name, 'bridge', n, undefined, path),
      bridge: {
        stp: has(n, 'stp'),
        priority: num(n, 'priority') ?? 32768,
        aging: num(n, 'aging') ?? 300,
        forwardDelay: num(n, 'forwarding-delay') ?? 14,
        helloTime: num(n, 'hello-time') ?? 2,
        maxAge: num(n, 'max-age') ?? 20,
      },
    });
    addVlans(name, n, path);
  }
  return { links };
}
