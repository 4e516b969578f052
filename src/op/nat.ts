/** NAT rules with their counters, and the connections the kernel tracks and translates. */
import { listTable, readConntrack, type ConntrackEntry } from '../apply/nft.js';
import { runningFirewall } from './firewall.js';
import { formatConntrack, formatNat, natView } from './firewall-view.js';
import { command, type OpArea, type OpCommand } from './tree.js';

function natRules(kind: 'source' | 'destination'): OpCommand {
  return command(`show nat ${kind} rules`, {
    help: 'Rules with their counters',
    run: async (ctx) => {
      const running = ctx.system.running().tree;
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
  },
  commands: [
    natRules('source'),
    natRules('destination'),
    command('show nat translations', {
      help: 'Connections the kernel translates',
      run: (ctx): Promise<ConntrackEntry[]> => readConntrack(ctx.system.target),
      text: (entries) => formatConntrack(entries, true),
    }),
    command('show conntrack table', {
      help: 'Connections the kernel tracks',
      run: (ctx): Promise<ConntrackEntry[]> => readConntrack(ctx.system.target),
      text: (entries) => formatConntrack(entries, false),
    }),
  ],
};
