/**
 * `show ip route` and `show ipv6 route`: the main table of the target's
 * kernel, in zebra's layout. The reader is one function, so that zebra's
 * own view (`vtysh -c 'show ip route json'`) can take its place.
 */
import { readRoutes, type KernelRoute } from '../apply/status.js';
import type { Target } from '../apply/target.js';
import { command, type OpArea, type OpCommand } from './tree.js';

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

/** Where the routes come from: the kernel's main table now; zebra once FRR runs. */
export async function routes(target: Target, family: 4 | 6): Promise<RouteView[]> {
  return (await readRoutes(target, family)).map(routeView);
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

function routeCommand(family: 4 | 6): OpCommand {
  return command(`show ${family === 4 ? 'ip' : 'ipv6'} route`, {
    help: `${family === 4 ? 'IPv4' : 'IPv6'} routes of the main table`,
    run: (ctx) => routes(ctx.system.target, family),
    text: formatRoutes,
  });
}

export const routeCommands: OpArea = {
  name: 'routes',
  words: { 'show ip': 'IPv4 information' },
  commands: [routeCommand(4), routeCommand(6)],
};
