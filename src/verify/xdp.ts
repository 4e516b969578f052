/**
 * Cross-node checks of `firewall xdp`: what the program could not do as the
 * operator meant it. The program handles IPv4 and IPv6 alike, so an
 * interface takes groups of both families, each named by its own kind
 * (`address-group` for IPv4, `ipv6-address-group` for IPv6); naming a group
 * under the kind of the other family is the error "wrong family".
 *
 * Two limits for one protocol cannot be written: `rate-limit source
 * protocol P` is keyed by the protocol. A burst below one packet is refused
 * by its type (1 and up), as a rate of 0 is.
 */
import { nodeAt as at, valuesAt as vals, type ConfigNode } from '../config/tree.js';
import { XDP_GROUP_KINDS, XDP_MAX_GROUPS } from '../schema/areas/firewall.js';
import { configuredLinks } from './interfaces.js';
import type { VerifyIssue } from './issues.js';

/** The same kind in the other family, and the other shape of the same family. */
const RELATED: Readonly<Record<string, readonly string[]>> = {
  'address-group': ['ipv6-address-group', 'network-group'],
  'network-group': ['ipv6-network-group', 'address-group'],
  'ipv6-address-group': ['address-group', 'ipv6-network-group'],
  'ipv6-network-group': ['network-group', 'ipv6-address-group'],
};

const familyOf = (kind: string): string => (kind.startsWith('ipv6-') ? 'IPv6' : 'IPv4');

function checkGroup(
  tree: ConfigNode,
  path: string[],
  kind: string,
  name: string,
  issues: VerifyIssue[],
): void {
  if (at(tree, 'firewall', 'group', kind, name)) return;
  const elsewhere = RELATED[kind]!.find((k) => at(tree, 'firewall', 'group', k, name));
  const hint = !elsewhere
    ? ''
    : familyOf(elsewhere) !== familyOf(kind)
      ? `; '${name}' is an ${familyOf(elsewhere)} group (${elsewhere}): name it under 'source group ${elsewhere}'`
      : `; '${name}' is a ${elsewhere}: name it under 'source group ${elsewhere}'`;
  issues.push({
    path: [...path, name],
    message: `firewall group ${kind} '${name}' does not exist${hint}`,
  });
}

export function checkXdp(tree: ConfigNode): VerifyIssue[] {
  const interfaces = at(tree, 'firewall', 'xdp', 'interface');
  if (!interfaces) return [];
  const issues: VerifyIssue[] = [];
  const links = configuredLinks(tree);
  for (const [name, entry] of interfaces.children) {
    const path = ['firewall', 'xdp', 'interface', name];
    if (!links.has(name))
      issues.push({
        path,
        message: `interface ${name} is not configured (XDP attaches to an interface under 'interfaces')`,
      });
    let groups = 0;
    for (const verb of ['drop', 'exclude'])
      for (const kind of XDP_GROUP_KINDS) {
        const names = vals(entry, verb, 'source', 'group', kind);
        groups += names.length;
        for (const group of names)
          checkGroup(tree, [...path, verb, 'source', 'group', kind], kind, group, issues);
      }
    if (groups > XDP_MAX_GROUPS)
      issues.push({
        path,
        message: `interface ${name} names ${groups} groups; XDP counts up to ${XDP_MAX_GROUPS} per interface`,
      });
  }
  return issues;
}
