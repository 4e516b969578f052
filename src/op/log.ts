/**
 * FOS1's own log: commits, logins, configuration changes, daemon events and
 * errors, each with its time (the audit table of the store). `show log
 * follow` and `monitor log` print new entries as they are written.
 */
import { u32 } from '../schema/index.js';
import type { LogEntry, OpContext } from './context.js';
import { sleep } from './live.js';
import { command, type OpArea, type OpCommand } from './tree.js';

/** What `show log` prints without a count, and what a follow shows first. */
const SHOW_ENTRIES = 1000;
const TAIL_ENTRIES = 10;
/** Entries a follow keeps for its data. */
const FOLLOW_KEEP = 10_000;
/** How often a follow looks for new entries. */
const FOLLOW_EVERY_MS = 500;

/** `2026-12-01 10:00:00 ops@ssh-123-4 commit: comment (ok)` */
export function formatLogEntry(e: LogEntry): string {
  const who = e.user || e.session ? ` ${e.user || '-'}${e.session ? `@${e.session}` : ''}` : '';
  const outcome = e.outcome && e.outcome !== e.kind ? ` (${e.outcome})` : '';
  return `${e.time.replace('T', ' ').slice(0, 19)}${who} ${e.kind}${e.text ? `: ${e.text}` : ''}${outcome}`;
}

async function follow(ctx: OpContext): Promise<LogEntry[]> {
  const seen: LogEntry[] = [...ctx.system.log({ limit: TAIL_ENTRIES })];
  for (const e of seen) ctx.live.line(formatLogEntry(e));
  let after = seen.at(-1)?.id ?? 0;
  while (!ctx.live.signal.aborted) {
    await sleep(FOLLOW_EVERY_MS, ctx.live.signal);
    if (ctx.live.signal.aborted) break;
    for (const e of ctx.system.log({ after, limit: SHOW_ENTRIES })) {
      seen.push(e);
      ctx.live.line(formatLogEntry(e));
      after = e.id;
    }
    if (seen.length > FOLLOW_KEEP) seen.splice(0, seen.length - FOLLOW_KEEP);
  }
  return seen;
}

function followCommand(pattern: string, help: string): OpCommand {
  return command(pattern, {
    help,
    live: true,
    run: follow,
    text: (entries) => entries.map(formatLogEntry),
  });
}

export const logCommands: OpArea = {
  name: 'log',
  commands: [
    command('show log', {
      help: `FOS1's log: commits, logins, daemon events and errors (the newest ${SHOW_ENTRIES})`,
      run: (ctx) => ctx.system.log({ limit: SHOW_ENTRIES }),
      text: (entries) => entries.map(formatLogEntry),
    }),
    command('show log tail [<N>]', {
      help: `The newest entries (${TAIL_ENTRIES} unless N is given)`,
      args: { N: { type: u32(1, 100000, 'Number of entries'), help: 'Number of entries' } },
      run: (ctx, args) => ctx.system.log({ limit: Number(args['N'] ?? TAIL_ENTRIES) }),
      text: (entries) => entries.map(formatLogEntry),
    }),
    followCommand('show log follow', 'The newest entries, then each new one as it is written'),
    followCommand('monitor log', "FOS1's log as it is written"),
  ],
};
