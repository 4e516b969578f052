/** Commands about the session itself: configuration mode, the terminal, leaving. */
import { simple } from '../schema/index.js';
import { OpError } from './context.js';
import { command, type OpArea, type OpCommand } from './tree.js';

/** What `set terminal length|width` accept: up to four digits. */
const terminalSize = simple('terminal-size', '<0-9999>', 'Number', (v) => /^[0-9]{1,4}$/.test(v));

function configure(exclusive: boolean): OpCommand {
  return command(exclusive ? 'configure exclusive' : 'configure', {
    help: exclusive ? 'Lock out other committers until exit' : 'Enter configuration mode',
    operationalOnly: true,
    run: (ctx) => {
      const refused = ctx.shell.configure(exclusive);
      if (refused !== undefined) throw new OpError(refused);
      return { mode: 'configuration', exclusive };
    },
    text: () => [],
  });
}

function leave(word: 'exit' | 'quit'): OpCommand {
  return command(word, {
    help: 'Leave the shell',
    hidden: word === 'quit',
    operationalOnly: true,
    run: (ctx) => {
      ctx.shell.exit();
      return { exit: true };
    },
    text: () => [],
  });
}

/** `set terminal length N` and its Junos/Cisco spelling `terminal length N`. */
function terminal(prefix: string): OpCommand[] {
  return (['length', 'width'] as const).map((setting) =>
    command(`${prefix} ${setting} <${setting}>`, {
      help: setting === 'length' ? 'Lines per page (0: no paging)' : 'Columns of the terminal',
      args: {
        [setting]: {
          type: terminalSize,
          help: setting === 'length' ? 'Lines per page' : 'Columns',
        },
      },
      run: (ctx, args) => {
        const value = Number(args[setting]);
        ctx.shell.setTerminal(setting, value);
        return { [setting]: value };
      },
      text: () => [],
    }),
  );
}

/**
 * `help [COMMAND...]`: declared here for TAB, `?` and the reference; the
 * engine answers it (src/cli/help.ts), since it reads the whole tree.
 */
const help = command('help', {
  help: "Show the reference entry of a command ('help show interfaces')",
  run: async () => {
    // The tree is built from this module among others: it is read when help runs.
    const { opTree, keywordsAt } = await import('./index.js');
    return {
      commands: keywordsAt(opTree.root, 'operational').map((k) => ({
        command: k.word,
        help: k.help ?? '',
      })),
    };
  },
  text: (data) => {
    const width = Math.max(...data.commands.map((c) => c.command.length));
    return [
      'Operational commands:',
      ...data.commands.map((c) => `  ${c.command.padEnd(width)}  ${c.help}`),
      "'help COMMAND' shows the reference entry of a command ('help show interfaces');",
      'TAB completes a word, ? lists what may follow, | display json prints the data.',
    ];
  },
});

export const shellCommands: OpArea = {
  name: 'shell',
  words: {
    show: 'Show system information',
    set: { help: 'Set operational parameters', hint: 'configuration is changed in configure mode' },
    'set terminal': 'Terminal settings',
    terminal: 'Terminal settings',
  },
  commands: [
    configure(false),
    configure(true),
    help,
    leave('exit'),
    leave('quit'),
    ...terminal('set terminal'),
    ...terminal('terminal'),
  ],
};
