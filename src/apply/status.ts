/**
 * What operational commands read from the kernel of the target namespace:
 * links with their counters (`ip -s -d -json address show`), the neighbour
 * tables, a bridge's forwarding database and the main routing table. Each
 * reader parses one tool's JSON into plain data; nothing here changes the
 * system.
 */
import { CommandError, runChecked, run } from './run.js';
import { ipPrefix, type Target } from './target.js';

/** The kernel's counters of one link (`stats64`). */
export interface LinkCounters {
  readonly rxBytes: number;
  readonly rxPackets: number;
  readonly rxErrors: number;
  readonly rxDropped: number;
  readonly rxOverErrors: number;
  readonly rxMulticast: number;
  readonly txBytes: number;
  readonly txPackets: number;
  readonly txErrors: number;
  readonly txDropped: number;
  readonly txCarrierErrors: number;
  readonly txCollisions: number;
}

export const COUNTER_NAMES: readonly (keyof LinkCounters)[] = [
  'rxBytes',
  'rxPackets',
  'rxErrors',
  'rxDropped',
  'rxOverErrors',
  'rxMulticast',
  'txBytes',
  'txPackets',
  'txErrors',
  'txDropped',
  'txCarrierErrors',
  'txCollisions',
];

export interface LinkStatus {
  readonly ifindex: number;
  readonly name: string;
  /** `ethernet` for veth and physical ports; `bridge`, `vxlan`, `loopback`, ... as the kernel names them. */
  readonly kind: string;
  /** Administratively up (`ip link set up`). */
  readonly adminUp: boolean;
  /** The link's flags as `ip` prints them (`BROADCAST`, `UP`, `LOWER_UP`, ...). */
  readonly flags: readonly string[];
  /** The kernel's operational state: `UP`, `DOWN`, `UNKNOWN`, `LOWERLAYERDOWN`, ... */
  readonly operState: string;
  readonly mtu: number;
  readonly mac: string | undefined;
  readonly master: string | undefined;
  readonly description: string;
  /** Addresses with their prefix length, link-local ones left out. */
  readonly addresses: readonly string[];
  /** Every address, link-local ones too, as `ip` shows them. */
  readonly allAddresses: readonly { family: 'inet' | 'inet6'; address: string; scope: string }[];
  readonly counters: LinkCounters;
  /** `linkinfo.info_data` for the kinds that have it (the VXLAN id, remote, port). */
  readonly details: Readonly<Record<string, unknown>>;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

interface IpStats {
  bytes?: number;
  packets?: number;
  errors?: number;
  dropped?: number;
  over_errors?: number;
  multicast?: number;
  carrier_errors?: number;
  collisions?: number;
}

export function parseLinkStatus(json: string): LinkStatus[] {
  const links = (json.trim() ? JSON.parse(json) : []) as Record<string, unknown>[];
  return links.map((l) => {
    const flags = (l['flags'] ?? []) as string[];
    const info = (l['linkinfo'] ?? {}) as { info_kind?: string; info_data?: object };
    const stats = (l['stats64'] ?? {}) as { rx?: IpStats; tx?: IpStats };
    const rx = stats.rx ?? {};
    const tx = stats.tx ?? {};
    const addrs = (l['addr_info'] ?? []) as {
      family?: string;
      local?: string;
      prefixlen?: number;
      scope?: string;
    }[];
    const kind =
      l['link_type'] === 'loopback'
        ? 'loopback'
        : info.info_kind === undefined || info.info_kind === 'veth'
          ? 'ethernet'
          : info.info_kind;
    return {
      ifindex: num(l['ifindex']),
      name: str(l['ifname']) ?? '',
      kind,
      adminUp: flags.includes('UP'),
      flags,
      operState: str(l['operstate']) ?? 'UNKNOWN',
      mtu: num(l['mtu']),
      mac: str(l['address']),
      master: str(l['master']),
      description: str(l['ifalias']) ?? '',
      addresses: addrs
        .filter((a) => a.scope !== 'link' && a.local !== undefined)
        .map((a) => `${a.local}/${a.prefixlen ?? ''}`),
      allAddresses: addrs
        .filter((a) => a.local !== undefined)
        .map((a) => ({
          family: a.family === 'inet6' ? ('inet6' as const) : ('inet' as const),
          address: `${a.local}/${a.prefixlen ?? ''}`,
          scope: a.scope ?? 'global',
        })),
      counters: {
        rxBytes: num(rx.bytes),
        rxPackets: num(rx.packets),
        rxErrors: num(rx.errors),
        rxDropped: num(rx.dropped),
        rxOverErrors: num(rx.over_errors),
        rxMulticast: num(rx.multicast),
        txBytes: num(tx.bytes),
        txPackets: num(tx.packets),
        txErrors: num(tx.errors),
        txDropped: num(tx.dropped),
        txCarrierErrors: num(tx.carrier_errors),
        txCollisions: num(tx.collisions),
      },
      details: (info.info_data ?? {}) as Record<string, unknown>,
    };
  });
}

/** Every link of the target with its addresses and counters, in one `ip` call. */
export async function readLinkStatus(target: Target): Promise<LinkStatus[]> {
  return parseLinkStatus(
    await runChecked('ip', [...ipPrefix(target), '-s', '-d', '-json', 'address', 'show']),
  );
}

export interface Neighbor {
  readonly address: string;
  readonly interface: string;
  readonly mac: string | undefined;
  /** `REACHABLE`, `STALE`, `FAILED`, `PERMANENT`, ... */
  readonly state: readonly string[];
}

export function parseNeighbors(json: string): Neighbor[] {
  const list = (json.trim() ? JSON.parse(json) : []) as Record<string, unknown>[];
  return list.map((e) => ({
    address: str(e['dst']) ?? '',
    interface: str(e['dev']) ?? '',
    mac: str(e['lladdr']),
    state: Array.isArray(e['state']) ? (e['state'] as string[]) : [],
  }));
}

/** `ip -4|-6 -json neighbor show` in the target. */
export async function readNeighbors(target: Target, family: 4 | 6): Promise<Neighbor[]> {
  return parseNeighbors(
    await runChecked('ip', [...ipPrefix(target), `-${family}`, '-json', 'neighbor', 'show']),
  );
}

export interface FdbEntry {
  readonly mac: string;
  readonly interface: string;
  readonly vlan: number | undefined;
  /** `permanent`, `static`, or empty for a learned address. */
  readonly state: string;
  readonly flags: readonly string[];
  readonly master: string | undefined;
}

export function parseFdb(json: string): FdbEntry[] {
  const list = (json.trim() ? JSON.parse(json) : []) as Record<string, unknown>[];
  return list.map((e) => ({
    mac: str(e['mac']) ?? '',
    interface: str(e['ifname']) ?? '',
    vlan: typeof e['vlan'] === 'number' ? e['vlan'] : undefined,
    state: str(e['state']) ?? '',
    flags: Array.isArray(e['flags']) ? (e['flags'] as string[]) : [],
    master: str(e['master']),
  }));
}

/** `bridge -json fdb show br BRIDGE`; undefined when there is no such bridge. */
export async function readFdb(target: Target, bridge: string): Promise<FdbEntry[] | undefined> {
  const r = await run('bridge', [...ipPrefix(target), '-json', 'fdb', 'show', 'br', bridge]);
  if (r.code !== 0) return undefined;
  return parseFdb(r.stdout);
}

export interface RouteNexthop {
  readonly via: string | undefined;
  readonly interface: string | undefined;
  readonly weight: number | undefined;
}

export interface KernelRoute {
  readonly prefix: string;
  /** The kernel's protocol name or number (`kernel`, `static`, `boot`, `bgp`, ...). */
  readonly protocol: string;
  readonly scope: string;
  readonly type: string;
  readonly metric: number;
  readonly source: string | undefined;
  readonly nexthops: readonly RouteNexthop[];
  readonly flags: readonly string[];
}

/** Route types of a table that are the host's own addresses, not routes (zebra leaves them out). */
const LOCAL_TYPES = new Set(['local', 'broadcast', 'anycast', 'multicast']);

export function parseRoutes(json: string): KernelRoute[] {
  const list = (json.trim() ? JSON.parse(json) : []) as Record<string, unknown>[];
  return list.map((r) => {
    const dst = str(r['dst']) ?? '';
    const multipath = Array.isArray(r['nexthops'])
      ? (r['nexthops'] as Record<string, unknown>[])
      : [r];
    return {
      prefix: dst === 'default' ? (str(r['family']) === 'inet6' ? '::/0' : '0.0.0.0/0') : dst,
      protocol: String(r['protocol'] ?? 'boot'),
      scope: str(r['scope']) ?? 'global',
      type: str(r['type']) ?? 'unicast',
      metric: num(r['metric']),
      source: str(r['prefsrc']),
      nexthops: multipath.map((h) => ({
        via: str(h['gateway']),
        interface: str(h['dev']),
        weight: typeof h['weight'] === 'number' ? h['weight'] : undefined,
      })),
      flags: Array.isArray(r['flags']) ? (r['flags'] as string[]) : [],
    };
  });
}

/**
 * A routing table of the target (`ip -4|-6 -json route show table main`, or a
 * VRF's table by number). The kernel keeps a VRF's local and broadcast routes
 * in its table (the main table's are in `local`): they are left out, as zebra does.
 */
export async function readRoutes(
  target: Target,
  family: 4 | 6,
  table: 'main' | number = 'main',
): Promise<KernelRoute[]> {
  const args = [
    ...ipPrefix(target),
    `-${family}`,
    '-json',
    'route',
    'show',
    'table',
    String(table),
  ];
  const result = await run('ip', args);
  // The kernel makes a table with its first route: a VRF's table before that is empty, not an error.
  if (result.code !== 0 && table !== 'main' && result.stderr.includes('FIB table does not exist'))
    return [];
  if (result.code !== 0) throw new CommandError('ip', args, result);
  const routes = parseRoutes(result.stdout).filter(
    (r) => table === 'main' || !LOCAL_TYPES.has(r.type),
  );
  // `default` carries no family in ip's JSON: name it by the family asked for.
  return family === 6
    ? routes.map((r) => (r.prefix === '0.0.0.0/0' ? { ...r, prefix: '::/0' } : r))
    : routes;
}
