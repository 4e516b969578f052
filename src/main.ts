/** The `fos` command: wiring of the layers, the only place argv and exit codes live. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listTable, readConntrack } from './apply/nft.js';
import { observeKernel } from './apply/kernel.js';
import { labDown, labUp, namespaceExists } from './apply/lab.js';
import { describeTarget, DEFAULT_NETNS, targetFromFlag, type Target } from './apply/target.js';
import { checkText, convertText, type OutputForm } from './cli/check.js';
import { completeLine } from './cli/complete.js';
import { ShellEngine, type RouterAccess } from './cli/engine.js';
import { PlainTerminal, runScript, type TerminalHost } from './cli/terminal.js';
import { InkTerminal } from './ui/ink-terminal.js';
import { getNode } from './config/index.js';
import { verifyPassword } from './commit/passwords.js';
import { loadHostKey, startSshServer, type Credentials } from './ssh/server.js';
import type { Origin } from './store/store.js';
import { describeOutcome } from './commit/outcome.js';
import { Router } from './commit/router.js';
import { checkSchema, schema } from './schema/index.js';
import { Store } from './store/store.js';

const USAGE = `usage: fos [--netns NS|root] [--state DIR] [--user NAME] <command>

commands:
  -c 'COMMAND; COMMAND; ...'           run shell commands without a terminal (stops at the first error)
  check [--syntax] FILE...             check configuration files (set form or config.boot form)
  convert FILE --to set|curly|json     print a configuration in another form
          [--drop-unsupported]         leave out areas FOS1 does not implement yet
  shell                                the shell on this terminal (a script when stdin is not one)
  serve [--listen ADDR:PORT]           the SSH server and management daemon (default 127.0.0.1:2222)
  lab up|down [NAME]                   create or remove the lab namespace (default ${DEFAULT_NETNS})
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

interface Globals {
  target: Target;
  state: string;
  user: string;
}

function readInput(file: string): string {
  return readFileSync(file === '-' ? 0 : file, 'utf8');
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
      io.err(`${file}: cannot read: ${(e as Error).message}\n`);
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
    io.err(`${file}: cannot read: ${(e as Error).message}\n`);
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

export function routerAccess(router: Router, user: string, session: string): RouterAccess {
  return {
    running: () => router.running(),
    back: (n) => router.back(n),
    commit: (request) => router.commit(request),
    confirm: (u, s) => router.confirm(u, s),
    takeExclusive: (s, u) => router.takeExclusive(s, u),
    releaseExclusive: (s) => router.releaseExclusive(s),
    drift: () => router.drift(),
    revisions: () => router.store.list(),
    revisionPlan: (n) => router.store.back(n)?.plan,
    links: async () => [...(await observeKernel(router.target)).links.values()],
    nftTable: (family, name) => listTable(router.target, family, name),
    conntrack: () => readConntrack(router.target),
    firewall: () => router.runningFirewall(),
    audit: (kind, text, outcome) => router.store.audit({ user, session, kind, text, outcome }),
  };
}

/** What every process does when it opens the store: heal a crash, revert an expired confirm, seed an empty store. */
async function startUp(router: Router, io: Io): Promise<void> {
  if (router.store.inflight().length > 0) {
    const fixed = await router.converge();
    if (fixed.length)
      io.err(`fos: an interrupted commit was undone (${fixed.length - 1} operations)\n`);
  }
  const reverted = await router.revertIfExpired();
  if (reverted)
    io.err(
      `fos: commit confirmed was not confirmed in time: ${describeOutcome(reverted).join(' ')}\n`,
    );
  await router.initialize();
}

/** The watcher that reverts an unconfirmed commit when no daemon does: a detached `fos confirm-watch`. */
function spawnConfirmWatcher(globals: Globals): void {
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
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: 'ignore' });
  child.unref();
}

async function confirmWatch(globals: Globals): Promise<number> {
  for (;;) {
    // The store went away (a test cleaned up): nothing left to watch.
    if (!existsSync(join(globals.state, 'fos.db'))) return 0;
    const store = new Store(globals.state);
    try {
      const pending = store.pending();
      if (!pending) return 0;
      const router = new Router(store, globals.target, schema);
      if (pending.deadline <= Date.now()) {
        await router.revertIfExpired();
        return 0;
      }
      const wait = Math.min(pending.deadline - Date.now(), 5_000);
      store.close();
      await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 10)));
      continue;
    } finally {
      try {
        store.close();
      } catch {
        // already closed
      }
    }
  }
}

/** A shell engine for one session of a user on the router. */
function newEngine(
  router: Router,
  user: string,
  origin: Origin,
  allowSecrets: boolean,
): ShellEngine {
  const session = `${origin}-${process.pid}-${++sessionCounter}`;
  return new ShellEngine(
    schema,
    routerAccess(router, user, session),
    {
      read: (path) => readFileSync(path, 'utf8'),
      write: (path, text) => writeFileSync(path, text),
    },
    { user, session, origin, allowSecrets },
  );
}
let sessionCounter = 0;

async function batch(script: string, globals: Globals, io: Io): Promise<number> {
  const store = new Store(globals.state);
  try {
    const router = new Router(store, globals.target, schema);
    await startUp(router, io);
    // A local batch runs as the machine's own user, who can read the store anyway.
    const engine = newEngine(router, globals.user, 'batch', true);
    return await runScript(engine, script, io.out, io.err);
  } finally {
    const pending = store.pending();
    store.close();
    if (pending) spawnConfirmWatcher(globals);
  }
}

function historyFile(state: string, user: string): string {
  return join(state, 'history', user.replace(/[^A-Za-z0-9_.-]/g, '_'));
}

function loadHistory(state: string, user: string): string[] {
  const file = historyFile(state, user);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

function saveHistory(state: string, user: string, entries: readonly string[]): void {
  mkdirSync(join(state, 'history'), { recursive: true, mode: 0o700 });
  writeFileSync(historyFile(state, user), `${entries.slice(-1000).join('\n')}\n`, { mode: 0o600 });
}

/** One interactive front-end: plain or ink. */
interface Frontend {
  start(): void;
  feed(data: string): Promise<void>;
  resize(columns: number, rows: number): void;
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
  screen?: { term: string; columns: number; rows: number; frontend?: string },
): Frontend {
  const engine = newEngine(router, user, origin, origin !== 'ssh');
  let links: string[] = [];
  const refreshLinks = (): void => {
    observeKernel(router.target).then(
      (k) => (links = [...k.links.keys()]),
      () => undefined,
    );
  };
  refreshLinks();
  const host: TerminalHost = {
    write,
    close,
    user,
    history: loadHistory(globals.state, user),
    saveHistory: (entries) => saveHistory(globals.state, user, entries),
    hostname: () =>
      router.running().tree.children.get('system')?.children.get('host-name')?.values[0] ?? 'fos',
    complete: (line, cursor) => {
      refreshLinks();
      return completeLine(line, cursor, schema, {
        mode: engine.mode,
        level: engine.editLevel,
        tree: engine.completionTree,
        runtime: (provider) => (provider === 'interfaces' ? links : []),
      });
    },
  };
  if (screen && wantsInk(screen.term, screen.frontend ?? process.env['FOS_FRONTEND'])) {
    return new InkTerminal(engine, host, {
      columns: screen.columns,
      rows: screen.rows,
      crlf: true,
    });
  }
  const plain = new PlainTerminal(engine, host);
  return {
    start: () => plain.start(),
    feed: (d) => plain.feed(d),
    resize: () => undefined,
    dispose: () => plain.dispose(),
  };
}

/** The login credentials of a user in the running configuration. */
function credentialsOf(router: Router, user: string): Credentials | undefined {
  const entry = getNode(router.running().tree, ['system', 'login', 'user', user]);
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
  const store = new Store(globals.state);
  const router = new Router(store, globals.target, schema);
  await startUp(router, io);
  await router.converge();
  const fos = credentialsOf(router, 'fos');
  if (!isLoopback(host) && fos?.passwordHash && (await verifyPassword('fos', fos.passwordHash))) {
    io.err(
      `fos serve: refusing to listen on ${host}: user fos still has the default password; change it first\n`,
    );
    store.close();
    return 1;
  }
  const server = await startSshServer(
    { host, port, hostKey: loadHostKey(globals.state) },
    {
      credentials: (user) => credentialsOf(router, user),
      interactive: (user, pty, channel) => {
        const terminal = openTerminal(
          router,
          globals,
          user,
          'ssh',
          channel.write,
          channel.close,
          pty,
        );
        terminal.start();
        return {
          feed: (data) => void terminal.feed(data),
          resize: (columns, rows) => terminal.resize(columns, rows),
          close: () => terminal.dispose(),
        };
      },
      script: (user, text, channel) =>
        runScript(newEngine(router, user, 'ssh', false), text, channel.write, channel.writeError),
      log: (event, detail) =>
        store.audit({
          user: String(detail['user'] ?? ''),
          session: 'ssh',
          kind: event,
          text: JSON.stringify(detail),
          outcome: event,
        }),
    },
  );
  // The daemon owns pending confirmations: it reverts them on time.
  const timer = setInterval(() => void router.revertIfExpired().catch(() => undefined), 1000);
  io.out(
    `fos serve: listening on ${host}:${port}, configuring ${describeTarget(globals.target)}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  clearInterval(timer);
  server.close();
  store.close();
  return 0;
}

/** `fos shell`: the shell on the local terminal, or a script from stdin. */
async function shell(globals: Globals, io: Io): Promise<number> {
  const store = new Store(globals.state);
  const router = new Router(store, globals.target, schema);
  await startUp(router, io);
  // Like loading config.boot at boot: the namespace is made to match the newest revision.
  await router.converge();
  try {
    if (!process.stdin.isTTY) {
      const text = readFileSync(0, 'utf8');
      return await runScript(newEngine(router, globals.user, 'cli', true), text, io.out, io.err);
    }
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
    const pending = store.pending();
    store.close();
    if (pending) spawnConfirmWatcher(globals);
  }
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

/** Parse the global flags; the rest is the command. */
function globalsOf(argv: string[]): { globals: Globals; rest: string[] } | string {
  let netns: string | undefined = process.env['FOS_NETNS'];
  let state = process.env['FOS_STATE'] ?? '/var/lib/fos';
  let user = process.env['FOS_USER'] ?? process.env['USER'] ?? 'root';
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string | undefined => argv[++i];
    if (a === '--netns') netns = value();
    else if (a === '--state') state = value() ?? state;
    else if (a === '--user') user = value() ?? user;
    else {
      rest.push(...argv.slice(i));
      break;
    }
  }
  if (netns === '') return 'fos: --netns needs a namespace name';
  return { globals: { target: targetFromFlag(netns), state, user }, rest };
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const problems = checkSchema(schema);
  if (problems.length > 0) {
    io.err(
      `fos: the built-in schema is inconsistent:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}\n`,
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
      case 'confirm-watch':
        return await confirmWatch(globals);
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
    io.err(`fos: ${(e as Error).message} (target: ${describeTarget(globals.target)})\n`);
    return 1;
  }
}
