/**
 * Pure render of `protocols` and `policy` into FRR configuration, one text
 * per daemon (zebra, staticd, bgpd, ospfd, ospf6d, bfdd), in FRR 8.4 syntax
 * and in FRR's own context blocks. Each line remembers the config path that
 * produced it, so FRR's refusal of a line names that path, and an
 * incremental apply can work in FRR's contexts ("no ..." for what went away).
 *
 * Every value that reaches a line was checked by the schema (one line, no
 * control characters, plain words where FRR reads a word), so nothing here
 * can add a line or a command.
 */
import {
  hasAt,
  naturalCompare,
  nodeAt as at,
  sortedChildren,
  valueAt as val,
  valuesAt as vals,
  type ConfigNode,
} from '../config/tree.js';
import { isIPv4, isIPv6 } from '../schema/index.js';

export const DAEMONS = ['zebra', 'staticd', 'bgpd', 'ospfd', 'ospf6d', 'bfdd'] as const;
export type Daemon = (typeof DAEMONS)[number];

/** Daemons that run whether or not anything is configured for them. */
export const ALWAYS: readonly Daemon[] = ['zebra', 'staticd'];

/** One line of FRR configuration and the config path it comes from. */
export interface FrrLine {
  readonly text: string;
  readonly path: readonly string[];
}

/** A context block: `router bgp 65001` ... `exit`, `address-family ipv4 unicast` ... `exit-address-family`. */
export interface FrrContext {
  readonly header: FrrLine;
  readonly body: readonly FrrItem[];
  readonly exit: string;
}

export type FrrItem = FrrLine | FrrContext;

export const isContext = (item: FrrItem): item is FrrContext => 'header' in item;

/** What each daemon is to run with; a daemon with no items has nothing configured. */
export type FrrConfig = Readonly<Record<Daemon, readonly FrrItem[]>>;

// ------------------------------------------------------------------ building

type Path = readonly string[];

const line = (path: Path, ...words: (string | false | undefined)[]): FrrLine => ({
  text: words.filter((w): w is string => typeof w === 'string' && w !== '').join(' '),
  path,
});

const context = (header: FrrLine, body: FrrItem[], exit = 'exit'): FrrContext => ({
  header,
  body,
  exit,
});

const sorted = (n: ConfigNode | undefined, ...path: string[]): [string, ConfigNode][] =>
  sortedChildren(at(n, ...path) ?? EMPTY);

const EMPTY: ConfigNode = { children: new Map(), values: [], comment: undefined, inactive: false };

const opt = (word: string, value: string | undefined): string | undefined =>
  value === undefined ? undefined : `${word} ${value}`;

// ------------------------------------------------------------------ staticd

/**
 * Renders kept with the node they come from: a tree is immutable and a
 * commit's tree shares every node its change left alone, so a one-route
 * change to 10,000 routes renders one route (each entry is checked against
 * the place it was rendered for: a node may be shared by two places).
 */
const routeMemo = new WeakMap<ConfigNode, { readonly at: string; readonly lines: FrrLine[] }>();
const sectionMemo = new WeakMap<ConfigNode, FrrItem[]>();

function memoOf<T>(cache: WeakMap<ConfigNode, T>, n: ConfigNode | undefined, make: () => T): T {
  if (n === undefined) return make();
  let v = cache.get(n);
  if (v === undefined) {
    v = make();
    cache.set(n, v);
  }
  return v;
}

function staticRoutes(routes: ConfigNode | undefined, base: Path, table?: string): FrrLine[] {
  const out: FrrLine[] = [];
  for (const [family, ip] of [
    ['route', 'ip'],
    ['route6', 'ipv6'],
  ] as const) {
    const place = `${base.join(' ')}\u0000${family}\u0000${table ?? ''}\u0000`;
    for (const [prefix, route] of sorted(routes, family)) {
      const at = place + prefix;
      let memo = routeMemo.get(route);
      if (memo?.at !== at) {
        memo = { at, lines: routeLines(route, [...base, family, prefix], ip, prefix, table) };
        routeMemo.set(route, memo);
      }
      for (const l of memo.lines) out.push(l);
    }
  }
  return out;
}

function routeLines(
  route: ConfigNode,
  path: Path,
  ip: 'ip' | 'ipv6',
  prefix: string,
  table: string | undefined,
): FrrLine[] {
  const out: FrrLine[] = [];
  const tableWord = opt('table', table);
  for (const kind of ['blackhole', 'reject'] as const) {
    const k = at(route, kind);
    if (!k) continue;
    out.push(
      line(
        [...path, kind],
        ip,
        'route',
        prefix,
        kind,
        opt('tag', val(k, 'tag')),
        val(k, 'distance'),
        tableWord,
      ),
    );
  }
  for (const [iface, entry] of sorted(route, 'interface')) {
    if (hasAt(entry, 'disable')) continue;
    out.push(
      line(
        [...path, 'interface', iface],
        ip,
        'route',
        prefix,
        iface,
        val(entry, 'distance'),
        opt('nexthop-vrf', val(entry, 'vrf')),
        tableWord,
      ),
    );
  }
  for (const [gateway, entry] of sorted(route, 'next-hop')) {
    if (hasAt(entry, 'disable')) continue;
    out.push(
      line(
        [...path, 'next-hop', gateway],
        ip,
        'route',
        prefix,
        gateway,
        val(entry, 'interface'),
        val(entry, 'distance'),
        opt('nexthop-vrf', val(entry, 'vrf')),
        tableWord,
      ),
    );
  }
  return out;
}

function renderStatic(tree: ConfigNode): FrrItem[] {
  const s = at(tree, 'protocols', 'static');
  if (!s) return [];
  return memoOf(sectionMemo, s, () => staticSection(s));
}

function staticSection(s: ConfigNode): FrrItem[] {
  const base = ['protocols', 'static'];
  const out: FrrItem[] = staticRoutes(s, base);
  for (const [table, entry] of sorted(s, 'table'))
    out.push(...staticRoutes(entry, [...base, 'table', table], table));
  const routeMap = val(s, 'route-map');
  if (routeMap) out.push(line([...base, 'route-map'], 'ip protocol static route-map', routeMap));
  return out;
}

/** The VRFs, in order, with the path of each one's `protocols`. */
function vrfProtocols(tree: ConfigNode): [string, ConfigNode, Path][] {
  const out: [string, ConfigNode, Path][] = [];
  for (const [name, entry] of sorted(tree, 'vrf', 'name')) {
    const protocols = at(entry, 'protocols');
    if (protocols) out.push([name, protocols, ['vrf', 'name', name, 'protocols']]);
  }
  return out;
}

/** staticd's `vrf NAME` ... `exit-vrf` block of each VRF with static routes: they go to its table. */
function renderVrfStatic(tree: ConfigNode): FrrItem[] {
  const out: FrrItem[] = [];
  for (const [name, protocols, base] of vrfProtocols(tree)) {
    const routes = staticRoutes(at(protocols, 'static'), [...base, 'static']);
    if (routes.length)
      out.push(context(line(['vrf', 'name', name], 'vrf', name), routes, 'exit-vrf'));
  }
  return out;
}

// ------------------------------------------------------------------ policy

/** Which daemons take a route-map clause: every policy daemon, or bgpd only. */
type Scope = 'all' | 'bgp' | 'ospf';

interface Clause {
  readonly line: FrrLine;
  readonly scope: Scope;
}

function routeMapClauses(rule: ConfigNode, path: Path): Clause[] {
  const c: Clause[] = [];
  const add = (scope: Scope, sub: string[], ...words: (string | undefined | false)[]): void => {
    c.push({ line: line([...path, ...sub], ...words), scope });
  };
  const m = at(rule, 'match');
  const s = at(rule, 'set');
  if (val(rule, 'call')) add('all', ['call'], 'call', val(rule, 'call'));
  if (val(rule, 'continue')) add('all', ['continue'], 'on-match goto', val(rule, 'continue'));
  if (val(rule, 'description'))
    add('all', ['description'], 'description', val(rule, 'description'));
  if (m) {
    const mp = ['match'];
    if (val(m, 'as-path')) add('bgp', [...mp, 'as-path'], 'match as-path', val(m, 'as-path'));
    const cl = val(m, 'community', 'community-list');
    if (cl)
      add(
        'bgp',
        [...mp, 'community'],
        'match community',
        cl,
        hasAt(m, 'community', 'exact-match') && 'exact-match',
      );
    if (val(m, 'extcommunity'))
      add('bgp', [...mp, 'extcommunity'], 'match extcommunity', val(m, 'extcommunity'));
    if (val(m, 'interface'))
      add('all', [...mp, 'interface'], 'match interface', val(m, 'interface'));
    const ip = ['ip', 'address'];
    if (val(m, ...ip, 'access-list'))
      add('all', [...mp, ...ip, 'access-list'], 'match ip address', val(m, ...ip, 'access-list'));
    if (val(m, ...ip, 'prefix-list'))
      add(
        'all',
        [...mp, ...ip, 'prefix-list'],
        'match ip address prefix-list',
        val(m, ...ip, 'prefix-list'),
      );
    if (val(m, ...ip, 'prefix-len'))
      add(
        'all',
        [...mp, ...ip, 'prefix-len'],
        'match ip address prefix-len',
        val(m, ...ip, 'prefix-len'),
      );
    const nh = ['ip', 'nexthop'];
    if (val(m, ...nh, 'access-list'))
      add('all', [...mp, ...nh, 'access-list'], 'match ip next-hop', val(m, ...nh, 'access-list'));
    if (val(m, ...nh, 'address'))
      add('bgp', [...mp, ...nh, 'address'], 'match ip next-hop address', val(m, ...nh, 'address'));
    if (val(m, ...nh, 'prefix-len'))
      add(
        'all',
        [...mp, ...nh, 'prefix-len'],
        'match ip next-hop prefix-len',
        val(m, ...nh, 'prefix-len'),
      );
    if (val(m, ...nh, 'prefix-list'))
      add(
        'all',
        [...mp, ...nh, 'prefix-list'],
        'match ip next-hop prefix-list',
        val(m, ...nh, 'prefix-list'),
      );
    if (val(m, ...nh, 'type'))
      add('all', [...mp, ...nh, 'type'], 'match ip next-hop type', val(m, ...nh, 'type'));
    const rs = ['ip', 'route-source'];
    if (val(m, ...rs, 'access-list'))
      add(
        'bgp',
        [...mp, ...rs, 'access-list'],
        'match ip route-source',
        val(m, ...rs, 'access-list'),
      );
    if (val(m, ...rs, 'prefix-list'))
      add(
        'bgp',
        [...mp, ...rs, 'prefix-list'],
        'match ip route-source prefix-list',
        val(m, ...rs, 'prefix-list'),
      );
    const ip6 = ['ipv6', 'address'];
    if (val(m, ...ip6, 'access-list'))
      add(
        'all',
        [...mp, ...ip6, 'access-list'],
        'match ipv6 address',
        val(m, ...ip6, 'access-list'),
      );
    if (val(m, ...ip6, 'prefix-list'))
      add(
        'all',
        [...mp, ...ip6, 'prefix-list'],
        'match ipv6 address prefix-list',
        val(m, ...ip6, 'prefix-list'),
      );
    if (val(m, ...ip6, 'prefix-len'))
      add(
        'all',
        [...mp, ...ip6, 'prefix-len'],
        'match ipv6 address prefix-len',
        val(m, ...ip6, 'prefix-len'),
      );
    const nh6 = ['ipv6', 'nexthop'];
    if (val(m, ...nh6, 'address'))
      add(
        'bgp',
        [...mp, ...nh6, 'address'],
        'match ipv6 next-hop address',
        val(m, ...nh6, 'address'),
      );
    if (val(m, ...nh6, 'access-list'))
      add(
        'bgp',
        [...mp, ...nh6, 'access-list'],
        'match ipv6 next-hop',
        val(m, ...nh6, 'access-list'),
      );
    if (val(m, ...nh6, 'prefix-list'))
      add(
        'bgp',
        [...mp, ...nh6, 'prefix-list'],
        'match ipv6 next-hop prefix-list',
        val(m, ...nh6, 'prefix-list'),
      );
    if (val(m, ...nh6, 'type'))
      add('all', [...mp, ...nh6, 'type'], 'match ipv6 next-hop type', val(m, ...nh6, 'type'));
    const lcl = val(m, 'large-community', 'large-community-list');
    if (lcl) add('bgp', [...mp, 'large-community'], 'match large-community', lcl);
    if (val(m, 'local-preference'))
      add('bgp', [...mp, 'local-preference'], 'match local-preference', val(m, 'local-preference'));
    if (val(m, 'metric')) add('all', [...mp, 'metric'], 'match metric', val(m, 'metric'));
    if (val(m, 'origin')) add('bgp', [...mp, 'origin'], 'match origin', val(m, 'origin'));
    if (val(m, 'peer')) add('bgp', [...mp, 'peer'], 'match peer', val(m, 'peer'));
    const protocol = val(m, 'protocol');
    if (protocol)
      add(
        'bgp',
        [...mp, 'protocol'],
        'match source-protocol',
        protocol === 'ospfv3' ? 'ospf6' : protocol,
      );
    if (val(m, 'rpki')) add('bgp', [...mp, 'rpki'], 'match rpki', val(m, 'rpki'));
    if (val(m, 'tag')) add('all', [...mp, 'tag'], 'match tag', val(m, 'tag'));
  }
  if (hasAt(rule, 'on-match', 'next')) add('all', ['on-match', 'next'], 'on-match next');
  if (val(rule, 'on-match', 'goto'))
    add('all', ['on-match', 'goto'], 'on-match goto', val(rule, 'on-match', 'goto'));
  if (s) {
    const sp = ['set'];
    if (val(s, 'aggregator', 'as') && val(s, 'aggregator', 'ip'))
      add(
        'bgp',
        [...sp, 'aggregator'],
        'set aggregator as',
        val(s, 'aggregator', 'as'),
        val(s, 'aggregator', 'ip'),
      );
    if (val(s, 'as-path', 'exclude'))
      add(
        'bgp',
        [...sp, 'as-path', 'exclude'],
        'set as-path exclude',
        val(s, 'as-path', 'exclude'),
      );
    if (val(s, 'as-path', 'prepend'))
      add(
        'bgp',
        [...sp, 'as-path', 'prepend'],
        'set as-path prepend',
        val(s, 'as-path', 'prepend'),
      );
    if (val(s, 'as-path', 'prepend-last-as'))
      add(
        'bgp',
        [...sp, 'as-path', 'prepend-last-as'],
        'set as-path prepend last-as',
        val(s, 'as-path', 'prepend-last-as'),
      );
    if (hasAt(s, 'atomic-aggregate'))
      add('bgp', [...sp, 'atomic-aggregate'], 'set atomic-aggregate');
    const community = (v: string): string => (v === 'local-as' ? 'local-AS' : v);
    if (val(s, 'community', 'delete'))
      add(
        'bgp',
        [...sp, 'community', 'delete'],
        'set comm-list',
        val(s, 'community', 'delete'),
        'delete',
      );
    if (vals(s, 'community', 'replace').length)
      add(
        'bgp',
        [...sp, 'community', 'replace'],
        'set community',
        vals(s, 'community', 'replace').map(community).join(' '),
      );
    if (vals(s, 'community', 'add').length)
      add(
        'bgp',
        [...sp, 'community', 'add'],
        'set community',
        vals(s, 'community', 'add').map(community).join(' '),
        'additive',
      );
    if (hasAt(s, 'community', 'none'))
      add('bgp', [...sp, 'community', 'none'], 'set community none');
    if (val(s, 'distance')) add('all', [...sp, 'distance'], 'set distance', val(s, 'distance'));
    const ext = at(s, 'extcommunity');
    if (val(ext, 'bandwidth'))
      add(
        'bgp',
        [...sp, 'extcommunity', 'bandwidth'],
        'set extcommunity bandwidth',
        val(ext, 'bandwidth'),
        hasAt(ext, 'bandwidth-non-transitive') && 'non-transitive',
      );
    if (vals(ext, 'rt').length)
      add('bgp', [...sp, 'extcommunity', 'rt'], 'set extcommunity rt', vals(ext, 'rt').join(' '));
    if (vals(ext, 'soo').length)
      add(
        'bgp',
        [...sp, 'extcommunity', 'soo'],
        'set extcommunity soo',
        vals(ext, 'soo').join(' '),
      );
    if (hasAt(ext, 'none')) add('bgp', [...sp, 'extcommunity', 'none'], 'set extcommunity none');
    const nextHop = val(s, 'ip-next-hop');
    if (nextHop)
      add(
        nextHop === 'unchanged' || nextHop === 'peer-address' ? 'bgp' : 'all',
        [...sp, 'ip-next-hop'],
        'set ip next-hop',
        nextHop,
      );
    const nh6 = at(s, 'ipv6-next-hop');
    if (val(nh6, 'global'))
      add(
        'bgp',
        [...sp, 'ipv6-next-hop', 'global'],
        'set ipv6 next-hop global',
        val(nh6, 'global'),
      );
    if (val(nh6, 'local'))
      add('all', [...sp, 'ipv6-next-hop', 'local'], 'set ipv6 next-hop local', val(nh6, 'local'));
    if (hasAt(nh6, 'peer-address'))
      add('bgp', [...sp, 'ipv6-next-hop', 'peer-address'], 'set ipv6 next-hop peer-address');
    if (hasAt(nh6, 'prefer-global'))
      add('bgp', [...sp, 'ipv6-next-hop', 'prefer-global'], 'set ipv6 next-hop prefer-global');
    const lc = at(s, 'large-community');
    if (vals(lc, 'replace').length)
      add(
        'bgp',
        [...sp, 'large-community', 'replace'],
        'set large-community',
        vals(lc, 'replace').join(' '),
      );
    if (vals(lc, 'add').length)
      add(
        'bgp',
        [...sp, 'large-community', 'add'],
        'set large-community',
        vals(lc, 'add').join(' '),
        'additive',
      );
    if (hasAt(lc, 'none'))
      add('bgp', [...sp, 'large-community', 'none'], 'set large-community none');
    if (val(lc, 'delete'))
      add(
        'bgp',
        [...sp, 'large-community', 'delete'],
        'set large-comm-list',
        val(lc, 'delete'),
        'delete',
      );
    if (val(s, 'local-preference'))
      add('bgp', [...sp, 'local-preference'], 'set local-preference', val(s, 'local-preference'));
    if (val(s, 'metric')) add('all', [...sp, 'metric'], 'set metric', val(s, 'metric'));
    if (val(s, 'metric-type'))
      add('ospf', [...sp, 'metric-type'], 'set metric-type', val(s, 'metric-type'));
    if (val(s, 'origin')) add('bgp', [...sp, 'origin'], 'set origin', val(s, 'origin'));
    if (val(s, 'originator-id'))
      add('bgp', [...sp, 'originator-id'], 'set originator-id', val(s, 'originator-id'));
    if (val(s, 'table')) add('bgp', [...sp, 'table'], 'set table', val(s, 'table'));
    if (val(s, 'tag')) add('all', [...sp, 'tag'], 'set tag', val(s, 'tag'));
    if (val(s, 'weight')) add('bgp', [...sp, 'weight'], 'set weight', val(s, 'weight'));
  }
  return c;
}

/** Policy for one daemon: the lists it reads and the route-map clauses it knows. */
function renderPolicy(tree: ConfigNode, daemon: 'bgpd' | 'ospfd' | 'ospf6d'): FrrItem[] {
  const p = at(tree, 'policy');
  if (!p) return [];
  const out: FrrItem[] = [];
  const base = ['policy'];
  for (const [acl, entry] of sorted(p, 'access-list')) {
    const path = [...base, 'access-list', acl];
    if (val(entry, 'description'))
      out.push(
        line([...path, 'description'], 'access-list', acl, 'remark', val(entry, 'description')),
      );
    const extended = (Number(acl) >= 100 && Number(acl) <= 199) || Number(acl) >= 2000;
    const endpoint = (e: ConfigNode | undefined): string[] => {
      if (hasAt(e, 'any') || !e) return ['any'];
      if (val(e, 'host')) return ['host', val(e, 'host')!];
      if (val(e, 'network')) return [val(e, 'network')!, val(e, 'inverse-mask') ?? '0.0.0.0'];
      return ['any'];
    };
    for (const [rule, r] of sorted(entry, 'rule')) {
      out.push(
        line(
          [...path, 'rule', rule],
          'access-list',
          acl,
          'seq',
          rule,
          val(r, 'action'),
          extended && 'ip',
          ...endpoint(at(r, 'source')),
          ...(extended ? endpoint(at(r, 'destination')) : []),
        ),
      );
    }
  }
  for (const [acl, entry] of sorted(p, 'access-list6')) {
    const path = [...base, 'access-list6', acl];
    if (val(entry, 'description'))
      out.push(
        line(
          [...path, 'description'],
          'ipv6 access-list',
          acl,
          'remark',
          val(entry, 'description'),
        ),
      );
    for (const [rule, r] of sorted(entry, 'rule'))
      out.push(
        line(
          [...path, 'rule', rule],
          'ipv6 access-list',
          acl,
          'seq',
          rule,
          val(r, 'action'),
          val(r, 'source', 'network') ?? 'any',
          hasAt(r, 'source', 'exact-match') && 'exact-match',
        ),
      );
  }
  if (daemon === 'bgpd') {
    for (const [list, frr] of [
      ['as-path-list', 'bgp as-path access-list'],
      ['community-list', 'bgp community-list'],
      ['extcommunity-list', 'bgp extcommunity-list'],
      ['large-community-list', 'bgp large-community-list'],
    ] as const) {
      for (const [name, entry] of sorted(p, list))
        for (const [rule, r] of sorted(entry, 'rule'))
          out.push(
            line(
              [...base, list, name, 'rule', rule],
              frr,
              list !== 'as-path-list' && 'expanded',
              name,
              'seq',
              rule,
              val(r, 'action'),
              val(r, 'regex'),
            ),
          );
    }
  }
  for (const [list, ip] of [
    ['prefix-list', 'ip'],
    ['prefix-list6', 'ipv6'],
  ] as const) {
    for (const [name, entry] of sorted(p, list)) {
      const path = [...base, list, name];
      if (val(entry, 'description'))
        out.push(
          line(
            [...path, 'description'],
            ip,
            'prefix-list',
            name,
            'description',
            val(entry, 'description'),
          ),
        );
      for (const [rule, r] of sorted(entry, 'rule'))
        out.push(
          line(
            [...path, 'rule', rule],
            ip,
            'prefix-list',
            name,
            'seq',
            rule,
            val(r, 'action'),
            val(r, 'prefix'),
            opt('ge', val(r, 'ge')),
            opt('le', val(r, 'le')),
          ),
        );
    }
  }
  const wanted = (scope: Scope): boolean =>
    scope === 'all' || (scope === 'bgp' ? daemon === 'bgpd' : daemon !== 'bgpd');
  for (const [name, map] of sorted(p, 'route-map')) {
    for (const [rule, r] of sorted(map, 'rule')) {
      const path = [...base, 'route-map', name, 'rule', rule];
      const body = routeMapClauses(r, path)
        .filter((c) => wanted(c.scope))
        .map((c) => c.line);
      out.push(context(line(path, 'route-map', name, val(r, 'action'), rule), body));
    }
  }
  return out;
}

// ------------------------------------------------------------------ bgpd

const FAMILIES = [
  ['ipv4-unicast', 'ipv4 unicast'],
  ['ipv6-unicast', 'ipv6 unicast'],
  ['l2vpn-evpn', 'l2vpn evpn'],
] as const;

function neighborLines(name: string, peer: ConfigNode, path: Path, group: boolean): FrrLine[] {
  const n = (sub: string[], ...words: (string | undefined | false)[]): FrrLine =>
    line([...path, ...sub], 'neighbor', name, ...words);
  const out: FrrLine[] = [];
  // remote-as before peer-group: FRR binds a second interface neighbor to a group only then.
  if (group) out.push(n([], 'peer-group'));
  const iface = at(peer, 'interface');
  if (val(peer, 'remote-as')) out.push(n(['remote-as'], 'remote-as', val(peer, 'remote-as')));
  if (val(iface, 'remote-as'))
    out.push(n(['interface', 'remote-as'], 'interface remote-as', val(iface, 'remote-as')));
  if (val(iface, 'v6only', 'remote-as'))
    out.push(
      n(
        ['interface', 'v6only', 'remote-as'],
        'interface v6only remote-as',
        val(iface, 'v6only', 'remote-as'),
      ),
    );
  if (!group && val(peer, 'peer-group'))
    out.push(n(['peer-group'], 'peer-group', val(peer, 'peer-group')));
  if (val(iface, 'peer-group'))
    out.push(n(['interface', 'peer-group'], 'interface peer-group', val(iface, 'peer-group')));
  if (val(iface, 'v6only', 'peer-group'))
    out.push(
      n(
        ['interface', 'v6only', 'peer-group'],
        'interface v6only peer-group',
        val(iface, 'v6only', 'peer-group'),
      ),
    );
  if (val(iface, 'source-interface'))
    out.push(n(['interface', 'source-interface'], 'interface', val(iface, 'source-interface')));
  if (val(peer, 'advertisement-interval'))
    out.push(
      n(['advertisement-interval'], 'advertisement-interval', val(peer, 'advertisement-interval')),
    );
  if (hasAt(peer, 'bfd')) {
    out.push(n(['bfd'], 'bfd'));
    if (hasAt(peer, 'bfd', 'check-control-plane-failure'))
      out.push(n(['bfd', 'check-control-plane-failure'], 'bfd check-control-plane-failure'));
    if (val(peer, 'bfd', 'profile'))
      out.push(n(['bfd', 'profile'], 'bfd profile', val(peer, 'bfd', 'profile')));
  }
  if (hasAt(peer, 'capability', 'dynamic'))
    out.push(n(['capability', 'dynamic'], 'capability dynamic'));
  if (hasAt(peer, 'capability', 'extended-nexthop'))
    out.push(n(['capability', 'extended-nexthop'], 'capability extended-nexthop'));
  if (val(peer, 'description'))
    out.push(n(['description'], 'description', val(peer, 'description')));
  if (hasAt(peer, 'disable-capability-negotiation'))
    out.push(n(['disable-capability-negotiation'], 'dont-capability-negotiate'));
  if (hasAt(peer, 'disable-connected-check'))
    out.push(n(['disable-connected-check'], 'disable-connected-check'));
  if (val(peer, 'ebgp-multihop'))
    out.push(n(['ebgp-multihop'], 'ebgp-multihop', val(peer, 'ebgp-multihop')));
  const gr = val(peer, 'graceful-restart');
  if (gr)
    out.push(
      n(
        ['graceful-restart'],
        gr === 'enable'
          ? 'graceful-restart'
          : gr === 'disable'
            ? 'graceful-restart-disable'
            : 'graceful-restart-helper',
      ),
    );
  for (const [asn, entry] of sorted(peer, 'local-as'))
    out.push(
      n(
        ['local-as', asn],
        'local-as',
        asn,
        hasAt(entry, 'no-prepend') && 'no-prepend',
        hasAt(entry, 'no-prepend', 'replace-as') && 'replace-as',
      ),
    );
  if (hasAt(peer, 'override-capability'))
    out.push(n(['override-capability'], 'override-capability'));
  if (hasAt(peer, 'passive')) out.push(n(['passive'], 'passive'));
  if (val(peer, 'password')) out.push(n(['password'], 'password', val(peer, 'password')));
  if (val(peer, 'port')) out.push(n(['port'], 'port', val(peer, 'port')));
  if (hasAt(peer, 'shutdown')) out.push(n(['shutdown'], 'shutdown'));
  if (hasAt(peer, 'solo')) out.push(n(['solo'], 'solo'));
  if (hasAt(peer, 'enforce-first-as')) out.push(n(['enforce-first-as'], 'enforce-first-as'));
  if (hasAt(peer, 'strict-capability-match'))
    out.push(n(['strict-capability-match'], 'strict-capability-match'));
  if (val(peer, 'timers', 'connect'))
    out.push(n(['timers', 'connect'], 'timers connect', val(peer, 'timers', 'connect')));
  if (val(peer, 'timers', 'keepalive') && val(peer, 'timers', 'holdtime'))
    out.push(
      n(['timers'], 'timers', val(peer, 'timers', 'keepalive'), val(peer, 'timers', 'holdtime')),
    );
  if (val(peer, 'update-source'))
    out.push(n(['update-source'], 'update-source', val(peer, 'update-source')));
  return out;
}

function neighborFamily(name: string, afi: ConfigNode, path: Path): FrrLine[] {
  const n = (sub: string[], ...words: (string | undefined | false)[]): FrrLine =>
    line([...path, ...sub], 'neighbor', name, ...words);
  const out: FrrLine[] = [];
  const flagLine = (word: string, frr: string): void => {
    if (hasAt(afi, word)) out.push(n([word], frr));
  };
  flagLine('addpath-tx-all', 'addpath-tx-all-paths');
  flagLine('addpath-tx-per-as', 'addpath-tx-bestpath-per-AS');
  if (hasAt(afi, 'allowas-in'))
    out.push(n(['allowas-in'], 'allowas-in', val(afi, 'allowas-in', 'number')));
  flagLine('as-override', 'as-override');
  const ca = at(afi, 'conditionally-advertise');
  if (val(ca, 'advertise-map'))
    out.push(
      n(
        ['conditionally-advertise'],
        'advertise-map',
        val(ca, 'advertise-map'),
        val(ca, 'exist-map')
          ? `exist-map ${val(ca, 'exist-map')}`
          : opt('non-exist-map', val(ca, 'non-exist-map')),
      ),
    );
  if (hasAt(afi, 'remove-private-as'))
    out.push(
      n(
        ['remove-private-as'],
        'remove-private-AS',
        hasAt(afi, 'remove-private-as', 'all') && 'all',
      ),
    );
  flagLine('route-reflector-client', 'route-reflector-client');
  if (val(afi, 'weight')) out.push(n(['weight'], 'weight', val(afi, 'weight')));
  const au = at(afi, 'attribute-unchanged');
  if (au)
    out.push(
      n(
        ['attribute-unchanged'],
        'attribute-unchanged',
        hasAt(au, 'as-path') && 'as-path',
        hasAt(au, 'med') && 'med',
        hasAt(au, 'next-hop') && 'next-hop',
      ),
    );
  for (const dir of ['send', 'receive'])
    if (hasAt(afi, 'capability', 'orf', 'prefix-list', dir))
      out.push(n(['capability', 'orf', 'prefix-list', dir], 'capability orf prefix-list', dir));
  if (hasAt(afi, 'default-originate'))
    out.push(
      n(
        ['default-originate'],
        'default-originate',
        opt('route-map', val(afi, 'default-originate', 'route-map')),
      ),
    );
  for (const [word, frr] of [
    ['distribute-list', 'distribute-list'],
    ['filter-list', 'filter-list'],
  ] as const) {
    if (val(afi, word, 'export'))
      out.push(n([word, 'export'], frr, val(afi, word, 'export'), 'out'));
    if (val(afi, word, 'import'))
      out.push(n([word, 'import'], frr, val(afi, word, 'import'), 'in'));
  }
  if (val(afi, 'maximum-prefix'))
    out.push(n(['maximum-prefix'], 'maximum-prefix', val(afi, 'maximum-prefix')));
  if (val(afi, 'maximum-prefix-out'))
    out.push(n(['maximum-prefix-out'], 'maximum-prefix-out', val(afi, 'maximum-prefix-out')));
  if (hasAt(afi, 'nexthop-local', 'unchanged'))
    out.push(n(['nexthop-local', 'unchanged'], 'nexthop-local unchanged'));
  if (hasAt(afi, 'nexthop-self'))
    out.push(n(['nexthop-self'], 'next-hop-self', hasAt(afi, 'nexthop-self', 'force') && 'force'));
  flagLine('route-server-client', 'route-server-client');
  for (const word of ['route-map', 'prefix-list']) {
    if (val(afi, word, 'export'))
      out.push(n([word, 'export'], word, val(afi, word, 'export'), 'out'));
    if (val(afi, word, 'import'))
      out.push(n([word, 'import'], word, val(afi, word, 'import'), 'in'));
  }
  if (hasAt(afi, 'soft-reconfiguration', 'inbound'))
    out.push(n(['soft-reconfiguration', 'inbound'], 'soft-reconfiguration inbound'));
  if (val(afi, 'unsuppress-map'))
    out.push(n(['unsuppress-map'], 'unsuppress-map', val(afi, 'unsuppress-map')));
  for (const kind of ['extended', 'standard'])
    if (hasAt(afi, 'disable-send-community', kind))
      out.push(
        line(
          [...path, 'disable-send-community', kind],
          'no neighbor',
          name,
          'send-community',
          kind,
        ),
      );
  out.push(n([], 'activate'));
  return out;
}

function globalFamily(afiName: string, afi: ConfigNode, path: Path): FrrLine[] {
  const out: FrrLine[] = [];
  const l = (sub: string[], ...words: (string | undefined | false)[]): void => {
    out.push(line([...path, ...sub], ...words));
  };
  for (const [prefix, e] of sorted(afi, 'aggregate-address'))
    l(
      ['aggregate-address', prefix],
      'aggregate-address',
      prefix,
      hasAt(e, 'as-set') && 'as-set',
      hasAt(e, 'summary-only') && 'summary-only',
      opt('route-map', val(e, 'route-map')),
    );
  if (val(afi, 'maximum-paths', 'ebgp'))
    l(['maximum-paths', 'ebgp'], 'maximum-paths', val(afi, 'maximum-paths', 'ebgp'));
  if (val(afi, 'maximum-paths', 'ibgp'))
    l(['maximum-paths', 'ibgp'], 'maximum-paths ibgp', val(afi, 'maximum-paths', 'ibgp'));
  for (const [protocol, e] of sorted(afi, 'redistribute')) {
    if (protocol === 'table') {
      l(['redistribute', 'table'], 'redistribute table', val(afi, 'redistribute', 'table'));
      continue;
    }
    l(
      ['redistribute', protocol],
      'redistribute',
      protocol === 'ospfv3' ? 'ospf6' : protocol,
      opt('metric', val(e, 'metric')),
      opt('route-map', val(e, 'route-map')),
    );
  }
  for (const [prefix, e] of sorted(afi, 'network'))
    l(
      ['network', prefix],
      'network',
      prefix,
      opt('route-map', val(e, 'route-map')),
      hasAt(e, 'backdoor') && 'backdoor',
    );
  const d = at(afi, 'distance');
  if (val(d, 'external') && val(d, 'internal') && val(d, 'local'))
    l(['distance'], 'distance bgp', val(d, 'external'), val(d, 'internal'), val(d, 'local'));
  for (const [prefix, e] of sorted(d, 'prefix'))
    l(['distance', 'prefix', prefix], 'distance', val(e, 'distance'), prefix);
  if (afiName === 'l2vpn-evpn') {
    for (const fam of ['ipv4', 'ipv6'])
      if (hasAt(afi, 'advertise', fam, 'unicast'))
        l(
          ['advertise', fam],
          'advertise',
          fam,
          'unicast',
          opt('route-map', val(afi, 'advertise', fam, 'unicast', 'route-map')),
        );
    if (hasAt(afi, 'advertise-all-vni')) l(['advertise-all-vni'], 'advertise-all-vni');
    if (hasAt(afi, 'advertise-default-gw')) l(['advertise-default-gw'], 'advertise-default-gw');
    if (hasAt(afi, 'advertise-svi-ip')) l(['advertise-svi-ip'], 'advertise-svi-ip');
    if (val(afi, 'rd')) l(['rd'], 'rd', val(afi, 'rd'));
    for (const kind of ['both', 'export', 'import'])
      for (const rt of vals(afi, 'route-target', kind))
        l(['route-target', kind], 'route-target', kind, rt);
  }
  return out;
}

/** The default BGP instance, then each VRF's (`router bgp ASN vrf NAME`): deleted in reverse, VRFs first, as FRR needs. */
function renderBgp(tree: ConfigNode): FrrItem[] {
  const out = bgpInstance(at(tree, 'protocols', 'bgp'), ['protocols', 'bgp']);
  for (const [name, protocols, base] of vrfProtocols(tree))
    out.push(...bgpInstance(at(protocols, 'bgp'), [...base, 'bgp'], name));
  return out;
}

function bgpInstance(bgp: ConfigNode | undefined, base: Path, vrf?: string): FrrItem[] {
  const asn = val(bgp, 'system-as');
  if (!bgp || !asn) return [];
  const body: FrrItem[] = [];
  const l = (sub: string[], ...words: (string | undefined | false)[]): void => {
    body.push(line([...base, ...sub], ...words));
  };
  const p = at(bgp, 'parameters');
  const pp = ['parameters'];
  if (!hasAt(p, 'ebgp-requires-policy'))
    l([...pp, 'ebgp-requires-policy'], 'no bgp ebgp-requires-policy');
  else l([...pp, 'ebgp-requires-policy'], 'bgp ebgp-requires-policy');
  l(['address-family'], 'no bgp default ipv4-unicast');
  if (!hasAt(p, 'network-import-check'))
    l([...pp, 'network-import-check'], 'no bgp network import-check');
  else l([...pp, 'network-import-check'], 'bgp network import-check');
  if (val(p, 'router-id')) l([...pp, 'router-id'], 'bgp router-id', val(p, 'router-id'));
  if (hasAt(p, 'allow-martian-nexthop'))
    l([...pp, 'allow-martian-nexthop'], 'bgp allow-martian-nexthop');
  if (hasAt(p, 'always-compare-med')) l([...pp, 'always-compare-med'], 'bgp always-compare-med');
  for (const option of ['confed', 'ignore', 'multipath-relax'])
    if (hasAt(p, 'bestpath', 'as-path', option))
      l([...pp, 'bestpath', 'as-path', option], 'bgp bestpath as-path', option);
  if (val(p, 'bestpath', 'bandwidth'))
    l([...pp, 'bestpath', 'bandwidth'], 'bgp bestpath bandwidth', val(p, 'bestpath', 'bandwidth'));
  if (hasAt(p, 'bestpath', 'compare-routerid'))
    l([...pp, 'bestpath', 'compare-routerid'], 'bgp bestpath compare-routerid');
  if (vals(p, 'bestpath', 'med').length)
    l([...pp, 'bestpath', 'med'], 'bgp bestpath med', vals(p, 'bestpath', 'med').join(' '));
  if (hasAt(p, 'bestpath', 'peer-type', 'multipath-relax'))
    l([...pp, 'bestpath', 'peer-type'], 'bgp bestpath peer-type multipath-relax');
  if (val(p, 'cluster-id')) l([...pp, 'cluster-id'], 'bgp cluster-id', val(p, 'cluster-id'));
  if (val(p, 'confederation', 'identifier'))
    l(
      [...pp, 'confederation', 'identifier'],
      'bgp confederation identifier',
      val(p, 'confederation', 'identifier'),
    );
  if (vals(p, 'confederation', 'peers').length)
    l(
      [...pp, 'confederation', 'peers'],
      'bgp confederation peers',
      vals(p, 'confederation', 'peers').join(' '),
    );
  const damp = at(p, 'dampening');
  if (val(damp, 'half-life'))
    l(
      [...pp, 'dampening'],
      'bgp dampening',
      val(damp, 'half-life'),
      val(damp, 're-use'),
      val(damp, 'start-suppress-time'),
      val(damp, 'max-suppress-time'),
    );
  if (val(p, 'default', 'local-pref'))
    l(
      [...pp, 'default', 'local-pref'],
      'bgp default local-preference',
      val(p, 'default', 'local-pref'),
    );
  if (hasAt(p, 'deterministic-med')) l([...pp, 'deterministic-med'], 'bgp deterministic-med');
  if (hasAt(p, 'disable-ebgp-connected-route-check'))
    l([...pp, 'disable-ebgp-connected-route-check'], 'bgp disable-ebgp-connected-route-check');
  if (hasAt(p, 'fast-convergence')) l([...pp, 'fast-convergence'], 'bgp fast-convergence');
  if (hasAt(p, 'graceful-restart'))
    l(
      [...pp, 'graceful-restart'],
      'bgp graceful-restart',
      opt('stalepath-time', val(p, 'graceful-restart', 'stalepath-time')),
    );
  if (hasAt(p, 'graceful-shutdown')) l([...pp, 'graceful-shutdown'], 'bgp graceful-shutdown');
  if (hasAt(p, 'log-neighbor-changes'))
    l([...pp, 'log-neighbor-changes'], 'bgp log-neighbor-changes');
  if (val(p, 'minimum-holdtime'))
    l([...pp, 'minimum-holdtime'], 'bgp minimum-holdtime', val(p, 'minimum-holdtime'));
  if (hasAt(p, 'no-client-to-client-reflection'))
    l([...pp, 'no-client-to-client-reflection'], 'no bgp client-to-client reflection');
  if (hasAt(p, 'no-fast-external-failover'))
    l([...pp, 'no-fast-external-failover'], 'no bgp fast-external-failover');
  if (hasAt(p, 'reject-as-sets')) l([...pp, 'reject-as-sets'], 'bgp reject-as-sets');
  if (hasAt(p, 'shutdown')) l([...pp, 'shutdown'], 'bgp shutdown');
  if (hasAt(p, 'suppress-fib-pending'))
    l([...pp, 'suppress-fib-pending'], 'bgp suppress-fib-pending');
  if (val(bgp, 'timers', 'keepalive') && val(bgp, 'timers', 'holdtime'))
    l(['timers'], 'timers bgp', val(bgp, 'timers', 'keepalive'), val(bgp, 'timers', 'holdtime'));
  const g = at(p, 'distance', 'global');
  if (val(g, 'external') && val(g, 'internal') && val(g, 'local'))
    l(
      [...pp, 'distance', 'global'],
      'distance bgp',
      val(g, 'external'),
      val(g, 'internal'),
      val(g, 'local'),
    );
  // Peer-groups first: a neighbor can join one only once it exists.
  const peers: [string, ConfigNode, string[], boolean][] = [
    ...sorted(bgp, 'peer-group').map(([n, e]): [string, ConfigNode, string[], boolean] => [
      n,
      e,
      [...base, 'peer-group', n],
      true,
    ]),
    ...sorted(bgp, 'neighbor').map(([n, e]): [string, ConfigNode, string[], boolean] => [
      n,
      e,
      [...base, 'neighbor', n],
      false,
    ]),
  ];
  for (const [name, peer, path, group] of peers)
    body.push(...neighborLines(name, peer, path, group));
  // Listen ranges name a peer-group: after it.
  if (val(bgp, 'listen', 'limit'))
    l(['listen', 'limit'], 'bgp listen limit', val(bgp, 'listen', 'limit'));
  for (const [range, e] of sorted(bgp, 'listen', 'range'))
    if (val(e, 'peer-group'))
      l(['listen', 'range', range], 'bgp listen range', range, 'peer-group', val(e, 'peer-group'));
  for (const [afiName, frr] of FAMILIES) {
    const afBody: FrrLine[] = [];
    const global = at(bgp, 'address-family', afiName);
    if (global) afBody.push(...globalFamily(afiName, global, [...base, 'address-family', afiName]));
    for (const [name, peer, path] of peers) {
      const afi = at(peer, 'address-family', afiName);
      if (afi) afBody.push(...neighborFamily(name, afi, [...path, 'address-family', afiName]));
    }
    if (afBody.length)
      body.push(
        context(
          line([...base, 'address-family', afiName], 'address-family', frr),
          afBody,
          'exit-address-family',
        ),
      );
  }
  return [context(line([...base, 'system-as'], 'router bgp', asn, opt('vrf', vrf)), body)];
}

// ------------------------------------------------------------------ ospfd / ospf6d

function redistributeLines(o: ConfigNode, base: Path): FrrLine[] {
  const out: FrrLine[] = [];
  for (const [protocol, e] of sorted(o, 'redistribute')) {
    if (protocol === 'table') {
      for (const [table, t] of sortedChildren(e))
        out.push(
          line(
            [...base, 'redistribute', 'table', table],
            'redistribute table',
            table,
            opt('metric', val(t, 'metric')),
            opt('metric-type', val(t, 'metric-type')),
            opt('route-map', val(t, 'route-map')),
          ),
        );
      continue;
    }
    out.push(
      line(
        [...base, 'redistribute', protocol],
        'redistribute',
        protocol,
        opt('metric', val(e, 'metric')),
        opt('metric-type', val(e, 'metric-type')),
        opt('route-map', val(e, 'route-map')),
      ),
    );
  }
  return out;
}

function commonOspf(o: ConfigNode, base: Path, v3: boolean): FrrLine[] {
  const out: FrrLine[] = [];
  const l = (sub: string[], ...words: (string | undefined | false)[]): void => {
    out.push(line([...base, ...sub], ...words));
  };
  if (val(o, 'parameters', 'router-id'))
    l(
      ['parameters', 'router-id'],
      v3 ? 'ospf6 router-id' : 'ospf router-id',
      val(o, 'parameters', 'router-id'),
    );
  if (val(o, 'auto-cost', 'reference-bandwidth'))
    l(['auto-cost'], 'auto-cost reference-bandwidth', val(o, 'auto-cost', 'reference-bandwidth'));
  const di = at(o, 'default-information', 'originate');
  if (di)
    l(
      ['default-information', 'originate'],
      'default-information originate',
      hasAt(di, 'always') && 'always',
      opt('metric', val(di, 'metric')),
      opt('metric-type', val(di, 'metric-type')),
      opt('route-map', val(di, 'route-map')),
    );
  if (val(o, 'distance', 'global'))
    l(['distance', 'global'], 'distance', val(o, 'distance', 'global'));
  const dd = at(o, 'distance', v3 ? 'ospfv3' : 'ospf');
  if (dd)
    l(
      ['distance', v3 ? 'ospfv3' : 'ospf'],
      v3 ? 'distance ospf6' : 'distance ospf',
      opt('intra-area', val(dd, 'intra-area')),
      opt('inter-area', val(dd, 'inter-area')),
      opt('external', val(dd, 'external')),
    );
  const gr = at(o, 'graceful-restart');
  if (val(gr, 'grace-period'))
    l(
      ['graceful-restart', 'grace-period'],
      'graceful-restart grace-period',
      val(gr, 'grace-period'),
    );
  const helper = at(gr, 'helper');
  if (vals(helper, 'enable', 'router-id').length)
    for (const id of vals(helper, 'enable', 'router-id'))
      l(['graceful-restart', 'helper', 'enable'], 'graceful-restart helper enable', id);
  else if (hasAt(helper, 'enable'))
    l(['graceful-restart', 'helper', 'enable'], 'graceful-restart helper enable');
  if (hasAt(helper, 'planned-only'))
    l(['graceful-restart', 'helper', 'planned-only'], 'graceful-restart helper planned-only');
  if (hasAt(helper, 'no-strict-lsa-checking'))
    l(
      ['graceful-restart', 'helper', 'no-strict-lsa-checking'],
      'no graceful-restart helper strict-lsa-checking',
    );
  if (hasAt(helper, 'lsa-check-disable'))
    l(
      ['graceful-restart', 'helper', 'lsa-check-disable'],
      'graceful-restart helper lsa-check-disable',
    );
  if (val(helper, 'supported-grace-time'))
    l(
      ['graceful-restart', 'helper', 'supported-grace-time'],
      'graceful-restart helper supported-grace-time',
      val(helper, 'supported-grace-time'),
    );
  if (hasAt(o, 'log-adjacency-changes'))
    l(
      ['log-adjacency-changes'],
      'log-adjacency-changes',
      hasAt(o, 'log-adjacency-changes', 'detail') && 'detail',
    );
  out.push(...redistributeLines(o, base));
  return out;
}

/** The default OSPF instance and each VRF's (`router ospf vrf NAME`); an interface is in its VRF already. */
function renderOspf(tree: ConfigNode): FrrItem[] {
  const out = ospfInstance(at(tree, 'protocols', 'ospf'), ['protocols', 'ospf']);
  for (const [name, protocols, base] of vrfProtocols(tree))
    out.push(...ospfInstance(at(protocols, 'ospf'), [...base, 'ospf'], name));
  return out;
}

function ospfInstance(o: ConfigNode | undefined, base: Path, vrf?: string): FrrItem[] {
  if (!o) return [];
  const out: FrrItem[] = [];
  for (const [name, i] of sorted(o, 'interface')) {
    const path = [...base, 'interface', name];
    const body: FrrLine[] = [];
    const l = (sub: string[], ...words: (string | undefined | false)[]): void => {
      body.push(line([...path, ...sub], ...words));
    };
    const auth = at(i, 'authentication');
    if (val(auth, 'plaintext-password'))
      l(
        ['authentication', 'plaintext-password'],
        'ip ospf authentication-key',
        val(auth, 'plaintext-password'),
      );
    else if (hasAt(auth, 'md5')) {
      l(['authentication', 'md5'], 'ip ospf authentication message-digest');
      for (const [key, k] of sorted(auth, 'md5', 'key-id'))
        l(
          ['authentication', 'md5', 'key-id', key],
          'ip ospf message-digest-key',
          key,
          'md5',
          val(k, 'md5-key'),
        );
    }
    if (val(i, 'area')) l(['area'], 'ip ospf area', val(i, 'area'));
    if (val(i, 'bandwidth')) l(['bandwidth'], 'bandwidth', val(i, 'bandwidth'));
    for (const word of [
      'cost',
      'priority',
      'hello-interval',
      'retransmit-interval',
      'transmit-delay',
    ])
      if (val(i, word)) l([word], `ip ospf ${word}`, val(i, word));
    if (val(i, 'dead-interval'))
      l(['dead-interval'], 'ip ospf dead-interval', val(i, 'dead-interval'));
    else if (val(i, 'hello-multiplier'))
      l(
        ['hello-multiplier'],
        'ip ospf dead-interval minimal hello-multiplier',
        val(i, 'hello-multiplier'),
      );
    if (hasAt(i, 'bfd')) {
      l(['bfd'], 'ip ospf bfd');
      if (val(i, 'bfd', 'profile'))
        l(['bfd', 'profile'], 'ip ospf bfd profile', val(i, 'bfd', 'profile'));
    }
    if (hasAt(i, 'mtu-ignore')) l(['mtu-ignore'], 'ip ospf mtu-ignore');
    if (val(i, 'network')) l(['network'], 'ip ospf network', val(i, 'network'));
    if (hasAt(i, 'passive'))
      l(['passive'], hasAt(i, 'passive', 'disable') ? 'no ip ospf passive' : 'ip ospf passive');
    out.push(context(line(path, 'interface', name), body));
  }
  const body: FrrItem[] = [];
  const l = (sub: string[], ...words: (string | undefined | false)[]): void => {
    body.push(line([...base, ...sub], ...words));
  };
  for (const [acl, e] of sorted(o, 'access-list'))
    for (const protocol of vals(e, 'export'))
      l(['access-list', acl], 'distribute-list', acl, 'out', protocol);
  if (val(o, 'aggregation', 'timer'))
    l(['aggregation', 'timer'], 'aggregation timer', val(o, 'aggregation', 'timer'));
  for (const [area, a] of sorted(o, 'area')) {
    const ap = ['area', area];
    for (const [type, t] of sorted(a, 'area-type')) {
      if (type === 'normal') continue;
      l([...ap, 'area-type', type], 'area', area, type, hasAt(t, 'no-summary') && 'no-summary');
      if (type === 'nssa' && val(t, 'translate'))
        l(
          [...ap, 'area-type', type, 'translate'],
          'area',
          area,
          'nssa translate-' + val(t, 'translate'),
        );
      if (val(t, 'default-cost'))
        l(
          [...ap, 'area-type', type, 'default-cost'],
          'area',
          area,
          'default-cost',
          val(t, 'default-cost'),
        );
    }
    if (val(a, 'authentication'))
      l(
        [...ap, 'authentication'],
        'area',
        area,
        'authentication',
        val(a, 'authentication') === 'md5' && 'message-digest',
      );
    for (const network of [...vals(a, 'network')].sort(naturalCompare))
      l([...ap, 'network'], 'network', network, 'area', area);
    for (const [range, r] of sorted(a, 'range')) {
      if (hasAt(r, 'not-advertise'))
        l([...ap, 'range', range], 'area', area, 'range', range, 'not-advertise');
      else l([...ap, 'range', range], 'area', area, 'range', range);
      if (val(r, 'cost'))
        l([...ap, 'range', range, 'cost'], 'area', area, 'range', range, 'cost', val(r, 'cost'));
      if (val(r, 'substitute'))
        l(
          [...ap, 'range', range, 'substitute'],
          'area',
          area,
          'range',
          range,
          'substitute',
          val(r, 'substitute'),
        );
    }
    if (val(a, 'export-list'))
      l([...ap, 'export-list'], 'area', area, 'export-list', val(a, 'export-list'));
    if (val(a, 'import-list'))
      l([...ap, 'import-list'], 'area', area, 'import-list', val(a, 'import-list'));
    if (val(a, 'shortcut')) l([...ap, 'shortcut'], 'area', area, 'shortcut', val(a, 'shortcut'));
    for (const [link, v] of sorted(a, 'virtual-link')) {
      const vp = [...ap, 'virtual-link', link];
      l(vp, 'area', area, 'virtual-link', link);
      if (val(v, 'authentication', 'plaintext-password'))
        l(
          [...vp, 'authentication'],
          'area',
          area,
          'virtual-link',
          link,
          'authentication-key',
          val(v, 'authentication', 'plaintext-password'),
        );
      for (const [key, k] of sorted(v, 'authentication', 'md5', 'key-id'))
        l(
          [...vp, 'authentication', 'md5', 'key-id', key],
          'area',
          area,
          'virtual-link',
          link,
          'message-digest-key',
          key,
          'md5',
          val(k, 'md5-key'),
        );
      for (const word of [
        'hello-interval',
        'retransmit-interval',
        'transmit-delay',
        'dead-interval',
      ])
        if (val(v, word)) l([...vp, word], 'area', area, 'virtual-link', link, word, val(v, word));
    }
  }
  if (hasAt(o, 'capability', 'opaque')) l(['capability', 'opaque'], 'capability opaque');
  if (val(o, 'default-metric')) l(['default-metric'], 'default-metric', val(o, 'default-metric'));
  if (val(o, 'maximum-paths')) l(['maximum-paths'], 'maximum-paths', val(o, 'maximum-paths'));
  const rl = at(o, 'max-metric', 'router-lsa');
  if (hasAt(rl, 'administrative'))
    l(['max-metric', 'router-lsa', 'administrative'], 'max-metric router-lsa administrative');
  if (val(rl, 'on-shutdown'))
    l(
      ['max-metric', 'router-lsa', 'on-shutdown'],
      'max-metric router-lsa on-shutdown',
      val(rl, 'on-shutdown'),
    );
  if (val(rl, 'on-startup'))
    l(
      ['max-metric', 'router-lsa', 'on-startup'],
      'max-metric router-lsa on-startup',
      val(rl, 'on-startup'),
    );
  for (const [address, n] of sorted(o, 'neighbor'))
    l(
      ['neighbor', address],
      'neighbor',
      address,
      opt('priority', val(n, 'priority')),
      opt('poll-interval', val(n, 'poll-interval')),
    );
  if (val(o, 'parameters', 'abr-type'))
    l(['parameters', 'abr-type'], 'ospf abr-type', val(o, 'parameters', 'abr-type'));
  if (hasAt(o, 'parameters', 'opaque-lsa')) l(['parameters', 'opaque-lsa'], 'ospf opaque-lsa');
  if (hasAt(o, 'parameters', 'rfc1583-compatibility'))
    l(['parameters', 'rfc1583-compatibility'], 'ospf rfc1583compatibility');
  if (val(o, 'passive-interface') === 'default')
    l(['passive-interface'], 'passive-interface default');
  if (val(o, 'refresh', 'timers'))
    l(['refresh', 'timers'], 'refresh timer', val(o, 'refresh', 'timers'));
  for (const [prefix, sa] of sorted(o, 'summary-address'))
    l(
      ['summary-address', prefix],
      'summary-address',
      prefix,
      opt('tag', val(sa, 'tag')),
      hasAt(sa, 'no-advertise') && 'no-advertise',
    );
  const spf = at(o, 'timers', 'throttle', 'spf');
  if (val(spf, 'delay') && val(spf, 'initial-holdtime') && val(spf, 'max-holdtime'))
    l(
      ['timers', 'throttle', 'spf'],
      'timers throttle spf',
      val(spf, 'delay'),
      val(spf, 'initial-holdtime'),
      val(spf, 'max-holdtime'),
    );
  body.push(...commonOspf(o, base, false));
  out.push(context(line(base, 'router ospf', opt('vrf', vrf)), body));
  return out;
}

function renderOspf6(tree: ConfigNode): FrrItem[] {
  const out = ospf6Instance(at(tree, 'protocols', 'ospfv3'), ['protocols', 'ospfv3']);
  for (const [name, protocols, base] of vrfProtocols(tree))
    out.push(...ospf6Instance(at(protocols, 'ospfv3'), [...base, 'ospfv3'], name));
  return out;
}

function ospf6Instance(o: ConfigNode | undefined, base: Path, vrf?: string): FrrItem[] {
  if (!o) return [];
  const out: FrrItem[] = [];
  for (const [name, i] of sorted(o, 'interface')) {
    const path = [...base, 'interface', name];
    const body: FrrLine[] = [];
    const l = (sub: string[], ...words: (string | undefined | false)[]): void => {
      body.push(line([...path, ...sub], ...words));
    };
    if (val(i, 'area')) l(['area'], 'ipv6 ospf6 area', val(i, 'area'));
    for (const word of [
      'cost',
      'priority',
      'hello-interval',
      'retransmit-interval',
      'transmit-delay',
      'dead-interval',
      'ifmtu',
      'instance-id',
      'network',
    ])
      if (val(i, word)) l([word], `ipv6 ospf6 ${word}`, val(i, word));
    if (hasAt(i, 'bfd')) {
      l(['bfd'], 'ipv6 ospf6 bfd');
      if (val(i, 'bfd', 'profile'))
        l(['bfd', 'profile'], 'ipv6 ospf6 bfd profile', val(i, 'bfd', 'profile'));
    }
    if (hasAt(i, 'mtu-ignore')) l(['mtu-ignore'], 'ipv6 ospf6 mtu-ignore');
    if (hasAt(i, 'passive')) l(['passive'], 'ipv6 ospf6 passive');
    out.push(context(line(path, 'interface', name), body));
  }
  const body: FrrItem[] = [];
  const l = (sub: string[], ...words: (string | undefined | false)[]): void => {
    body.push(line([...base, ...sub], ...words));
  };
  for (const [area, a] of sorted(o, 'area')) {
    const ap = ['area', area];
    for (const [type, t] of sorted(a, 'area-type'))
      l(
        [...ap, 'area-type', type],
        'area',
        area,
        type,
        hasAt(t, 'default-information-originate') && 'default-information-originate',
        hasAt(t, 'no-summary') && 'no-summary',
      );
    for (const [range, r] of sorted(a, 'range'))
      l(
        [...ap, 'range', range],
        'area',
        area,
        'range',
        range,
        hasAt(r, 'advertise') && 'advertise',
        hasAt(r, 'not-advertise') && 'not-advertise',
      );
    if (val(a, 'export-list'))
      l([...ap, 'export-list'], 'area', area, 'export-list', val(a, 'export-list'));
    if (val(a, 'import-list'))
      l([...ap, 'import-list'], 'area', area, 'import-list', val(a, 'import-list'));
  }
  body.push(...commonOspf(o, base, true));
  out.push(context(line(base, 'router ospf6', opt('vrf', vrf)), body));
  return out;
}

// ------------------------------------------------------------------ bfdd

function bfdSettings(e: ConfigNode, path: Path): FrrLine[] {
  const out: FrrLine[] = [];
  const l = (sub: string[], ...words: (string | undefined | false)[]): void => {
    out.push(line([...path, ...sub], ...words));
  };
  const iv = at(e, 'interval');
  if (val(iv, 'multiplier'))
    l(['interval', 'multiplier'], 'detect-multiplier', val(iv, 'multiplier'));
  if (val(iv, 'receive')) l(['interval', 'receive'], 'receive-interval', val(iv, 'receive'));
  if (val(iv, 'transmit')) l(['interval', 'transmit'], 'transmit-interval', val(iv, 'transmit'));
  if (val(iv, 'echo-interval')) {
    l(['interval', 'echo-interval'], 'echo transmit-interval', val(iv, 'echo-interval'));
    l(['interval', 'echo-interval'], 'echo receive-interval', val(iv, 'echo-interval'));
  }
  if (hasAt(e, 'echo-mode')) l(['echo-mode'], 'echo-mode');
  if (val(e, 'minimum-ttl')) l(['minimum-ttl'], 'minimum-ttl', val(e, 'minimum-ttl'));
  if (hasAt(e, 'passive')) l(['passive'], 'passive-mode');
  if (val(e, 'profile')) l(['profile'], 'profile', val(e, 'profile'));
  l(['shutdown'], hasAt(e, 'shutdown') ? 'shutdown' : 'no shutdown');
  return out;
}

function renderBfd(tree: ConfigNode): FrrItem[] {
  const b = at(tree, 'protocols', 'bfd');
  if (!b || (!hasAt(b, 'peer') && !hasAt(b, 'profile'))) return [];
  const base = ['protocols', 'bfd'];
  const body: FrrItem[] = [];
  for (const [name, e] of sorted(b, 'profile')) {
    const path = [...base, 'profile', name];
    body.push(context(line(path, 'profile', name), bfdSettings(e, path)));
  }
  for (const [peer, e] of sorted(b, 'peer')) {
    const path = [...base, 'peer', peer];
    body.push(
      context(
        line(
          path,
          'peer',
          peer,
          hasAt(e, 'multihop') && 'multihop',
          opt('local-address', val(e, 'source', 'address')),
          opt('interface', val(e, 'source', 'interface')),
        ),
        bfdSettings(e, path),
      ),
    );
  }
  return [context(line(base, 'bfd'), body)];
}

// ------------------------------------------------------------------ the whole

/** The FRR configuration of each daemon; empty for daemons with nothing to do. */
export function renderFrr(tree: ConfigNode): FrrConfig {
  const bgp = renderBgp(tree);
  const ospf = renderOspf(tree);
  const ospf6 = renderOspf6(tree);
  return {
    zebra: [],
    staticd: [...renderStatic(tree), ...renderVrfStatic(tree)],
    bgpd: bgp.length ? [...renderPolicy(tree, 'bgpd'), ...bgp] : [],
    ospfd: ospf.length ? [...renderPolicy(tree, 'ospfd'), ...ospf] : [],
    ospf6d: ospf6.length ? [...renderPolicy(tree, 'ospf6d'), ...ospf6] : [],
    bfdd: renderBfd(tree),
  };
}

/** The daemons that run for this configuration: zebra and staticd always, the others while configured. */
export function daemonsFor(config: FrrConfig): Daemon[] {
  return DAEMONS.filter((d) => ALWAYS.includes(d) || config[d].length > 0);
}

/** One line of a daemon's text, with its indentation, line number and source path. */
export interface NumberedLine {
  readonly number: number;
  readonly text: string;
  readonly path: readonly string[];
}

/** The text of a daemon's configuration as FRR reads it, each line numbered. */
export function frrLines(items: readonly FrrItem[]): NumberedLine[] {
  const out: NumberedLine[] = [];
  const push = (text: string, path: readonly string[]): void => {
    out.push({ number: out.length + 1, text, path });
  };
  const walk = (list: readonly FrrItem[], depth: number): void => {
    const indent = ' '.repeat(depth);
    for (const item of list) {
      if (isContext(item)) {
        push(`${indent}${item.header.text}`, item.header.path);
        walk(item.body, depth + 1);
        push(`${indent}${item.exit}`, item.header.path);
        if (depth === 0) push('!', item.header.path);
      } else push(`${indent}${item.text}`, item.path);
    }
  };
  walk(items, 0);
  return out;
}

export function frrText(items: readonly FrrItem[]): string {
  const lines = frrLines(items);
  return lines.length ? `${lines.map((l) => l.text).join('\n')}\n` : '';
}

// Keep the family tests near the renderer that needs them (neighbors named by an address).
export const isAddressNeighbor = (name: string): boolean => isIPv4(name) || isIPv6(name);
