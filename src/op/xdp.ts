/**
 * The XDP data plane as it runs: per interface the program and how it is
 * attached, the fill of its maps, packets and bytes passed and dropped per
 * rule (each rule named by the configuration words it stands for), and the
 * sources most dropped over a limit. `clear firewall xdp counters` zeroes
 * the counters and the limited-source table.
 */
import {
  xdpAnyPinned,
  xdpClearCounters,
  xdpList,
  xdpStats,
  type XdpCounters,
  type XdpLimitedSource,
  type XdpLimit,
} from '../apply/bpf.js';
import { entriesAt, type ConfigNode } from '../config/index.js';
import { renderXdp, type XdpDesired } from '../render/xdp.js';
import { interfaceName, type ContainerNode } from '../schema/index.js';
import { withDefaults } from '../verify/index.js';
import { OpError, type OpContext } from './context.js';
import { table } from './table.js';
import { command, type OpArea } from './tree.js';

const rendered = new WeakMap<ConfigNode, XdpDesired>();

function runningXdp(tree: ConfigNode, schema: ContainerNode): XdpDesired {
  let state = rendered.get(tree);
  if (!state) rendered.set(tree, (state = renderXdp(withDefaults(tree, schema))));
  return state;
}

export interface XdpRuleView extends XdpCounters {
  readonly rule: number;
  /** The configuration words (`drop source group network-group BOGONS`), or what rule 0 is. */
  readonly what: string;
}

export interface XdpMapView {
  readonly name: string;
  readonly elements: number | null;
  readonly capacity: number;
}

export interface XdpInterfaceView {
  readonly interface: string;
  /** Configured under `firewall xdp interface`. */
  readonly configured: boolean;
  readonly attached: boolean;
  readonly consistent: boolean;
  readonly mode: string;
  readonly program: { readonly id: number; readonly name: string } | null;
  readonly link: number | null;
  readonly enabled: boolean | null;
  readonly limits: readonly XdpLimit[];
  readonly maps: readonly XdpMapView[];
  readonly rules: readonly XdpRuleView[];
  readonly total: XdpCounters | null;
  readonly topSources: readonly XdpLimitedSource[];
}

const NO_RULE = '(no rule decided: passed untouched)';

async function interfaces(ctx: OpContext, only?: string): Promise<XdpInterfaceView[]> {
  const target = ctx.system.target;
  const desired = runningXdp(ctx.system.applied(), ctx.schema).interfaces;
  const pinned = xdpAnyPinned(target) ? await xdpList(target) : [];
  const names = [...new Set([...desired.keys(), ...pinned.map((s) => s.interface)])]
    .filter((n) => only === undefined || n === only)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (only !== undefined && names.length === 0)
    throw new OpError(`firewall xdp interface ${only} is not configured`);
  const views: XdpInterfaceView[] = [];
  for (const name of names) {
    const state = pinned.find((s) => s.interface === name);
    const d = desired.get(name);
    const what = new Map<number, string>([
      [0, NO_RULE],
      ...(d?.rules ?? []).map((r) => [r.rule, r.what] as const),
    ]);
    const stats = state?.attached ? await xdpStats(target, name) : undefined;
    views.push({
      interface: name,
      configured: d !== undefined,
      attached: state?.attached ?? false,
      consistent: state?.consistent ?? false,
      mode: state?.mode ?? 'none',
      program: state?.program ? { id: state.program.id, name: state.program.name } : null,
      link: state?.link?.id ?? null,
      enabled: state?.enabled ?? null,
      limits: state?.limits ?? [],
      maps: Object.entries(state?.maps ?? {}).map(([m, s]) => ({
        name: m,
        elements: s.elements ?? null,
        capacity: s.capacity,
      })),
      rules: (stats?.rules ?? []).map((r) => ({
        ...r,
        what: what.get(r.rule) ?? `rule ${r.rule} (not in the running configuration)`,
      })),
      total: stats?.total ?? null,
      topSources: stats?.topSources ?? [],
    });
  }
  return views;
}

function fill(m: XdpMapView): string {
  if (m.elements === null) return '';
  return `${((100 * m.elements) / m.capacity).toFixed(m.elements && m.elements < m.capacity / 1000 ? 3 : 1)}%`;
}

export function formatXdp(views: readonly XdpInterfaceView[]): string[] {
  if (views.length === 0) return ['No XDP program is configured.'];
  const out: string[] = [];
  for (const v of views) {
    if (out.length) out.push('');
    const program = v.program ? `program ${v.program.name} (id ${v.program.id})` : 'no program';
    const state = !v.attached
      ? 'not attached'
      : `${v.mode}, link ${v.link}${v.enabled === false ? ', disabled: passing everything' : ''}${v.consistent ? '' : ', NOT CONSISTENT'}`;
    out.push(
      `Interface ${v.interface}: ${program}, ${state}${v.configured ? '' : ' (not configured)'}`,
    );
    if (v.limits.length)
      out.push(
        `  Limits per source: ${v.limits.map((l) => `${l.protocol} ${l.rate}/s burst ${l.burst}`).join(', ')}`,
      );
    const element = v.maps.filter((m) => m.elements !== null);
    if (element.length) {
      out.push('');
      out.push(
        ...table(
          ['Map', 'Elements', 'Capacity', 'Fill'],
          element.map((m) => [m.name, String(m.elements), String(m.capacity), fill(m)]),
        ).map((l) => `  ${l}`),
      );
    }
    if (v.rules.length) {
      out.push('');
      out.push(
        ...table(
          ['Rule', 'Matches', 'Passed', 'Bytes', 'Dropped', 'Bytes'],
          v.rules.map((r) => [
            String(r.rule),
            r.what,
            String(r.passedPackets),
            String(r.passedBytes),
            String(r.droppedPackets),
            String(r.droppedBytes),
          ]),
        ).map((l) => `  ${l}`),
      );
    }
    if (v.total)
      out.push(
        `  Total: passed ${v.total.passedPackets} packets (${v.total.passedBytes} bytes), dropped ${v.total.droppedPackets} packets (${v.total.droppedBytes} bytes)`,
      );
    if (v.topSources.length) {
      out.push('', '  Top rate-limited sources:');
      out.push(
        ...table(
          ['Source', 'Dropped', 'all', 'tcp-syn', 'udp'],
          v.topSources.map((s) => [
            s.source,
            String(s.dropped),
            String(s.all),
            String(s['tcp-syn']),
            String(s.udp),
          ]),
        ).map((l) => `  ${l}`),
      );
    }
  }
  return out;
}

export const xdpCommands: OpArea = {
  name: 'xdp',
  words: {
    clear: 'Clear counters and tables',
    'clear firewall': 'Firewall counters',
    'clear firewall xdp': 'XDP counters',
  },
  sources: [
    {
      name: 'xdp-interfaces',
      help: 'Interfaces under firewall xdp in the running configuration',
      read: (system) =>
        entriesAt(system.applied(), 'firewall', 'xdp', 'interface').map(([name]) => name),
    },
  ],
  commands: [
    command('show firewall xdp', {
      help: 'XDP programs: attach mode, map fill, counters per rule, top rate-limited sources',
      run: (ctx) => interfaces(ctx),
      text: (views) => formatXdp(views),
    }),
    command('show firewall xdp interface <interface>', {
      help: 'The XDP program of one interface',
      args: {
        interface: {
          type: interfaceName,
          format: '<interface>',
          help: 'Interface name',
          source: 'xdp-interfaces',
        },
      },
      run: (ctx, args) => interfaces(ctx, args['interface']),
      text: (views) => formatXdp(views),
    }),
    command('clear firewall xdp counters', {
      help: 'Zero the XDP counters and the table of rate-limited sources',
      run: async (ctx) => {
        const target = ctx.system.target;
        const cleared: string[] = [];
        for (const state of xdpAnyPinned(target) ? await xdpList(target) : [])
          if (state.attached) {
            await xdpClearCounters(target, state.interface);
            cleared.push(state.interface);
          }
        return { cleared };
      },
      text: ({ cleared }) =>
        cleared.length
          ? [`Cleared the XDP counters of ${cleared.join(', ')}.`]
          : ['No XDP program is attached.'],
    }),
  ],
};
