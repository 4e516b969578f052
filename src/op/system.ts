/** System information: version, host name, committed revisions, drift. */
import { diffCurly, EMPTY_TREE } from '../config/index.js';
import { simple } from '../schema/index.js';
import type { RevisionSummary } from '../store/store.js';
import { OpError } from './context.js';
import { table } from './table.js';
import { command, type OpArea } from './tree.js';

export const VERSION = '0.1.0';

/** A revision as `show system commit` counts them: 0 is running, 1 the one before. */
const revisionNumber = simple('revision-number', '<N>', 'Revision number (0 is running)', (v) =>
  /^[0-9]{1,6}$/.test(v),
);

export interface CommitListEntry extends RevisionSummary {
  readonly number: number;
}

export const systemCommands: OpArea = {
  name: 'system',
  words: {
    'show host': 'Host information',
    'show system': 'System information',
  },
  sources: [
    {
      name: 'revisions',
      help: 'Revision numbers, 0 being running',
      read: (system) => system.revisions().map((_, n) => String(n)),
    },
  ],
  commands: [
    command('show version', {
      help: 'FOS1 version',
      run: () => ({
        name: 'FOS1',
        version: VERSION,
        description: 'A network operating system shell for Linux routers and firewalls.',
      }),
      text: (v) => [`${v.name} ${v.version}`, v.description],
    }),
    command('show host name', {
      help: 'The host name',
      run: (ctx) => ({
        'host-name':
          ctx.system.running().tree.children.get('system')?.children.get('host-name')?.values[0] ??
          'fos',
      }),
      text: (h) => [h['host-name']],
    }),
    command('show system commit', {
      help: 'Committed revisions',
      run: (ctx): CommitListEntry[] => ctx.system.revisions().map((r, n) => ({ number: n, ...r })),
      text: (revisions) =>
        table(
          ['#', 'time', 'user', 'origin', 'comment'],
          revisions.map((r) => [
            String(r.number),
            r.time.replace('T', ' ').slice(0, 19),
            r.user,
            r.origin,
            r.comment,
          ]),
        ),
    }),
    command('show system commit diff <N>', {
      help: 'What revision N changed',
      args: {
        N: { type: revisionNumber, help: 'Revision number (0 is running)', source: 'revisions' },
      },
      run: (ctx, args) => {
        const revision = Number(args['N']);
        const newer = ctx.system.back(revision);
        const older = ctx.system.back(revision + 1);
        if (!newer) throw new OpError(`there is no revision ${revision}`);
        const diff = diffCurly(
          ctx.visible(older?.tree ?? EMPTY_TREE),
          ctx.visible(newer.tree),
          ctx.schema,
        );
        return { revision, diff: diff ? diff.trimEnd().split('\n') : [] };
      },
      text: (d) => (d.diff.length > 0 ? d.diff : ['No changes.']),
    }),
    command('show system drift', {
      help: 'Differences between the system and the running configuration',
      run: async (ctx) => ({ differences: await ctx.system.drift() }),
      text: (d) =>
        d.differences.length ? d.differences : ['The system matches the running configuration.'],
    }),
  ],
};
