/**
 * `ping` and `traceroute`, run inside the target namespace. Every value is
 * checked by its type before it reaches the tool (a host never starts with
 * `-`), the tool gets an argument array, its lines are shown as they come,
 * Ctrl-C stops it, and its exit status is the command's.
 */
import { runLines } from '../apply/run.js';
import { readLinkStatus, readNeighbors } from '../apply/status.js';
import { inNamespace } from '../apply/target.js';
import { anyOf, domainName, ipv4, ipv6, simple, u32 } from '../schema/index.js';
import type { OpContext, OpSystem } from './context.js';
import { linkName } from './interfaces.js';
import { command, type OpArea } from './tree.js';

/** Where to send: an address, or a name to resolve (letters, digits, dots, hyphens; never `-x`). */
export const host = anyOf(
  'host',
  simple('hostname', '<hostname>', 'Host name', (v) => v.length <= 253 && domainName.accepts(v)),
  ipv4,
  ipv6,
);

export interface ToolRun {
  readonly host: string;
  /** What the tool printed, line by line. */
  readonly lines: readonly string[];
  /** Its exit status (ping: 1 when no reply came, 2 on an error). */
  readonly status: number;
}

export interface PingRun extends ToolRun {
  readonly transmitted: number | undefined;
  readonly received: number | undefined;
  /** Percent. */
  readonly loss: number | undefined;
  /** Milliseconds. */
  readonly rtt: { min: number; avg: number; max: number; mdev: number } | undefined;
}

/** The summary ping prints at its end. */
export function pingSummary(lines: readonly string[]): Omit<PingRun, keyof ToolRun> {
  const text = lines.join('\n');
  const counts = /(\d+) packets transmitted, (\d+) received.*?(\d+(?:\.\d+)?)% packet loss/.exec(
    text,
  );
  const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(text);
  return {
    transmitted: counts ? Number(counts[1]) : undefined,
    received: counts ? Number(counts[2]) : undefined,
    loss: counts ? Number(counts[3]) : undefined,
    rtt: rtt
      ? { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]), mdev: Number(rtt[4]) }
      : undefined,
  };
}

async function runTool(
  ctx: OpContext,
  tool: string,
  args: readonly string[],
  hostName: string,
): Promise<ToolRun> {
  const [cmd, argv] = inNamespace(ctx.system.target, tool, args);
  const r = await runLines(cmd, argv, (l) => ctx.live.line(l), ctx.live.signal);
  return { host: hostName, lines: r.lines, status: r.code };
}

/** ping's arguments from the command's: options first, then `--` and the host. */
export function pingArgs(a: Readonly<Record<string, string | undefined>>): string[] {
  const args: string[] = [];
  if (a['count'] !== undefined) args.push('-c', a['count']);
  if (a['size'] !== undefined) args.push('-s', a['size']);
  // ping's -I takes an interface or a source address.
  if (a['interface'] !== undefined) args.push('-I', a['interface']);
  if (a['source-address'] !== undefined) args.push('-I', a['source-address']);
  args.push('--', a['host']!);
  return args;
}

/** Addresses TAB offers after ping and traceroute: this router's own, then its neighbours'. */
async function knownHosts(system: OpSystem): Promise<string[]> {
  const own = (await readLinkStatus(system.target)).flatMap((l) =>
    l.addresses.map((a) => a.split('/')[0]!),
  );
  const neighbours = [
    ...(await readNeighbors(system.target, 4)),
    ...(await readNeighbors(system.target, 6)),
  ]
    .map((n) => n.address)
    .filter((a) => !a.startsWith('fe80:'));
  return [...new Set([...own, ...neighbours])];
}

const hostArg = { type: host, help: 'Host name or address', source: 'hosts' };

export const diagnosticCommands: OpArea = {
  name: 'diagnostics',
  sources: [
    {
      name: 'hosts',
      help: "This router's addresses and its neighbours' (ARP and IPv6 neighbour tables)",
      read: knownHosts,
    },
  ],
  commands: [
    command('ping <host>', {
      help: 'Send ICMP echo requests (until Ctrl-C, or count of them)',
      args: { host: hostArg },
      options: {
        count: {
          type: u32(1, 1_000_000, 'Number of requests'),
          help: 'Number of requests to send',
        },
        interface: { type: linkName, help: 'Source interface', source: 'interfaces' },
        'source-address': { type: anyOf('address', ipv4, ipv6), help: 'Source address' },
        size: { type: u32(0, 65507, 'Bytes'), help: 'Bytes of data in each request' },
      },
      live: true,
      run: async (ctx, a): Promise<PingRun> => {
        const r = await runTool(ctx, 'ping', pingArgs(a), a['host']!);
        return { ...r, ...pingSummary(r.lines) };
      },
      text: (r) => [...r.lines],
      status: (r) => r.status,
    }),
    command('traceroute <host>', {
      help: 'The routers on the way to a host',
      args: { host: hostArg },
      live: true,
      run: (ctx, a) => runTool(ctx, 'traceroute', ['--', a['host']!], a['host']!),
      text: (r) => [...r.lines],
      status: (r) => r.status,
    }),
  ],
};
