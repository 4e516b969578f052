/**
 * Firewall rendering (pure): `firewall`, `nat`, `nat66` and `system
 * conntrack` -> FOS1's own nftables tables and the sysctls they stand for.
 *
 * table inet fos_filter
 *   forward/input/output          base chains (priority filter): state policy, then
 *                                 `meta nfproto vmap` to ipv4-HOOK / ipv6-HOOK
 *   ipv4-NAME, ipv6-NAME          named chains (`firewall ipv4 name NAME`)
 *   zone-forward/-input/-output   base chains (priority 10): `oifname vmap` to zone-Z,
 *                                 `iifname vmap` to zone-Z-from-A, which goes to the named chain
 *   helpers, helpers-out          conntrack helpers (`system conntrack modules`)
 *   notrack, notrack-out          `system conntrack ignore` (priority raw)
 *   sets A4_/A6_/N4_/N6_/P_/I_/M_ groups; RC4_/RC6_ `recent` state
 * table ip fos_nat / ip6 fos_nat: destination (dstnat) and source (srcnat) chains.
 * table inet fos_pbr: `policy route` / `route6` marks (src/render/pbr.ts).
 */
import {
  entriesAt as entries,
  hasAt as has,
  nodeAt as at,
  valueAt as val,
  valuesAt as vals,
  type ConfigNode,
} from '../config/tree.js';
import { runSliced, runToEnd } from '../config/slice.js';
import { CONNTRACK_HELPERS } from '../schema/areas/conntrack.js';
import {
  chainName,
  compileChainsSteps,
  groupSetSteps,
  GROUP_KINDS,
  ip,
  portElements,
  quote,
  ruleMatches,
  type ChainInput,
  type Family,
  type RuleContext,
} from './firewall-rules.js';
import {
  tableKey,
  type NftChain,
  type NftSet,
  type NftTable,
  type NftTables,
} from './nft-model.js';
import { ruleText, type Match } from './nft-rules.js';
import { renderPbrTable } from './pbr.js';

export { chainName, GROUP_KINDS, groupMembers, type Family } from './firewall-rules.js';

export interface FirewallState {
  readonly tables: NftTables;
  /** Sysctls of the target namespace (`firewall global-options`, conntrack timeouts). */
  readonly sysctls: ReadonlyMap<string, string>;
  /** Sysctls only the root namespace can set (conntrack table, hash and expect sizes). */
  readonly hostSysctls: ReadonlyMap<string, string>;
}

/** Options that turn off folding rules into sets (the benchmark's linear baseline). */
export interface RenderOptions {
  readonly fold?: boolean;
}
// ------------------------------------------------------------------ firewall table

const HOOKS = ['forward', 'input', 'output'] as const;

function statePolicyRules(config: ConfigNode): string[] {
  const policy = at(config, 'firewall', 'global-options', 'state-policy');
  if (!policy) return [];
  const states = (['established', 'related', 'invalid'] as const).filter((s) => has(policy, s));
  const simple = states.every(
    (s) => !has(policy, s, 'log') && val(policy, s, 'action') !== 'reject',
  );
  if (simple)
    return [
      `ct state vmap { ${states.map((s) => `${s} : ${val(policy, s, 'action')}`).join(', ')} } comment ${quote('state-policy')}`,
    ];
  return states.map((s) => {
    const action = val(policy, s, 'action')!;
    const log = has(policy, s, 'log')
      ? ` log prefix ${quote(`[STATE-POLICY-${s.slice(0, 3).toUpperCase()}-${action[0]!.toUpperCase()}] `)}`
      : '';
    return `ct state ${s} counter${log} ${action} comment ${quote('state-policy')}`;
  });
}

function baseHeader(hook: string, priority: string): string {
  return `type filter hook ${hook} priority ${priority}; policy accept;`;
}

interface ZoneInfo {
  readonly name: string;
  readonly node: ConfigNode;
  readonly interfaces: string[];
  readonly local: boolean;
}

function zones(config: ConfigNode): ZoneInfo[] {
  return entries(config, 'firewall', 'zone').map(([name, node]) => ({
    name,
    node,
    interfaces: [...vals(node, 'interface'), ...vals(node, 'member', 'interface')],
    local: has(node, 'local-zone'),
  }));
}

function zoneDefault(zone: ZoneInfo): string {
  const action = val(zone.node, 'default-action') ?? 'drop';
  const log = has(zone.node, 'default-log')
    ? ` log prefix ${quote(`[ZONE-${zone.name}-default-${action[0]!.toUpperCase()}] `)}`
    : '';
  return `counter${log} ${action} comment ${quote(`zone ${zone.name} default-action`)}`;
}

/** Where a `firewall name / ipv6-name` pair sends each family: `[['ipv4', 'ipv4-X'], ...]`. */
function familyTargets(firewallNode: ConfigNode | undefined): [string, string][] {
  const out: [string, string][] = [];
  const v4 = val(firewallNode, 'name');
  const v6 = val(firewallNode, 'ipv6-name');
  if (v4) out.push(['ipv4', chainName(4, v4)]);
  if (v6) out.push(['ipv6', chainName(6, v6)]);
  return out;
}

/**
 * Zones. Each hook dispatches in one verdict-map lookup keyed on the family
 * and the interfaces straight to the named chain of the zone pair; what no
 * entry covers (no `from` for that zone, no chain for that family) meets the
 * default action of the zone the traffic goes into (into the router: of the
 * local zone). A named chain that returns lets the packet through.
 */
function zoneChains(
  config: ConfigNode,
  chains: Map<string, NftChain>,
  statePolicy: string[],
): void {
  const all = zones(config);
  if (all.length === 0) return;
  const byName = new Map(all.map((z) => [z.name, z]));
  const local = all.find((z) => z.local);
  const vmap = (key: string, items: string[]): string[] =>
    items.length ? [`${key} vmap { ${items.join(', ')} }`] : [];
  const FAMILIES = ['ipv4', 'ipv6'];

  const pairs: string[] = [];
  const defaults: string[] = [];
  for (const to of all) {
    if (to.local) continue;
    const into = (from: readonly string[], targets: [string, string][]): void => {
      for (const [family, verdict] of targets)
        for (const i of from)
          for (const o of to.interfaces)
            pairs.push(`${family} . ${quote(i)} . ${quote(o)} : ${verdict}`);
    };
    // Traffic inside one zone: allowed unless intra-zone-filtering says otherwise.
    const intra = at(to.node, 'intra-zone-filtering');
    const intraFirewall = at(intra, 'firewall');
    if (intraFirewall)
      into(
        to.interfaces,
        familyTargets(intraFirewall).map(([f, c]) => [f, `goto ${c}`]),
      );
    else {
      const verdict = val(intra, 'action') === 'drop' ? 'drop' : 'return';
      into(
        to.interfaces,
        FAMILIES.map((f) => [f, verdict]),
      );
    }
    for (const [fromName, fromNode] of entries(to.node, 'from')) {
      const from = byName.get(fromName);
      if (!from || from.local || from === to) continue;
      into(
        from.interfaces,
        familyTargets(at(fromNode, 'firewall')).map(([f, c]) => [f, `goto ${c}`]),
      );
    }
    const name = `zone-${to.name}`;
    chains.set(name, { name, rules: [zoneDefault(to)] });
    for (const o of to.interfaces) defaults.push(`${quote(o)} : goto ${name}`);
  }
  chains.set('zone-forward', {
    name: 'zone-forward',
    base: baseHeader('forward', '10'),
    rules: [
      ...statePolicy,
      ...vmap('meta nfproto . iifname . oifname', pairs),
      ...vmap('oifname', defaults),
    ],
  });
  if (!local) return;
  // To the router itself: from each zone through `LOCAL from ZONE`.
  const inItems: string[] = [];
  for (const [fromName, fromNode] of entries(local.node, 'from')) {
    const from = byName.get(fromName);
    if (!from || from.local) continue;
    for (const [family, chain] of familyTargets(at(fromNode, 'firewall')))
      for (const i of from.interfaces) inItems.push(`${family} . ${quote(i)} : goto ${chain}`);
  }
  chains.set('zone-input', {
    name: 'zone-input',
    base: baseHeader('input', '10'),
    rules: [
      ...statePolicy,
      `iif "lo" accept`,
      ...vmap('meta nfproto . iifname', inItems),
      zoneDefault(local),
    ],
  });
  // From the router: into each zone through `ZONE from LOCAL`.
  const outItems: string[] = [];
  for (const to of all) {
    if (to.local) continue;
    for (const [family, chain] of familyTargets(at(to.node, 'from', local.name, 'firewall')))
      for (const o of to.interfaces) outItems.push(`${family} . ${quote(o)} : goto ${chain}`);
  }
  chains.set('zone-output', {
    name: 'zone-output',
    base: baseHeader('output', '10'),
    rules: [
      ...statePolicy,
      `oif "lo" accept`,
      ...vmap('meta nfproto . oifname', outItems),
      zoneDefault(local),
    ],
  });
}

/** The same rules for packets coming in (prerouting, as `NAME`) and made here (output, as `NAME-out`). */
function inAndOut(
  chains: Map<string, NftChain>,
  name: string,
  priority: string,
  rules: string[],
): void {
  chains.set(name, { name, base: baseHeader('prerouting', priority), rules });
  chains.set(`${name}-out`, { name: `${name}-out`, base: baseHeader('output', priority), rules });
}

function conntrackChains(
  config: ConfigNode,
  table: { objects: string[]; chains: Map<string, NftChain> },
  sets: Map<string, NftSet>,
): void {
  const modules = at(config, 'system', 'conntrack', 'modules');
  const assign: string[] = [];
  for (const [module, h] of Object.entries(CONNTRACK_HELPERS)) {
    if (!has(modules, module)) continue;
    for (const p of h.ports) {
      const object = `${module}-${p.protocol}-${p.port}`;
      table.objects.push(`ct helper ${object} { type ${quote(p.helper)} protocol ${p.protocol}; }`);
      assign.push(`${p.protocol} dport ${p.port} ct helper set ${quote(object)}`);
    }
  }
  if (assign.length) inAndOut(table.chains, 'conntrack-helpers', 'filter', assign);
  const ignore: string[] = [];
  for (const f of [4, 6] as const) {
    for (const [number, rule] of entries(
      config,
      'system',
      'conntrack',
      'ignore',
      `ipv${f}`,
      'rule',
    )) {
      const ctx: RuleContext = { family: f, logName: `NOTRACK${f}`, sets };
      const matches: Match[] = [
        { key: 'meta nfproto', negate: false, values: [`ipv${f}`], kind: 'other' },
        ...ruleMatches(rule, ctx),
      ];
      const iface = val(rule, 'inbound-interface');
      if (iface)
        matches.unshift({ key: 'iifname', negate: false, values: [quote(iface)], kind: 'ifname' });
      const description = val(rule, 'description');
      ignore.push(
        ruleText(
          {
            matches,
            gates: [],
            actions: ['notrack'],
            verdict: '',
            numbers: [number],
            ...(description ? { description } : {}),
          },
          quote,
        ),
      );
    }
  }
  if (ignore.length) inAndOut(table.chains, 'conntrack-ignore', 'raw', ignore);
}

/** Every firewall group as the named set it becomes, by set name. */
function* groupSetsSteps(config: ConfigNode): Generator<void, Map<string, NftSet>> {
  const sets = new Map<string, NftSet>();
  for (const kind of Object.keys(GROUP_KINDS))
    for (const [name] of entries(config, 'firewall', 'group', kind)) {
      const set = yield* groupSetSteps(config, kind, name);
      sets.set(set.name, set);
    }
  return sets;
}

function* filterTableSteps(
  config: ConfigNode,
  options: RenderOptions,
  groups: ReadonlyMap<string, NftSet>,
): Generator<void, NftTable | undefined> {
  // The groups, and the `recent` sets the chains add.
  const sets = new Map(groups);
  const chains = new Map<string, NftChain>();
  const objects: string[] = [];
  const statePolicy = statePolicyRules(config);
  // Named chains first, so a base chain's jump always finds its target declared.
  const inputs: ChainInput[] = [];
  for (const f of [4, 6] as const) {
    for (const [name, node] of entries(config, 'firewall', `ipv${f}`, 'name'))
      inputs.push({ name: chainName(f, name), node, family: f, fallback: 'drop' });
    for (const hook of HOOKS) {
      const node = at(config, 'firewall', `ipv${f}`, hook, 'filter');
      if (node) inputs.push({ name: chainName(f, hook), node, family: f, fallback: 'accept' });
    }
  }
  const compiled = yield* compileChainsSteps(inputs, options.fold !== false, sets);
  const familyChains = new Map<string, NftChain>();
  for (const [name, c] of compiled)
    familyChains.set(name, { name, rules: c.rules, sources: c.sources });
  // Hooks that get a zone chain (zone-forward with any zone; zone-input/-output with a local zone).
  const allZones = zones(config);
  const zoned = new Set<string>(
    allZones.length === 0 ? [] : allZones.some((z) => z.local) ? HOOKS : ['forward'],
  );
  for (const hook of HOOKS) {
    const dispatch = ([4, 6] as const)
      .filter((f) => compiled.has(chainName(f, hook)))
      .map((f) => `ipv${f} : jump ${chainName(f, hook)}`);
    // A chain holding only the state policy would repeat what the hook's zone chain does.
    if (dispatch.length || (statePolicy.length && !zoned.has(hook)))
      chains.set(hook, {
        name: hook,
        base: baseHeader(hook, 'filter'),
        rules: [
          ...statePolicy,
          ...(dispatch.length ? [`meta nfproto vmap { ${dispatch.join(', ')} }`] : []),
        ],
      });
  }
  zoneChains(config, chains, statePolicy);
  conntrackChains(config, { objects, chains }, sets);
  for (const [name, chain] of familyChains) chains.set(name, chain);
  if (chains.size === 0 && sets.size === 0 && objects.length === 0) return undefined;
  // Regular chains are declared before base chains refer to them: order regular first.
  const ordered = new Map([...chains].sort(([, a], [, b]) => Number(!!a.base) - Number(!!b.base)));
  return { family: 'inet', name: 'fos_filter', objects, sets, chains: ordered };
}

// ------------------------------------------------------------------ NAT

function natTranslation(rule: ConfigNode, kind: 'source' | 'destination', f: Family): string {
  if (has(rule, 'exclude')) return 'return';
  const address = val(rule, 'translation', 'address');
  const port = val(rule, 'translation', 'port');
  const ports = port ? portElements([port]) : [];
  const portText = ports.length ? `:${ports[0]}` : '';
  const flags: string[] = [];
  const pm = val(rule, 'translation', 'options', 'port-mapping');
  if (pm === 'random' || pm === 'fully-random') flags.push(pm);
  if (val(rule, 'translation', 'options', 'address-mapping') === 'persistent')
    flags.push('persistent');
  const tail = flags.length ? ` ${flags.join(',')}` : '';
  if (kind === 'destination' && has(rule, 'translation', 'redirect'))
    return `redirect${portText ? ` to ${portText}` : ''}${tail}`;
  if (address === 'masquerade') return `masquerade${portText ? ` to ${portText}` : ''}${tail}`;
  const verb = kind === 'source' ? 'snat' : 'dnat';
  if (!address) return 'accept';
  if (address.includes('/')) return `${verb} ${ip(f)} prefix to ${address}${tail}`;
  const shown = f === 6 && portText ? `[${address}]` : address;
  return `${verb} ${ip(f)} to ${shown}${portText}${tail}`;
}

/** NAT rules written between two yields. */
const NAT_RULES_PER_STEP = 128;

function* natTableSteps(
  config: ConfigNode,
  area: 'nat' | 'nat66',
  f: Family,
  groups: ReadonlyMap<string, NftSet>,
): Generator<void, NftTable | undefined> {
  let done = 0;
  const chains = new Map<string, NftChain>();
  const sets = new Map<string, NftSet>();
  // Group references in NAT rules name the firewall's groups: the NAT table carries its own copies.
  const natSets = new Map<string, NftSet>();
  for (const kind of ['destination', 'source'] as const) {
    const rules = entries(config, area, kind, 'rule');
    if (rules.length === 0) continue;
    const logName = `NAT${f === 6 ? '66' : ''}-${kind === 'source' ? 'SRC' : 'DST'}`;
    const lines: string[] = [];
    const sources: { chain: string; rule: string }[][] = [];
    for (const [number, rule] of rules) {
      if (++done % NAT_RULES_PER_STEP === 0) yield;
      if (has(rule, 'disable')) continue;
      sources.push([{ chain: kind, rule: number }]);
      const ctx: RuleContext = { family: f, logName, sets };
      const actions: string[] = [];
      if (has(rule, 'log')) actions.push(`log prefix ${quote(`[${logName}-${number}] `)}`);
      const description = val(rule, 'description');
      const matches = ruleMatches(rule, ctx);
      for (const m of matches)
        for (const v of m.values)
          if (v.startsWith('@') && groups.has(v.slice(1)))
            natSets.set(v.slice(1), groups.get(v.slice(1))!);
      lines.push(
        ruleText(
          {
            matches,
            gates: [],
            actions,
            verdict: natTranslation(rule, kind, f),
            numbers: [number],
            ...(description ? { description } : {}),
          },
          quote,
        ),
      );
    }
    const hook = kind === 'source' ? 'postrouting' : 'prerouting';
    const priority = kind === 'source' ? 'srcnat' : 'dstnat';
    chains.set(kind, {
      name: kind,
      sources,
      base: `type nat hook ${hook} priority ${priority}; policy accept;`,
      rules: lines,
    });
  }
  if (chains.size === 0) return undefined;
  return { family: f === 4 ? 'ip' : 'ip6', name: 'fos_nat', objects: [], sets: natSets, chains };
}

// ------------------------------------------------------------------ sysctls

const onOff = (v: string | undefined, on = '1', off = '0'): string => (v === 'enable' ? on : off);

function globalSysctls(config: ConfigNode, out: Map<string, string>): void {
  const g = at(config, 'firewall', 'global-options');
  const opt = (name: string, fallback: string): string => val(g, name) ?? fallback;
  const both = (key: string, value: string): void => {
    out.set(key.replace('CONF', 'all'), value);
    out.set(key.replace('CONF', 'default'), value);
  };
  // A router forwards (VyOS's default; `system ip disable-forwarding` is not implemented yet).
  out.set('net.ipv4.ip_forward', '1');
  out.set('net.ipv6.conf.all.forwarding', '1');
  out.set('net.ipv4.icmp_echo_ignore_all', onOff(opt('all-ping', 'enable'), '0', '1'));
  out.set(
    'net.ipv4.icmp_echo_ignore_broadcasts',
    onOff(opt('broadcast-ping', 'disable'), '0', '1'),
  );
  both('net.ipv4.conf.CONF.accept_source_route', onOff(opt('ip-src-route', 'disable')));
  both(
    'net.ipv6.conf.CONF.accept_source_route',
    onOff(opt('ipv6-src-route', 'disable'), '0', '-1'),
  );
  both('net.ipv6.conf.CONF.accept_redirects', onOff(opt('ipv6-receive-redirects', 'disable')));
  both('net.ipv4.conf.CONF.log_martians', onOff(opt('log-martians', 'enable')));
  both('net.ipv4.conf.CONF.accept_redirects', onOff(opt('receive-redirects', 'disable')));
  both('net.ipv4.conf.CONF.send_redirects', onOff(opt('send-redirects', 'enable')));
  const rp = { strict: '1', loose: '2', disable: '0' }[opt('source-validation', 'disable')] ?? '0';
  both('net.ipv4.conf.CONF.rp_filter', rp);
  out.set('net.ipv4.tcp_syncookies', onOff(opt('syn-cookies', 'enable')));
  out.set('net.ipv4.tcp_rfc1337', onOff(opt('twa-hazards-protection', 'disable')));
}

/** Conntrack timeout leaf -> sysctl, with the kernel's (and VyOS's) defaults. */
export const TIMEOUT_SYSCTLS: readonly [path: string[], key: string, fallback: string][] = [
  [['icmp'], 'nf_conntrack_icmp_timeout', '30'],
  [['other'], 'nf_conntrack_generic_timeout', '600'],
  [['tcp', 'close'], 'nf_conntrack_tcp_timeout_close', '10'],
  [['tcp', 'close-wait'], 'nf_conntrack_tcp_timeout_close_wait', '60'],
  [['tcp', 'established'], 'nf_conntrack_tcp_timeout_established', '432000'],
  [['tcp', 'fin-wait'], 'nf_conntrack_tcp_timeout_fin_wait', '120'],
  [['tcp', 'last-ack'], 'nf_conntrack_tcp_timeout_last_ack', '30'],
  [['tcp', 'syn-recv'], 'nf_conntrack_tcp_timeout_syn_recv', '60'],
  [['tcp', 'syn-sent'], 'nf_conntrack_tcp_timeout_syn_sent', '120'],
  [['tcp', 'time-wait'], 'nf_conntrack_tcp_timeout_time_wait', '120'],
  [['udp', 'other'], 'nf_conntrack_udp_timeout', '30'],
  [['udp', 'stream'], 'nf_conntrack_udp_timeout_stream', '180'],
];

function conntrackSysctls(
  config: ConfigNode,
  out: Map<string, string>,
  host: Map<string, string>,
): void {
  const ct = at(config, 'system', 'conntrack');
  // `system conntrack timeout` wins over the VyOS 1.3 place, `firewall global-options timeout`.
  const legacy = at(config, 'firewall', 'global-options', 'timeout');
  for (const [path, key, fallback] of TIMEOUT_SYSCTLS) {
    const value = val(ct, 'timeout', ...path) ?? val(legacy, ...path) ?? fallback;
    out.set(`net.netfilter.${key}`, value);
  }
  host.set('net.netfilter.nf_conntrack_max', val(ct, 'table-size') ?? '262144');
  host.set('net.netfilter.nf_conntrack_expect_max', val(ct, 'expect-table-size') ?? '2048');
  host.set('net.netfilter.nf_conntrack_buckets', val(ct, 'hash-size') ?? '32768');
}

/** The sysctls the firewall and conntrack configuration stand for (the sysctl backend's state). */
export interface SysctlState {
  /** Sysctls of the target namespace (`firewall global-options`, conntrack timeouts). */
  readonly sysctls: ReadonlyMap<string, string>;
  /** Sysctls only the root namespace can set (conntrack table, hash and expect sizes). */
  readonly hostSysctls: ReadonlyMap<string, string>;
}

export function renderSysctls(config: ConfigNode): SysctlState {
  const sysctls = new Map<string, string>();
  const hostSysctls = new Map<string, string>();
  globalSysctls(config, sysctls);
  conntrackSysctls(config, sysctls, hostSysctls);
  return { sysctls, hostSysctls };
}

// ------------------------------------------------------------------ entry point

export function renderFirewall(config: ConfigNode, options: RenderOptions = {}): FirewallState {
  return runToEnd(renderFirewallSteps(config, options));
}

/** `renderFirewall` in slices, for a daemon that serves other sessions meanwhile. */
export function renderFirewallSliced(
  config: ConfigNode,
  options: RenderOptions = {},
): Promise<FirewallState> {
  return runSliced(renderFirewallSteps(config, options));
}

/** The firewall, a few hundred rules or a few thousand group members per step. */
export function* renderFirewallSteps(
  config: ConfigNode,
  options: RenderOptions = {},
): Generator<void, FirewallState> {
  const tables = new Map<string, NftTable>();
  const add = (t: NftTable | undefined): void => {
    if (t) tables.set(tableKey(t), t);
  };
  const groups = yield* groupSetsSteps(config);
  add(yield* filterTableSteps(config, options, groups));
  add(yield* natTableSteps(config, 'nat', 4, groups));
  add(yield* natTableSteps(config, 'nat66', 6, groups));
  add(renderPbrTable(config, groups));
  return { tables, ...renderSysctls(config) };
}
