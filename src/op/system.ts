/**
 * System information: version, host name, committed revisions, drift,
 * uptime, memory, CPUs, storage, who is logged in, the users of the
 * configuration, and `restart ssh`.
 */
import { statSync } from 'node:fs';
import { arch } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  readCpus,
  readHardware,
  readMemory,
  readStorage,
  readUptime,
  type Cpu,
  type Memory,
  type Storage,
  type Uptime,
} from '../apply/host.js';
import { diffCurly, EMPTY_TREE, entriesAt } from '../config/index.js';
import { simple } from '../schema/index.js';
import type { RevisionSummary } from '../store/store.js';
import { loginLevel } from '../verify/index.js';
import { OpError, type LoginSession } from './context.js';
import { table } from './table.js';
import { command, type OpArea } from './tree.js';

export const VERSION = '0.1.0';

/** `1w 2d 3h 4m 5s`, as VyOS's seconds_to_human writes it (zero parts left out). */
export function secondsToHuman(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.floor(seconds));
  for (const [unit, size] of [
    ['w', 604800],
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.join(' ');
}

/** `1.93G`, `512.0M`, as VyOS's bytes_to_human writes it (Python's float repr of 2 decimals). */
export function bytesToHuman(bytes: number): string {
  const suffixes = ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < suffixes.length - 1) {
    value /= 1024;
    i++;
  }
  if (i === 0) return `${bytes}`;
  const rounded = Math.round(value * 100) / 100;
  return `${Number.isInteger(rounded) ? rounded.toFixed(1) : String(rounded)}${suffixes[i]}`;
}

export interface VersionData {
  readonly version: string;
  readonly release_train: string;
  readonly built_by: string;
  readonly built_on: string;
  readonly system_arch: string;
  readonly system_type: string;
  readonly hardware_vendor: string;
  readonly hardware_model: string;
  readonly hardware_serial: string;
  readonly hardware_uuid: string;
  readonly uptime: string;
}

/** When this code was built (or installed): the time of this module's file. */
function builtOn(): string {
  try {
    const d = statSync(fileURLToPath(import.meta.url)).mtime;
    const day = d.toUTCString().slice(0, 3);
    const date = d.toISOString();
    const month = d.toUTCString().slice(8, 11);
    return `${day} ${date.slice(8, 10)} ${month} ${date.slice(0, 4)} ${date.slice(11, 16)} UTC`;
  } catch {
    return 'n/a';
  }
}

function versionData(): VersionData {
  const hardware = readHardware();
  return {
    // vyos.vyos (6.x) picks its VyOS 1.4 templates from `VyOS\s*(\d+\.\d+)` in this
    // line: FOS1 says which VyOS syntax it speaks, not that it is VyOS (docs/automation.md).
    version: `FOS1 ${VERSION} (VyOS 1.4 syntax)`,
    release_train: 'fos1',
    built_by: 'FOS1 maintainers',
    built_on: builtOn(),
    system_arch: arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch(),
    system_type: hardware.systemType,
    hardware_vendor: hardware.vendor,
    hardware_model: hardware.model,
    hardware_serial: hardware.serial,
    hardware_uuid: hardware.uuid,
    uptime: secondsToHuman(readUptime().seconds),
  };
}

/** VyOS's `show version` layout: the labels padded to 18 columns, groups apart. */
export function formatVersion(v: VersionData): string[] {
  const line = (label: string, value: string): string => `${`${label}:`.padEnd(18)}${value}`;
  return [
    line('Version', v.version),
    line('Release train', v.release_train),
    '',
    line('Built by', v.built_by),
    line('Built on', v.built_on),
    '',
    line('Architecture', v.system_arch),
    line('System type', v.system_type),
    '',
    line('Hardware vendor', v.hardware_vendor),
    line('Hardware model', v.hardware_model),
    line('Hardware S/N', v.hardware_serial),
    line('Hardware UUID', v.hardware_uuid),
    '',
    line('Copyright', 'FOS1 contributors'),
    line('Uptime', v.uptime),
  ];
}

export interface UptimeView {
  readonly uptime: string;
  readonly seconds: number;
  /** The kernel's load averages divided by the number of processors, as VyOS gives them. */
  readonly load_average: { readonly 1: number; readonly 5: number; readonly 15: number };
}

function uptimeView(u: Uptime, processors: number): UptimeView {
  const per = (load: number): number => Math.round((load / Math.max(1, processors)) * 1000) / 1000;
  return {
    uptime: secondsToHuman(u.seconds),
    seconds: u.seconds,
    load_average: { 1: per(u.load[0]), 5: per(u.load[1]), 15: per(u.load[2]) },
  };
}

/** A configured login user, as `show system login` lists them. */
export interface LoginUser {
  readonly user: string;
  readonly level: string;
  readonly fullName: string;
  readonly authentication: readonly string[];
  readonly disabled: boolean;
}

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
    restart: 'Restart a service',
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
      help: "Version, build and hardware, in VyOS's layout",
      run: () => versionData(),
      text: formatVersion,
    }),
    command('show host name', {
      help: 'The host name',
      run: (ctx) => ({
        'host-name':
          ctx.system.applied().children.get('system')?.children.get('host-name')?.values[0] ??
          'fos',
      }),
      text: (h) => [h['host-name']],
    }),
    command('show system commit', {
      help: 'Committed revisions',
      run: (ctx): CommitListEntry[] => ctx.system.revisions().map((r, n) => ({ number: n, ...r })),
      // VyOS's layout, which Ansible's vyos_facts (config subset) parses line by line.
      text: (revisions) =>
        revisions.flatMap((r) => [
          `${String(r.number).padEnd(4)}${r.time.replace('T', ' ').slice(0, 19)} by ${r.user} via ${r.origin}`,
          ...(r.comment ? [`    ${r.comment}`] : []),
        ]),
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
    command('show system uptime', {
      help: 'How long the system has run, and its load',
      run: () => uptimeView(readUptime(), readCpus().length),
      text: (u) => [
        `Uptime: ${u.uptime}`,
        '',
        'Load averages:',
        `1  minute:   ${(u.load_average[1] * 100).toFixed(1)}%`,
        `5  minutes:  ${(u.load_average[5] * 100).toFixed(1)}%`,
        `15 minutes:  ${(u.load_average[15] * 100).toFixed(1)}%`,
      ],
    }),
    command('show system memory', {
      help: 'Memory: total, free and used',
      run: (): Memory => readMemory(),
      text: (m) => [
        `Total: ${bytesToHuman(m.total)}`,
        `Free:  ${bytesToHuman(m.free)}`,
        `Used:  ${bytesToHuman(m.used)}`,
      ],
    }),
    command('show system cpu', {
      help: 'The processors',
      run: (): Omit<Cpu, 'flags'>[] => readCpus().map(({ flags: _, ...cpu }) => cpu),
      text: (cpus) =>
        cpus.flatMap((c, i) => [
          ...(i ? [''] : []),
          `CPU Vendor:       ${c.vendor}`,
          `Model:            ${c.model}`,
          ...(c.cores !== undefined ? [`Cores:            ${c.cores}`] : []),
          ...(c.mhz !== undefined ? [`Current MHz:      ${c.mhz.toFixed(3)}`] : []),
        ]),
    }),
    command('show system storage', {
      help: 'The file system FOS1 keeps its state on',
      run: (ctx): Storage => readStorage(ctx.system.stateDirectory),
      text: (s) => [
        `Filesystem: ${s.filesystem}`,
        `Size:       ${bytesToHuman(s.size)}`,
        `Used:       ${bytesToHuman(s.used)} (${s.usePercent}%)`,
        `Available:  ${bytesToHuman(s.available)} (${100 - s.usePercent}%)`,
      ],
    }),
    command('show system users', {
      help: 'Who is logged in now: user, from where, since when, in which mode',
      run: (ctx): readonly LoginSession[] => ctx.system.sessions(),
      text: (sessions) =>
        table(
          ['User', 'From', 'Since', 'Via', 'Mode'],
          sessions.map((s) => [
            `${s.user}${s.self ? ' (you)' : ''}`,
            s.from,
            s.since.replace('T', ' ').slice(0, 19),
            s.origin,
            s.mode,
          ]),
        ),
    }),
    command('show system login', {
      help: 'The users of the configuration and their levels',
      run: (ctx): LoginUser[] => {
        const tree = ctx.system.applied();
        return entriesAt(tree, 'system', 'login', 'user').map(([name, u]) => {
          const auth = u.children.get('authentication');
          return {
            user: name,
            level: loginLevel(tree, name) ?? 'admin',
            fullName: u.children.get('full-name')?.values[0] ?? '',
            authentication: [
              ...(auth?.children.has('encrypted-password') ||
              auth?.children.has('plaintext-password')
                ? ['password']
                : []),
              ...[...(auth?.children.get('public-keys')?.children.keys() ?? [])].map(
                (k) => `key ${k}`,
              ),
            ],
            disabled: u.children.has('disable'),
          };
        });
      },
      text: (users) =>
        table(
          ['User', 'Level', 'Full name', 'Authentication', 'Locked'],
          users.map((u) => [
            u.user,
            u.level,
            u.fullName,
            u.authentication.join(', ') || '-',
            u.disabled ? 'yes' : 'no',
          ]),
        ),
    }),
    command('restart ssh', {
      help: 'Start the SSH server again (open sessions stay)',
      daemon: true,
      run: async (ctx) => {
        const listening = await ctx.system.daemon!.restartSsh();
        return { restarted: 'ssh', listening };
      },
      text: (d) => [`The SSH server was restarted; it listens on ${d.listening}.`],
    }),
    command('show system drift', {
      help: 'Differences between the system and the running configuration',
      run: async (ctx) => ({ differences: await ctx.system.drift() }),
      text: (d) =>
        d.differences.length ? d.differences : ['The system matches the running configuration.'],
    }),
  ],
};
