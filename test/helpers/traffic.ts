/**
 * Real traffic for firewall tests: a client namespace (the lab's wire
 * namespace, on wire0 facing eth0), the lab router, and a server namespace
 * (wire1 moved there, facing eth1). Small Node programs run inside them with
 * `ip netns exec`: an echo server that tells what source address it saw, and
 * a probe that connects or sends and reports connected/refused/timeout.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeLab, type Lab } from './lab.js';
import { repoRoot } from './paths.js';

export const CLIENT4 = '192.0.2.10';
export const CLIENT6 = '2001:db8:1::10';
export const SERVER4 = '198.51.100.10';
export const SERVER6 = '2001:db8:2::10';
export const ROUTER_LAN4 = '192.0.2.1';
export const ROUTER_WAN4 = '198.51.100.1';

/** The router's interfaces, as set commands. */
export const ROUTER_INTERFACES = [
  "set interfaces ethernet eth0 address '192.0.2.1/24'",
  "set interfaces ethernet eth0 address '2001:db8:1::1/64'",
  "set interfaces ethernet eth1 address '198.51.100.1/24'",
  "set interfaces ethernet eth1 address '2001:db8:2::1/64'",
];

const helper = (name: string): string => join(repoRoot, 'test', 'helpers', name);

function sh(args: string[]): void {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

export interface Topology {
  readonly lab: Lab;
  readonly client: string;
  readonly server: string;
  down(): Promise<void>;
}

export async function makeTopology(): Promise<Topology> {
  const lab = await makeLab();
  const client = lab.wire;
  const server = `${lab.netns}-srv`;
  sh(['ip', 'netns', 'add', server]);
  sh(['ip', '-n', client, 'link', 'set', 'wire1', 'netns', server]);
  // Addresses are usable at once: no duplicate address detection in these namespaces.
  for (const ns of [lab.netns, client, server])
    sh([
      'ip',
      'netns',
      'exec',
      ns,
      'sysctl',
      '-q',
      '-w',
      'net.ipv6.conf.all.accept_dad=0',
      'net.ipv6.conf.default.accept_dad=0',
    ]);
  for (const dev of ['eth0', 'eth1'])
    sh([
      'ip',
      'netns',
      'exec',
      lab.netns,
      'sysctl',
      '-q',
      '-w',
      `net.ipv6.conf.${dev}.accept_dad=0`,
    ]);
  const side = (
    ns: string,
    dev: string,
    v4: string,
    v6: string,
    gw4: string,
    gw6: string,
  ): void => {
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    sh(['ip', '-n', ns, 'address', 'add', `${v4}/24`, 'dev', dev]);
    sh(['ip', '-n', ns, 'address', 'add', `${v6}/64`, 'dev', dev, 'nodad']);
    sh(['ip', '-n', ns, 'route', 'add', 'default', 'via', gw4]);
    sh(['ip', '-n', ns, '-6', 'route', 'add', 'default', 'via', gw6]);
  };
  side(client, 'wire0', CLIENT4, CLIENT6, ROUTER_LAN4, '2001:db8:1::1');
  side(server, 'wire1', SERVER4, SERVER6, ROUTER_WAN4, '2001:db8:2::1');
  return {
    lab,
    client,
    server,
    async down() {
      spawnSync('ip', ['netns', 'del', server]);
      await lab.down();
    },
  };
}

/** Start the echo server in a namespace; resolves when it listens. */
export async function startServer(ns: string, specs: string[]): Promise<() => void> {
  const child = inNamespace(ns, 'echo-server.mjs', specs, 'ignore');
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  return () => child.kill('SIGTERM');
}

export interface ProbeResult {
  readonly result: 'connected' | 'reply' | 'refused' | 'timeout' | string;
  /** The source address the server saw. */
  readonly seen?: string;
}

/** A Node program of test/helpers run inside a namespace. */
function inNamespace(
  ns: string,
  program: string,
  args: string[],
  stdin: 'ignore' | 'pipe',
): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, helper(program), ...args], {
    stdio: [stdin, 'pipe', 'inherit'],
  });
}

export async function probe(
  ns: string,
  mode: 'tcp' | 'udp',
  host: string,
  port: number,
  timeoutMs = 1000,
): Promise<ProbeResult> {
  const child = inNamespace(
    ns,
    'probe.mjs',
    [mode, host, String(port), String(timeoutMs)],
    'ignore',
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += String(d)));
  await new Promise((resolve) => child.once('exit', resolve));
  return JSON.parse(out.trim().split('\n')[0] ?? '{}') as ProbeResult;
}

export function ping(ns: string, host: string): boolean {
  // One reply within 3 s, asking every 0.2 s: neighbour discovery may take the first tries.
  return (
    spawnSync('ip', ['netns', 'exec', ns, 'ping', '-c', '1', '-i', '0.2', '-w', '3', host])
      .status === 0
  );
}

/** A TCP connection kept open: `echo(line)` sends a line and resolves with what came back (null: nothing). */
export interface HeldConnection {
  readonly seen: string;
  echo(line: string): Promise<string | null>;
  close(): void;
}

export async function hold(ns: string, host: string, port: number): Promise<HeldConnection> {
  const child = inNamespace(ns, 'probe.mjs', ['hold', host, String(port), '1500'], 'pipe');
  const lines = createInterface({ input: child.stdout! });
  const queue: ((line: string) => void)[] = [];
  lines.on('line', (line) => queue.shift()?.(line));
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve) =>
      queue.push((line) => resolve(JSON.parse(line) as Record<string, unknown>)),
    );
  const first = await next();
  if (first['result'] !== 'connected') {
    child.kill();
    throw new Error(`could not connect: ${JSON.stringify(first)}`);
  }
  return {
    seen: String(first['seen']),
    async echo(line) {
      const reply = next();
      child.stdin!.write(`${line}\n`);
      return ((await reply)['echo'] as string | null) ?? null;
    },
    close: () => child.kill(),
  };
}

export interface FloodResult {
  readonly sent: number;
  readonly received: number;
}

/** UDP datagrams at `rate`/s for `seconds` from `from` (any address when absent) to an echo server; replies counted. */
export async function flood(
  ns: string,
  host: string,
  port: number,
  rate: number,
  seconds: number,
  from?: string,
): Promise<FloodResult> {
  const args = [host, String(port), String(rate), String(seconds), ...(from ? [from] : [])];
  const child = inNamespace(ns, 'flood.mjs', args, 'ignore');
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += String(d)));
  await new Promise((resolve) => child.once('exit', resolve));
  return JSON.parse(out.trim()) as FloodResult;
}
