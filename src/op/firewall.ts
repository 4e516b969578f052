/** The firewall as it runs: chains and rules with their counters, and groups. */
import { listTable } from '../apply/nft.js';
import { entriesAt, type ConfigNode } from '../config/index.js';
import { GROUP_KINDS, renderFirewall, type FirewallState } from '../render/firewall.js';
import { objectName } from '../schema/areas/firewall.js';
import type { ContainerNode } from '../schema/index.js';
import { withDefaults } from '../verify/index.js';
import { OpError } from './context.js';
import { firewallView, formatFirewall, formatGroups, groupsView } from './firewall-view.js';
import { command, type OpArea } from './tree.js';

const rendered = new WeakMap<ConfigNode, FirewallState>();

/** What the running configuration renders to in nft: what FOS1 loaded (kept per running tree). */
export function runningFirewall(tree: ConfigNode, schema: ContainerNode): FirewallState {
  let state = rendered.get(tree);
  if (!state) rendered.set(tree, (state = renderFirewall(withDefaults(tree, schema))));
  return state;
}

export const firewallCommands: OpArea = {
  name: 'firewall',
  sources: [
    {
      name: 'firewall-groups',
      help: 'Firewall groups of the running configuration',
      read: (system) => {
        const running = system.running().tree;
        return [
          ...new Set(
            Object.keys(GROUP_KINDS).flatMap((kind) =>
              entriesAt(running, 'firewall', 'group', kind).map(([name]) => name),
            ),
          ),
        ];
      },
    },
    {
      name: 'firewall-chains',
      help: 'Named firewall chains (IPv4 and IPv6) of the running configuration',
      read: (system) => {
        const running = system.running().tree;
        return [
          ...new Set(
            ['ipv4', 'ipv6'].flatMap((f) =>
              entriesAt(running, 'firewall', f, 'name').map(([n]) => n),
            ),
          ),
        ];
      },
    },
  ],
  commands: [
    command('show firewall', {
      help: 'Firewall chains and rules with their counters',
      run: async (ctx) => {
        const running = ctx.system.running().tree;
        return firewallView(
          running,
          await listTable(ctx.system.target, 'inet', 'fos_filter'),
          runningFirewall(running, ctx.schema).tables.get('inet fos_filter'),
        );
      },
      text: (view) => formatFirewall(view),
    }),
    command('show firewall group [<name>]', {
      help: 'Firewall groups, their members and where they are used',
      args: {
        name: {
          type: objectName('group'),
          format: '<name>',
          help: 'One group with all its members',
          source: 'firewall-groups',
        },
      },
      run: (ctx, args) => {
        const groups = groupsView(ctx.system.running().tree, args['name']);
        if (args['name'] !== undefined && groups.length === 0)
          throw new OpError(`firewall group '${args['name']}' does not exist`);
        return groups;
      },
      text: (groups, args) => formatGroups(groups, args['name'] !== undefined),
    }),
  ],
};
