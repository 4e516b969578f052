/**
 * `show ip route` and `show ipv6 route` (all routes, one prefix or address,
 * or one protocol's), and the same inside a VRF (`show ip route vrf NAME
 * ...`): zebra's RIB when FOS1's zebra runs for the target (its json, its
 * text, which is VyOS's), and the kernel's table (main, or the VRF's) in
 * zebra's shapes when it does not (FRR not installed, or not started yet).
 */
import { daemonSince, frrSpace } from '../apply/frr.js';
import { readRoutes, type KernelRoute } from '../apply/status.js';
import { entriesAt, valueAt } from '../config/index.js';
import { ipv4, ipv4Prefix, ipv4ToNumber, ipv6, ipv6Prefix, parseIPv6 } from '../schema/index.js';
import { anyOf } from '../schema/types.js';
import { OpError, type OpContext } from './context.js';
import { ask, askFrr, daemonRuns, FrrOutput, vrfArg } from './frr-ask.js';
import { command, type ArgSpec, type OpArea, type OpCommand } from './tree.js';

export interface RouteView {
  /** zebra's code: K kernel, C connected, S static, B BGP, O OSPF, ... */
  readonly code: string;
  readonly prefix: string;
  readonly protocol: string;
  readonly metric: number;
  readonly nexthops: KernelRoute['nexthops'];
  readonly type: string;
}

const CODES: Record<string, string> = {
  static: 'S',
  zebra: 'K',
  bgp: 'B',
  ospf: 'O',
  rip: 'R',
  isis: 'I',
  babel: 'A',
  eigrp: 'E',
  nhrp: 'N',
  openfabric: 'f',
};

export function routeView(r: KernelRoute): RouteView {
  const connected = r.protocol === 'kernel' && r.nexthops.every((h) => h.via === undefined);
  return {
    code: connected ? 'C' : (CODES[r.protocol] ?? 'K'),
    prefix: r.prefix,
    protocol: r.protocol,
    metric: r.metric,
    nexthops: r.nexthops,
    type: r.type,
  };
}

/** zebra's protocol name for a kernel route (`connected` for a route without a gateway). */
function zebraProtocol(v: RouteView, family: 4 | 6): string {
  if (v.code === 'C') return 'connected';
  if (v.code === 'S') return 'static';
  if (v.code === 'B') return 'bgp';
  if (v.code === 'O') return family === 6 ? 'ospf6' : 'ospf';
  return 'kernel';
}

/** The kernel's main table in the shape of zebra's `show ip route json`: routes by prefix. */
function zebraShaped(
  views: readonly RouteView[],
  family: 4 | 6,
  table: number,
): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const v of views)
    (out[v.prefix] ??= []).push({
      prefix: v.prefix,
      protocol: zebraProtocol(v, family),
      selected: true,
      installed: true,
      metric: v.metric,
      table,
      ...(v.type !== 'unicast' ? { type: v.type } : {}),
      nexthops: v.nexthops.map((h) => ({
        fib: true,
        ...(h.via ? { ip: h.via } : { directlyConnected: true }),
        ...(h.interface ? { interfaceName: h.interface } : {}),
        active: true,
        ...(h.weight !== undefined ? { weight: h.weight } : {}),
      })),
    });
  return out;
}

const HEADER = [
  'Codes: K - kernel route, C - connected, S - static, R - RIP,',
  '       O - OSPF, I - IS-IS, B - BGP, E - EIGRP, N - NHRP,',
  '       T - Table, v - VNC, V - VNC-Direct, A - Babel, F - PBR,',
  '       f - OpenFabric,',
  '       > - selected route, * - FIB route, q - queued, r - rejected, b - backup',
  '       t - trapped, o - offload failure',
  '',
];

/** zebra's lines: `C>* 192.0.2.0/24 is directly connected, eth0`, `K>* 0.0.0.0/0 [0/0] via 192.0.2.254, eth0`. */
export function formatRoutes(list: readonly RouteView[]): string[] {
  const out = [...HEADER];
  for (const r of list) {
    const head = `${r.code}>* ${r.prefix}`;
    const pad = ' '.repeat(head.length - r.prefix.length - 1);
    if (r.type !== 'unicast') {
      out.push(`${head} ${r.type}`);
      continue;
    }
    r.nexthops.forEach((h, i) => {
      const lead = i === 0 ? head : `${pad.slice(0, -1)}  *`;
      const weight = h.weight !== undefined ? `, weight ${h.weight}` : '';
      if (!h.via) out.push(`${lead} is directly connected, ${h.interface ?? '?'}`);
      else
        out.push(
          `${lead}${i === 0 ? ` [${r.code === 'C' ? 0 : r.metric === 0 ? 0 : r.metric}/0]` : ''} via ${h.via}${h.interface ? `, ${h.interface}` : ''}${weight}`,
        );
    });
  }
  return out;
}

/** The bits of an address, most significant first (for the longest match of the kernel fallback). */
function bits(address: string): string {
  if (!address.includes(':')) return ipv4ToNumber(address).toString(2).padStart(32, '0');
  return (parseIPv6(address) ?? []).map((g) => g.toString(2).padStart(16, '0')).join('');
}

function covers(prefix: string, address: string): boolean {
  const [net, length] = prefix.split('/') as [string, string];
  const n = Number(length);
  return bits(net).slice(0, n) === bits(address).slice(0, n);
}

/** Which routes a `show ip route` asks for: all, one prefix or address, or one protocol's. */
export type RouteFilter =
  | { readonly kind: 'all' }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'protocol'; readonly word: string };

/** The kernel's routes a filter keeps: a prefix exactly, an address by its longest match. */
function filterKernel(views: RouteView[], filter: RouteFilter, family: 4 | 6): RouteView[] {
  if (filter.kind === 'all') return views;
  if (filter.kind === 'protocol')
    return views.filter((v) => zebraProtocol(v, family) === ZEBRA_PROTOCOL[filter.word]);
  if (filter.value.includes('/')) return views.filter((v) => v.prefix === filter.value);
  const matching = views.filter((v) => covers(v.prefix, filter.value));
  const longest = Math.max(-1, ...matching.map((v) => Number(v.prefix.split('/')[1])));
  return matching.filter((v) => Number(v.prefix.split('/')[1]) === longest);
}

/** The kernel's main table, or a VRF's table, in zebra's layout and json shape. */
export async function kernelRoutes(
  ctx: OpContext,
  family: 4 | 6,
  filter: RouteFilter = { kind: 'all' },
  vrf?: string,
): Promise<FrrOutput> {
  const table = vrf === undefined ? 'main' : vrfTable(ctx, vrf);
  const views = filterKernel(
    (await readRoutes(ctx.system.target, family, table)).map(routeView),
    filter,
    family,
  );
  return new FrrOutput(
    zebraShaped(views, family, table === 'main' ? 254 : table),
    formatRoutes(views),
  );
}

/** The kernel table of a configured VRF (`vrf name NAME table N`). */
function vrfTable(ctx: OpContext, vrf: string): number {
  const table = valueAt(ctx.system.applied(), 'vrf', 'name', vrf, 'table');
  if (table === undefined) throw new OpError(`VRF '${vrf}' has no table ('vrf name ${vrf} table')`);
  return Number(table);
}

/** The protocol words of the commands, and zebra's names for them. */
const ZEBRA_PROTOCOL: Record<string, string> = {
  bgp: 'bgp',
  ospf: 'ospf',
  ospfv3: 'ospf6',
  static: 'static',
  connected: 'connected',
  kernel: 'kernel',
};

/** How long a route view waits for a zebra that has just started to hold the kernel's routes. */
export const ZEBRA_READY_MS = 2000;
/** A zebra older than this has long read the kernel: no wait, no check. */
const ZEBRA_SETTLED_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Wait (at most ZEBRA_READY_MS) until a zebra that started moments ago has
 * read the kernel: zebra dumps the kernel's routes at start and queues them,
 * so its vty answers before its RIB holds them, and `show ip route` would
 * print a table with routes missing. Ready when zebra's RIB counts at least
 * the routes of the kernel's main table (`show ip route summary json`'s
 * `routesTotal`; routes on a link that is down, which zebra leaves out, not
 * counted). Whether it became ready in time.
 */
export function zebraReady(ctx: OpContext, family: 4 | 6): Promise<boolean> {
  // Once per command: `show ip route vrf all` asks for each VRF, and waits (if at all) once.
  let waits = readyWaits.get(ctx);
  if (!waits) readyWaits.set(ctx, (waits = new Map()));
  let ready = waits.get(family);
  if (!ready) waits.set(family, (ready = waitForZebra(ctx, family)));
  return ready;
}

const readyWaits = new WeakMap<OpContext, Map<4 | 6, Promise<boolean>>>();

async function waitForZebra(ctx: OpContext, family: 4 | 6): Promise<boolean> {
  const since = daemonSince(frrSpace(ctx.system.target), 'zebra');
  if (since === undefined || Date.now() - since > ZEBRA_SETTLED_MS) return true;
  const end = Date.now() + ZEBRA_READY_MS;
  const expected = (await readRoutes(ctx.system.target, family)).filter(
    (r) => !r.flags.includes('linkdown') && !r.flags.includes('dead'),
  ).length;
  const summary = family === 4 ? 'show ip route summary json' : 'show ipv6 route summary json';
  for (;;) {
    const [reply] = await ask(ctx, 'zebra', [summary]);
    let total = 0;
    try {
      total = Number((JSON.parse(reply!) as { routesTotal?: unknown }).routesTotal ?? 0);
    } catch {
      // Not json: zebra is still starting.
    }
    if (total >= expected) return true;
    if (Date.now() >= end) return false;
    await sleep(50);
  }
}

/**
 * Where the routes come from: zebra when it runs (once it holds the
 * kernel's), else the kernel's main table; inside a VRF (a name of the
 * running configuration, checked before), zebra's VRF or the VRF's table.
 */
export async function routes(
  ctx: OpContext,
  family: 4 | 6,
  filter: RouteFilter = { kind: 'all' },
  vrf?: string,
): Promise<FrrOutput> {
  if (!daemonRuns(ctx, 'zebra')) return kernelRoutes(ctx, family, filter, vrf);
  await zebraReady(ctx, family);
  const words = [family === 4 ? 'show ip route' : 'show ipv6 route'];
  if (vrf !== undefined) words.push('vrf', vrf);
  if (filter.kind === 'prefix') words.push(filter.value);
  if (filter.kind === 'protocol') words.push(ZEBRA_PROTOCOL[filter.word]!);
  return askFrr(ctx, 'zebra', words.join(' ')).catch((e: unknown) => {
    throw vrf !== undefined && e instanceof OpError ? vrfUnknownToZebra(e, vrf) : e;
  });
}

/**
 * zebra's `% VRF red not found` (or `not active`) for a VRF of the running
 * configuration: zebra knows a VRF from its kernel link, so the link is
 * missing (a kernel without VRFs, or drift). Said so, with zebra's words.
 */
function vrfUnknownToZebra(e: OpError, vrf: string): OpError {
  if (!/^zebra: VRF \S+ not (found|active)$/.test(e.message)) return e;
  return new OpError(
    `${e.message} (VRF '${vrf}' is configured, but zebra knows a VRF only from its kernel link '${vrf}' of type vrf, which this namespace lacks or has down: see show system drift)`,
  );
}

const text = (d: FrrOutput): string[] => [...d.text];

/**
 * `show ip route vrf all`: the default VRF, then each VRF of the running configuration, each
 * as its own command shows it, under FRR's `VRF NAME:` headings (json: the views by VRF name).
 * A VRF that cannot be shown says why in its place; the others are shown all the same.
 */
async function allVrfRoutes(ctx: OpContext, family: 4 | 6): Promise<FrrOutput> {
  const names = entriesAt(ctx.system.applied(), 'vrf', 'name').map(([name]) => name);
  const json: Record<string, unknown> = {};
  const lines: string[] = [];
  for (const name of ['default', ...names]) {
    if (lines.length) lines.push('');
    lines.push(`VRF ${name}:`);
    try {
      const view = await routes(
        ctx,
        family,
        { kind: 'all' },
        name === 'default' ? undefined : name,
      );
      json[name] = view.json;
      lines.push(...view.text);
    } catch (e) {
      if (!(e instanceof OpError)) throw e;
      json[name] = { error: e.message };
      lines.push(e.message);
    }
  }
  return new FrrOutput(json, lines);
}

/** The protocols a route view may be narrowed to, with their names in help. */
function routeProtocols(family: 4 | 6): [string, string][] {
  return [
    ['bgp', 'BGP'],
    [family === 4 ? 'ospf' : 'ospfv3', family === 4 ? 'OSPF' : 'OSPFv3'],
    ['static', 'static'],
    ['connected', 'connected'],
    ['kernel', 'kernel'],
  ];
}

const routePrefix = (family: 4 | 6): ArgSpec => ({
  type:
    family === 4 ? anyOf('ipv4-route', ipv4, ipv4Prefix) : anyOf('ipv6-route', ipv6, ipv6Prefix),
  help: 'The route of a prefix, or the route an address takes',
});
const PREFIX: Record<4 | 6, ArgSpec> = { 4: routePrefix(4), 6: routePrefix(6) };

/** `show ip route vrf NAME [PREFIX]` and `show ip route vrf NAME PROTOCOL`. */
function vrfRouteCommands(family: 4 | 6): OpCommand[] {
  const ip = family === 4 ? 'ip' : 'ipv6';
  const name = family === 4 ? 'IPv4' : 'IPv6';
  return [
    command(`show ${ip} route vrf all`, {
      help: `${name} routes of the default VRF and of every VRF of the running configuration`,
      run: (ctx) => allVrfRoutes(ctx, family),
      text,
    }),
    command(`show ${ip} route vrf <vrf> [<prefix>]`, {
      help: `${name} routes of the VRF (zebra's RIB of the VRF; the VRF's kernel table when FRR does not run)`,
      args: { vrf: vrfArg, prefix: PREFIX[family] },
      run: (ctx, a) =>
        routes(
          ctx,
          family,
          a['prefix'] ? { kind: 'prefix', value: a['prefix'] } : { kind: 'all' },
          a['vrf']!,
        ),
      text,
    }),
    ...routeProtocols(family).map(([word, label]) =>
      command(`show ${ip} route vrf <vrf> ${word}`, {
        help: `Only the routes from ${label}`,
        args: { vrf: vrfArg },
        run: (ctx, a) => routes(ctx, family, { kind: 'protocol', word }, a['vrf']!),
        text,
      }),
    ),
  ];
}

function routeCommands4or6(family: 4 | 6): OpCommand[] {
  const ip = family === 4 ? 'ip' : 'ipv6';
  const name = family === 4 ? 'IPv4' : 'IPv6';
  return [
    command(`show ${ip} route [<prefix>]`, {
      help: `${name} routes (zebra's RIB; the kernel's main table when FRR does not run)`,
      args: { prefix: PREFIX[family] },
      run: (ctx, a) =>
        routes(ctx, family, a['prefix'] ? { kind: 'prefix', value: a['prefix'] } : { kind: 'all' }),
      text,
    }),
    ...routeProtocols(family).map(([word, label]) =>
      command(`show ${ip} route ${word}`, {
        help: `${name} routes from ${label}`,
        run: (ctx) => routes(ctx, family, { kind: 'protocol', word }),
        text,
      }),
    ),
  ];
}

export const routeCommands: OpArea = {
  name: 'routes',
  words: { 'show ip': 'IPv4 information' },
  commands: [
    ...routeCommands4or6(4),
    ...vrfRouteCommands(4),
    ...routeCommands4or6(6),
    ...vrfRouteCommands(6),
  ],
};
