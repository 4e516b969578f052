/**
 * Cross-node checks of `protocols` and `policy`: what FRR would refuse, or
 * read differently from what the operator meant. Each error names its path.
 * That a referenced route-map, prefix-list, peer-group or BFD profile exists
 * is the reference check's (src/verify/references.ts).
 */
import { entriesAt, hasAt, nodeAt as at, valueAt as val, type ConfigNode } from '../config/tree.js';
import { ipv4ToNumber, isIPv4, isIPv4AddressPrefix, isIPv6 } from '../schema/index.js';
import type { VerifyIssue } from './issues.js';

/** Every interface name the configuration declares, whatever its kind (`eth0`, `eth0.10`, `wg0`). */
function declaredInterfaces(tree: ConfigNode): Map<string, ConfigNode> {
  const names = new Map<string, ConfigNode>();
  for (const [, family] of entriesAt(tree, 'interfaces')) {
    for (const [name, entry] of family.children) {
      names.set(name, entry);
      for (const [vid, vif] of entriesAt(entry, 'vif')) names.set(`${name}.${vid}`, vif);
      for (const [sid, svif] of entriesAt(entry, 'vif-s')) {
        names.set(`${name}.${sid}`, svif);
        for (const [cid, cvif] of entriesAt(svif, 'vif-c'))
          names.set(`${name}.${sid}.${cid}`, cvif);
      }
    }
  }
  return names;
}

// ------------------------------------------------------------------ BGP

/** The routing instances: the default one (`protocols`) and each VRF's (`vrf name NAME protocols`). */
function instances(tree: ConfigNode): [ConfigNode | undefined, string[], string | undefined][] {
  const out: [ConfigNode | undefined, string[], string | undefined][] = [
    [at(tree, 'protocols'), ['protocols'], undefined],
  ];
  for (const [name, entry] of entriesAt(tree, 'vrf', 'name'))
    if (at(entry, 'protocols'))
      out.push([at(entry, 'protocols'), ['vrf', 'name', name, 'protocols'], name]);
  return out;
}

function checkBgp(tree: ConfigNode, issues: VerifyIssue[]): void {
  for (const [protocols, base] of instances(tree)) checkBgpInstance(protocols, base, issues);
}

function checkBgpInstance(
  protocols: ConfigNode | undefined,
  instance: string[],
  issues: VerifyIssue[],
): void {
  const bgp = at(protocols, 'bgp');
  if (!bgp) return;
  const base = [...instance, 'bgp'];
  const peers = at(bgp, 'neighbor')?.children.size ?? 0;
  const groups = at(bgp, 'peer-group');
  if (!val(bgp, 'system-as') && (peers > 0 || bgp.children.size > 0))
    issues.push({ path: [...base, 'system-as'], message: "BGP needs 'system-as' (the local AS)" });
  const groupHasRemoteAs = (name: string | undefined): boolean =>
    name !== undefined && val(groups, name, 'remote-as') !== undefined;
  for (const [address, neighbor] of entriesAt(bgp, 'neighbor')) {
    const path = [...base, 'neighbor', address];
    const byInterface = !isIPv4(address) && !isIPv6(address);
    const iface = at(neighbor, 'interface');
    if (iface && !byInterface)
      issues.push({
        path: [...path, 'interface'],
        message: `'interface' settings are for a neighbor named by an interface (unnumbered BGP), not for address ${address}`,
      });
    const remoteAs =
      val(neighbor, 'remote-as') ?? val(iface, 'remote-as') ?? val(iface, 'v6only', 'remote-as');
    const group =
      val(neighbor, 'peer-group') ?? val(iface, 'peer-group') ?? val(iface, 'v6only', 'peer-group');
    if (remoteAs === undefined && !groupHasRemoteAs(group))
      issues.push({
        path,
        message: `neighbor ${address} needs 'remote-as'${group ? ` (peer-group ${group} has none)` : ' (directly or through its peer-group)'}`,
      });
    if (byInterface && !iface)
      issues.push({
        path,
        message: `neighbor ${address} is an interface: set 'interface remote-as' or 'interface v6only remote-as' (unnumbered BGP)`,
      });
    const localAs = [...(at(neighbor, 'local-as')?.children.keys() ?? [])];
    if (localAs.length > 1)
      issues.push({ path: [...path, 'local-as'], message: 'a neighbor has one local-as' });
    if (localAs[0] !== undefined && localAs[0] === val(bgp, 'system-as'))
      issues.push({
        path: [...path, 'local-as', localAs[0]],
        message: `local-as ${localAs[0]} is the system-as; it replaces the AS for this neighbor, so it must differ`,
      });
  }
  for (const [range, entry] of entriesAt(bgp, 'listen', 'range')) {
    const group = val(entry, 'peer-group');
    const path = [...base, 'listen', 'range', range, 'peer-group'];
    if (!group) issues.push({ path, message: `listen range ${range} needs a 'peer-group'` });
    else if (!groupHasRemoteAs(group))
      issues.push({
        path,
        message: `peer-group ${group} needs 'remote-as' to accept dynamic neighbors from ${range}`,
      });
  }
}

// ------------------------------------------------------------------ OSPF

function inPrefix(address: string, prefix: string): boolean {
  const [net, length] = prefix.split('/') as [string, string];
  const bits = Number(length);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (ipv4ToNumber(address) & mask) >>> 0 === (ipv4ToNumber(net) & mask) >>> 0;
}

/** The same OSPF area written as a number or a dotted quad (`0` and `0.0.0.0`). */
function areaKey(area: string): string {
  if (isIPv4(area)) return String(ipv4ToNumber(area));
  return area;
}

function checkOspf(tree: ConfigNode, issues: VerifyIssue[]): void {
  const interfaces = declaredInterfaces(tree);
  for (const [protocols, instance, vrf] of instances(tree))
    checkOspfInstance(protocols, instance, vrf, interfaces, issues);
}

function checkOspfInstance(
  protocols: ConfigNode | undefined,
  instance: string[],
  vrf: string | undefined,
  interfaces: Map<string, ConfigNode>,
  issues: VerifyIssue[],
): void {
  for (const [proto, v6] of [
    ['ospf', false],
    ['ospfv3', true],
  ] as const) {
    const ospf = at(protocols, proto);
    if (!ospf) continue;
    const base = [...instance, proto];
    for (const [area, entry] of entriesAt(ospf, 'area')) {
      const type = at(entry, 'area-type');
      const kinds = [...(type?.children.keys() ?? [])];
      if (kinds.length > 1)
        issues.push({
          path: [...base, 'area', area, 'area-type'],
          message: `an area has one type (it is ${kinds.join(' and ')})`,
        });
      if (areaKey(area) === '0' && kinds.some((k) => k === 'stub' || k === 'nssa'))
        issues.push({
          path: [...base, 'area', area, 'area-type'],
          message: 'the backbone area (0) cannot be a stub or NSSA area',
        });
    }
    for (const [name, entry] of entriesAt(ospf, 'interface')) {
      const path = [...base, 'interface', name];
      if (name !== 'lo' && !interfaces.has(name))
        issues.push({
          path,
          message: `interface ${name} is not configured (no 'interfaces ... ${name}')`,
        });
      else if (name !== 'lo') {
        // FRR runs an interface's OSPF in the VRF the kernel put the link in.
        const bound = val(interfaces.get(name), 'vrf');
        if (bound !== vrf)
          issues.push({
            path,
            message: vrf
              ? `interface ${name} is not in VRF ${vrf} (set 'vrf ${vrf}' on the interface)`
              : `interface ${name} is in VRF ${bound}: its OSPF belongs under 'vrf name ${bound} protocols ${proto}'`,
          });
      }
      const area = val(entry, 'area');
      if (v6 && area === undefined)
        issues.push({
          path: [...path, 'area'],
          message: `OSPFv3 interface ${name} needs an 'area'`,
        });
      if (v6 || area === undefined) continue;
      // An interface whose address an area's `network` covers is in that area too.
      const addresses = (at(interfaces.get(name), 'address')?.values ?? []).filter(
        isIPv4AddressPrefix,
      );
      for (const [other, otherEntry] of entriesAt(ospf, 'area')) {
        if (areaKey(other) === areaKey(area)) continue;
        const network = (at(otherEntry, 'network')?.values ?? []).find((n) =>
          addresses.some((a) => inPrefix(a.split('/')[0]!, n)),
        );
        if (network)
          issues.push({
            path: [...path, 'area'],
            message: `interface ${name} would be in two areas: ${area} here, and ${other} through 'area ${other} network ${network}'`,
          });
      }
    }
  }
}

// ------------------------------------------------------------------ static routes

/**
 * The issues of one `route`/`route6` list, kept per list node: trees share
 * unchanged subtrees, so a commit that leaves 10,000 routes as they were does
 * not walk them again.
 */
const staticMemo = new WeakMap<
  ConfigNode,
  { readonly base: string; readonly issues: VerifyIssue[] }
>();

function checkStaticRoutes(routes: ConfigNode | undefined, base: string[], issues: VerifyIssue[]) {
  if (!routes) return;
  const key = base.join(' ');
  const known = staticMemo.get(routes);
  if (known?.base === key) {
    issues.push(...known.issues);
    return;
  }
  const found: VerifyIssue[] = [];
  checkStaticRoutesOf(routes, base, found);
  staticMemo.set(routes, { base: key, issues: found });
  issues.push(...found);
}

function checkStaticRoutesOf(routes: ConfigNode, base: string[], issues: VerifyIssue[]) {
  for (const family of ['route', 'route6']) {
    const place = `${base.join(' ')} ${family} `;
    for (const [prefix, route] of entriesAt(routes, family)) {
      // Kept per route: a one-route change at 10,000 routes checks one.
      const key = place + prefix;
      let known = routeMemo.get(route);
      if (known?.key !== key) {
        known = { key, issues: staticRouteIssues(route, [...base, family, prefix], prefix) };
        routeMemo.set(route, known);
      }
      for (const issue of known.issues) issues.push(issue);
    }
  }
}

const routeMemo = new WeakMap<ConfigNode, { key: string; issues: readonly VerifyIssue[] }>();

function staticRouteIssues(route: ConfigNode, path: string[], prefix: string): VerifyIssue[] {
  const issues: VerifyIssue[] = [];
  const kinds = ['blackhole', 'reject'].filter((k) => hasAt(route, k));
  if (kinds.length > 1)
    issues.push({
      path: [...path, 'reject'],
      message: "a route is either 'blackhole' or 'reject', not both",
    });
  const gateways =
    (at(route, 'next-hop')?.children.size ?? 0) + (at(route, 'interface')?.children.size ?? 0);
  if (kinds.length === 0 && gateways === 0 && !hasAt(route, 'dhcp-interface'))
    issues.push({
      path,
      message: `route ${prefix} needs a 'next-hop', an 'interface', 'blackhole' or 'reject'`,
    });
  return issues;
}

// ------------------------------------------------------------------ policy

function checkPolicy(tree: ConfigNode, issues: VerifyIssue[]): void {
  for (const [list, max] of [
    ['prefix-list', 32],
    ['prefix-list6', 128],
  ] as const) {
    for (const [name, entry] of entriesAt(tree, 'policy', list)) {
      for (const [rule, r] of entriesAt(entry, 'rule')) {
        const path = ['policy', list, name, 'rule', rule];
        const prefix = val(r, 'prefix');
        const length = prefix ? Number(prefix.split('/')[1]) : undefined;
        const ge = val(r, 'ge') === undefined ? undefined : Number(val(r, 'ge'));
        const le = val(r, 'le') === undefined ? undefined : Number(val(r, 'le'));
        if (length !== undefined && ge !== undefined && ge <= length)
          issues.push({
            path: [...path, 'ge'],
            message: `ge ${ge} must be longer than the prefix length ${length} (up to ${max})`,
          });
        if (length !== undefined && le !== undefined && le < length)
          issues.push({
            path: [...path, 'le'],
            message: `le ${le} cannot be shorter than the prefix length ${length}`,
          });
        if (ge !== undefined && le !== undefined && le < ge)
          issues.push({ path: [...path, 'le'], message: `le ${le} cannot be less than ge ${ge}` });
      }
    }
  }
  for (const [name, map] of entriesAt(tree, 'policy', 'route-map')) {
    for (const [rule, r] of entriesAt(map, 'rule')) {
      const path = ['policy', 'route-map', name, 'rule', rule];
      for (const [word, target] of [
        ['continue', val(r, 'continue')],
        ['on-match goto', val(r, 'on-match', 'goto')],
      ] as const) {
        if (target !== undefined && Number(target) <= Number(rule))
          issues.push({
            path: [...path, ...word.split(' ')],
            message: `${word} ${target} must name a later rule than ${rule}`,
          });
      }
      if (hasAt(r, 'on-match', 'next') && hasAt(r, 'on-match', 'goto'))
        issues.push({
          path: [...path, 'on-match'],
          message: "'on-match next' and 'on-match goto' exclude each other",
        });
      if (val(r, 'call') === name)
        issues.push({ path: [...path, 'call'], message: `route-map ${name} cannot call itself` });
      if (
        hasAt(r, 'set', 'community', 'none') &&
        (hasAt(r, 'set', 'community', 'add') || hasAt(r, 'set', 'community', 'replace'))
      )
        issues.push({
          path: [...path, 'set', 'community', 'none'],
          message:
            "'community none' removes every community; it cannot be combined with add or replace",
        });
      if (hasAt(r, 'set', 'community', 'add') && hasAt(r, 'set', 'community', 'replace'))
        issues.push({
          path: [...path, 'set', 'community', 'add'],
          message: "'community add' and 'community replace' exclude each other",
        });
    }
  }
  // A policy route to a table with no routes does nothing: the kernel's lookup falls through.
  const tables = at(tree, 'protocols', 'static', 'table');
  for (const family of ['route', 'route6']) {
    for (const [name, entry] of entriesAt(tree, 'policy', family)) {
      for (const [rule, r] of entriesAt(entry, 'rule')) {
        const table = val(r, 'set', 'table');
        if (table === undefined || table === 'main') continue;
        const routes = at(tables, table);
        const count =
          (at(routes, 'route')?.children.size ?? 0) + (at(routes, 'route6')?.children.size ?? 0);
        if (count === 0)
          issues.push({
            path: ['policy', family, name, 'rule', rule, 'set', 'table'],
            message: `table ${table} has no routes ('protocols static table ${table} route ...'): the policy would send nothing there (its packets fall through to the next ip rule)`,
          });
      }
    }
  }
}

export function checkRouting(tree: ConfigNode): VerifyIssue[] {
  const issues: VerifyIssue[] = [];
  checkBgp(tree, issues);
  checkOspf(tree, issues);
  const statics = at(tree, 'protocols', 'static');
  checkStaticRoutes(statics, ['protocols', 'static'], issues);
  for (const [table, entry] of entriesAt(statics, 'table'))
    checkStaticRoutes(entry, ['protocols', 'static', 'table', table], issues);
  for (const [protocols, base, vrf] of instances(tree))
    if (vrf) checkStaticRoutes(at(protocols, 'static'), [...base, 'static'], issues);
  checkPolicy(tree, issues);
  // BFD: an IPv6 peer needs a source address or interface to bind to.
  for (const [peer, entry] of entriesAt(tree, 'protocols', 'bfd', 'peer'))
    if (isIPv6(peer) && !hasAt(entry, 'source'))
      issues.push({
        path: ['protocols', 'bfd', 'peer', peer, 'source'],
        message: `IPv6 BFD peer ${peer} needs a 'source address' or 'source interface'`,
      });
  return issues;
}
