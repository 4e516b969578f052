/** A real `fos serve` on loopback, and the real OpenSSH client against it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Served {
  readonly port: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export async function serve(flags: string[], env: Record<string, string> = {}): Promise<Served> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin', 'fos.js'), ...flags, 'serve', '--listen', `127.0.0.1:${port}`],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const started = Date.now();
  while (!out.includes('listening')) {
    if (child.exitCode !== null || Date.now() - started > 20_000)
      throw new Error(`fos serve did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    process: child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    },
  };
}

export interface SshResult {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

export interface SshOptions {
  readonly user?: string;
  readonly password?: string;
  readonly key?: string;
  readonly command?: string;
  readonly input?: string;
  readonly tty?: boolean;
  /** The TERM the client announces (vt100, as automation clients do, unless set). */
  readonly term?: string;
  /** Force keyboard-interactive instead of password authentication. */
  readonly keyboardInteractive?: boolean;
  /** Variables sent to the server (`FOS_FRONTEND=plain`). */
  readonly setEnv?: string;
  /** The local address to connect from (any of 127.0.0.0/8), so tests can be separate sources. */
  readonly from?: string;
  /** The client's own log level (ERROR unless set; INFO shows banners). */
  readonly logLevel?: string;
}

export function sshArgs(port: number, o: SshOptions): { cmd: string; args: string[] } {
  const base = [
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    `LogLevel=${o.logLevel ?? 'ERROR'}`,
    '-o',
    'NumberOfPasswordPrompts=1',
    '-o',
    `PreferredAuthentications=${o.key ? 'publickey' : o.keyboardInteractive ? 'keyboard-interactive' : 'password'}`,
    '-o',
    'ConnectTimeout=10',
    '-p',
    String(port),
    ...(o.key ? ['-i', o.key, '-o', 'IdentitiesOnly=yes'] : []),
    ...(o.tty ? ['-tt'] : ['-T']),
    ...(o.setEnv ? ['-o', `SetEnv=${o.setEnv}`] : []),
    ...(o.from ? ['-b', o.from] : []),
    `${o.user ?? 'fos'}@127.0.0.1`,
    ...(o.command !== undefined ? [o.command] : []),
  ];
  return o.password !== undefined
    ? { cmd: 'sshpass', args: ['-p', o.password, 'ssh', ...base] }
    : { cmd: 'ssh', args: ['-o', 'BatchMode=yes', ...base] };
}

export function ssh(port: number, o: SshOptions): Promise<SshResult> {
  const { cmd, args } = sshArgs(port, o);
  const child = spawn(cmd, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, TERM: o.term ?? 'vt100' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end(o.input ?? '');
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

/** An interactive session on a pty, driven step by step. */
export class SshSession {
  readonly child: ChildProcess;
  output = '';

  constructor(port: number, o: SshOptions) {
    const { cmd, args } = sshArgs(port, { ...o, tty: true });
    this.child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TERM: o.term ?? 'vt100' },
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  /** Type a line and wait until the output since then contains `until`. */
  async type(line: string, until: string | RegExp, timeout = 15_000): Promise<string> {
    const mark = this.output.length;
    this.child.stdin!.write(`${line}\r`);
    return this.waitFor(until, timeout, mark);
  }

  async waitFor(until: string | RegExp, timeout = 15_000, from = 0): Promise<string> {
    const started = Date.now();
    for (;;) {
      const seen = this.output.slice(from);
      if (typeof until === 'string' ? seen.includes(until) : until.test(seen)) return seen;
      if (Date.now() - started > timeout)
        throw new Error(
          `timed out waiting for ${String(until)}; saw (the end): ${JSON.stringify(seen.slice(-2000))}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
