/** The firewall as it runs: chains and rules with their counters, and groups. */
import { listTable, loadNft } from '../apply/nft.js';
import { reloadChains } from '../render/nft-model.js';
import { entriesAt, type ConfigNode } from '../config/index.js';
import { GROUP_KINDS, renderFirewall, type FirewallState } from '../render/firewall.js';
import { objectName } from '../schema/areas/firewall.js';
import type { ContainerNode } from '../schema/index.js';
import { withDefaults } from '../verify/index.js';
import { OpError, type OpContext, type OpSystem } from './context.js';
import {
  firewallView,
  formatFirewall,
  formatGroups,
  groupsView,
  type ChainView,
} from './firewall-view.js';
import { command, type OpArea, type OpCommand } from './tree.js';

const rendered = new WeakMap<ConfigNode, FirewallState>();

/** What the running configuration renders to in nft: what FOS1 loaded (kept per running tree). */
export function runningFirewall(tree: ConfigNode, schema: ContainerNode): FirewallState {
  let state = rendered.get(tree);
  if (!state) rendered.set(tree, (state = renderFirewall(withDefaults(tree, schema))));
  return state;
}

const FAMILIES = ['ipv4', 'ipv6'] as const;
type Family = (typeof FAMILIES)[number];

/** The chains of the running firewall with their counters, as `show firewall` lists them. */
async function chains(ctx: OpContext): Promise<ChainView[]> {
  const running = ctx.system.applied();
  return firewallView(
    running,
    await listTable(ctx.system.target, 'inet', 'fos_filter'),
    runningFirewall(running, ctx.schema).tables.get('inet fos_filter'),
  );
}

/** `show firewall ipv4`, `... ipv4 forward filter`, `... ipv4 name <chain>`: some of those chains. */
function familyCommands(family: Family): OpCommand[] {
  const label = family === 'ipv4' ? 'IPv4' : 'IPv6';
  return [
    command(`show firewall ${family}`, {
      help: `${label} firewall chains and rules with their counters`,
      run: async (ctx) => (await chains(ctx)).filter((c) => c.family === family),
      text: (view) => formatFirewall(view),
    }),
    ...(['forward', 'input', 'output'] as const).map((hook) =>
      command(`show firewall ${family} ${hook} filter`, {
        help: `The ${hook} chain`,
        run: async (ctx) =>
          (await chains(ctx)).filter((c) => c.family === family && c.chain === `${hook} filter`),
        text: (view) => formatFirewall(view),
      }),
    ),
    command(`show firewall ${family} name <chain>`, {
      help: `A named ${label} chain`,
      args: {
        chain: {
          type: objectName('chain'),
          format: '<name>',
          help: 'Chain name',
          source: `firewall-chains-${family}`,
        },
      },
      run: async (ctx, args) => {
        const view = (await chains(ctx)).filter(
          (c) => c.family === family && c.chain === `name ${args['chain']}`,
        );
        if (view.length === 0)
          throw new OpError(`firewall ${family} name '${args['chain']}' is not configured`);
        return view;
      },
      text: (view) => formatFirewall(view),
    }),
  ];
}

export const firewallCommands: OpArea = {
  name: 'firewall',
  words: Object.fromEntries([
    ['clear firewall', 'Firewall counters'],
    ...FAMILIES.flatMap((f) => [
      [`show firewall ${f} forward`, 'Forward hook'],
      [`show firewall ${f} input`, 'Input hook'],
      [`show firewall ${f} output`, 'Output hook'],
    ]),
  ]),
  sources: [
    {
      name: 'firewall-groups',
      help: 'Firewall groups of the running configuration',
      read: (system) => {
        const running = system.applied();
        return [
          ...new Set(
            Object.keys(GROUP_KINDS).flatMap((kind) =>
              entriesAt(running, 'firewall', 'group', kind).map(([name]) => name),
            ),
          ),
        ];
      },
    },
    ...FAMILIES.map((f) => ({
      name: `firewall-chains-${f}`,
      help: `Named ${f === 'ipv4' ? 'IPv4' : 'IPv6'} firewall chains of the running configuration`,
      read: (system: OpSystem) =>
        entriesAt(system.applied(), 'firewall', f, 'name').map(([name]) => name),
    })),
  ],
  commands: [
    command('show firewall', {
      help: 'Firewall chains and rules with their counters',
      run: chains,
      text: (view) => formatFirewall(view),
    }),
    ...FAMILIES.flatMap(familyCommands),
    command('clear firewall counters', {
      help: "Start the rule counters of FOS1's firewall from zero",
      run: async (ctx) => {
        const cleared = await ctx.system.whileNoCommit(async () => {
          const table = runningFirewall(ctx.system.applied(), ctx.schema).tables.get(
            'inet fos_filter',
          );
          // Only a table FOS1 loaded and the kernel has: nothing else is touched.
          if (!table || !(await listTable(ctx.system.target, 'inet', 'fos_filter'))) return [];
          await loadNft(ctx.system.target, { script: reloadChains(table), changes: [] });
          return [...table.chains.keys()];
        });
        ctx.system.note('clear-counters', `firewall: ${cleared.join(' ')}`, 'ok');
        return { table: 'inet fos_filter', chains: cleared };
      },
      text: (d) =>
        d.chains.length
          ? [`Counters of ${d.chains.length} chains cleared.`]
          : ['No firewall is loaded: nothing to clear.'],
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
        const groups = groupsView(ctx.system.applied(), args['name']);
        if (args['name'] !== undefined && groups.length === 0)
          throw new OpError(`firewall group '${args['name']}' does not exist`);
        return groups;
      },
      text: (groups, args) => formatGroups(groups, args['name'] !== undefined),
    }),
  ],
};
