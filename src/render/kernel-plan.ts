/**
 * Kernel planning (pure): the `ip` operations that take a namespace from what
 * it has (observed) to what the configuration wants (desired), touching only
 * the links FOS1 manages.
 */
import {
  LOOPBACK_DEFAULTS,
  VIRTUAL_KINDS,
  type BondParameters,
  type BridgeParameters,
  type KernelState,
  type LinkKind,
  type LinkState,
  type VxlanParameters,
  type WireguardParameters,
} from './kernel.js';

/** One `ip` (or `bridge`, `wg`) invocation, without the tool's name and `-n NS`. */
export interface KernelOp {
  readonly argv: readonly string[];
  /** `bridge` for forwarding-database entries, `wg` for WireGuard; `ip` when absent. */
  readonly tool?: 'bridge' | 'wg';
  /**
   * Secret text the tool reads from a file (WireGuard's keys: never in argv): the
   * driver writes it to a private file and passes its path as the last argument. Never printed.
   */
  readonly input?: string;
  /** What `commit check` prints instead of the input. */
  readonly note?: string;
}

/** Kernel features a link kind needs that some kernels lack (this host's among them). */
export type KernelFeature = '802.1q' | '802.1ad' | 'bonding' | 'vrf' | 'wireguard' | 'dummy';

/** A link the plan creates that needs a feature, with the config path it comes from. */
export interface FeatureNeed {
  readonly name: string;
  readonly path: string;
  readonly feature: KernelFeature;
}

export interface PlanStep {
  readonly name: string;
  readonly ops: readonly KernelOp[];
}

export interface KernelPlan {
  readonly steps: readonly PlanStep[];
  /** Configured links that are not there and that FOS1 cannot create (physical ports). */
  readonly missing: readonly string[];
  /** What the links it creates need of the kernel. */
  readonly needs: readonly FeatureNeed[];
}

export interface KernelPlanInput {
  readonly observed: KernelState;
  readonly desired: KernelState;
  /**
   * Links FOS1 may change: those of the desired state and those of the
   * state it applied before (so that removing one from the config releases it).
   */
  readonly managed: ReadonlySet<string>;
}

const KERNEL_DEFAULT_BRIDGE: BridgeParameters = {
  stp: false,
  priority: 32768,
  aging: 300,
  forwardDelay: 15,
  helloTime: 2,
  maxAge: 20,
};

/** Creation order: parents before children (a VLAN on a bridge after the bridge). */
const CREATE_ORDER: Record<string, number> = {
  vrf: 0,
  dummy: 0,
  wireguard: 1,
  bond: 1,
  vxlan: 1,
  bridge: 2,
  vlan: 3,
};

function featureOf(link: LinkState): KernelFeature | undefined {
  switch (link.kind) {
    case 'vlan':
      return link.vlan?.protocol === '802.1ad' ? '802.1ad' : '802.1q';
    case 'bond':
      return 'bonding';
    case 'vrf':
    case 'wireguard':
    case 'dummy':
      return link.kind;
    default:
      return undefined;
  }
}

function bondArgs(b: BondParameters): string[] {
  const args = ['mode', b.mode, 'miimon', String(b.miimon), 'min_links', String(b.minLinks)];
  if (b.hashPolicy) args.push('xmit_hash_policy', b.hashPolicy);
  if (b.lacpRate) args.push('lacp_rate', b.lacpRate);
  if (b.systemMac) args.push('ad_actor_system', b.systemMac);
  if (b.primary) args.push('primary', b.primary);
  if (b.arpInterval > 0) {
    args.push('arp_interval', String(b.arpInterval));
    for (const t of b.arpTargets) args.push('arp_ip_target', t);
  }
  return args;
}

/** Bond parameters cannot all change with members attached: a difference means delete and create again. */
function sameBond(a: BondParameters | undefined, b: BondParameters | undefined): boolean {
  if (!a || !b) return a === b;
  return bondArgs(a).join(' ') === bondArgs(b).join(' ');
}

/** The `wg syncconf` configuration of a WireGuard link (keys included: it goes to a private file). */
export function wireguardConf(w: WireguardParameters): string {
  const lines = ['[Interface]', `PrivateKey = ${w.privateKey}`];
  if (w.port !== undefined) lines.push(`ListenPort = ${w.port}`);
  lines.push(`FwMark = ${w.fwmark === 0 ? 'off' : w.fwmark}`);
  for (const p of w.peers) {
    lines.push('', '[Peer]', `PublicKey = ${p.publicKey}`);
    if (p.presharedKey) lines.push(`PresharedKey = ${p.presharedKey}`);
    if (p.allowedIps.length) lines.push(`AllowedIPs = ${p.allowedIps.join(', ')}`);
    if (p.endpoint) lines.push(`Endpoint = ${p.endpoint}`);
    if (p.keepalive !== undefined) lines.push(`PersistentKeepalive = ${p.keepalive}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Whether the observed WireGuard settings are the desired ones (a port left to the kernel matches any). */
function sameWireguard(o: WireguardParameters | undefined, d: WireguardParameters): boolean {
  if (!o) return false;
  const port = d.port === undefined ? o.port : d.port;
  return wireguardConf({ ...o, port }) === wireguardConf(d);
}

function bridgeArgs(b: BridgeParameters): string[] {
  return [
    'stp_state',
    b.stp ? '1' : '0',
    'priority',
    String(b.priority),
    'ageing_time',
    String(b.aging * 100),
    'forward_delay',
    String(b.forwardDelay * 100),
    'hello_time',
    String(b.helloTime * 100),
    'max_age',
    String(b.maxAge * 100),
  ];
}

function vxlanArgs(v: VxlanParameters): string[] {
  const args: string[] = [];
  if (v.external) args.push('external');
  else if (v.vni !== undefined) args.push('id', String(v.vni));
  if (v.local) args.push('local', v.local);
  if (v.remote) args.push('remote', v.remote);
  if (v.group) args.push('group', v.group);
  if (v.dev) args.push('dev', v.dev);
  args.push('dstport', String(v.port), 'ttl', String(v.ttl), 'tos', String(v.tos), 'df', v.df);
  if (!v.learning) args.push('nolearning');
  return args;
}

function createArgs(link: LinkState): string[] {
  switch (link.kind) {
    case 'bridge':
      return ['link', 'add', 'name', link.name, 'type', 'bridge', ...bridgeArgs(link.bridge!)];
    case 'vxlan':
      return ['link', 'add', 'name', link.name, 'type', 'vxlan', ...vxlanArgs(link.vxlan!)];
    case 'dummy':
      return ['link', 'add', 'name', link.name, 'type', 'dummy'];
    case 'wireguard':
      return ['link', 'add', 'name', link.name, 'type', 'wireguard'];
    case 'vrf':
      return ['link', 'add', 'name', link.name, 'type', 'vrf', 'table', String(link.table)];
    case 'bond':
      return ['link', 'add', 'name', link.name, 'type', 'bond', ...bondArgs(link.bond!)];
    case 'vlan': {
      const v = link.vlan!;
      return [
        'link',
        'add',
        'link',
        v.parent,
        'name',
        link.name,
        'type',
        'vlan',
        'protocol',
        v.protocol,
        'id',
        String(v.id),
      ];
    }
    default:
      throw new Error(`cannot create a link of kind ${link.kind}`);
  }
}

function sameBridge(a: BridgeParameters | undefined, b: BridgeParameters | undefined): boolean {
  const x = a ?? KERNEL_DEFAULT_BRIDGE;
  const y = b ?? KERNEL_DEFAULT_BRIDGE;
  return (
    x.stp === y.stp &&
    x.priority === y.priority &&
    x.aging === y.aging &&
    x.forwardDelay === y.forwardDelay &&
    x.helloTime === y.helloTime &&
    x.maxAge === y.maxAge
  );
}

/** VXLAN attributes cannot change in place: a difference means delete and create again. */
function sameVxlan(a: VxlanParameters | undefined, b: VxlanParameters | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.external === b.external &&
    (a.external || a.vni === b.vni) &&
    a.local === b.local &&
    a.remote === b.remote &&
    a.group === b.group &&
    a.port === b.port &&
    a.learning === b.learning &&
    a.ttl === b.ttl &&
    a.tos === b.tos &&
    a.df === b.df &&
    (a.dev === undefined || b.dev === undefined || a.dev === b.dev)
  );
}

function needsRecreate(observed: LinkState, desired: LinkState): boolean {
  if (observed.kind !== desired.kind) return true;
  if (desired.kind === 'vxlan') return !sameVxlan(observed.vxlan, desired.vxlan);
  if (desired.kind === 'bond') return !sameBond(observed.bond, desired.bond);
  if (desired.kind === 'vrf') return observed.table !== desired.table;
  if (desired.kind === 'vlan') {
    const o = observed.vlan;
    const d = desired.vlan!;
    return !o || o.parent !== d.parent || o.id !== d.id || o.protocol !== d.protocol;
  }
  return false;
}

/** A link as the kernel has it right after `link add`. */
function fresh(link: LinkState): LinkState {
  return {
    ...link,
    up: false,
    mtu: undefined,
    mac: undefined,
    alias: undefined,
    master: undefined,
    addresses: [],
    bridge: link.bridge,
    ...(link.vxlan ? { vxlan: { ...link.vxlan, flood: [] } } : {}),
    wireguard: undefined,
  };
}

const ALL_ZERO_MAC = '00:00:00:00:00:00';

/** Head-end replication entries to add and remove on a VXLAN. */
function floodOps(o: LinkState, d: LinkState): KernelOp[] {
  const want = d.vxlan?.flood ?? [];
  const have = o.vxlan?.flood ?? [];
  const entry = (verb: 'append' | 'del', dst: string): KernelOp => ({
    tool: 'bridge',
    argv: ['fdb', verb, ALL_ZERO_MAC, 'dev', d.name, 'dst', dst],
  });
  const wanted = new Set(want);
  const had = new Set(have);
  return [
    ...have.filter((x) => !wanted.has(x)).map((x) => entry('del', x)),
    ...want.filter((x) => !had.has(x)).map((x) => entry('append', x)),
  ];
}

function settingsOps(o: LinkState, d: LinkState): KernelOp[] {
  const ops: KernelOp[] = [];
  const set = (...args: string[]): void =>
    void ops.push({ argv: ['link', 'set', 'dev', d.name, ...args] });
  // Enslave first: a bridge takes the smallest MTU of its ports, and only an MTU set after that sticks.
  if (d.master !== o.master) set(...(d.master ? ['master', d.master] : ['nomaster']));
  if (d.mtu !== undefined && d.mtu !== o.mtu) set('mtu', String(d.mtu));
  if (d.mac !== undefined && d.mac !== o.mac) set('address', d.mac);
  if ((d.alias ?? '') !== (o.alias ?? '')) set('alias', d.alias ?? '');
  if (d.kind === 'bridge' && o.kind === 'bridge' && !sameBridge(o.bridge, d.bridge))
    set('type', 'bridge', ...bridgeArgs(d.bridge!));
  return ops;
}

function addressOps(
  name: string,
  observed: readonly string[],
  desired: readonly string[],
  kernelOwned: readonly string[],
): { del: KernelOp[]; add: KernelOp[] } {
  const want = new Set(desired);
  const have = new Set(observed);
  return {
    del: observed
      .filter((a) => !want.has(a) && !kernelOwned.includes(a))
      .map((a) => ({ argv: ['address', 'del', a, 'dev', name] })),
    add: desired
      .filter((a) => !have.has(a))
      .map((a) => ({ argv: ['address', 'add', a, 'dev', name] })),
  };
}

export function planKernel({ observed, desired, managed }: KernelPlanInput): KernelPlan {
  const remove: KernelOp[] = [];
  const create: LinkState[] = [];
  const settings: KernelOp[] = [];
  const flood: KernelOp[] = [];
  // Bridges and bonds after their ports: a master's own MTU is set once its ports are in.
  const masterSettings: KernelOp[] = [];
  const wireguard: KernelOp[] = [];
  const addrDel: KernelOp[] = [];
  const addrAdd: KernelOp[] = [];
  const state: KernelOp[] = [];
  const missing: string[] = [];
  const removed: LinkState[] = [];
  const names = [...managed].sort();

  // Links that go away (removed, or made again): the kernel takes their VLANs with them.
  const gone = new Set<string>();
  for (const name of names) {
    const d = desired.links.get(name);
    const o = observed.links.get(name);
    if (
      o &&
      VIRTUAL_KINDS.has(o.kind) &&
      (!d || (VIRTUAL_KINDS.has(d.kind) && needsRecreate(o, d)))
    )
      gone.add(name);
  }
  for (let grew = true; grew;) {
    grew = false;
    for (const [name, o] of observed.links)
      if (o.vlan && gone.has(o.vlan.parent) && !gone.has(name)) {
        gone.add(name);
        grew = true;
      }
  }
  const isKind = (name: string | undefined, kind: LinkKind): boolean =>
    name !== undefined && desired.links.get(name)?.kind === kind;
  const wasKind = (name: string | undefined, kind: LinkKind): boolean =>
    name !== undefined && observed.links.get(name)?.kind === kind;

  for (const name of names) {
    const d = desired.links.get(name);
    const o = observed.links.get(name);
    if (!d) {
      if (!o) continue;
      if (VIRTUAL_KINDS.has(o.kind)) {
        if (!o.vlan || !gone.has(o.vlan.parent)) removed.push(o);
      } else {
        // A port taken out of the config is released: no addresses, description or master of ours.
        const current = o.master && gone.has(o.master) ? { ...o, master: undefined } : o;
        const release: LinkState = {
          ...current,
          alias: undefined,
          master: undefined,
          addresses: [],
        };
        for (const op of settingsOps(current, release)) settings.push(op);
        addrDel.push(
          ...addressOps(name, o.addresses, [], o.kind === 'loopback' ? LOOPBACK_DEFAULTS : []).del,
        );
      }
      continue;
    }
    let current = o;
    if (o && gone.has(name)) {
      // A VLAN whose parent goes is deleted by the kernel with it.
      if (!o.vlan || !gone.has(o.vlan.parent)) removed.push(o);
      current = undefined;
    }
    if (!current) {
      if (!VIRTUAL_KINDS.has(d.kind)) {
        missing.push(name);
        continue;
      }
      create.push(d);
      current = fresh(d);
    }
    if (current.master && gone.has(current.master)) current = { ...current, master: undefined };
    if (d.master !== current.master) {
      // A bond takes a port that is down; joining or leaving a VRF cycles the link, which drops its IPv6 addresses.
      if (isKind(d.master, 'bond') && current.up) {
        settings.push({ argv: ['link', 'set', 'dev', name, 'down'] });
        current = { ...current, up: false };
      }
      if (isKind(d.master, 'vrf') || wasKind(current.master, 'vrf'))
        current = { ...current, addresses: current.addresses.filter((a) => !a.includes(':')) };
    }
    const own = settingsOps(current, d);
    (d.kind === 'bridge' || d.kind === 'bond' ? masterSettings : settings).push(...own);
    if (d.kind === 'vxlan') for (const op of floodOps(current, d)) flood.push(op);
    if (d.wireguard && !sameWireguard(current.wireguard, d.wireguard))
      wireguard.push({
        tool: 'wg',
        argv: ['syncconf', name],
        input: wireguardConf(d.wireguard),
        note: `private key and ${d.wireguard.peers.length} peer(s) in a file of FOS1's (0600)`,
      });
    const addresses = addressOps(
      name,
      current.addresses,
      d.addresses,
      d.kind === 'loopback' ? LOOPBACK_DEFAULTS : [],
    );
    for (const op of addresses.del) addrDel.push(op);
    for (const op of addresses.add) addrAdd.push(op);
    if (d.up !== current.up)
      state.push({ argv: ['link', 'set', 'dev', name, d.up ? 'up' : 'down'] });
  }
  // Children before parents when removing; parents before children when creating.
  removed.sort(
    (a, b) =>
      (CREATE_ORDER[b.kind] ?? 0) - (CREATE_ORDER[a.kind] ?? 0) || a.name.localeCompare(b.name),
  );
  for (const link of removed) remove.push({ argv: ['link', 'del', 'dev', link.name] });
  create.sort(
    (a, b) =>
      (CREATE_ORDER[a.kind] ?? 0) - (CREATE_ORDER[b.kind] ?? 0) || a.name.localeCompare(b.name),
  );
  const needs: FeatureNeed[] = [];
  for (const link of create) {
    const feature = featureOf(link);
    if (feature) needs.push({ name: link.name, path: link.path ?? link.name, feature });
  }

  const steps: PlanStep[] = [
    { name: 'remove links', ops: remove },
    { name: 'create links', ops: create.map((link) => ({ argv: createArgs(link) })) },
    { name: 'link settings', ops: [...settings, ...masterSettings] },
    { name: 'flood entries', ops: flood },
    { name: 'wireguard', ops: wireguard },
    { name: 'remove addresses', ops: addrDel },
    { name: 'add addresses', ops: addrAdd },
    { name: 'link state', ops: state },
  ].filter((s) => s.ops.length > 0);
  return { steps, missing, needs };
}

/** `ip` arguments as one line of `ip -batch` input, or undefined when a word needs quoting that batch cannot do safely. */
export function batchLine(op: KernelOp): string | undefined {
  const words: string[] = [];
  for (const arg of op.argv) {
    if (/^[A-Za-z0-9_.:/@+=,-]+$/.test(arg)) words.push(arg);
    else if (/^[^"'\\#\n\r]*$/.test(arg)) words.push(`"${arg}"`);
    else return undefined;
  }
  return words.join(' ');
}

/** How a plan reads to a person (what `commit check` prints). */
export function describePlan(plan: KernelPlan, namespace: string | undefined): string[] {
  const lines: string[] = [];
  for (const step of plan.steps) {
    lines.push(`# kernel: ${step.name}`);
    for (const op of step.ops) {
      const tool = op.tool ?? 'ip';
      const prefix =
        tool === 'wg'
          ? namespace
            ? `ip netns exec ${namespace} wg`
            : 'wg'
          : namespace
            ? `${tool} -n ${namespace}`
            : tool;
      const words = op.argv.map((a) => (/^[A-Za-z0-9_.:/@+=,-]+$/.test(a) ? a : JSON.stringify(a)));
      lines.push(`${prefix} ${words.join(' ')}${op.note ? `  # ${op.note}` : ''}`);
    }
  }
  return lines;
}
