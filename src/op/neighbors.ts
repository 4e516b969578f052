/** The neighbour tables of the target (ARP, IPv6 neighbour discovery) and a bridge's MAC table. */
import {
  readFdb,
  readNeighbors,
  readLinkStatus,
  type FdbEntry,
  type Neighbor,
} from '../apply/status.js';
import { OpError, type OpContext } from './context.js';
import { linkName } from './interfaces.js';
import { table } from './table.js';
import { command, type OpArea } from './tree.js';

/** VyOS's neighbour table: Address, Interface, Link layer address, State. */
function formatNeighbors(list: readonly Neighbor[]): string[] {
  return table(
    ['Address', 'Interface', 'Link layer address', 'State'],
    list.map((n) => [n.address, n.interface, n.mac ?? '', n.state.join(', ')]),
  );
}

const bridgeArg = {
  type: linkName,
  format: '<bridge>',
  help: 'Bridge interface',
  source: 'interfaces-bridge',
};

async function fdb(ctx: OpContext, bridge: string): Promise<FdbEntry[]> {
  const entries = await readFdb(ctx.system.target, bridge);
  const isBridge = (await readLinkStatus(ctx.system.target)).some(
    (l) => l.name === bridge && l.kind === 'bridge',
  );
  if (entries === undefined || !isBridge)
    throw new OpError(`bridge '${bridge}' does not exist in the system`);
  return entries;
}

export const neighborCommands: OpArea = {
  name: 'neighbors',
  words: {
    'show ipv6': 'IPv6 information',
    'show bridge': 'Bridge information',
    'show lldp': 'LLDP information',
  },
  commands: [
    command('show arp', {
      help: 'The ARP table (IPv4 neighbours)',
      run: (ctx) => readNeighbors(ctx.system.target, 4),
      text: formatNeighbors,
    }),
    command('show ipv6 neighbors', {
      help: 'The IPv6 neighbour table',
      run: (ctx) => readNeighbors(ctx.system.target, 6),
      text: formatNeighbors,
    }),
    command('show bridge <bridge> fdb', {
      help: 'The forwarding database of the bridge',
      args: { bridge: bridgeArg },
      run: (ctx, a) => fdb(ctx, a['bridge']!),
      // VyOS's layout: Interface, Mac address, State, Flags.
      text: (entries) =>
        table(
          ['Interface', 'Mac address', 'State', 'Flags'],
          entries.map((e) => [e.interface, e.mac, e.state, e.flags.join(',')]),
        ),
    }),
    command('show bridge <bridge> macs', {
      help: 'The MAC addresses the bridge learned, by port',
      args: { bridge: bridgeArg },
      run: async (ctx, a) =>
        (await fdb(ctx, a['bridge']!)).filter(
          (e) => e.state !== 'permanent' && !e.flags.includes('self'),
        ),
      text: (entries) =>
        table(
          ['Interface', 'MAC address', 'VLAN', 'State'],
          entries.map((e) => [
            e.interface,
            e.mac,
            e.vlan === undefined ? '' : String(e.vlan),
            e.state || 'learned',
          ]),
        ),
    }),
    // FOS1 runs no LLDP agent yet; VyOS says so in these words, which Ansible's
    // vyos_facts (neighbors subset) reads as "no neighbours".
    ...(['show lldp neighbors', 'show lldp neighbors detail'] as const).map((pattern) =>
      command(pattern, {
        help: pattern.endsWith('detail')
          ? 'LLDP neighbours, in detail (no LLDP agent runs)'
          : 'LLDP neighbours (no LLDP agent runs)',
        run: () => ({ configured: false, neighbors: [] as string[] }),
        text: () => ['LLDP not configured'],
      }),
    ),
  ],
};
