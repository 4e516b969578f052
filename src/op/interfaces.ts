/** Interfaces as the kernel of the target namespace reports them. */
import { observeKernel } from '../apply/kernel.js';
import { table } from './table.js';
import { command, type OpArea } from './tree.js';

export interface InterfaceView {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly state: 'up' | 'down';
  readonly mtu: number | undefined;
  readonly description: string;
}

export const interfaceCommands: OpArea = {
  name: 'interfaces',
  sources: [
    {
      name: 'interfaces',
      help: 'Links in the target namespace',
      read: async (system) => [...(await observeKernel(system.target)).links.keys()],
    },
  ],
  commands: [
    command('show interfaces', {
      help: 'Interfaces of the target namespace',
      run: async (ctx): Promise<InterfaceView[]> =>
        [...(await observeKernel(ctx.system.target)).links.values()]
          .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
          .map((l) => ({
            name: l.name,
            addresses: l.addresses,
            state: l.up ? 'up' : 'down',
            mtu: l.mtu,
            description: l.alias ?? '',
          })),
      text: (links) =>
        table(
          ['Interface', 'Addresses', 'State', 'MTU', 'Description'],
          links.map((l) => [
            l.name,
            l.addresses.join(' ') || '-',
            l.state,
            String(l.mtu ?? ''),
            l.description,
          ]),
        ),
    }),
  ],
};
