/**
 * Kernel planning (pure): the `ip` operations that take a namespace from what
 * it has (observed) to what the configuration wants (desired), touching only
 * the links FOS1 manages.
 */
import {
  LOOPBACK_DEFAULTS,
  VIRTUAL_KINDS,
  type BridgeParameters,
  type KernelState,
  type LinkState,
  type VxlanParameters,
} from './kernel.js';

/** One `ip` (or `bridge`) invocation, without the tool's name and `-n NS`. */
export interface KernelOp {
  readonly argv: readonly string[];
  /** `bridge` for forwarding-database entries; `ip` when absent. */
  readonly tool?: 'bridge';
}

export interface PlanStep {
  readonly name: string;
  readonly ops: readonly KernelOp[];
}

export interface KernelPlan {
  readonly steps: readonly PlanStep[];
  /** Configured links that are not there and that FOS1 cannot create (physical ports). */
  readonly missing: readonly string[];
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
const CREATE_ORDER: Record<string, number> = { dummy: 0, vxlan: 1, bridge: 2, vlan: 3 };

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
  // Bridges after their ports, so that a bridge's own MTU is set once its ports are in.
  const bridgeSettings: KernelOp[] = [];
  const addrDel: KernelOp[] = [];
  const addrAdd: KernelOp[] = [];
  const state: KernelOp[] = [];
  const missing: string[] = [];
  const removed: LinkState[] = [];

  for (const name of [...managed].sort()) {
    const d = desired.links.get(name);
    const o = observed.links.get(name);
    if (!d) {
      if (!o) continue;
      if (VIRTUAL_KINDS.has(o.kind)) removed.push(o);
      else {
        // A port taken out of the config is released: no addresses, description or bridge of ours.
        const release: LinkState = { ...o, alias: undefined, master: undefined, addresses: [] };
        for (const op of settingsOps(o, release)) settings.push(op);
        addrDel.push(
          ...addressOps(name, o.addresses, [], o.kind === 'loopback' ? LOOPBACK_DEFAULTS : []).del,
        );
      }
      continue;
    }
    let current = o;
    if (o && VIRTUAL_KINDS.has(d.kind) && needsRecreate(o, d)) {
      removed.push(o);
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
    for (const op of settingsOps(current, d))
      (d.kind === 'bridge' ? bridgeSettings : settings).push(op);
    if (d.kind === 'vxlan') for (const op of floodOps(current, d)) flood.push(op);
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

  const steps: PlanStep[] = [
    { name: 'remove links', ops: remove },
    { name: 'create links', ops: create.map((link) => ({ argv: createArgs(link) })) },
    { name: 'link settings', ops: [...settings, ...bridgeSettings] },
    { name: 'flood entries', ops: flood },
    { name: 'remove addresses', ops: addrDel },
    { name: 'add addresses', ops: addrAdd },
    { name: 'link state', ops: state },
  ].filter((s) => s.ops.length > 0);
  return { steps, missing };
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
      const prefix = namespace ? `${tool} -n ${namespace}` : tool;
      lines.push(
        `${prefix} ${op.argv.map((a) => (/^[A-Za-z0-9_.:/@+=,-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')}`,
      );
    }
  }
  return lines;
}
