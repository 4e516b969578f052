/** NAT rules with their counters, and the connections the kernel tracks and translates. */
import { deleteConntrack, listTable, readConntrack, type ConntrackEntry } from '../apply/nft.js';
import { runningFirewall } from './firewall.js';
import { formatConntrack, formatNat, natView } from './firewall-view.js';
import { command, type OpArea, type OpCommand } from './tree.js';

function natRules(kind: 'source' | 'destination'): OpCommand {
  return command(`show nat ${kind} rules`, {
    help: 'Rules with their counters',
    run: async (ctx) => {
      const running = ctx.system.applied();
      return natView(
        running,
        'nat',
        kind,
        await listTable(ctx.system.target, 'ip', 'fos_nat'),
        runningFirewall(running, ctx.schema).tables.get('ip fos_nat'),
      );
    },
    text: (rules) => formatNat(rules, kind),
  });
}

export const natCommands: OpArea = {
  name: 'nat',
  words: {
    'show nat': 'Network address translation',
    'show nat source': 'Source NAT',
    'show nat destination': 'Destination NAT',
    'show conntrack': 'Connection tracking',
    'clear nat': 'Network address translation',
    reset: 'Reset a table',
  },
  commands: [
    natRules('source'),
    natRules('destination'),
    command('show nat translations', {
      help: 'Connections the kernel translates',
      run: (ctx): Promise<ConntrackEntry[]> => readConntrack(ctx.system.target),
      text: (entries) => formatConntrack(entries, true),
    }),
    command('clear nat translations', {
      help: 'Forget the connections NAT translates (they are translated anew)',
      run: async (ctx) => {
        const deleted =
          (await deleteConntrack(ctx.system.target, 'src-nat')) +
          (await deleteConntrack(ctx.system.target, 'dst-nat'));
        ctx.system.note('clear-nat-translations', `${deleted} connections`, 'ok');
        return { deleted };
      },
      text: (d) => [`${d.deleted} translated connections deleted.`],
    }),
    command('reset conntrack', {
      help: "Empty the connection tracking table of FOS1's namespace",
      run: async (ctx) => {
        // `conntrack -F` does not count what it flushed: the table is counted just before.
        const deleted = (await readConntrack(ctx.system.target)).length;
        await deleteConntrack(ctx.system.target, 'all');
        ctx.system.note('reset-conntrack', `${deleted} connections`, 'ok');
        return { deleted };
      },
      text: (d) => [`${d.deleted} tracked connections deleted.`],
    }),
    command('show conntrack table', {
      help: 'Connections the kernel tracks',
      run: (ctx): Promise<ConntrackEntry[]> => readConntrack(ctx.system.target),
      text: (entries) => formatConntrack(entries, false),
    }),
  ],
};
