/**
 * The FRR driver: one set of FRR daemons per target namespace, in FOS1's own
 * pathspace (`-N NAME`: sockets and PID files under /var/run/frr/NAME), never
 * /etc/frr or another pathspace. zebra and staticd always run; bgpd, ospfd,
 * ospf6d and bfdd only while configured. Daemons are started and stopped by
 * their own PIDs.
 *
 * A change reaches each daemon as one transaction on its vty socket (the
 * protocol vtysh speaks: each command NUL-terminated, each reply ended by
 * three NULs and a status byte), between XFRR_start_configuration and
 * XFRR_end_configuration, so the daemon commits it once. The phases:
 * render (src/render/frr.ts) -> check (the daemon's own --dryrun of the new
 * lines) -> apply (the delta) -> observe (show running-config) -> restore.
 * What FOS1 applied last is kept under the state directory (0600; it holds
 * BGP passwords); the daemons never read it.
 */
import {
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { addedLines, frrDelta, type DeltaCommand } from '../render/frr-delta.js';
import {
  ALWAYS,
  DAEMONS,
  daemonsFor,
  frrLines,
  frrText,
  isContext,
  type Daemon,
  type FrrConfig,
  type FrrItem,
} from '../render/frr.js';
import {
  privateDir,
  run,
  runWithFile,
  startWaiting,
  type RunResult,
  type WaitingRun,
} from './run.js';
import type { Target } from './target.js';

export const FRR_BIN = '/usr/lib/frr';
export const FRR_RUN = '/var/run/frr';
/** A file in the pathspace's run directory naming FOS1's config directory for it, for `fos lab down`. */
const MARKER = 'fos-config-dir';

/** Where one namespace's daemons live. */
export interface FrrSpace {
  readonly target: Target;
  /** The `-N` pathspace name. */
  readonly name: string;
  /** Sockets and PID files: /var/run/frr/NAME. */
  readonly runDir: string;
  /**
   * What FOS1 applied, under its state directory; undefined where the caller
   * keeps that itself (the backend has the running revision's rendering).
   */
  readonly configDir: string | undefined;
}

/** A pathspace name is a namespace name; the root namespace gets `fos`, never FRR's own (none). */
export function frrSpace(target: Target, stateDir?: string): FrrSpace {
  const name = target.netns ?? 'fos';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name) || name === '.' || name === '..')
    throw new Error(`'${name}' cannot name an FRR pathspace`);
  return {
    target,
    name,
    runDir: join(FRR_RUN, name),
    configDir: stateDir === undefined ? undefined : join(stateDir, 'frr', name),
  };
}

export const frrAvailable = (): boolean => existsSync(join(FRR_BIN, 'zebra'));

/** A problem FRR reported, with the config path whose line it refused. */
export interface FrrProblem {
  readonly daemon: Daemon;
  readonly path: readonly string[];
  readonly line: string;
  readonly message: string;
}

/** A line with its passwords and keys hidden, for messages and plans. */
export function maskSecrets(line: string): string {
  return line.replace(
    /\b(password|authentication-key|md5)( +)\S+/g,
    (_, word: string, space: string) => `${word}${space}********`,
  );
}

export class FrrError extends Error {
  constructor(
    readonly phase: 'check' | 'apply' | 'start',
    readonly problems: readonly FrrProblem[],
  ) {
    super(
      `FRR ${phase} failed: ${problems
        .map(
          (p) =>
            `[${p.path.join(' ')}] ${p.daemon} refused '${maskSecrets(p.line)}': ${maskSecrets(p.message)}`,
        )
        .join('; ')}`,
    );
  }
}

// ------------------------------------------------------------------ processes

function inTarget(target: Target, command: string, args: readonly string[]): [string, string[]] {
  return target.netns === undefined
    ? [command, [...args]]
    : ['ip', ['netns', 'exec', target.netns, command, ...args]];
}

const pidFile = (space: FrrSpace, daemon: Daemon): string => join(space.runDir, `${daemon}.pid`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The PID of a daemon of this pathspace, when it runs (checked against its command line). */
export function daemonPid(space: FrrSpace, daemon: Daemon): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile(space, daemon), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return undefined;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const ours =
      argv[0]?.endsWith(`/${daemon}`) && argv.includes('-N') && argv.includes(space.name);
    return ours ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** When a running daemon of the pathspace started (its PID file's time), in ms since the epoch. */
export function daemonSince(space: FrrSpace, daemon: Daemon): number | undefined {
  if (daemonPid(space, daemon) === undefined) return undefined;
  try {
    return statSync(pidFile(space, daemon)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The daemons of the pathspace that run now, with their PIDs. */
export function runningDaemons(space: FrrSpace): Map<Daemon, number> {
  const out = new Map<Daemon, number>();
  for (const d of DAEMONS) {
    const pid = daemonPid(space, d);
    if (pid !== undefined) out.set(d, pid);
  }
  return out;
}

function prepareRunDir(space: FrrSpace): void {
  mkdirSync(space.runDir, { recursive: true, mode: 0o755 });
  const frr = frrIds();
  if (frr) chownSync(space.runDir, frr.uid, frr.gid);
  // Marks the pathspace as FOS1's (for `fos lab down`), with where its record is, if any.
  writeFileSync(join(space.runDir, MARKER), `${space.configDir ?? ''}\n`, { mode: 0o644 });
}

function frrIds(): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('frr:'));
    if (!line) return undefined;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Start one daemon with an empty configuration; FOS1 gives it its configuration over the vty. */
export async function startDaemon(space: FrrSpace, daemon: Daemon): Promise<number> {
  const running = daemonPid(space, daemon);
  if (running !== undefined) return running;
  prepareRunDir(space);
  const args = [
    '-N',
    space.name,
    '-d',
    '-i',
    pidFile(space, daemon),
    '-f',
    '/dev/null',
    '-A',
    daemon === 'ospf6d' ? '::1' : '127.0.0.1',
    '-u',
    'frr',
    '-g',
    'frr',
  ];
  const [cmd, argv] = inTarget(space.target, join(FRR_BIN, daemon), args);
  const r = await run(cmd, argv);
  // -d returns once the daemon has forked; its vty socket comes a moment later.
  for (let i = 0; i < 100; i++) {
    const pid = daemonPid(space, daemon);
    if (pid !== undefined && existsSync(join(space.runDir, `${daemon}.vty`))) return pid;
    await sleep(20);
  }
  throw new FrrError('start', [
    {
      daemon,
      path: [],
      line: `${daemon} ${args.join(' ')}`,
      message: r.stderr.trim() || `exit status ${r.code}; no vty socket appeared`,
    },
  ]);
}

/** Stop one daemon of the pathspace by its own PID (TERM, then KILL after 5 s). */
export async function stopDaemon(space: FrrSpace, daemon: Daemon): Promise<void> {
  const pid = daemonPid(space, daemon);
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 250 && alive(pid); i++) await sleep(20);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(20);
  rmSync(pidFile(space, daemon), { force: true });
  rmSync(join(space.runDir, `${daemon}.vty`), { force: true });
}

// ------------------------------------------------------------------ vty

let roundTrips = 0;
/** How many times this process has asked FRR something (a vty connection, a vtysh): for benches and tests. */
export const frrRoundTrips = (): number => roundTrips;

interface Reply {
  readonly status: number;
  readonly output: string;
}

const TERMINATOR = Buffer.from([0, 0, 0]);

/** One connection to a daemon's vty socket, speaking vtysh's protocol. */
export class VtySession {
  // The reply being read, in the chunks it came in (joined once it is whole: a
  // `show ip route json` of 10,000 routes is 7.5 MB), and where its end is.
  private chunks: Buffer[] = [];
  private size = 0;
  private tail: Buffer = Buffer.alloc(0);
  private end = -1;
  private readonly waiting: ((r: Reply) => void)[] = [];
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (e) => {
      this.failure = e;
      for (const w of this.waiting.splice(0)) w({ status: 255, output: e.message });
    });
    socket.on('close', () => {
      for (const w of this.waiting.splice(0)) w({ status: 255, output: 'vty connection closed' });
    });
  }

  private receive(chunk: Buffer): void {
    const before = this.size;
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.end < 0) {
      // The terminator may start in the bytes before this chunk.
      const probe = Buffer.concat([this.tail, chunk]);
      const i = probe.indexOf(TERMINATOR);
      if (i >= 0) this.end = before - this.tail.length + i;
      this.tail = probe.subarray(Math.max(0, probe.length - TERMINATOR.length));
    }
    while (this.end >= 0 && this.size >= this.end + 4) {
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      const reply = {
        output: all.subarray(0, this.end).toString('utf8'),
        status: all[this.end + 3]!,
      };
      const rest = all.subarray(this.end + 4);
      this.chunks = rest.length ? [rest] : [];
      this.size = rest.length;
      this.end = rest.indexOf(TERMINATOR);
      this.tail = rest.subarray(Math.max(0, rest.length - TERMINATOR.length));
      this.waiting.shift()?.(reply);
    }
  }

  static open(space: FrrSpace, daemon: Daemon): Promise<VtySession> {
    roundTrips++;
    return new Promise((resolve, reject) => {
      const socket = connect(join(space.runDir, `${daemon}.vty`));
      socket.once('connect', () => resolve(new VtySession(socket)));
      socket.once('error', reject);
    });
  }

  command(text: string): Promise<Reply> {
    if (this.failure) return Promise.resolve({ status: 255, output: this.failure.message });
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(`${text}\0`);
    });
  }

  /** Send many commands without waiting for each reply; the replies in order. */
  pipeline(texts: readonly string[]): Promise<Reply[]> {
    return Promise.all(texts.map((t) => this.command(t)));
  }

  close(): void {
    this.socket.end();
  }
}

/** Run commands on a daemon in one configuration transaction; the commands it refused. */
export async function transaction(
  space: FrrSpace,
  daemon: Daemon,
  commands: readonly DeltaCommand[],
): Promise<FrrProblem[]> {
  const vty = await VtySession.open(space, daemon);
  try {
    const head = await vty.pipeline(['enable', 'configure terminal', 'XFRR_start_configuration']);
    const replies = await vty.pipeline(commands.map((c) => c.text));
    const tail = await vty.pipeline(['XFRR_end_configuration', 'end']);
    const problems: FrrProblem[] = [];
    for (const [i, r] of replies.entries())
      if (r.status !== 0)
        problems.push({
          daemon,
          path: commands[i]!.path,
          line: commands[i]!.text,
          message: r.output.trim().replace(/^% /, '') || `status ${r.status}`,
        });
    for (const r of [...head, ...tail])
      if (r.status !== 0)
        problems.push({
          daemon,
          path: [],
          line: 'transaction',
          message: r.output.trim() || `status ${r.status}`,
        });
    return problems;
  } finally {
    vty.close();
  }
}

/** A command a daemon refused, in its words (`Inbound soft reconfiguration not enabled`). */
export class FrrRefusal extends Error {
  constructor(
    readonly daemon: Daemon,
    readonly command: string,
    readonly reason: string,
  ) {
    super(`${daemon} refused '${command}': ${reason}`);
  }
}

/**
 * Ask one daemon of the pathspace (the operational commands): each command's
 * output, in one vty session. `enable` first for commands of the enable node
 * (`clear ip bgp`). A command the daemon refuses is an error with its words.
 */
export async function askDaemon(
  space: FrrSpace,
  daemon: Daemon,
  commands: readonly string[],
  options: { enable?: boolean } = {},
): Promise<string[]> {
  const vty = await VtySession.open(space, daemon);
  try {
    if (options.enable) await vty.command('enable');
    const replies = await vty.pipeline(commands);
    return replies.map((r, i) => {
      if (r.status !== 0)
        throw new FrrRefusal(
          daemon,
          commands[i]!,
          r.output.trim().replace(/^% /, '') || `status ${r.status}`,
        );
      return r.output;
    });
  } finally {
    vty.close();
  }
}

/** Stop a daemon (if it runs), start it again and give it `items` whole: what it refused. */
export async function restartDaemon(
  space: FrrSpace,
  daemon: Daemon,
  items: readonly FrrItem[],
): Promise<FrrProblem[]> {
  await stopDaemon(space, daemon);
  await startDaemon(space, daemon);
  return transaction(space, daemon, frrDelta([], items));
}

/** What a daemon runs now: `show running-config`. */
export async function runningConfig(space: FrrSpace, daemon: Daemon): Promise<string> {
  const vty = await VtySession.open(space, daemon);
  try {
    await vty.command('enable');
    const r = await vty.command('show running-config');
    if (r.status !== 0) throw new Error(`${daemon}: show running-config: ${r.output.trim()}`);
    return r.output;
  } finally {
    vty.close();
  }
}

// ------------------------------------------------------------------ what was applied

export const EMPTY_CONFIG: FrrConfig = {
  zebra: [],
  staticd: [],
  bgpd: [],
  ospfd: [],
  ospf6d: [],
  bfdd: [],
};

/** What FOS1 applied last in this pathspace (empty before the first apply). */
export function lastApplied(space: FrrSpace): FrrConfig {
  if (space.configDir === undefined) return EMPTY_CONFIG;
  try {
    const parsed = JSON.parse(
      readFileSync(join(space.configDir, 'applied.json'), 'utf8'),
    ) as FrrConfig;
    return { ...EMPTY_CONFIG, ...parsed };
  } catch {
    return EMPTY_CONFIG;
  }
}

function recordApplied(space: FrrSpace, config: FrrConfig): void {
  if (space.configDir === undefined) return;
  mkdirSync(space.configDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(space.configDir, 'applied.json'), JSON.stringify(config), { mode: 0o600 });
  for (const d of DAEMONS) {
    const file = join(space.configDir, `${d}.conf`);
    if (config[d].length) writeFileSync(file, frrText(config[d]), { mode: 0o600 });
    else rmSync(file, { force: true });
  }
}

// ------------------------------------------------------------------ phases

/** The daemons whose configuration differs, with the commands that take each there. */
export function planFrr(before: FrrConfig, after: FrrConfig): Map<Daemon, DeltaCommand[]> {
  const plan = new Map<Daemon, DeltaCommand[]>();
  for (const d of DAEMONS) {
    const delta = frrDelta(before[d], after[d]);
    if (delta.length) plan.set(d, delta);
  }
  return plan;
}

/**
 * The check's `vtysh -C`, started ahead of time. Of the 30-60 ms a
 * `vtysh -C` of one line costs, most is vtysh building its command graphs
 * (FRR 8.4 builds a node's graph the first time a command is matched in
 * it: the config node, `router bgp`, its address families...), and the
 * fork of a large Node process blocks Node for a few ms more. So one vtysh
 * waits for the next check: started with `--config_dir` naming a directory
 * of FOS1's own, it first reads that directory's vtysh.conf, WARM below
 * (in its dry run: no daemon is asked, nothing is applied), which visits
 * every node FOS1 renders and ends with SENTINEL, a line it refuses; then
 * it blocks on its input FIFO (startWaiting). Its output after SENTINEL's
 * refusal is the check's. One waits at a time; it is given its input once
 * and ends; the next is started a moment after a check, off the path of
 * the commit that ran it. No pathspace is named: `-N` only places vtysh's
 * files and sockets, and a dry run uses neither.
 */
const SENTINEL = 'fos-check-begins';
const WARM = [
  'ip route 192.0.2.0/24 Null0',
  'router bgp 65535',
  ' address-family ipv4 unicast',
  ' exit-address-family',
  ' address-family ipv6 unicast',
  ' exit-address-family',
  'exit',
  'route-map FOS-WARM permit 1',
  'exit',
  'interface lo',
  'exit',
  'router ospf',
  'exit',
  'router ospf6',
  'exit',
  'bfd',
  ' profile fos-warm',
  ' exit',
  ' peer 192.0.2.1',
  ' exit',
  'exit',
  SENTINEL,
];
let warmDir: string | undefined;

function checkDir(): string {
  if (warmDir === undefined) {
    const dir = join(privateDir(), 'vtysh');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'vtysh.conf'), `${WARM.join('\n')}\n`, { mode: 0o600 });
    warmDir = dir;
  }
  return warmDir;
}

const checkArgs = (file: string): string[] => ['--config_dir', checkDir(), '-C', '-f', file];

let standby: WaitingRun | undefined;
let refill: NodeJS.Timeout | undefined;
const REFILL_MS = 100;

/** Have a `vtysh -C` waiting for the next check (observe calls it: it touches nothing). */
export function prepareCheck(): void {
  if (standby?.ready()) return;
  if (!standbyEndsWithProcess) {
    // A waiting vtysh is blocked opening its FIFO: removing the FIFO at exit would not end it.
    process.once('exit', () => standby?.dismiss());
    standbyEndsWithProcess = true;
  }
  standby = startWaiting('vtysh', checkArgs);
}
let standbyEndsWithProcess = false;

/** What vtysh said of the input: its output after the warm-up's SENTINEL. */
function afterWarmUp(r: RunResult): string {
  const out = `${r.stderr}${r.stdout}`;
  const m = new RegExp(`^line \\d+: .*${SENTINEL}[^\\n]*\\n?`, 'm').exec(out);
  return m ? out.slice(m.index + m[0].length) : out;
}

/** `vtysh -C` of the input: in the waiting one, or else in a new one. */
async function runCheck(input: string): Promise<{ code: number; output: string }> {
  const mine = standby?.ready() ? standby : undefined;
  if (mine) standby = undefined;
  if (refill) clearTimeout(refill);
  refill = setTimeout(prepareCheck, REFILL_MS);
  refill.unref();
  if (mine) {
    const r = await mine.finish(input);
    const output = afterWarmUp(r);
    // One killed before its turn says nothing: the check runs again, in a new vtysh.
    if (r.code === 0 || r.code === 1 || /^line \d+: /m.test(output))
      return { code: r.code, output };
  }
  const r = await runWithFile('vtysh', checkArgs, input);
  return { code: r.code, output: afterWarmUp(r) };
}

/**
 * Touches nothing: `vtysh -C -f FILE` reads the lines that are new (in their
 * contexts; vtysh knows every daemon's commands, and its dry run is its own
 * parser, connected to no daemon, writing nothing) and names any it
 * refuses, mapped back to the config paths that produced them. One process
 * for all daemons, started before it is needed (prepareCheck).
 */
export async function checkFrr(before: FrrConfig, after: FrrConfig): Promise<FrrProblem[]> {
  const all: { daemon: Daemon; text: string; path: readonly string[] }[] = [];
  for (const d of DAEMONS) {
    const added: FrrItem[] = addedLines(before[d], after[d]);
    for (const l of frrLines(added)) all.push({ daemon: d, text: l.text, path: l.path });
  }
  if (all.length === 0) return [];
  const input = `${all.map((l) => l.text).join('\n')}\n`;
  roundTrips++;
  const r = await runCheck(input);
  const problems: FrrProblem[] = [];
  for (const m of r.output.matchAll(/^line (\d+): (.*?):\s*(.*)$/gm)) {
    const at = all[Number(m[1]) - 1];
    problems.push({
      daemon: at?.daemon ?? 'zebra',
      path: at?.path ?? [],
      line: (m[3] ?? '').trim(),
      message: (m[2] ?? '')
        .replace(/^% /, '')
        .replace(/\[\d+\]$/, '')
        .trim(),
    });
  }
  if (problems.length === 0 && r.code !== 0 && r.code !== 1)
    problems.push({
      daemon: 'zebra',
      path: [],
      line: '',
      message: r.output.trim() || `vtysh -C: exit status ${r.code}`,
    });
  return problems;
}

export interface FrrApplied {
  /** Daemons started and stopped, and the commands sent per daemon. */
  readonly started: readonly Daemon[];
  readonly stopped: readonly Daemon[];
  readonly sent: ReadonlyMap<Daemon, number>;
}

/**
 * Take the pathspace from what was applied to `after`: start the daemons it
 * needs, send each the delta as one transaction, stop the ones no longer
 * needed. On a refusal, throws FrrError naming the config paths; the caller
 * restores.
 */
export async function applyFrr(
  space: FrrSpace,
  before: FrrConfig,
  after: FrrConfig,
): Promise<FrrApplied> {
  const wanted = daemonsFor(after);
  const started: Daemon[] = [];
  const stopped: Daemon[] = [];
  for (const d of wanted) {
    if (daemonPid(space, d) !== undefined) continue;
    await startDaemon(space, d);
    started.push(d);
  }
  // A daemon that was not running has none of what was applied: it gets all of it.
  const from: Record<Daemon, readonly FrrItem[]> = { ...before };
  for (const d of started) from[d] = [];
  const plan = planFrr(from, after);
  const sent = new Map<Daemon, number>();
  const problems: FrrProblem[] = [];
  for (const [d, commands] of plan) {
    if (!wanted.includes(d)) continue;
    problems.push(...(await transaction(space, d, commands)));
    sent.set(d, commands.length);
  }
  for (const d of DAEMONS) {
    if (wanted.includes(d) || ALWAYS.includes(d)) continue;
    if (daemonPid(space, d) === undefined) continue;
    await stopDaemon(space, d);
    stopped.push(d);
  }
  if (problems.length) throw new FrrError('apply', problems);
  recordApplied(space, after);
  return { started, stopped, sent };
}

/** What each running daemon of the pathspace reports as its configuration. */
export async function observeFrr(space: FrrSpace): Promise<Partial<Record<Daemon, string>>> {
  const out: Partial<Record<Daemon, string>> = {};
  for (const d of runningDaemons(space).keys()) out[d] = await runningConfig(space, d);
  return out;
}

/** Lines FRR leaves out of its running configuration because they are its defaults. */
const DEFAULT_LINES = new Set(['no shutdown', 'exit', 'exit-address-family', '!']);

/**
 * The lines FOS1 meant that a daemon does not report: empty when FRR runs
 * what was applied. Compared line by line within each context.
 */
export function compareFrr(meant: FrrConfig, running: Partial<Record<Daemon, string>>): string[] {
  const missing: string[] = [];
  for (const d of DAEMONS) {
    if (meant[d].length === 0) continue;
    const text = running[d];
    if (text === undefined) {
      missing.push(`${d} is not running`);
      continue;
    }
    const have = new Set(text.split('\n').map((l) => l.trim()));
    const walk = (items: readonly FrrItem[]): void => {
      for (const item of items) {
        const l = isContext(item) ? item.header.text : item.text;
        if (!DEFAULT_LINES.has(l) && !have.has(l)) missing.push(`${d}: ${l}`);
        if (isContext(item)) walk(item.body);
      }
    };
    walk(meant[d]);
  }
  return missing;
}

/**
 * Put the pathspace back to `previous` after a failed apply (whatever part of
 * `attempted` reached the daemons): the reverse delta first; a daemon that
 * still differs is restarted and given `previous` whole. The problems left.
 */
export async function restoreFrr(
  space: FrrSpace,
  previous: FrrConfig,
  attempted: FrrConfig,
): Promise<string[]> {
  const left: string[] = [];
  try {
    await applyFrr(space, attempted, previous);
  } catch {
    // Fall through to the daemon-by-daemon check below.
  }
  const running = await observeFrr(space);
  for (const d of daemonsFor(previous)) {
    const missing = compareFrr({ ...EMPTY_CONFIG, [d]: previous[d] }, running);
    if (missing.length === 0) continue;
    const problems = await restartDaemon(space, d, previous[d]);
    for (const p of problems) left.push(`${d}: [${p.path.join(' ')}] ${p.line}: ${p.message}`);
  }
  for (const d of DAEMONS)
    if (!daemonsFor(previous).includes(d) && daemonPid(space, d) !== undefined)
      await stopDaemon(space, d);
  recordApplied(space, previous);
  return left;
}

/** Stop every daemon of the pathspace by its PID and remove its files (sockets, PIDs, FOS1's record). */
export async function frrDown(space: FrrSpace): Promise<string[]> {
  const stopped: string[] = [];
  for (const d of [...DAEMONS].reverse()) {
    if (daemonPid(space, d) === undefined) continue;
    await stopDaemon(space, d);
    stopped.push(d);
  }
  if (space.configDir !== undefined) removeRecord(space.configDir);
  rmSync(space.runDir, { recursive: true, force: true });
  return stopped;
}

/** Remove FOS1's own files of a pathspace (never more: the directory may be named by a marker). */
function removeRecord(configDir: string): void {
  for (const f of ['applied.json', 'check.conf', ...DAEMONS.map((d) => `${d}.conf`)])
    rmSync(join(configDir, f), { force: true });
  try {
    rmdirSync(configDir);
  } catch {
    // Not empty, or not there: left as it is.
  }
}

/** `fos lab down NAME`: the pathspace named after the lab namespace, found through its marker. */
export async function frrDownByName(name: string): Promise<string[]> {
  const runDir = join(FRR_RUN, name);
  if (!existsSync(join(runDir, MARKER))) return [];
  const configDir = readFileSync(join(runDir, MARKER), 'utf8').trim();
  // The run directory belongs to the frr user: trust its marker only for a path of our shape.
  const shaped =
    configDir.startsWith('/') && configDir.endsWith(`/frr/${name}`) && !configDir.includes('/../');
  return frrDown({
    target: { netns: name },
    name,
    runDir,
    configDir: shaped ? configDir : '/nonexistent',
  });
}
