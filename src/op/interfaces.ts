/**
 * Interfaces as the kernel of the target namespace reports them, in VyOS's
 * layouts: the S/L summary, one interface in detail with its counters, the
 * counters table, `clear interfaces counters` (a baseline FOS1 keeps, since
 * the kernel cannot reset them) and `monitor interface`, a rate a second.
 */
import { observeKernel } from '../apply/kernel.js';
import {
  COUNTER_NAMES,
  readLinkStatus,
  type LinkCounters,
  type LinkStatus,
} from '../apply/status.js';
import { isInterfaceName, simple } from '../schema/index.js';
import { OpError, type OpContext, type OpSystem } from './context.js';
import { sleep } from './live.js';
import { table } from './table.js';
import { textWidth, wrapText } from './wrap.js';
import { command, type ArgSpec, type OpArea, type OpCommand } from './tree.js';

/** An interface name as an operational argument: the kernel's rules, and never an option (`-x`). */
export const linkName = simple(
  'link-name',
  '<interface>',
  'Interface name',
  (v) => isInterfaceName(v) && !v.startsWith('-'),
);

/** The kinds `show interfaces KIND` knows, as VyOS names them, and the kernel's kind each stands for. */
const KINDS = {
  ethernet: { kernel: 'ethernet', help: 'Ethernet interfaces' },
  bonding: { kernel: 'bond', help: 'Bonding interfaces' },
  bridge: { kernel: 'bridge', help: 'Bridge interfaces' },
  dummy: { kernel: 'dummy', help: 'Dummy interfaces' },
  vxlan: { kernel: 'vxlan', help: 'VXLAN interfaces' },
} as const;
type Kind = keyof typeof KINDS;

export interface InterfaceSummary {
  readonly name: string;
  readonly kind: string;
  readonly addresses: readonly string[];
  /** `up` or `down` as set (`A` in S/L when down). */
  readonly admin: 'up' | 'down';
  /** The link as the kernel sees it (`D` in S/L when not up). */
  readonly link: 'up' | 'down';
  readonly mtu: number;
  readonly mac: string | undefined;
  readonly description: string;
}

export interface InterfaceCounters extends LinkCounters {
  readonly name: string;
}

export interface InterfaceDetail extends InterfaceSummary {
  readonly flags: readonly string[];
  readonly operState: string;
  readonly master: string | undefined;
  readonly allAddresses: LinkStatus['allAddresses'];
  /** Since the last `clear interfaces counters`, or since the link was made. */
  readonly counters: LinkCounters;
  /** When the counters were last cleared (ISO time), if they were. */
  readonly lastClear: string | undefined;
  readonly details: Readonly<Record<string, unknown>>;
}

const byName = (a: { name: string }, b: { name: string }): number =>
  a.name.localeCompare(b.name, 'en', { numeric: true });

function summary(l: LinkStatus): InterfaceSummary {
  return {
    name: l.name,
    kind: l.kind,
    addresses: l.addresses,
    admin: l.adminUp ? 'up' : 'down',
    // VyOS counts `unknown` (a link without carrier detection, such as lo) as up.
    link: l.operState === 'UP' || l.operState === 'UNKNOWN' ? 'up' : 'down',
    mtu: l.mtu,
    mac: l.mac,
    description: l.description,
  };
}

// ------------------------------------------------------------- the baseline

/** What `clear interfaces counters` recorded: each link's counters then, by name. */
interface Baseline {
  readonly links: Record<string, { ifindex: number; time: string; counters: LinkCounters }>;
}

const baselineKey = (system: OpSystem): string =>
  `interface-counters:${system.target.netns ?? 'root'}`;

function readBaseline(system: OpSystem): Baseline {
  const text = system.state.get(baselineKey(system));
  if (!text) return { links: {} };
  try {
    return JSON.parse(text) as Baseline;
  } catch {
    return { links: {} };
  }
}

/**
 * A link's counters since the baseline. A baseline of another link of the
 * same name (made again since), or above the kernel's count, no longer holds.
 */
function sinceBaseline(
  link: LinkStatus,
  baseline: Baseline,
): { counters: LinkCounters; lastClear: string | undefined } {
  const base = baseline.links[link.name];
  if (!base || base.ifindex !== link.ifindex)
    return { counters: link.counters, lastClear: undefined };
  if (COUNTER_NAMES.some((k) => link.counters[k] < (base.counters[k] ?? 0)))
    return { counters: link.counters, lastClear: undefined };
  const counters = Object.fromEntries(
    COUNTER_NAMES.map((k) => [k, link.counters[k] - (base.counters[k] ?? 0)]),
  ) as unknown as LinkCounters;
  return { counters, lastClear: base.time };
}

async function links(ctx: OpContext, kind?: Kind): Promise<LinkStatus[]> {
  const all = await readLinkStatus(ctx.system.target);
  return all.filter((l) => kind === undefined || l.kind === KINDS[kind].kernel).sort(byName);
}

async function oneLink(ctx: OpContext, name: string, kind?: Kind): Promise<LinkStatus> {
  const link = (await links(ctx)).find((l) => l.name === name);
  if (!link || (kind !== undefined && link.kind !== KINDS[kind].kernel))
    throw new OpError(
      `interface ${kind ? `${kind} ` : ''}'${name}' does not exist in ${describe(ctx)}`,
    );
  return link;
}

const describe = (ctx: OpContext): string =>
  ctx.system.target.netns === undefined
    ? 'the root namespace'
    : `namespace ${ctx.system.target.netns}`;

function detail(l: LinkStatus, baseline: Baseline): InterfaceDetail {
  const { counters, lastClear } = sinceBaseline(l, baseline);
  return {
    ...summary(l),
    flags: l.flags,
    operState: l.operState,
    master: l.master,
    allAddresses: l.allAddresses,
    counters,
    lastClear,
    details: l.details,
  };
}

function countersOf(l: LinkStatus, baseline: Baseline): InterfaceCounters {
  return { name: l.name, ...sinceBaseline(l, baseline).counters };
}

// ----------------------------------------------------------------- layouts

const pad = (text: string, width: number): string => text.padEnd(width);

/** Where `show interfaces` puts the description. */
const DESCRIPTION_COLUMN = 16 + 1 + 33 + 1 + 4 + 1;

/**
 * VyOS's `show interfaces`: `%-16s %-33s %-4s %s`, an address a line. At a
 * terminal's width (src/op/wrap.ts) a long description wraps in its column.
 */
export function formatSummary(list: readonly InterfaceSummary[], width = textWidth()): string[] {
  const room = width === undefined ? undefined : Math.max(8, width - DESCRIPTION_COLUMN);
  const row = (i: string, a: string, sl: string, d: string): string[] => {
    const [first, ...more] = room === undefined ? [d] : wrapText(d, room);
    return [
      `${pad(i, 16)} ${pad(a, 33)} ${pad(sl, 4)} ${first ?? ''}`.trimEnd(),
      ...more.map((m) => `${' '.repeat(DESCRIPTION_COLUMN)}${m}`),
    ];
  };
  const out = [
    'Codes: S - State, L - Link, u - Up, D - Down, A - Admin Down',
    ...row('Interface', 'IP Address', 'S/L', 'Description'),
    ...row('---------', '----------', '---', '-----------'),
  ];
  for (const l of list) {
    const sl = `${l.admin === 'up' ? 'u' : 'A'}/${l.link === 'up' ? 'u' : 'D'}`;
    const addresses = l.addresses.length ? [...l.addresses] : ['-'];
    addresses.forEach((a, n) => {
      const first = n === 0;
      if (a.length < 33)
        out.push(...row(first ? l.name : '', a, first ? sl : '', first ? l.description : ''));
      else {
        out.push(`${pad(first ? l.name : '', 16)} ${a}`);
        if (first) out.push(...row('', '', sl, l.description));
      }
    });
  }
  return out;
}

/** The RX/TX block under one interface, right-aligned as VyOS's tabulate prints it. */
export function formatStats(c: LinkCounters, indent = 4): string[] {
  const rows = [
    ['RX:', 'bytes', 'packets', 'errors', 'dropped', 'overrun', 'mcast'],
    [
      '',
      ...[c.rxBytes, c.rxPackets, c.rxErrors, c.rxDropped, c.rxOverErrors, c.rxMulticast].map(
        String,
      ),
    ],
    ['TX:', 'bytes', 'packets', 'errors', 'dropped', 'carrier', 'collisions'],
    [
      '',
      ...[c.txBytes, c.txPackets, c.txErrors, c.txDropped, c.txCarrierErrors, c.txCollisions].map(
        String,
      ),
    ],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map(
    (r) => `${' '.repeat(indent)}${r.map((v, i) => v.padStart(widths[i]!)).join('  ')}`,
  );
}

/** One interface as VyOS shows it: the `ip address` lines, then description and counters. */
export function formatDetail(d: InterfaceDetail, extended: boolean): string[] {
  const out = [`${d.name}: <${d.flags.join(',')}> mtu ${d.mtu} state ${d.operState}`];
  if (d.mac) out.push(`    link/${d.kind === 'loopback' ? 'loopback' : 'ether'} ${d.mac}`);
  for (const a of d.allAddresses) out.push(`    ${a.family} ${a.address} scope ${a.scope}`);
  if (d.lastClear) out.push(`    Last clear: ${d.lastClear.replace('T', ' ').slice(0, 19)}`);
  if (d.description) out.push(`    Description: ${d.description}`);
  if (extended) {
    out.push(`    Kind: ${d.kind}`);
    if (d.master) out.push(`    Member of: ${d.master}`);
    for (const [k, v] of Object.entries(d.details))
      if (typeof v !== 'object') out.push(`    ${k}: ${String(v)}`);
  }
  out.push('', ...formatStats(d.counters));
  return out;
}

export function formatCounters(list: readonly InterfaceCounters[]): string[] {
  return table(
    [
      'Interface',
      'Rx Packets',
      'Rx Bytes',
      'Tx Packets',
      'Tx Bytes',
      'Rx Dropped',
      'Tx Dropped',
      'Rx Errors',
      'Tx Errors',
    ],
    list.map((c) =>
      [
        c.name,
        c.rxPackets,
        c.rxBytes,
        c.txPackets,
        c.txBytes,
        c.rxDropped,
        c.txDropped,
        c.rxErrors,
        c.txErrors,
      ].map(String),
    ),
  );
}

// ------------------------------------------------------------ the monitor

export interface RateSample {
  readonly time: string;
  /** Per second over the last interval. */
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly rxPackets: number;
  readonly txPackets: number;
}

export interface MonitorData {
  readonly interface: string;
  /** The newest samples (at most MONITOR_KEEP). */
  readonly samples: readonly RateSample[];
}

/** Samples a monitor keeps for its data: an hour at one a second. */
const MONITOR_KEEP = 3600;

const rate = (bytes: number): string => {
  const bits = bytes * 8;
  if (bits >= 1e9) return `${(bits / 1e9).toFixed(2)} Gbit/s`;
  if (bits >= 1e6) return `${(bits / 1e6).toFixed(2)} Mbit/s`;
  if (bits >= 1e3) return `${(bits / 1e3).toFixed(2)} kbit/s`;
  return `${bits.toFixed(0)} bit/s`;
};

function monitorHeader(name: string): string[] {
  return [
    `Monitoring ${name}, a line a second; Ctrl-C or q stops.`,
    `${pad('Time', 8)}  ${'RX rate'.padStart(14)}  ${'RX pkt/s'.padStart(9)}  ${'TX rate'.padStart(14)}  ${'TX pkt/s'.padStart(9)}`,
  ];
}

function monitorLine(s: RateSample): string {
  return `${s.time.slice(11, 19)}  ${rate(s.rxBytes).padStart(14)}  ${String(s.rxPackets).padStart(9)}  ${rate(s.txBytes).padStart(14)}  ${String(s.txPackets).padStart(9)}`;
}

async function monitor(ctx: OpContext, name: string): Promise<MonitorData> {
  await oneLink(ctx, name);
  const samples: RateSample[] = [];
  for (const l of monitorHeader(name)) ctx.live.line(l);
  const read = async (): Promise<{ at: number; c: LinkCounters } | undefined> => {
    const link = (await readLinkStatus(ctx.system.target)).find((l) => l.name === name);
    return link ? { at: Date.now(), c: link.counters } : undefined;
  };
  let last = await read();
  while (last && !ctx.live.signal.aborted) {
    await sleep(1000, ctx.live.signal);
    if (ctx.live.signal.aborted) break;
    const now = await read();
    if (!now) {
      ctx.live.line(`${name} is gone.`);
      break;
    }
    const seconds = Math.max(0.001, (now.at - last.at) / 1000);
    const per = (k: keyof LinkCounters): number =>
      Math.max(0, Math.round((now.c[k] - last!.c[k]) / seconds));
    const sample = {
      time: new Date(now.at).toISOString(),
      rxBytes: per('rxBytes'),
      txBytes: per('txBytes'),
      rxPackets: per('rxPackets'),
      txPackets: per('txPackets'),
    };
    samples.push(sample);
    if (samples.length > MONITOR_KEEP) samples.shift();
    ctx.live.line(monitorLine(sample));
    last = now;
  }
  return { interface: name, samples };
}

// ---------------------------------------------------------------- commands

const nameArg = (kind: Kind | undefined, help: string): ArgSpec => ({
  type: linkName,
  help,
  source: kind === undefined ? 'interfaces' : `interfaces-${kind}`,
});

/** Shared by the commands that start with `show interfaces KIND <name>` (one argument node). */
const KIND_ARGS = Object.fromEntries(
  (Object.keys(KINDS) as Kind[]).map((k) => [k, nameArg(k, `${KINDS[k].help.replace(/s$/, '')}`)]),
) as Record<Kind, ArgSpec>;

function kindCommands(kind: Kind): OpCommand[] {
  const args = { name: KIND_ARGS[kind] };
  const prefix = `show interfaces ${kind}`;
  return [
    command(prefix, {
      help: KINDS[kind].help,
      run: async (ctx): Promise<InterfaceSummary[]> => (await links(ctx, kind)).map(summary),
      text: (list) => formatSummary(list),
    }),
    // The help of a command ending in its argument is its last word's: the same as the list's.
    command(`${prefix} <name>`, {
      help: KINDS[kind].help,
      args,
      run: async (ctx, a): Promise<InterfaceDetail> =>
        detail(await oneLink(ctx, a['name']!, kind), readBaseline(ctx.system)),
      text: (d) => formatDetail(d, false),
    }),
    command(`${prefix} <name> brief`, {
      help: 'Its line of the summary',
      args,
      run: async (ctx, a): Promise<InterfaceSummary[]> => [
        summary(await oneLink(ctx, a['name']!, kind)),
      ],
      text: (list) => formatSummary(list),
    }),
    command(`${prefix} <name> detail`, {
      help: "With the kernel's details of the link",
      args,
      run: async (ctx, a): Promise<InterfaceDetail> =>
        detail(await oneLink(ctx, a['name']!, kind), readBaseline(ctx.system)),
      text: (d) => formatDetail(d, true),
    }),
    command(`${prefix} <name> counters`, {
      help: 'Its counters since they were last cleared',
      args,
      run: async (ctx, a): Promise<InterfaceCounters[]> => [
        countersOf(await oneLink(ctx, a['name']!, kind), readBaseline(ctx.system)),
      ],
      text: formatCounters,
    }),
  ];
}

const monitorArg = nameArg(undefined, 'Interface to watch');

function monitorCommand(pattern: string, help: string): OpCommand {
  return command(pattern, {
    help,
    args: { name: monitorArg },
    live: true,
    run: (ctx, a) => monitor(ctx, a['name']!),
    text: (d) => [...monitorHeader(d.interface), ...d.samples.map(monitorLine)],
  });
}

export const interfaceCommands: OpArea = {
  name: 'interfaces',
  words: {
    clear: 'Clear counters and tables',
    'clear interfaces': 'Interface counters',
    monitor: 'Watch the system live',
  },
  sources: [
    {
      name: 'interfaces',
      help: 'Links in the target namespace',
      read: async (system) => [...(await observeKernel(system.target)).links.keys()],
    },
    ...(Object.keys(KINDS) as Kind[]).map((kind) => ({
      name: `interfaces-${kind}`,
      help: `${KINDS[kind].help} in the target namespace`,
      read: async (system: OpSystem) =>
        (await readLinkStatus(system.target))
          .filter((l) => l.kind === KINDS[kind].kernel)
          .map((l) => l.name),
    })),
  ],
  commands: [
    command('show interfaces', {
      help: 'Interfaces of the target namespace: addresses, state and link (S/L)',
      run: async (ctx): Promise<InterfaceSummary[]> => (await links(ctx)).map(summary),
      text: (list) => formatSummary(list),
    }),
    command('show interfaces detail', {
      help: 'Every interface with its addresses and counters',
      run: async (ctx): Promise<InterfaceDetail[]> => {
        const baseline = readBaseline(ctx.system);
        return (await links(ctx)).map((l) => detail(l, baseline));
      },
      text: (list) => list.flatMap((d, i) => [...(i ? [''] : []), ...formatDetail(d, false)]),
    }),
    command('show interfaces counters', {
      help: 'Packets, bytes, drops and errors of every interface since they were last cleared',
      run: async (ctx): Promise<InterfaceCounters[]> => {
        const baseline = readBaseline(ctx.system);
        return (await links(ctx)).map((l) => countersOf(l, baseline));
      },
      text: formatCounters,
    }),
    ...(Object.keys(KINDS) as Kind[]).flatMap(kindCommands),
    command('clear interfaces counters', {
      help: 'Count from zero again (the kernel keeps counting; FOS1 keeps where it was)',
      run: async (ctx) => {
        const now = new Date().toISOString();
        const all = await links(ctx);
        const baseline: Baseline = {
          links: Object.fromEntries(
            all.map((l) => [l.name, { ifindex: l.ifindex, time: now, counters: l.counters }]),
          ),
        };
        ctx.system.state.set(baselineKey(ctx.system), JSON.stringify(baseline));
        ctx.system.note('clear-counters', `interfaces: ${all.map((l) => l.name).join(' ')}`, 'ok');
        return { cleared: all.map((l) => l.name), time: now };
      },
      text: (d) => [`Counters of ${d.cleared.length} interfaces cleared.`],
    }),
    monitorCommand(
      'monitor interface <name>',
      'Receive and transmit rates of an interface, a line a second',
    ),
    monitorCommand('monitor interface <name> traffic', 'The same rates, as VyOS spells it'),
  ],
};
