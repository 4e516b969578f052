/** The `fos` command: wiring of the layers, the only place argv and exit codes live. */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDown, labUp, namespaceExists } from './apply/lab.js';
import { describeTarget, DEFAULT_NETNS } from './apply/target.js';
import { checkText, convertText, type OutputForm } from './cli/check.js';
import { completeLine } from './cli/complete.js';
import { ShellEngine, type FileAccess, type RouterAccess } from './cli/engine.js';
import { maskAfterSecretNames } from './cli/history.js';
import { HISTORY_ENTRIES, SCRIPT_TOO_LARGE } from './cli/limits.js';
import { PlainTerminal, runScript, type TerminalHost } from './cli/terminal.js';
import { inkLoaded, inkTerminal, loadInk } from './ui/lazy.js';
import { getNode } from './config/index.js';
import { opSystem } from './op/access.js';
import { checkOpTree, CompletionValues, opTree, type DaemonControl } from './op/index.js';
import { loginSessions } from './op/sessions.js';
import { verifyPassword } from './commit/passwords.js';
import { limitsWith } from './ssh/limits.js';
import type { ChannelShell, Credentials, ServerHooks, SshServer } from './ssh/server.js';
import type { Origin } from './store/store.js';
import { loginBanner } from './render/banner.js';
import { describeOutcome } from './commit/outcome.js';
import { Router } from './commit/router.js';
import { ConfirmTimer } from './commit/confirm-timer.js';
import { HealTimer } from './commit/heal-timer.js';
import { checkSchema, schema } from './schema/index.js';
import { globalsOf, readScript, type Globals } from './invocation.js';
import { startLocalServer } from './daemon/socket.js';
import { processAlive, Store, StoreRefused } from './store/store.js';
import { AnyPath, ConfigDirectory, readBoundedFile } from './store/config-files.js';

const USAGE = `usage: fos [--netns NS|root] [--state DIR] [--user NAME] <command>

commands:
  -c 'COMMAND; COMMAND; ...'           run shell commands without a terminal (stops at the first error)
  check [--syntax] FILE...             check configuration files (set form or config.boot form)
  convert FILE --to set|curly|json     print a configuration in another form
          [--drop-unsupported]         leave out areas FOS1 does not implement yet
  shell                                the shell on this terminal (a script when stdin is not one)
  serve [--listen ADDR:PORT]           the SSH server and management daemon (default 127.0.0.1:2222)
  lab up|down [NAME]                   create or remove the lab namespace (default ${DEFAULT_NETNS})
  init                                 start a new store in the state directory (a file there that is
                                       not a FOS1 store is kept beside it; the next start seeds it)
  help                                 this text

--netns NS   the namespace FOS1 configures (default ${DEFAULT_NETNS}); 'root' for the root namespace
--state DIR  where the revision store, host key and histories live (default /var/lib/fos)
`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function readInput(file: string): string {
  return file === '-' ? readFileSync(0, 'utf8') : readBoundedFile(file, file);
}

function check(args: string[], io: Io): number {
  const syntaxOnly = args.includes('--syntax');
  const files = args.filter((a) => a !== '--syntax');
  if (files.length === 0) {
    io.err('fos check: name at least one file\n');
    return 2;
  }
  let failed = false;
  for (const file of files) {
    let text: string;
    try {
      text = readInput(file);
    } catch (e) {
      io.err(`fos: ${(e as Error).message}\n`);
      failed = true;
      continue;
    }
    const outcome = checkText(file, text, schema, { syntaxOnly });
    io.out(`${outcome.lines.join('\n')}\n`);
    failed ||= outcome.failed;
  }
  return failed ? 1 : 0;
}

function convert(args: string[], io: Io): number {
  const toIndex = args.indexOf('--to');
  const to = toIndex >= 0 ? args[toIndex + 1] : undefined;
  const dropUnsupported = args.includes('--drop-unsupported');
  const files = args.filter(
    (a, i) => a !== '--drop-unsupported' && i !== toIndex && i !== toIndex + 1,
  );
  if (!to || !['set', 'curly', 'json'].includes(to) || files.length !== 1) {
    io.err('usage: fos convert FILE --to set|curly|json [--drop-unsupported]\n');
    return 2;
  }
  const file = files[0]!;
  let text: string;
  try {
    text = readInput(file);
  } catch (e) {
    io.err(`fos: ${(e as Error).message}\n`);
    return 1;
  }
  const outcome = convertText(file, text, to as OutputForm, schema, { dropUnsupported });
  if (outcome.errors.length > 0) {
    io.err(`${outcome.errors.join('\n')}\n`);
    return 1;
  }
  io.out(outcome.output ?? '');
  return 0;
}

export function routerAccess(
  router: Router,
  user: string,
  session: string,
  daemon?: DaemonControl,
): RouterAccess {
  return {
    ...opSystem(router, { user, session, ...(daemon ? { daemon } : {}) }),
    commit: (request) => router.commit(request),
    confirm: (u, s) => router.confirm(u, s),
    takeExclusive: (s, u) => router.takeExclusive(s, u),
    releaseExclusive: (s) => router.releaseExclusive(s),
    audit: (kind, text, outcome) => router.store.audit({ user, session, kind, text, outcome }),
  };
}

/** Heal what a dead process left: undo an interrupted commit, revert an expired confirm. */
async function heal(router: Router, io: Io): Promise<void> {
  if (router.store.inflightJournal() !== undefined) {
    const fixed = await router.converge();
    if (fixed.length)
      io.err(`fos: an interrupted commit was undone (${fixed.length - 1} operations)\n`);
  }
  const reverted = await router.revertIfExpired();
  if (reverted)
    io.err(
      `fos: commit confirmed was not confirmed in time: ${describeOutcome(reverted).join(' ')}\n`,
    );
}

/**
 * What every process does when it opens the store: heal, seed an empty store,
 * and make sure a pending confirmation has a watcher.
 */
async function startUp(router: Router, globals: Globals, io: Io): Promise<void> {
  await heal(router, io);
  await router.initialize();
  ensureConfirmWatcher(globals, router.store);
}

/** The router of a process that commits: a pending confirmation it writes gets a watcher at once. */
function openRouter(store: Store, globals: Globals): Router {
  const router = new Router(store, globals.target, schema);
  router.onConfirmPending = () => ensureConfirmWatcher(globals, store);
  return router;
}

/**
 * A pending confirmation must outlive the process that wrote it: unless a
 * watcher already lives, start a detached `fos confirm-watch` that reverts it
 * on time if nobody else does.
 */
function ensureConfirmWatcher(globals: Globals, store: Store): void {
  if (!store.pending() || store.confirmWatcher() !== undefined) return;
  const pid = spawnConfirmWatcher(globals);
  if (pid !== undefined) store.setConfirmWatcher(pid);
}

/** Start a detached `fos confirm-watch` for this store; its owner is this process. */
function spawnConfirmWatcher(globals: Globals): number | undefined {
  // main.js runs from dist/src (built) or src (tests): find the checkout's bin/ either way.
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dir !== dirname(dir)) dir = dirname(dir);
  const bin = join(dir, 'bin', 'fos.js');
  const args = [
    bin,
    '--state',
    globals.state,
    '--netns',
    globals.target.netns ?? 'root',
    '--user',
    globals.user,
    'confirm-watch',
    '--owner',
    String(process.pid),
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid;
}

/** How long a watcher leaves a living owner to revert by its own timer (it tells its sessions at once). */
const OWNER_GRACE_MS = 2000;
/** How often a watcher looks again: a re-issued `commit confirmed` moves the deadline. */
const WATCH_EVERY_MS = 5000;

/**
 * `fos confirm-watch --owner PID`: wait for the pending confirmation's
 * deadline and revert it if nobody else did. While the owner lives it gets a
 * short grace to do so itself; once the owner is gone, the watcher reverts at
 * the deadline. The revert is idempotent (under the commit lock), so a watcher
 * and an owner never both revert.
 */
async function confirmWatch(args: string[], globals: Globals): Promise<number> {
  const ownerIndex = args.indexOf('--owner');
  const owner = ownerIndex >= 0 ? Number(args[ownerIndex + 1]) : NaN;
  const ownerAlive = (): boolean =>
    Number.isInteger(owner) && owner !== process.pid && processAlive(owner);
  const quiet: Io = { out: () => undefined, err: () => undefined };
  for (;;) {
    // The store went away (a test cleaned up): nothing left to watch.
    if (!existsSync(join(globals.state, 'fos.db'))) return 0;
    let wakeAt: number;
    const owned = ownerAlive();
    const store = new Store(globals.state);
    try {
      if (store.retireConfirmWatcher(process.pid)) return 0;
      const pending = store.pending();
      if (!pending) return 0;
      if (store.confirmWatcher() === undefined) store.setConfirmWatcher(process.pid);
      const due = pending.deadline + (owned ? OWNER_GRACE_MS : 0);
      if (due <= Date.now()) {
        try {
          await heal(new Router(store, globals.target, schema), quiet);
        } catch {
          // The namespace is gone or busy: look again shortly.
        }
        wakeAt = Date.now() + (store.pending() ? 1000 : 0);
      } else wakeAt = Math.min(due, Date.now() + WATCH_EVERY_MS);
    } finally {
      store.close();
    }
    // Asleep until then, or until the owner dies (then the deadline itself counts).
    while (Date.now() < wakeAt && !(owned && !ownerAlive()))
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, wakeAt - Date.now())));
  }
}

/**
 * The files a session's `save`, `load` and `merge` reach: over SSH (and for a
 * local socket client that is not root) only the configuration directory (the
 * daemon is root, its users need not be); a local session with the rights of
 * its own process (or root's through the socket), any path.
 */
function filesFor(router: Router, anyPath: boolean): FileAccess {
  const directory = new ConfigDirectory(join(router.store.directory, 'config')).ensure();
  return anyPath ? new AnyPath(directory) : directory;
}

/** What a session's engine knows of where it runs: the client's address, the daemon. */
interface SessionPlace {
  /** The SSH client's address; `local` for fos shell and fos -c. */
  readonly from?: string;
  readonly daemon?: DaemonControl;
}

/**
 * A shell engine for one session of a user on the router, listed in `show
 * system users` until it ends; `machineUser` is a user with the machine's own
 * rights (in-process, or root through the local socket): secrets shown, any
 * file path.
 */
function newEngine(
  router: Router,
  user: string,
  origin: Origin,
  machineUser: boolean,
  place: SessionPlace = {},
): ShellEngine {
  const allowSecrets = machineUser;
  const session = `${origin}-${process.pid}-${++sessionCounter}`;
  const engine = new ShellEngine(
    schema,
    routerAccess(router, user, session, place.daemon),
    filesFor(router, machineUser),
    { user, session, origin, allowSecrets },
  );
  engine.onDispose = loginSessions.add(session, {
    user,
    from: place.from ?? 'local',
    origin,
    mode: () => engine.mode,
  });
  return engine;
}
let sessionCounter = 0;

async function batch(script: string, globals: Globals, io: Io): Promise<number> {
  const store = new Store(globals.state);
  try {
    const router = openRouter(store, globals);
    await startUp(router, globals, io);
    // A local batch runs as the machine's own user, who can read the store anyway.
    const engine = newEngine(router, globals.user, 'batch', true);
    // Ctrl-C stops a live command (ping, monitor) and the script, as over SSH.
    const interrupted = new AbortController();
    const stop = (): void => interrupted.abort();
    process.on('SIGINT', stop);
    try {
      return await runScript(engine, script, io.out, io.err, interrupted.signal);
    } finally {
      process.off('SIGINT', stop);
    }
  } finally {
    ensureConfirmWatcher(globals, store);
    store.close();
  }
}

function historyFile(state: string, user: string): string {
  return join(state, 'history', user.replace(/[^A-Za-z0-9_.-]/g, '_'));
}

/** A user's history; lines kept before secrets were masked are masked as they are read. */
function loadHistory(state: string, user: string): string[] {
  const file = historyFile(state, user);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => maskAfterSecretNames(line, schema));
}

function saveHistory(state: string, user: string, entries: readonly string[]): void {
  mkdirSync(join(state, 'history'), { recursive: true, mode: 0o700 });
  const file = historyFile(state, user);
  // The mode of writeFileSync applies only to a new file: an older one is made 0600 first.
  if (existsSync(file)) chmodSync(file, 0o600);
  writeFileSync(file, `${entries.slice(-HISTORY_ENTRIES).join('\n')}\n`, { mode: 0o600 });
}

/** One interactive front-end: plain or ink. */
interface Frontend {
  start(): void;
  feed(data: string): Promise<void>;
  resize(columns: number, rows: number): void;
  /** Show at once what the session must know (a commit confirmed rolled back). */
  notify(): void;
  dispose(): void;
}

/** Terminals that get the plain front-end: automation clients open vt100 ptys. */
export function wantsInk(
  term: string | undefined,
  frontend = process.env['FOS_FRONTEND'],
): boolean {
  return (
    term !== undefined &&
    term !== '' &&
    !/^(?:dumb|unknown|vt\d+|ansi)$/.test(term) &&
    frontend !== 'plain'
  );
}

/** An interactive terminal for one user, writing through `write`: ink when `screen` says the terminal can take it. */
function openTerminal(
  router: Router,
  globals: Globals,
  user: string,
  origin: Origin,
  write: (t: string) => void,
  close: (code: number) => void,
  timer: ConfirmTimer,
  screen?: { term: string; columns: number; rows: number; frontend?: string },
  machineUser = origin !== 'ssh',
  place: SessionPlace = {},
): Frontend {
  const engine = newEngine(router, user, origin, machineUser, place);
  // Values TAB offers from the system (links in the namespace, revisions, chains).
  const runtime = new CompletionValues(opTree.sources, opSystem(router)).prime();
  // `system login banner post-login`, as VyOS prints its motd: when an interactive session
  // starts, never before the output of a script or an exec request (those use runScript).
  const motd = loginBanner(router.applied(), 'post-login');
  const host: TerminalHost = {
    greeting: motd === undefined ? [] : motd.slice(0, -1).split('\n'),
    write,
    close,
    user,
    history: loadHistory(globals.state, user),
    saveHistory: (entries) => saveHistory(globals.state, user, entries),
    hostname: () =>
      router.applied().children.get('system')?.children.get('host-name')?.values[0] ?? 'fos',
    complete: (line, cursor) =>
      completeLine(line, cursor, schema, {
        mode: engine.mode,
        level: engine.editLevel,
        tree: engine.completionTree,
        runtime: (source, args) => runtime.get(source, args),
      }),
  };
  let frontend: Frontend;
  if (screen && wantsInk(screen.term, screen.frontend ?? process.env['FOS_FRONTEND'])) {
    const InkTerminal = inkTerminal();
    const ink = new InkTerminal(engine, host, {
      columns: screen.columns,
      rows: screen.rows,
      crlf: true,
    });
    frontend = ink;
  } else {
    const plain = new PlainTerminal(engine, host, screen);
    frontend = {
      start: () => plain.start(),
      feed: (d) => plain.feed(d),
      resize: (columns, rows) => plain.resize(columns, rows),
      notify: () => plain.notify(),
      dispose: () => plain.dispose(),
    };
  }
  // A rollback done by the timer (or seen by it) is shown in this session at once.
  const stopListening = timer.onRunningChanged(() => frontend.notify());
  return {
    start: () => frontend.start(),
    feed: (d) => frontend.feed(d),
    resize: (columns, rows) => frontend.resize(columns, rows),
    notify: () => frontend.notify(),
    dispose: () => {
      stopListening();
      frontend.dispose();
    },
  };
}

/** A terminal started, as a server drives it: fed, resized and closed. */
function driven(terminal: Frontend): ChannelShell {
  terminal.start();
  return {
    feed: (data) => terminal.feed(data),
    resize: (columns, rows) => terminal.resize(columns, rows),
    close: () => terminal.dispose(),
  };
}

/**
 * A daemon's terminal for a channel. The daemon loads ink on the first terminal
 * that draws with it, not when it starts (under emulation that took 11 s of
 * the router image's boot, before the first login): until then what the client
 * types waits, in order.
 */
function drivenTerminal(
  screen: { term: string; frontend?: string } | undefined,
  open: () => Frontend,
  channel: { write: (t: string) => void; close: (code: number) => void },
): ChannelShell {
  const ink = screen && wantsInk(screen.term, screen.frontend ?? process.env['FOS_FRONTEND']);
  if (!ink || inkLoaded()) return driven(open());
  let shell: ChannelShell | undefined;
  let closed = false;
  let size: [number, number] | undefined;
  const ready = loadInk().then(
    () => {
      if (closed) return;
      shell = driven(open());
      if (size) shell.resize(...size);
    },
    (e: Error) => {
      channel.write(`fos: the terminal front-end did not load: ${e.message}\r\n`);
      channel.close(1);
    },
  );
  return {
    feed: async (data) => {
      await ready;
      await shell?.feed(data);
    },
    resize: (columns, rows) => {
      if (shell) shell.resize(columns, rows);
      else size = [columns, rows];
    },
    close: () => {
      closed = true;
      shell?.close();
    },
  };
}

/** The login credentials of a user in the running configuration. */
function credentialsOf(router: Router, user: string): Credentials | undefined {
  const entry = getNode(router.applied(), ['system', 'login', 'user', user]);
  if (!entry || entry.children.has('disable')) return undefined;
  const auth = entry.children.get('authentication');
  const hash = auth?.children.get('encrypted-password')?.values[0];
  const publicKeys = [...(auth?.children.get('public-keys')?.children.values() ?? [])].map((k) => ({
    type: k.children.get('type')?.values[0] ?? '',
    key: k.children.get('key')?.values[0] ?? '',
  }));
  return { ...(hash ? { passwordHash: hash } : {}), publicKeys };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

async function serve(args: string[], globals: Globals, io: Io): Promise<number> {
  const listenIndex = args.indexOf('--listen');
  const listen = listenIndex >= 0 ? args[listenIndex + 1] : '127.0.0.1:2222';
  const m = listen ? /^(.*):(\d+)$/.exec(listen) : null;
  if (!m) {
    io.err('usage: fos serve [--listen ADDR:PORT]\n');
    return 2;
  }
  const host = m[1]!.replace(/^\[|\]$/g, '');
  const port = Number(m[2]);
  // How long each step of the start took, in the log (the router image boots under emulation).
  const phases: string[] = [];
  let mark = 0; // the process's start: 'node' is Node's own start and the loading of the bundle
  const phase = (name: string): void => {
    const now = performance.now();
    phases.push(`${name} ${((now - mark) / 1000).toFixed(1)}`);
    mark = now;
  };
  phase('node');
  const store = new Store(globals.state);
  const router = openRouter(store, globals);
  phase('store');
  await startUp(router, globals, io);
  phase('apply');
  // What could not be brought back is in the log; the daemon serves anyway, so that it can be fixed.
  for (const line of await router.converge())
    if (/^# the \S+ backend failed/.test(line)) io.err(`fos serve: ${line.slice(2)}\n`);
  phase('converge');
  const fos = credentialsOf(router, 'fos');
  if (!isLoopback(host) && fos?.passwordHash && (await verifyPassword('fos', fos.passwordHash))) {
    io.err(
      `fos serve: refusing to listen on ${host}: user fos still has the default password; change it first\n`,
    );
    store.close();
    return 1;
  }
  // The daemon owns pending confirmations: it reverts them on time and tells its sessions.
  const timer = new ConfirmTimer(router);
  // The daemon also watches what the backends keep running: a routing daemon that dies comes back.
  const healer = new HealTimer(router, (line) => io.err(`fos serve: ${line}\n`));
  /** A server's event in the audit log, under the name of the server it came from. */
  const auditAs =
    (session: string) =>
    (event: string, detail: Record<string, unknown>): void =>
      store.audit({
        user: String(detail['user'] ?? ''),
        session,
        kind: event,
        text: JSON.stringify(detail),
        outcome: event,
      });
  phase('password');
  // Loaded here, not at the top: only a daemon needs ssh2 (and ink, loaded by drivenTerminal).
  const { loadHostKey, startSshServer } = await import('./ssh/server.js');
  const daemon: DaemonControl = {
    // `restart ssh`: the listener is closed and opened again with the key read anew; the
    // sessions already open (this one too) are connections of their own and stay.
    restartSsh: async () => {
      server.close();
      server = await listenSsh();
      store.audit({
        user: '',
        session: 'daemon',
        kind: 'ssh-restart',
        text: `${host}:${port}`,
        outcome: 'ok',
      });
      return `${host}:${port}`;
    },
  };
  const hooks: ServerHooks = {
    credentials: (user) => credentialsOf(router, user),
    preLoginBanner: () => loginBanner(router.applied(), 'pre-login'),
    interactive: (user, pty, channel) =>
      drivenTerminal(
        pty,
        () =>
          openTerminal(
            router,
            globals,
            user,
            'ssh',
            channel.write,
            channel.close,
            timer,
            pty,
            false,
            { from: channel.from, daemon },
          ),
        channel,
      ),
    script: (user, text, channel) =>
      runScript(
        newEngine(router, user, 'ssh', false, { from: channel.from, daemon }),
        text,
        channel.write,
        channel.writeError,
        channel.interrupted,
      ),
    log: auditAs('ssh'),
  };
  const listenSsh = (): Promise<SshServer> =>
    startSshServer(
      { host, port, hostKey: loadHostKey(globals.state, (line) => io.err(`fos serve: ${line}\n`)) },
      hooks,
      limitsWith(process.env['FOS_TEST_SSH_LIMITS']),
    );
  let server = await listenSsh();
  phase('ssh');
  // `fos -c` and `fos shell` on this machine become sessions of this daemon.
  const local = await startLocalServer(
    { state: globals.state, netns: globals.target.netns ?? null },
    {
      script: (peer, text, channel) =>
        runScript(
          newEngine(router, peer.user, 'local', peer.root, { daemon }),
          text,
          channel.write,
          channel.writeError,
        ),
      interactive: (peer, screen, channel) =>
        drivenTerminal(
          screen,
          () =>
            openTerminal(
              router,
              globals,
              peer.user,
              'local',
              channel.write,
              channel.close,
              timer,
              screen,
              peer.root,
              { daemon },
            ),
          channel,
        ),
      log: auditAs('local'),
    },
  ).catch((e: Error) => {
    io.err(`fos serve: no local socket (fos -c runs in-process): ${e.message}\n`);
    return undefined;
  });
  store.audit({
    user: '',
    session: 'daemon',
    kind: 'daemon-start',
    text: `listening on ${host}:${port}, configuring ${describeTarget(globals.target)}`,
    outcome: 'ok',
  });
  io.out(
    `fos serve: listening on ${host}:${port}, configuring ${describeTarget(globals.target)}\n`,
  );
  io.out(
    `fos serve: started in ${(performance.now() / 1000).toFixed(1)} s (${phases.join(', ')})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  timer.stop();
  healer.stop();
  local?.close();
  server.close();
  store.audit({ user: '', session: 'daemon', kind: 'daemon-stop', text: '', outcome: 'ok' });
  store.close();
  return 0;
}

/** `fos shell`: the shell on the local terminal, or a script from stdin. */
async function shell(globals: Globals, io: Io): Promise<number> {
  const store = new Store(globals.state);
  const router = openRouter(store, globals);
  // An open shell owns the confirmations it writes as the daemon does: its own timer reverts them.
  let timer: ConfirmTimer | undefined;
  try {
    await startUp(router, globals, io);
    // Like loading config.boot at boot: the namespace is made to match the newest revision.
    await router.converge();
    if (!process.stdin.isTTY) {
      const text = readScript(0);
      if (text === undefined) {
        io.err(`fos: ${SCRIPT_TOO_LARGE}\n`);
        return 1;
      }
      return await runScript(newEngine(router, globals.user, 'cli', true), text, io.out, io.err);
    }
    const confirmTimer = new ConfirmTimer(router);
    timer = confirmTimer;
    if (wantsInk(process.env['TERM'])) await loadInk();
    return await new Promise<number>((resolve) => {
      const terminal = openTerminal(
        router,
        globals,
        globals.user,
        'cli',
        (t) => process.stdout.write(t),
        (code) => {
          process.stdin.setRawMode(false);
          process.stdin.pause();
          resolve(code);
        },
        confirmTimer,
        {
          term: process.env['TERM'] ?? 'dumb',
          columns: process.stdout.columns ?? 80,
          rows: process.stdout.rows ?? 24,
        },
      );
      process.stdout.on('resize', () =>
        terminal.resize(process.stdout.columns, process.stdout.rows),
      );
      process.stdin.setRawMode(true);
      process.stdin.setEncoding('utf8');
      process.stdin.on('data', (d: string) => void terminal.feed(d));
      terminal.start();
    });
  } finally {
    timer?.stop();
    ensureConfirmWatcher(globals, store);
    store.close();
  }
}

/** `fos init`: a new store, when the state directory holds none or a file that is not one. */
function initialise(globals: Globals, io: Io): number {
  const { keptAs } = Store.initialise(globals.state);
  if (keptAs) io.out(`The file that was not a FOS1 store is kept as ${keptAs}.\n`);
  io.out(
    `A new store is ready in ${globals.state}; the next start records the default configuration.\n`,
  );
  return 0;
}

async function lab(args: string[], globals: Globals, io: Io): Promise<number> {
  const [action, name = globals.target.netns ?? DEFAULT_NETNS] = args;
  if (action !== 'up' && action !== 'down') {
    io.err('usage: fos lab up|down [NAME]\n');
    return 2;
  }
  try {
    const lines = action === 'up' ? await labUp(name) : await labDown(name);
    io.out(`${lines.join('\n')}\n`);
    return 0;
  } catch (e) {
    io.err(`fos lab ${action}: ${(e as Error).message}\n`);
    return 1;
  }
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const problems = [...checkSchema(schema), ...checkOpTree(opTree, schema)];
  if (problems.length > 0) {
    io.err(
      `fos: the built-in schema or operational command tree is inconsistent:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}\n`,
    );
    return 70;
  }
  const parsed = globalsOf(argv);
  if (typeof parsed === 'string') {
    io.err(`${parsed}\n`);
    return 2;
  }
  const { globals, rest } = parsed;
  const [command, ...args] = rest;
  try {
    const netns = globals.target.netns;
    if (
      (command === '-c' || command === 'shell' || command === 'serve') &&
      netns &&
      !(await namespaceExists(netns))
    ) {
      io.err(
        `fos: namespace ${netns} does not exist; create the lab with 'fos lab up${netns === DEFAULT_NETNS ? '' : ` ${netns}`}', or name another with --netns\n`,
      );
      return 1;
    }
    switch (command) {
      case 'check':
        return check(args, io);
      case 'convert':
        return convert(args, io);
      case '-c':
        if (args.length !== 1) {
          io.err("usage: fos -c 'COMMAND; COMMAND; ...'\n");
          return 2;
        }
        return await batch(args[0]!, globals, io);
      case 'lab':
        return await lab(args, globals, io);
      case 'serve':
        return await serve(args, globals, io);
      case 'shell':
        return await shell(globals, io);
      case 'init':
        return initialise(globals, io);
      case 'confirm-watch':
        return await confirmWatch(args, globals);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.err(`fos: unknown command '${command}'\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof StoreRefused) io.err(`fos: ${e.message}\n`);
    else io.err(`fos: ${(e as Error).message} (target: ${describeTarget(globals.target)})\n`);
    return 1;
  }
}
