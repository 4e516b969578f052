/**
 * The SSH server (ssh2): authentication against `system login user`, and one
 * shell front-end per channel — interactive with a pty, a script without
 * one, one command line for an exec request.
 */
import ssh2 from 'ssh2';
import type { AuthContext, Connection, ServerChannel, ServerConfig } from 'ssh2';
import { existsSync, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { MAX_SCRIPT_BYTES, SCRIPT_TOO_LARGE } from '../cli/limits.js';
import { verifyPassword } from '../commit/passwords.js';
import { addressKey, DEFAULT_SSH_LIMITS, LoginThrottle, Slots, type SshLimits } from './limits.js';

const { Server, utils } = ssh2;

export interface Credentials {
  /** `$6$` hash of the password, if the user has one. */
  readonly passwordHash?: string;
  readonly publicKeys: readonly { readonly type: string; readonly key: string }[];
}

/** One shell front-end bound to a channel. */
export interface ChannelShell {
  /** Bytes typed by the client; resolves once they have been handled. */
  feed(data: string): Promise<void>;
  resize(columns: number, rows: number): void;
  /** The channel closed. */
  close(): void;
}

export interface PtyInfo {
  readonly term: string;
  readonly columns: number;
  readonly rows: number;
  /** FOS_FRONTEND from the client's environment (`plain` asks for the plain front-end). */
  readonly frontend?: string;
}

export interface ServerHooks {
  credentials(user: string): Credentials | undefined;
  /** The text sent before authentication (`system login banner pre-login`), asked per connection. */
  preLoginBanner?(): string | undefined;
  /** An interactive shell on a pty. */
  interactive(user: string, pty: PtyInfo, io: ChannelIo): ChannelShell;
  /** Commands without a terminal (exec, or a shell without a pty); resolves to the exit status. */
  script(user: string, text: string, io: ChannelIo): Promise<number>;
  log(event: string, detail: Record<string, unknown>): void;
}

export interface ChannelIo {
  /** The client's address (`show system users`). */
  readonly from: string;
  /** Aborted when the channel closes or the client sends a signal or Ctrl-C: a live command stops. */
  readonly interrupted: AbortSignal;
  write(text: string): void;
  writeError(text: string): void;
  close(exitCode: number): void;
}

export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  readonly hostKey: string;
}

/**
 * A new ed25519 key pair that ssh2 itself can read back: about one key in two hundred that its
 * generateKeyPairSync writes, it then rejects as a "Malformed OpenSSH private key" (a router that
 * made one at its first boot could never start its SSH server). Such a key is made again.
 */
export function newHostKey(): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error)) return pair;
  }
  throw new Error('ssh: could not make an ed25519 host key that parses');
}

/**
 * The host key, made on first start and kept in the state directory. A key on disk that ssh2
 * cannot read (one an older FOS1 made, see newHostKey, or a damaged file) could never have been
 * served, so no client knows it: it is moved aside to `.unreadable`, said so through `warn`,
 * and a new one is made, rather than the daemon failing at every start.
 */
export function loadHostKey(stateDir: string, warn: (line: string) => void = () => {}): string {
  const file = join(stateDir, 'ssh_host_ed25519_key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8');
    const parsed = utils.parseKey(key);
    if (!(parsed instanceof Error)) return key;
    try {
      renameSync(file, `${file}.unreadable`);
    } catch (e) {
      // A daemon starting at the same time moved it first (and makes the new key both keep).
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    rmSync(`${file}.pub`, { force: true });
    warn(
      `the host key ${file} cannot be read (${parsed.message}); it is now ${file}.unreadable, and a new key is made`,
    );
  }
  const pair = newHostKey();
  // Written aside and linked into place: a daemon starting at the same time
  // never reads half a key, and the first key made is the one both keep.
  const aside = `${file}.${process.pid}.new`;
  writeFileSync(aside, pair.private, { mode: 0o600 });
  try {
    linkSync(aside, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(aside, { force: true });
  }
  writeFileSync(`${file}.pub`, `${pair.public}\n`);
  return pair.private;
}

function keyMatches(
  ctx: AuthContext & { method: 'publickey' },
  keys: Credentials['publicKeys'],
): boolean {
  for (const { type, key } of keys) {
    const parsed = utils.parseKey(`${type} ${key}`);
    if (parsed instanceof Error) continue;
    if (!parsed.getPublicSSH().equals(ctx.key.data)) continue;
    if (!ctx.signature) return true; // the client asks whether this key would do
    return ctx.blob !== undefined && parsed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
  }
  return false;
}

/** Input waiting to be handled, and output the client has not taken, beyond which reading stops. */
const INPUT_BACKLOG = 256 * 1024;
const OUTPUT_BACKLOG = 1024 * 1024;

/**
 * Hand a channel's input on, reading no more while much of it waits or the
 * client does not take its output: SSH flow control then stops the client, so
 * typing faster than the shell works does not pile up in the daemon.
 */
function holdBack(channel: ServerChannel, handle: (data: Buffer) => Promise<void>): void {
  let waiting = 0;
  const update = (): void => {
    if (waiting > INPUT_BACKLOG || channel.writableLength > OUTPUT_BACKLOG) channel.pause();
    else channel.resume();
  };
  channel.on('drain', update);
  channel.on('data', (d: Buffer) => {
    waiting += d.length;
    update();
    void handle(d).finally(() => {
      waiting -= d.length;
      update();
    });
  });
}

/** Checked for a user without a password: as costly as a hash made with the default rounds. */
const DUMMY_HASH = `$6$fos1dummysalt$${'.'.repeat(86)}`;

/**
 * The one place a password is checked against a hash. Without a hash (no such
 * user, or no password) a dummy of the same cost is checked, so that an
 * unknown user is answered as slowly as a wrong password.
 */
async function passwordMatches(password: string, hash: string | undefined): Promise<boolean> {
  // Checked on a worker thread: the event loop serves other sessions meanwhile.
  const matches = await verifyPassword(password, hash ?? DUMMY_HASH).catch(() => false);
  return hash !== undefined && matches;
}

const METHODS: ('password' | 'publickey' | 'keyboard-interactive')[] = [
  'publickey',
  'password',
  'keyboard-interactive',
];

export interface SshServer {
  close(): void;
}

export function startSshServer(
  options: ListenOptions,
  hooks: ServerHooks,
  limits: SshLimits = DEFAULT_SSH_LIMITS,
): Promise<SshServer> {
  const throttle = new LoginThrottle(limits);
  const unauthenticated = new Slots(limits.unauthenticatedPerAddress, limits.unauthenticated);
  const sessions = new Slots(limits.sessionsPerUser, limits.sessions);
  /** Connections not logged in yet, by `address:port`: logging in gives their slot back. */
  const waiting = new Map<string, () => void>();

  const config: ServerConfig = { hostKeys: [options.hostKey] };
  const ssh = new Server(config, (client: Connection, info) => {
    const address = info.ip;
    // Keystrokes and their echo are tiny writes: without this, Nagle's
    // algorithm and the client's delayed ACK hold each echo ~40 ms.
    // (ssh2's server Connection has it; its type declarations lack it.)
    (client as unknown as { setNoDelay(noDelay: boolean): void }).setNoDelay(true);
    const loggedIn = waiting.get(`${info.ip}:${info.port}`);
    let user = '';
    let failures = 0;
    let gone = false;
    client.on('close', () => (gone = true));
    client.on('ready', () => loggedIn?.());
    client.on('authentication', (ctx: AuthContext) => {
      const creds = hooks.credentials(ctx.username);
      const refuse = (): void => {
        hooks.log('login-failed', { address, user: ctx.username, method: ctx.method });
        ctx.reject(METHODS);
        if (++failures >= limits.attemptsPerConnection) client.end();
      };
      const accept = (): void => {
        user = ctx.username;
        hooks.log('login', { address, user: ctx.username, method: ctx.method });
        ctx.accept();
      };
      // Every answer is counted and waits its turn; nothing is decided before it arrives.
      const answer = (check: () => boolean | Promise<boolean>): void => {
        void throttle
          .attempt(address, ctx.username, check, () => !gone)
          .then((ok) => {
            if (gone) return;
            if (ok) accept();
            else refuse();
          });
      };
      switch (ctx.method) {
        case 'password':
          answer(() => passwordMatches(ctx.password, creds?.passwordHash));
          return;
        case 'keyboard-interactive':
          ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) =>
            answer(() => passwordMatches(answers[0] ?? '', creds?.passwordHash)),
          );
          return;
        case 'publickey':
          // The client asks whether a key would do: no answer to check yet.
          if (!ctx.signature) {
            if (creds && keyMatches(ctx, creds.publicKeys)) ctx.accept();
            else ctx.reject(METHODS);
            return;
          }
          answer(() => creds !== undefined && keyMatches(ctx, creds.publicKeys));
          return;
        default:
          ctx.reject(METHODS);
      }
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        let pty: PtyInfo | undefined;
        let shell: ChannelShell | undefined;
        session.on('pty', (accept, _reject, p) => {
          pty = { term: p.term, columns: p.cols, rows: p.rows };
          accept?.();
        });
        session.on('window-change', (accept, _reject, w) => {
          shell?.resize(w.cols, w.rows);
          accept?.();
        });
        let frontend: string | undefined;
        session.on('env', (accept, _reject, variable) => {
          if (variable.key === 'FOS_FRONTEND') frontend = variable.val;
          accept?.();
        });
        /** Aborted by a signal the client sends (`INT`, `TERM`) or the channel closing. */
        const interrupted = new AbortController();
        session.on('signal', (accept, _reject, info) => {
          accept?.();
          if (info.name === 'INT' || info.name === 'TERM') interrupted.abort();
        });
        const ioFor = (channel: ServerChannel): ChannelIo => {
          channel.once('close', () => interrupted.abort());
          return {
            from: address,
            interrupted: interrupted.signal,
            write: (text) => void channel.write(text),
            writeError: (text) => void channel.stderr.write(text),
            close: (code) => {
              channel.exit(code);
              channel.end();
            },
          };
        };
        /** A slot for this session, or the reason on the channel and false. */
        const admitted = (channel: ServerChannel, io: ChannelIo): boolean => {
          const slot = sessions.take(user);
          if ('release' in slot) {
            // A connection that drops does not always close its channels first.
            const release = (): void => {
              slot.release();
              client.off('close', release);
            };
            channel.once('close', release);
            client.once('close', release);
            return true;
          }
          const reason =
            slot.full === 'key'
              ? `user ${user} has ${limits.sessionsPerUser} sessions open, the most one user may have`
              : `${limits.sessions} sessions are open, the most this router takes`;
          hooks.log('session-refused', { address, user, reason });
          io.writeError(`fos: ${reason}; close one and try again\r\n`);
          io.close(1);
          return false;
        };
        session.on('exec', (accept, _reject, request) => {
          const channel = accept();
          const io = ioFor(channel);
          if (!admitted(channel, io)) return;
          // With a pty (`ssh -t router ping ...`) Ctrl-C arrives as a byte: it stops a live command.
          channel.on('data', (d: Buffer) => {
            if (pty && d.includes(3)) interrupted.abort();
          });
          void hooks.script(user, request.command, io).then(io.close, (e: Error) => {
            io.writeError(`${e.message}\n`);
            io.close(1);
          });
        });
        session.on('shell', (accept) => {
          const channel = accept();
          const io = ioFor(channel);
          if (!admitted(channel, io)) return;
          if (pty) {
            const opened = hooks.interactive(
              user,
              frontend === undefined ? pty : { ...pty, frontend },
              io,
            );
            shell = opened;
            // A character may be split between packets: decode as a stream.
            const decoder = new StringDecoder('utf8');
            holdBack(channel, (d) => opened.feed(decoder.write(d)));
            channel.on('close', () => opened.close());
            return;
          }
          // No terminal: read the whole script (ssh router < script.txt), then run it.
          const decoder = new StringDecoder('utf8');
          let text = '';
          let bytes = 0;
          channel.on('data', (d: Buffer) => {
            if (bytes > MAX_SCRIPT_BYTES) return;
            bytes += d.length;
            if (bytes <= MAX_SCRIPT_BYTES) text += decoder.write(d);
            else {
              text = '';
              io.writeError(`${SCRIPT_TOO_LARGE}\n`);
              io.close(1);
            }
          });
          channel.on('end', () => {
            if (bytes > MAX_SCRIPT_BYTES) return;
            text += decoder.end();
            void hooks.script(user, text, io).then(io.close, (e: Error) => {
              io.writeError(`${e.message}\n`);
              io.close(1);
            });
          });
        });
      });
    });
    client.on('error', (e) => hooks.log('client-error', { address, error: e.message }));
  });

  // Connections are counted from the first byte, so that one that never logs in
  // (or never even says hello) holds a slot only until the authentication timeout.
  const listener = createServer((socket) => {
    const address = socket.remoteAddress ?? '';
    const slot = unauthenticated.take(addressKey(address));
    if (!('release' in slot)) {
      hooks.log('connection-refused', { address, reason: 'unauthenticated' });
      // Text before the SSH version line is allowed (RFC 4253, 4.2); `ssh -v` shows it.
      socket.end(
        `fos: too many connections that have not logged in (${slot.full === 'key' ? `${limits.unauthenticatedPerAddress} from this address` : `${limits.unauthenticated} in all`}); try again later\r\n`,
      );
      return;
    }
    const key = `${address}:${socket.remotePort}`;
    const timer = setTimeout(() => {
      hooks.log('login-timeout', { address });
      socket.destroy();
    }, limits.authTimeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      slot.release();
      waiting.delete(key);
    };
    waiting.set(key, done);
    socket.once('close', done);
    socket.on('error', () => undefined);
    // ssh2 has one `banner` option, but reads it from the config object it was made with
    // each time it takes a connection (1.17 lib/server.js: `new Client(..., cfg)`, whose
    // Protocol copies `cfg.banner`), synchronously inside injectSocket. Setting it here
    // gives each connection the banner of the configuration running when it came in.
    // RFC 4252 (5.4) ends a banner's lines with CRLF; an empty banner sends nothing.
    config.banner = (hooks.preLoginBanner?.() ?? '').replace(/\r?\n/g, '\r\n');
    ssh.injectSocket(socket);
  });
  return new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port, options.host, () => resolve(listener));
  });
}
