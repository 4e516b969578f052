/**
 * The daemon's local socket: `fos -c` and `fos shell` on the router itself
 * become sessions of `fos serve` (origin `local`), on its parsed running
 * configuration, instead of each opening the store and parsing it again.
 *
 * Who may connect is the file system's decision: the socket is
 * `<state>/run/fos.sock`, mode 0660, in a directory of mode 1770, both of
 * the daemon's user (root) and of the state directory's group. A client
 * proves its uid by making an empty file named by the daemon's nonce in that
 * directory: the kernel makes it the client's. Root gets what an in-process
 * run as root gets (any file path for save/load, secrets shown); any other
 * member of the group is a session of its own login name that reaches only
 * the configuration directory, as over SSH. Every frame, the hello and the
 * number of connections are bounded.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Slots } from '../ssh/limits.js';
import type { ChannelIo, ChannelShell, PtyInfo } from '../ssh/server.js';
import { MAX_AUDIT_NAME } from '../store/store.js';
import {
  Frame,
  FrameReader,
  MAX_FRAME,
  outputFrames,
  jsonFrame,
  parseObject,
  PROTOCOL_VERSION,
  runDirectory,
  socketPath,
  type Refusal,
} from './protocol.js';

/** Who is on the other end of a local connection. */
export interface LocalPeer {
  readonly uid: number;
  /** uid 0: what a run of `fos` as root in-process may do. */
  readonly root: boolean;
  /** The session's user: the name root gave (`--user`, $USER), else the uid's login name. */
  readonly user: string;
}

export interface LocalHooks {
  /** Commands without a terminal (`fos -c`, `fos < script`); resolves to the exit status. */
  script(peer: LocalPeer, text: string, io: ChannelIo): Promise<number>;
  /** An interactive shell on the client's terminal. */
  interactive(peer: LocalPeer, screen: PtyInfo, io: ChannelIo): ChannelShell;
  log(event: string, detail: Record<string, unknown>): void;
}

export interface LocalLimits {
  /** Connections at once, identified or not. */
  readonly connections: number;
  /** Sessions of one uid at once (root's too: one runaway script loop cannot take every place). */
  readonly sessionsPerUser: number;
  /** A connection that has not said who it is by then is closed. */
  readonly helloTimeoutMs: number;
}

export const DEFAULT_LOCAL_LIMITS: LocalLimits = {
  connections: 64,
  sessionsPerUser: 16,
  helloTimeoutMs: 30_000,
};

/** Limits with some replaced (FOS_TEST_LOCAL_LIMITS, a JSON object, for tests). */
export function localLimitsWith(overrides: string | undefined): LocalLimits {
  if (!overrides) return DEFAULT_LOCAL_LIMITS;
  const parsed = JSON.parse(overrides) as Record<string, unknown>;
  const limits: Record<string, number> = { ...DEFAULT_LOCAL_LIMITS };
  for (const [key, value] of Object.entries(parsed)) {
    if (!(key in limits) || typeof value !== 'number' || !(value >= 0))
      throw new Error(`FOS_TEST_LOCAL_LIMITS: '${key}' is not a limit or not a number`);
    limits[key] = value;
  }
  return limits as unknown as LocalLimits;
}

export interface LocalServer {
  readonly path: string;
  close(): void;
}

/** How old a proof file may be: it is made between the challenge and the hello. */
const PROOF_MAX_AGE_MS = 60_000;
/** Input waiting to be handled, and output the client has not taken, beyond which reading stops. */
const INPUT_BACKLOG = 256 * 1024;
const OUTPUT_BACKLOG = 1024 * 1024;
/** TERM values taken from a client; anything else is treated as a dumb terminal. */
const TERM_NAME = /^[A-Za-z0-9._+-]{1,64}$/;

/** The login name of a uid (/etc/passwd), or undefined. */
function loginName(uid: number): string | undefined {
  let text: string;
  try {
    text = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && Number(id) === uid) return name;
  }
  return undefined;
}

/** A user name as a client may give it: printable, no spaces, bounded. */
function validUser(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.length <= MAX_AUDIT_NAME &&
    /^[\p{L}\p{N}._@-]+$/u.test(name)
  );
}

function dimension(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 10_000
    ? value
    : fallback;
}

/** The run directory: made if missing, and refused when it is not the daemon's own. */
function prepareRunDirectory(state: string, gid: number): string {
  const dir = runDirectory(state);
  if (!existsSync(dir)) mkdirSync(dir, { mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== process.getuid!())
    throw new Error(`${dir} is not a directory of this user; the local socket is not opened`);
  chownSync(dir, st.uid, gid);
  chmodSync(dir, 0o1770);
  return dir;
}

/** Remove a socket file left by a daemon that died (nothing else of that name is removed). */
function removeStale(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`${path} exists and is not a socket; it is left alone`);
  unlinkSync(path);
}

export async function startLocalServer(
  options: { readonly state: string; readonly netns: string | null },
  hooks: LocalHooks,
  limits: LocalLimits = localLimitsWith(process.env['FOS_TEST_LOCAL_LIMITS']),
): Promise<LocalServer> {
  const gid = statSync(options.state).gid;
  const dir = prepareRunDirectory(options.state, gid);
  const path = socketPath(options.state);
  removeStale(path);
  // The audit log may fail (a store closing under a stopping daemon): never the daemon with it.
  const log = (event: string, detail: Record<string, unknown>): void => {
    try {
      hooks.log(event, detail);
    } catch {
      // not logged
    }
  };
  const sessions = new Slots(limits.sessionsPerUser, Number.MAX_SAFE_INTEGER);
  let open = 0;
  const server: Server = createServer((socket) => {
    if (open >= limits.connections) {
      log('local-refused', { reason: 'connections' });
      socket.end(
        jsonFrame(Frame.Refuse, {
          reason: `${limits.connections} local sessions are open, the most the daemon takes; close one and try again`,
          fallback: false,
        } satisfies Refusal),
      );
      return;
    }
    open++;
    socket.once('close', () => open--);
    serveConnection(socket, dir, options.netns, hooks, limits, log, sessions);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chownSync(path, process.getuid!(), gid);
  chmodSync(path, 0o660);
  const inode = lstatSync(path).ino;
  return {
    path,
    close: () => {
      server.close();
      // A daemon started later for this store may have taken the name over: leave its socket.
      try {
        if (lstatSync(path).ino === inode) unlinkSync(path);
      } catch {
        // gone already
      }
    },
  };
}

/** Where a connection is: waiting for the hello, for the script, on a terminal, or running its script. */
type Stage = 'hello' | 'script' | 'terminal' | 'running';

function serveConnection(
  socket: Socket,
  dir: string,
  netns: string | null,
  hooks: LocalHooks,
  limits: LocalLimits,
  log: LocalHooks['log'],
  sessions: Slots,
): void {
  const nonce = randomBytes(16).toString('hex');
  const proofFile = join(dir, nonce);
  let state: Stage = 'hello';
  let peer: LocalPeer | undefined;
  let shell: ChannelShell | undefined;
  const decoder = new StringDecoder('utf8');
  let waiting = 0;

  const send = (data: Buffer): void => {
    if (!socket.destroyed && socket.writable) socket.write(data);
  };
  // A live command (ping, monitor) stops when the client goes away.
  const gone = new AbortController();
  socket.once('close', () => gone.abort());
  const io: ChannelIo = {
    from: 'local',
    interrupted: gone.signal,
    write: (text) => outputFrames(Frame.Out, text).forEach(send),
    writeError: (text) => outputFrames(Frame.Err, text).forEach(send),
    close: (code) => {
      send(jsonFrame(Frame.Exit, { code }));
      socket.end();
    },
  };
  const refuse = (reason: string, fallback: boolean): void => {
    log('local-refused', { reason, ...(peer ? { user: peer.user, uid: peer.uid } : {}) });
    send(jsonFrame(Frame.Refuse, { reason, fallback } satisfies Refusal));
    socket.end();
  };
  const backlog = (): void => {
    if (waiting > INPUT_BACKLOG || socket.writableLength > OUTPUT_BACKLOG) socket.pause();
    else socket.resume();
  };
  const cleanProof = (): void => {
    try {
      unlinkSync(proofFile);
    } catch {
      // not made, or taken already
    }
  };

  const timer = setTimeout(() => {
    log('local-timeout', {});
    socket.destroy();
  }, limits.helloTimeoutMs);
  socket.once('close', () => {
    clearTimeout(timer);
    cleanProof();
    shell?.close();
  });
  socket.on('error', () => undefined);
  socket.on('drain', backlog);

  const hello = (payload: Buffer): void => {
    clearTimeout(timer);
    const h = parseObject(payload);
    if (!h) return refuse('the hello is not a JSON object', false);
    if (h['version'] !== PROTOCOL_VERSION)
      return refuse(`this daemon speaks version ${PROTOCOL_VERSION} of the local protocol`, true);
    if (h['proof'] !== nonce) return refuse('the hello does not answer the challenge', false);
    let st;
    try {
      st = lstatSync(proofFile);
    } catch {
      return refuse(`no proof of who you are in ${dir}`, false);
    }
    cleanProof();
    if (!st.isFile() || st.nlink !== 1 || Date.now() - st.mtimeMs > PROOF_MAX_AGE_MS)
      return refuse(`the proof of who you are in ${dir} is not a new file of yours`, false);
    const wanted = h['netns'];
    if (wanted !== netns)
      return refuse(
        `the daemon configures ${netns === null ? 'the root namespace' : `namespace ${netns}`}`,
        true,
      );
    const root = st.uid === 0;
    const name = root ? h['user'] : loginName(st.uid);
    peer = { uid: st.uid, root, user: validUser(name) ? name : `uid-${st.uid}` };
    const mode = h['mode'];
    if (mode !== 'script' && mode !== 'terminal')
      return refuse("the hello's mode is neither script nor terminal", false);
    const slot = sessions.take(String(peer.uid));
    if (!('release' in slot))
      return refuse(
        `${peer.user} has ${limits.sessionsPerUser} local sessions open, the most one user may have; close one and try again`,
        false,
      );
    socket.once('close', slot.release);
    log('local-session', { user: peer.user, uid: peer.uid, mode });
    send(jsonFrame(Frame.Accept, {}));
    if (mode === 'script') {
      state = 'script';
      return;
    }
    state = 'terminal';
    const term = typeof h['term'] === 'string' && TERM_NAME.test(h['term']) ? h['term'] : 'dumb';
    const frontend = h['frontend'];
    const screen: PtyInfo = {
      term,
      columns: dimension(h['columns'], 80),
      rows: dimension(h['rows'], 24),
      ...(typeof frontend === 'string' && frontend.length <= 16 ? { frontend } : {}),
    };
    try {
      shell = hooks.interactive(peer, screen, io);
    } catch (e) {
      io.writeError(`fos: ${(e as Error).message}\n`);
      io.close(1);
    }
  };

  const onFrame = (type: number, payload: Buffer): void => {
    if (state === 'hello' && type === Frame.Hello) return hello(payload);
    if (state === 'script' && type === Frame.Script) {
      state = 'running';
      // A throw, at once or later, ends this session with an error, never the daemon.
      void Promise.resolve()
        .then(() => hooks.script(peer!, payload.toString('utf8'), io))
        .then(io.close, (e: Error) => {
          io.writeError(`fos: ${e.message}\n`);
          io.close(1);
        });
      return;
    }
    if (state === 'terminal' && shell && type === Frame.Input) {
      const text = decoder.write(payload);
      waiting += payload.length;
      backlog();
      void shell
        .feed(text)
        .catch((e: Error) => log('local-error', { message: e.message, user: peer?.user }))
        .finally(() => {
          waiting -= payload.length;
          backlog();
        });
      return;
    }
    if (state === 'terminal' && shell && type === Frame.Resize) {
      const r = parseObject(payload);
      shell.resize(dimension(r?.['columns'], 80), dimension(r?.['rows'], 24));
      return;
    }
    protocolError(`a frame of type ${type} was not expected now`);
  };
  const protocolError = (message: string): void => {
    log('local-protocol-error', { message, ...(peer ? { user: peer.user } : {}) });
    socket.destroy();
  };
  // What may come depends on where the session is: before the hello only a hello.
  const allowed: Record<Stage, readonly number[]> = {
    hello: [Frame.Hello],
    script: [Frame.Script],
    terminal: [Frame.Input, Frame.Resize],
    running: [],
  };
  const reader = new FrameReader(onFrame, protocolError, (type) =>
    allowed[state].includes(type) ? MAX_FRAME[type] : undefined,
  );
  socket.on('data', (d: Buffer) => reader.push(d));
  send(jsonFrame(Frame.Challenge, { nonce }));
}
