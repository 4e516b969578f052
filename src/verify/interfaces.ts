/** Cross-node checks of `interfaces`. */
import { getNode, type ConfigNode } from '../config/tree.js';
import type { VerifyIssue } from './issues.js';

const FAMILIES = [
  'bonding',
  'bridge',
  'dummy',
  'ethernet',
  'loopback',
  'vxlan',
  'wireguard',
] as const;

/** Every configured link by its kernel name (`eth0`, `eth0.10`, `eth1.200.2000`) with its config path. */
export function configuredLinks(
  tree: ConfigNode,
): Map<string, { path: string[]; node: ConfigNode }> {
  const links = new Map<string, { path: string[]; node: ConfigNode }>();
  const ifaces = getNode(tree, ['interfaces']);
  if (!ifaces) return links;
  for (const family of FAMILIES) {
    const entries = ifaces.children.get(family);
    if (!entries) continue;
    for (const [name, entry] of entries.children) {
      const path = ['interfaces', family, name];
      links.set(name, { path, node: entry });
      for (const [vid, vif] of entry.children.get('vif')?.children ?? []) {
        links.set(`${name}.${vid}`, { path: [...path, 'vif', vid], node: vif });
      }
      for (const [sid, svif] of entry.children.get('vif-s')?.children ?? []) {
        links.set(`${name}.${sid}`, { path: [...path, 'vif-s', sid], node: svif });
        for (const [cid, cvif] of svif.children.get('vif-c')?.children ?? []) {
          links.set(`${name}.${sid}.${cid}`, {
            path: [...path, 'vif-s', sid, 'vif-c', cid],
            node: cvif,
          });
        }
      }
    }
  }
  return links;
}

/** Names that stand for hardware: a bridge may take them even when they are not configured. */
const PHYSICAL = /^(?:eth|lan|eno|ens|enp|enx)[^.]*$/;

function checkBridges(
  tree: ConfigNode,
  links: ReturnType<typeof configuredLinks>,
  issues: VerifyIssue[],
): void {
  const memberOf = new Map<string, string>();
  for (const [bridge, entry] of getNode(tree, ['interfaces', 'bridge'])?.children ?? []) {
    for (const member of entry.children.get('member')?.children.get('interface')?.children.keys() ??
      []) {
      const path = ['interfaces', 'bridge', bridge, 'member', 'interface', member];
      const previous = memberOf.get(member);
      if (previous) {
        issues.push({
          path,
          message: `'${member}' is already a member of bridge ${previous}; an interface can be in one bridge only`,
        });
        continue;
      }
      memberOf.set(member, bridge);
      if (member === bridge) {
        issues.push({ path, message: `bridge ${bridge} cannot be a member of itself` });
        continue;
      }
      if (member === 'lo' || member.startsWith('br')) {
        issues.push({ path, message: `'${member}' cannot be a bridge member` });
        continue;
      }
      const link = links.get(member);
      if (!link && !PHYSICAL.test(member)) {
        issues.push({ path, message: `'${member}' is not a configured interface` });
        continue;
      }
      if (link?.node.children.has('address')) {
        issues.push({
          path: [...link.path, 'address'],
          message: `'${member}' is a member of bridge ${bridge} and cannot have addresses of its own`,
        });
      }
    }
  }
}

function checkVxlan(tree: ConfigNode, issues: VerifyIssue[]): void {
  const seen = new Map<string, string>();
  for (const [name, entry] of getNode(tree, ['interfaces', 'vxlan'])?.children ?? []) {
    const path = ['interfaces', 'vxlan', name];
    const external = entry.children.get('parameters')?.children.has('external') ?? false;
    const has = (leaf: string): boolean => entry.children.has(leaf);
    if (!external && !has('vni'))
      issues.push({ path, message: `vxlan ${name} needs a 'vni' (or 'parameters external')` });
    if (
      !external &&
      !has('remote') &&
      !has('group') &&
      !has('source-address') &&
      !has('source-interface')
    ) {
      issues.push({
        path,
        message: `vxlan ${name} needs 'remote', 'group', 'source-address' or 'source-interface'`,
      });
    }
    // One tunnel, one address family: the kernel refuses an IPv6 remote on an IPv4 VXLAN.
    const endpoints = [
      ...(entry.children.get('remote')?.values ?? []),
      ...(entry.children.get('source-address')?.values ?? []),
      ...(entry.children.get('group')?.values ?? []),
    ];
    if (new Set(endpoints.map((a) => (a.includes(':') ? 6 : 4))).size > 1) {
      issues.push({
        path: [...path, 'remote'],
        message: `vxlan ${name} mixes IPv4 and IPv6 in its remote, group and source-address`,
      });
    }
    if (has('remote') && has('group')) {
      issues.push({
        path: [...path, 'group'],
        message: `vxlan ${name} cannot have both 'remote' and 'group'`,
      });
    }
    if (has('group') && !has('source-interface')) {
      issues.push({
        path: [...path, 'group'],
        message: `vxlan ${name} with a multicast 'group' needs 'source-interface'`,
      });
    }
    const vni = entry.children.get('vni')?.values[0];
    if (vni !== undefined) {
      const key = `${vni}/${entry.children.get('source-address')?.values[0] ?? ''}/${entry.children.get('port')?.values[0] ?? ''}`;
      const other = seen.get(key);
      if (other)
        issues.push({
          path: [...path, 'vni'],
          message: `vni ${vni} is already used by ${other} with the same source and port`,
        });
      else seen.set(key, name);
    }
  }
}

function checkAddresses(links: ReturnType<typeof configuredLinks>, issues: VerifyIssue[]): void {
  const owner = new Map<string, string>();
  for (const [name, link] of links) {
    // The same address may live once in each routing table (VRF).
    const table = link.node.children.get('vrf')?.values[0] ?? '';
    for (const address of link.node.children.get('address')?.values ?? []) {
      // Host routes (/32, /128) are often repeated on purpose: anycast, router IDs on lo and dum0.
      if (
        address === 'dhcp' ||
        address === 'dhcpv6' ||
        address.endsWith('/32') ||
        address.endsWith('/128')
      )
        continue;
      const host = `${table}%${address.slice(0, address.indexOf('/')).toLowerCase()}`;
      const other = owner.get(host);
      if (other && other !== name) {
        issues.push({
          path: [...link.path, 'address'],
          message: `address ${address} is already assigned to ${other}`,
        });
      } else owner.set(host, name);
    }
  }
}

/** Bond members: ethernet ports, in one bond, with no addresses, bridge or VRF of their own. */
function checkBonds(
  tree: ConfigNode,
  links: ReturnType<typeof configuredLinks>,
  issues: VerifyIssue[],
): void {
  const bridgeOf = new Map<string, string>();
  for (const [bridge, entry] of getNode(tree, ['interfaces', 'bridge'])?.children ?? [])
    for (const m of entry.children.get('member')?.children.get('interface')?.children.keys() ?? [])
      bridgeOf.set(m, bridge);
  const bondOf = new Map<string, string>();
  for (const [bond, entry] of getNode(tree, ['interfaces', 'bonding'])?.children ?? []) {
    const base = ['interfaces', 'bonding', bond];
    const members = entry.children.get('member')?.children.get('interface')?.values ?? [];
    for (const member of members) {
      const path = [...base, 'member', 'interface'];
      const previous = bondOf.get(member);
      if (previous) {
        issues.push({
          path,
          message: `'${member}' is already a member of bond ${previous}; an interface can be in one bond only`,
        });
        continue;
      }
      bondOf.set(member, bond);
      const link = links.get(member);
      if (!PHYSICAL.test(member) || (link && link.path[1] !== 'ethernet')) {
        issues.push({
          path,
          message: `'${member}' cannot be a bond member: only ethernet ports can`,
        });
        continue;
      }
      const bridge = bridgeOf.get(member);
      if (bridge)
        issues.push({
          path,
          message: `'${member}' is a member of bridge ${bridge} and cannot also be a member of bond ${bond}`,
        });
      if (link?.node.children.has('address'))
        issues.push({
          path: [...link.path, 'address'],
          message: `'${member}' is a member of bond ${bond} and cannot have addresses of its own`,
        });
      if (link?.node.children.has('vrf'))
        issues.push({
          path: [...link.path, 'vrf'],
          message: `'${member}' is a member of bond ${bond}; the VRF belongs on the bond`,
        });
      if (link && (link.node.children.has('vif') || link.node.children.has('vif-s')))
        issues.push({
          path: link.path,
          message: `'${member}' is a member of bond ${bond}; its VLANs belong on the bond`,
        });
    }
    const mode = entry.children.get('mode')?.values[0] ?? '802.3ad';
    const arp = entry.children.get('arp-monitor')?.children.get('interval')?.values[0];
    if (
      arp !== undefined &&
      arp !== '0' &&
      ['802.3ad', 'transmit-load-balance', 'adaptive-load-balance'].includes(mode)
    )
      issues.push({
        path: [...base, 'arp-monitor', 'interval'],
        message: `ARP monitoring does not work in mode ${mode} (bond ${bond}); use mii-mon-interval`,
      });
    const primary = entry.children.get('primary')?.values[0];
    if (primary !== undefined) {
      if (!members.includes(primary))
        issues.push({
          path: [...base, 'primary'],
          message: `primary '${primary}' is not a member of bond ${bond}`,
        });
      else if (!['active-backup', 'transmit-load-balance', 'adaptive-load-balance'].includes(mode))
        issues.push({
          path: [...base, 'primary'],
          message: `a primary member needs mode active-backup, transmit-load-balance or adaptive-load-balance (bond ${bond} is ${mode})`,
        });
    }
  }
}

/** A bridge port belongs to its bridge: the VRF is the bridge's. */
function checkVrfBindings(
  tree: ConfigNode,
  links: ReturnType<typeof configuredLinks>,
  issues: VerifyIssue[],
): void {
  for (const [bridge, entry] of getNode(tree, ['interfaces', 'bridge'])?.children ?? [])
    for (const m of entry.children.get('member')?.children.get('interface')?.children.keys() ??
      []) {
      const link = links.get(m);
      if (link?.node.children.has('vrf'))
        issues.push({
          path: [...link.path, 'vrf'],
          message: `'${m}' is a member of bridge ${bridge}; the VRF belongs on the bridge`,
        });
    }
  const tables = new Map<string, string>();
  for (const [name, entry] of getNode(tree, ['vrf', 'name'])?.children ?? []) {
    const table = entry.children.get('table')?.values[0];
    if (table === undefined) continue;
    const path = ['vrf', 'name', name, 'table'];
    const other = tables.get(table);
    if (other) issues.push({ path, message: `table ${table} is already used by VRF ${other}` });
    else tables.set(table, name);
    if (['253', '254', '255'].includes(table))
      issues.push({ path, message: `table ${table} is the kernel's own (default, main or local)` });
  }
}

function checkWireguard(tree: ConfigNode, issues: VerifyIssue[]): void {
  for (const [name, entry] of getNode(tree, ['interfaces', 'wireguard'])?.children ?? []) {
    const base = ['interfaces', 'wireguard', name];
    if (!entry.children.has('private-key'))
      issues.push({
        path: base,
        message: `wireguard ${name} needs a private-key ('generate pki wireguard key-pair' makes one)`,
      });
    const keys = new Map<string, string>();
    for (const [peer, p] of entry.children.get('peer')?.children ?? []) {
      const path = [...base, 'peer', peer];
      const key = p.children.get('public-key')?.values[0];
      if (key === undefined) issues.push({ path, message: `peer ${peer} needs a public-key` });
      else if (keys.has(key))
        issues.push({
          path: [...path, 'public-key'],
          message: `peer ${peer} has the public key of peer ${keys.get(key)!}`,
        });
      else keys.set(key, peer);
      if (!p.children.has('allowed-ips'))
        issues.push({ path, message: `peer ${peer} needs allowed-ips` });
      if (p.children.has('address') !== p.children.has('port'))
        issues.push({
          path,
          message: `peer ${peer}: an endpoint needs both 'address' and 'port'`,
        });
    }
  }
}

export function checkInterfaces(tree: ConfigNode): VerifyIssue[] {
  const issues: VerifyIssue[] = [];
  const links = configuredLinks(tree);
  checkBridges(tree, links, issues);
  checkBonds(tree, links, issues);
  checkVrfBindings(tree, links, issues);
  checkWireguard(tree, issues);
  checkVxlan(tree, issues);
  checkAddresses(links, issues);
  return issues;
}
