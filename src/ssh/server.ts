/**
 * The SSH server (ssh2): authentication against `system login user`, and one
 * shell front-end per channel — interactive with a pty, a script without
 * one, one command line for an exec request.
 */
import ssh2 from 'ssh2';
import type { AuthContext, Connection, ServerChannel } from 'ssh2';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyPassword } from '../commit/passwords.js';

const { Server, utils } = ssh2;

export interface Credentials {
  /** `$6$` hash of the password, if the user has one. */
  readonly passwordHash?: string;
  readonly publicKeys: readonly { readonly type: string; readonly key: string }[];
}

/** One shell front-end bound to a channel. */
export interface ChannelShell {
  /** Bytes typed by the client. */
  feed(data: string): void;
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
  /** An interactive shell on a pty. */
  interactive(user: string, pty: PtyInfo, io: ChannelIo): ChannelShell;
  /** Commands without a terminal (exec, or a shell without a pty); resolves to the exit status. */
  script(user: string, text: string, io: ChannelIo): Promise<number>;
  log(event: string, detail: Record<string, unknown>): void;
}

export interface ChannelIo {
  write(text: string): void;
  writeError(text: string): void;
  close(exitCode: number): void;
}

export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  readonly hostKey: string;
}

/** Failed logins per source address: after this many in a window, that address waits. */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 60_000;

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  blocked(address: string, now = Date.now()): boolean {
    const recent = (this.failures.get(address) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
    this.failures.set(address, recent);
    return recent.length >= MAX_FAILURES;
  }

  fail(address: string, now = Date.now()): void {
    this.failures.set(address, [...(this.failures.get(address) ?? []), now]);
  }
}

/** The host key, made on first start and kept in the state directory. */
export function loadHostKey(stateDir: string): string {
  const file = join(stateDir, 'ssh_host_ed25519_key');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const pair = utils.generateKeyPairSync('ed25519');
  writeFileSync(file, pair.private, { mode: 0o600 });
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

/** A password against a user's hash (none: refused), off the event loop. */
function checkPassword(password: string, hash: string | undefined): Promise<boolean> {
  return hash ? verifyPassword(password, hash).catch(() => false) : Promise.resolve(false);
}

export function startSshServer(options: ListenOptions, hooks: ServerHooks): Promise<ssh2.Server> {
  const limiter = new FailureLimiter();
  const server = new Server({ hostKeys: [options.hostKey] }, (client: Connection, info) => {
    const address = info.ip;
    let user = '';
    client.on('authentication', (ctx: AuthContext) => {
      const methods: ('password' | 'publickey' | 'keyboard-interactive')[] = [
        'publickey',
        'password',
        'keyboard-interactive',
      ];
      if (limiter.blocked(address)) {
        hooks.log('login-blocked', { address, user: ctx.username });
        ctx.reject(methods);
        return;
      }
      const creds = hooks.credentials(ctx.username);
      const refuse = (): void => {
        if (ctx.method !== 'none' && !(ctx.method === 'publickey' && !ctx.signature)) {
          limiter.fail(address);
          hooks.log('login-failed', { address, user: ctx.username, method: ctx.method });
        }
        ctx.reject(methods);
      };
      const accept = (): void => {
        user = ctx.username;
        hooks.log('login', { address, user: ctx.username, method: ctx.method });
        ctx.accept();
      };
      switch (ctx.method) {
        case 'password':
          // Checked on a worker thread: the answer comes back later.
          void checkPassword(ctx.password, creds?.passwordHash).then((ok) =>
            ok ? accept() : refuse(),
          );
          return;
        case 'keyboard-interactive':
          ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
            void checkPassword(answers[0] ?? '', creds?.passwordHash).then((ok) =>
              ok ? accept() : refuse(),
            );
          });
          return;
        case 'publickey':
          if (creds && keyMatches(ctx, creds.publicKeys)) {
            if (ctx.signature) accept();
            else ctx.accept();
          } else refuse();
          return;
        default:
          ctx.reject(methods);
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
        const ioFor = (channel: ServerChannel): ChannelIo => ({
          write: (text) => void channel.write(text),
          writeError: (text) => void channel.stderr.write(text),
          close: (code) => {
            channel.exit(code);
            channel.end();
          },
        });
        session.on('exec', (accept, _reject, request) => {
          const channel = accept();
          const io = ioFor(channel);
          void hooks.script(user, request.command, io).then(io.close, (e: Error) => {
            io.writeError(`${e.message}\n`);
            io.close(1);
          });
        });
        session.on('shell', (accept) => {
          const channel = accept();
          const io = ioFor(channel);
          if (pty) {
            const opened = hooks.interactive(
              user,
              frontend === undefined ? pty : { ...pty, frontend },
              io,
            );
            shell = opened;
            channel.on('data', (d: Buffer) => opened.feed(d.toString('utf8')));
            channel.on('close', () => opened.close());
            return;
          }
          // No terminal: read the whole script (ssh router < script.txt), then run it.
          let text = '';
          channel.on('data', (d: Buffer) => (text += d.toString('utf8')));
          channel.on('end', () => {
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
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}
