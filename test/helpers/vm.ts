/**
 * Routers booted from the image (images/build) under qemu by images/run, for
 * the tests that need a full kernel. Each VM gets a temporary directory (its
 * console log, guest-agent socket and link sockets), a loopback port forwarded
 * to its SSH port, and the admin key of the image. Tests drive FOS1 over SSH
 * as an operator would; `guest` runs a program in the guest beside FOS1 (the
 * QEMU guest agent), to see the kernel's state as the host tests see a
 * namespace's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, ssh, SshSession, type SshOptions, type SshResult } from './serve.js';

/** The checkout (found by walking up, as this module also runs from dist/ for the bench). */
function checkout(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dir !== dirname(dir)) dir = dirname(dir);
  return dir;
}
export const imagesDir = join(checkout(), 'images');
export const adminKey = join(imagesDir, 'out', 'admin_ed25519');
const BOOT_TIMEOUT = 420_000;

export interface GuestResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** A port of one VM joined to a port of another: `['left:eth1', 'right:eth1']`. */
export type Link = readonly [string, string];

export interface BootOptions {
  /** Data ports eth1..ethN beside the management port eth0 (default 3). */
  readonly ports?: number;
  /** Environment of the guest's services, e.g. FOS_TEST_MINUTE_MS. */
  readonly env?: Readonly<Record<string, string>>;
  readonly memory?: number;
  /** How long to wait for the first SSH login (default 420 s: a loaded 2-core machine boots slowly under emulation). */
  readonly bootTimeout?: number;
}

export interface RouterVm {
  readonly name: string;
  readonly sshPort: number;
  /** qemu's process id on the host (images/run execs qemu), for a bench that reads its CPU time. */
  readonly pid: number | undefined;
  /** One command line (or a script as `input`) as the admin, over SSH. */
  ssh(command: string, o?: Omit<SshOptions, 'command' | 'key'>): Promise<SshResult>;
  /** An interactive SSH session on a pty, as the admin. */
  session(o?: Omit<SshOptions, 'key' | 'tty'>): SshSession;
  /** A program run in the guest, not through FOS1: argv, no shell; `input` is its stdin. */
  guest(argv: readonly string[], timeout?: number, input?: string): Promise<GuestResult>;
  /** The serial console since qemu started. */
  console(): string;
  /** A clean reboot of the guest (same qemu, same disk); resolves once SSH answers again. */
  reboot(): Promise<void>;
  /**
   * Presses the VM's ACPI power button, as a hypervisor's shutdown does (QMP
   * system_powerdown); resolves with qemu's exit status once the guest has powered off.
   */
  powerButton(timeout?: number): Promise<number | null>;
  /** Kills qemu and removes the VM's files. */
  stop(): Promise<void>;
}

/** Boots one router. */
export async function bootRouter(name: string, options: BootOptions = {}): Promise<RouterVm> {
  const [vm] = await bootRouters([name], [], options);
  return vm!;
}

/** Boots routers side by side, their ports joined as `links` say. On failure every VM is stopped. */
export async function bootRouters(
  names: readonly string[],
  links: readonly Link[] = [],
  options: BootOptions = {},
): Promise<RouterVm[]> {
  if (!existsSync(join(imagesDir, 'out', 'disk.img')))
    throw new Error('the router image is missing: npm run image');
  const dir = mkdtempSync(join(tmpdir(), 'fos-vm-'));
  const linkArgs = new Map<string, string[]>(names.map((n) => [n, []]));
  links.forEach(([a, b], i) => {
    const [vmA, portA] = a.split(':');
    const [vmB, portB] = b.split(':');
    const sockA = join(dir, `link${i}-${vmA}.sock`);
    const sockB = join(dir, `link${i}-${vmB}.sock`);
    const argsA = linkArgs.get(vmA ?? '');
    const argsB = linkArgs.get(vmB ?? '');
    if (!argsA || !argsB || !portA || !portB) throw new Error(`bad link ${a} - ${b}`);
    argsA.push('--link', `${portA}:${sockA}:${sockB}`);
    argsB.push('--link', `${portB}:${sockB}:${sockA}`);
  });
  const vms: Vm[] = [];
  try {
    for (const name of names)
      vms.push(await Vm.start(name, join(dir, name), linkArgs.get(name)!, options));
    await Promise.all(vms.map((vm) => vm.waitForSsh(options.bootTimeout ?? BOOT_TIMEOUT)));
  } catch (e) {
    await Promise.all(vms.map((vm) => vm.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let running = vms.length;
  for (const vm of vms)
    vm.onStop = () => {
      if (--running === 0) rmSync(dir, { recursive: true, force: true });
    };
  return vms;
}

class Vm implements RouterVm {
  onStop: () => void = () => undefined;
  private stopped = false;
  private boots = 0;

  private constructor(
    readonly name: string,
    readonly sshPort: number,
    private readonly dir: string,
    private readonly qemu: ChildProcess,
    private readonly agent: GuestAgent,
  ) {}

  get pid(): number | undefined {
    return this.qemu.pid;
  }

  static async start(
    name: string,
    dir: string,
    linkArgs: string[],
    options: BootOptions,
  ): Promise<Vm> {
    const sshPort = await freePort();
    const args = [
      join(imagesDir, 'run'),
      '--name',
      name,
      '--ssh-port',
      String(sshPort),
      '--ports',
      String(options.ports ?? 3),
      '--memory',
      String(options.memory ?? 1024),
      '--console',
      `${dir}.console`,
      '--agent',
      `${dir}.agent`,
      '--qmp',
      `${dir}.qmp`,
      ...linkArgs,
      ...Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ];
    const qemu = spawn('bash', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    qemu.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    qemu.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    qemu.on('exit', (code) => {
      if (code !== 0 && code !== null)
        process.stderr.write(`qemu ${name} exited ${code}: ${output}`);
    });
    return new Vm(name, sshPort, dir, qemu, new GuestAgent(`${dir}.agent`));
  }

  console(): string {
    try {
      return readFileSync(`${this.dir}.console`, 'utf8');
    } catch {
      return '';
    }
  }

  /** Until the SSH server answers and the admin can run a command. */
  async waitForSsh(timeout: number): Promise<void> {
    const started = Date.now();
    const boots = this.boots;
    for (;;) {
      if (this.qemu.exitCode !== null) throw new Error(`${this.name}: qemu exited: ${this.tail()}`);
      if (Date.now() - started > timeout)
        throw new Error(`${this.name}: no SSH login within ${timeout} ms: ${this.tail()}`);
      // A reboot is done once the console shows a new kernel start.
      if (this.kernelStarts() > boots && (await sshBanner(this.sshPort))) {
        const r = await this.ssh('show version');
        if (r.code === 0) {
          this.boots = this.kernelStarts();
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private kernelStarts(): number {
    return this.console().split('Linux version ').length - 1;
  }

  private tail(): string {
    return `console:\n${this.console().slice(-3000)}`;
  }

  ssh(command: string, o: Omit<SshOptions, 'command' | 'key'> = {}): Promise<SshResult> {
    return ssh(this.sshPort, { ...o, key: adminKey, command });
  }

  session(o: Omit<SshOptions, 'key' | 'tty'> = {}): SshSession {
    return new SshSession(this.sshPort, { ...o, key: adminKey });
  }

  guest(argv: readonly string[], timeout = 60_000, input?: string): Promise<GuestResult> {
    return this.agent.exec(argv, timeout, input);
  }

  async reboot(): Promise<void> {
    await this.agent.send('guest-shutdown', { mode: 'reboot' });
    await this.waitForSsh(BOOT_TIMEOUT);
  }

  async powerButton(timeout = BOOT_TIMEOUT): Promise<number | null> {
    const exited = new Promise<number | null>((r) => this.qemu.once('exit', (code) => r(code)));
    await qmp(`${this.dir}.qmp`, 'system_powerdown');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `${this.name}: still running ${timeout} ms after the power button: ${this.tail()}`,
            ),
          ),
        timeout,
      );
    });
    try {
      return await Promise.race([exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.qemu.exitCode === null && this.qemu.signalCode === null) {
      const exited = new Promise((r) => this.qemu.once('exit', r));
      this.qemu.kill('SIGKILL');
      await exited;
    }
    for (const suffix of ['.console', '.agent', '.qmp'])
      rmSync(`${this.dir}${suffix}`, { force: true });
    this.onStop();
  }
}

/** One QMP command on qemu's control socket (after the capabilities handshake qemu asks for). */
function qmp(path: string, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let seen = '';
    let step = 0;
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`qmp ${command}: no answer; saw ${seen}`));
    });
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      seen += d.toString();
      // The greeting, then one {"return": {}} per command sent.
      const returns = seen.split('"return"').length - 1;
      if (step === 0 && seen.includes('"QMP"')) {
        step = 1;
        socket.write('{"execute":"qmp_capabilities"}\n');
      } else if (step === 1 && returns >= 1) {
        step = 2;
        socket.write(`${JSON.stringify({ execute: command })}\n`);
      } else if (step === 2 && returns >= 2) {
        socket.end();
        resolve();
      } else if (seen.includes('"error"')) {
        socket.destroy();
        reject(new Error(`qmp ${command}: ${seen}`));
      }
    });
  });
}

/** Whether an SSH server answers on the port (qemu accepts connections before the guest listens). */
function sshBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('data', (d: Buffer) => done(d.toString().startsWith('SSH-')));
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

/**
 * The QEMU guest agent's protocol: one JSON command, one JSON reply, over the
 * VM's virtio-serial port. Each request opens its own connection and first
 * syncs on a fresh id, so a reply left over from an earlier request is skipped.
 */
class GuestAgent {
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = Math.floor(Math.random() * 1e9);

  constructor(private readonly path: string) {}

  request(command: string, args: object, timeout = 30_000): Promise<unknown> {
    const run = this.queue.then(() => this.roundTrip(command, args, timeout, true));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A command with no reply to wait for (guest-shutdown never replies). */
  send(command: string, args: object): Promise<unknown> {
    const run = this.queue.then(() => this.roundTrip(command, args, 30_000, false));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async exec(argv: readonly string[], timeout: number, input?: string): Promise<GuestResult> {
    const [path, ...arg] = argv;
    const started = Date.now();
    const stdin =
      input === undefined ? {} : { 'input-data': Buffer.from(input).toString('base64') };
    const { pid } = (await this.request(
      'guest-exec',
      { path, arg, 'capture-output': true, ...stdin },
      timeout,
    )) as { pid: number };
    for (;;) {
      const status = (await this.request('guest-exec-status', { pid }, timeout)) as {
        exited: boolean;
        exitcode?: number;
        signal?: number;
        'out-data'?: string;
        'err-data'?: string;
      };
      if (status.exited) {
        const decode = (b?: string): string => (b ? Buffer.from(b, 'base64').toString() : '');
        return {
          code: status.exitcode ?? 128 + (status.signal ?? 0),
          out: decode(status['out-data']),
          err: decode(status['err-data']),
        };
      }
      if (Date.now() - started > timeout)
        throw new Error(`guest: ${argv.join(' ')} still running after ${timeout} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private roundTrip(
    command: string,
    args: object,
    timeout: number,
    reply: boolean,
  ): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const socket: Socket = connect(this.path);
      let buffer = '';
      let synced = false;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`guest agent: no reply to ${command} within ${timeout} ms`));
      }, timeout);
      const finish = (error: Error | undefined, value?: unknown): void => {
        clearTimeout(timer);
        socket.destroy();
        if (error) reject(error);
        else resolve(value);
      };
      socket.on('error', (e) => finish(e));
      socket.on('connect', () =>
        socket.write(`${JSON.stringify({ execute: 'guest-sync-delimited', arguments: { id } })}\n`),
      );
      socket.on('data', (d: Buffer) => {
        buffer += d.toString('latin1').replaceAll('\xff', '');
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (!line) continue;
          let message: { return?: unknown; error?: { desc: string } };
          try {
            message = JSON.parse(line) as typeof message;
          } catch {
            continue; // half a reply from before the sync
          }
          if (!synced) {
            if (message.return !== id) continue; // a reply to an earlier, abandoned request
            synced = true;
            socket.write(`${JSON.stringify({ execute: command, arguments: args })}\n`);
            if (!reply) setTimeout(() => finish(undefined), 200);
            continue;
          }
          if (message.error) finish(new Error(`guest agent: ${command}: ${message.error.desc}`));
          else finish(undefined, message.return);
        }
      });
    });
  }
}
