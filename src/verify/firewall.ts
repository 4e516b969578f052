/**
 * Cross-node checks of `firewall`, `nat`, `nat66` and `system conntrack`:
 * what nftables would refuse or read differently from what the operator meant.
 */
import { nodeAt as at, valueAt as val, type ConfigNode } from '../config/tree.js';
import type { Family } from '../schema/areas/firewall.js';
import { PORT_PROTOCOLS } from '../schema/services.js';
import { runSliced, runToEnd } from '../config/slice.js';
import type { VerifyIssue } from './issues.js';

/** Rules (or groups) checked between two yields of the sliced check. */
const PER_STEP = 64;

const plain = (v: string): string => (v.startsWith('!') ? v.slice(1) : v);

function chainNames(tree: ConfigNode, f: Family): Set<string> {
  return new Set(at(tree, 'firewall', `ipv${f}`, 'name')?.children.keys() ?? []);
}

/** Ports, ICMP and TCP flags need a protocol that has them. */
function checkProtocolFields(
  rule: ConfigNode,
  path: string[],
  f: Family,
  issues: VerifyIssue[],
): void {
  const protocol = val(rule, 'protocol');
  const negated = protocol?.startsWith('!') ?? false;
  const name = protocol === undefined ? undefined : plain(protocol);
  const ported = name !== undefined && !negated && PORT_PROTOCOLS.has(name);
  for (const side of ['source', 'destination']) {
    for (const field of [['port'], ['group', 'port-group']]) {
      if (at(rule, side, ...field) && !ported)
        issues.push({
          path: [...path, side, ...field],
          message: `a port match needs 'protocol' tcp, udp or tcp_udp${protocol ? ` (it is '${protocol}')` : ''}`,
        });
    }
  }
  if (at(rule, 'translation', 'port') && !ported && !at(rule, 'translation', 'redirect'))
    issues.push({
      path: [...path, 'translation', 'port'],
      message: `a port translation needs 'protocol' tcp, udp or tcp_udp${protocol ? ` (it is '${protocol}')` : ''}`,
    });
  const icmpWord = f === 4 ? 'icmp' : 'icmpv6';
  const icmpOk = f === 4 ? ['icmp', '1'] : ['icmpv6', 'ipv6-icmp', '58'];
  if (at(rule, icmpWord) && name !== undefined && (negated || !icmpOk.includes(name)))
    issues.push({
      path: [...path, icmpWord],
      message: `ICMP matches need 'protocol ${f === 4 ? 'icmp' : 'ipv6-icmp'}' (it is '${protocol}')`,
    });
  if (at(rule, f === 4 ? 'icmpv6' : 'icmp'))
    issues.push({
      path: [...path, f === 4 ? 'icmpv6' : 'icmp'],
      message: `an IPv${f} rule cannot match ${f === 4 ? 'ICMPv6' : 'ICMP (use icmpv6)'}`,
    });
  if (at(rule, 'tcp', 'flags') && name !== undefined && (negated || !['tcp', '6'].includes(name)))
    issues.push({
      path: [...path, 'tcp', 'flags'],
      message: `TCP flags need 'protocol tcp' (it is '${protocol}')`,
    });
  const recent = at(rule, 'recent');
  if (recent && (!val(recent, 'count') || !val(recent, 'time')))
    issues.push({ path: [...path, 'recent'], message: "'recent' needs both 'count' and 'time'" });
  const flags = at(rule, 'tcp', 'flags');
  for (const flag of flags?.children.keys() ?? [])
    if (flag !== 'not' && at(flags, 'not', flag))
      issues.push({
        path: [...path, 'tcp', 'flags', 'not', flag],
        message: `TCP flag ${flag} cannot be both set and not set`,
      });
}

function* checkChains(tree: ConfigNode, issues: VerifyIssue[]): Generator<void, void> {
  let checked = 0;
  for (const f of [4, 6] as const) {
    const names = chainNames(tree, f);
    const jumps = new Map<string, { target: string; path: string[] }[]>();
    const chains: [string, ConfigNode, string[]][] = [];
    for (const hook of ['forward', 'input', 'output']) {
      const node = at(tree, 'firewall', `ipv${f}`, hook, 'filter');
      if (node) chains.push([`${hook} filter`, node, ['firewall', `ipv${f}`, hook, 'filter']]);
    }
    for (const [name, node] of at(tree, 'firewall', `ipv${f}`, 'name')?.children ?? [])
      chains.push([name, node, ['firewall', `ipv${f}`, 'name', name]]);
    for (const [chain, node, path] of chains) {
      const edges: { target: string; path: string[] }[] = [];
      const defaultAction = val(node, 'default-action');
      const defaultTarget = val(node, 'default-jump-target');
      if (defaultAction === 'jump' && !defaultTarget)
        issues.push({
          path: [...path, 'default-action'],
          message: "default-action jump needs 'default-jump-target'",
        });
      if (defaultTarget && defaultAction !== 'jump')
        issues.push({
          path: [...path, 'default-jump-target'],
          message: "'default-jump-target' needs 'default-action jump'",
        });
      if (defaultAction === 'jump' && defaultTarget)
        edges.push({ target: defaultTarget, path: [...path, 'default-jump-target'] });
      for (const [number, rule] of at(node, 'rule')?.children ?? []) {
        const rulePath = [...path, 'rule', number];
        const action = val(rule, 'action');
        const target = val(rule, 'jump-target');
        if (action === 'jump' && !target)
          issues.push({
            path: [...rulePath, 'action'],
            message: "action jump needs 'jump-target'",
          });
        if (target && action !== 'jump')
          issues.push({
            path: [...rulePath, 'jump-target'],
            message: "'jump-target' needs 'action jump'",
          });
        if (action === 'jump' && target) edges.push({ target, path: [...rulePath, 'jump-target'] });
        checkProtocolFields(rule, rulePath, f, issues);
        if (++checked % PER_STEP === 0) yield;
      }
      // A target that does not exist is the reference check's (src/verify/references.ts).
      jumps.set(
        chain,
        edges.filter((e) => names.has(e.target)),
      );
    }
    // Jumps must not loop: nft refuses a ruleset whose chains can reach themselves.
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (chain: string): boolean => {
      if (state.get(chain) === 'done') return false;
      if (state.get(chain) === 'visiting') return true;
      state.set(chain, 'visiting');
      for (const e of jumps.get(chain) ?? []) {
        if (visit(e.target)) {
          issues.push({ path: e.path, message: `jumping to '${e.target}' makes a loop of chains` });
          state.set(chain, 'done');
          return false;
        }
      }
      state.set(chain, 'done');
      return false;
    };
    for (const chain of jumps.keys()) visit(chain);
  }
}

function* checkGroups(tree: ConfigNode, issues: VerifyIssue[]): Generator<void, void> {
  let checked = 0;
  for (const [kind, groups] of at(tree, 'firewall', 'group')?.children ?? []) {
    for (const [name, group] of groups.children) {
      for (const inc of at(group, 'include')?.values ?? []) {
        const path = ['firewall', 'group', kind, name, 'include'];
        if (inc === name) issues.push({ path, message: `group ${name} cannot include itself` });
      }
      if (++checked % PER_STEP === 0) yield;
    }
  }
}

function checkZones(tree: ConfigNode, issues: VerifyIssue[]): void {
  const zones = at(tree, 'firewall', 'zone');
  if (!zones) return;
  const owner = new Map<string, string>();
  let local: string | undefined;
  for (const [name, zone] of zones.children) {
    const path = ['firewall', 'zone', name];
    const members = [
      ...(at(zone, 'interface')?.values ?? []),
      ...(at(zone, 'member', 'interface')?.values ?? []),
    ];
    const isLocal = at(zone, 'local-zone') !== undefined;
    if (isLocal) {
      if (local)
        issues.push({
          path: [...path, 'local-zone'],
          message: `zone ${local} is already the local zone; there can be one`,
        });
      local = name;
      if (members.length)
        issues.push({
          path: [...path, 'interface'],
          message: 'the local zone is the router itself; it has no interfaces',
        });
    } else if (members.length === 0) {
      issues.push({ path, message: `zone ${name} needs an 'interface' (or 'local-zone')` });
    }
    for (const i of members) {
      const other = owner.get(i);
      if (other && other !== name)
        issues.push({
          path: [...path, 'interface', i],
          message: `interface ${i} is already in zone ${other}; an interface can be in one zone only`,
        });
      owner.set(i, name);
    }
    for (const from of at(zone, 'from')?.children.keys() ?? []) {
      const fromPath = [...path, 'from', from];
      if (from === name)
        issues.push({
          path: fromPath,
          message: "traffic inside a zone is set with 'intra-zone-filtering', not 'from' itself",
        });
    }
  }
}

function* checkNat(tree: ConfigNode, issues: VerifyIssue[]): Generator<void, void> {
  let checked = 0;
  for (const [area, f] of [
    ['nat', 4],
    ['nat66', 6],
  ] as const) {
    for (const kind of ['source', 'destination']) {
      for (const [number, rule] of at(tree, area, kind, 'rule')?.children ?? []) {
        const path = [area, kind, 'rule', number];
        checkProtocolFields(rule, path, f, issues);
        const excluded = at(rule, 'exclude') !== undefined;
        const address = val(rule, 'translation', 'address');
        const redirect = at(rule, 'translation', 'redirect') !== undefined;
        if (!excluded && !address && !redirect)
          issues.push({
            path: [...path, 'translation', 'address'],
            message: `a ${kind} NAT rule needs 'translation address'${kind === 'destination' ? " (or 'translation redirect')" : ''}, or 'exclude'`,
          });
        if (redirect && address)
          issues.push({
            path: [...path, 'translation', 'redirect'],
            message: "'translation redirect' and 'translation address' exclude each other",
          });
        if (++checked % PER_STEP === 0) yield;
      }
    }
  }
}

export function checkFirewall(tree: ConfigNode): VerifyIssue[] {
  return runToEnd(checkFirewallSteps(tree));
}

/** `checkFirewall` in slices, for a daemon that serves other sessions meanwhile. */
export function checkFirewallSliced(tree: ConfigNode): Promise<VerifyIssue[]> {
  return runSliced(checkFirewallSteps(tree));
}

/** The checks, a few rules or groups per step. */
export function* checkFirewallSteps(tree: ConfigNode): Generator<void, VerifyIssue[]> {
  const issues: VerifyIssue[] = [];
  yield* checkGroups(tree, issues);
  yield* checkChains(tree, issues);
  checkZones(tree, issues);
  yield;
  yield* checkNat(tree, issues);
  return issues;
}
