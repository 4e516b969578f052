/**
 * The kernel driver: observe links and addresses with `ip -json`, apply a
 * plan one `ip -batch` per step, and restore a previous state.
 */
import type {
  KernelState,
  LinkKind,
  LinkState,
  WireguardParameters,
  WireguardPeer,
} from '../render/kernel.js';
import { batchLine, planKernel, type PlanStep } from '../render/kernel-plan.js';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError, run, runChecked } from './run.js';
import { inNamespace, ipPrefix, type Target } from './target.js';

interface IpAddress {
  family: string;
  local: string;
  prefixlen: number;
  scope?: string;
}

interface IpLink {
  ifname: string;
  flags?: string[];
  mtu?: number;
  address?: string;
  ifalias?: string;
  master?: string;
  link?: string;
  link_type?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
  addr_info?: IpAddress[];
}

function kindOf(link: IpLink): LinkKind {
  if (link.link_type === 'loopback') return 'loopback';
  switch (link.linkinfo?.info_kind) {
    case 'bridge':
      return 'bridge';
    case 'vxlan':
      return 'vxlan';
    case 'dummy':
      return 'dummy';
    case 'vlan':
      return 'vlan';
    case 'bond':
      return 'bond';
    case 'vrf':
      return 'vrf';
    case 'wireguard':
      return 'wireguard';
    default:
      return 'ethernet';
  }
}

const n = (v: unknown, fallback = 0): number => (typeof v === 'number' ? v : fallback);
const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Parse `ip -json -details address show` into the state the planner compares. */
export function parseIpJson(json: string): KernelState {
  const links = new Map<string, LinkState>();
  for (const link of JSON.parse(json) as IpLink[]) {
    const kind = kindOf(link);
    const data = link.linkinfo?.info_data ?? {};
    const addresses = (link.addr_info ?? [])
      .filter((a) => a.family === 'inet' || (a.family === 'inet6' && a.scope !== 'link'))
      .map((a) => `${a.local}/${a.prefixlen}`);
    const state: LinkState = {
      name: link.ifname,
      kind,
      up: (link.flags ?? []).includes('UP'),
      mtu: link.mtu,
      mac: link.address?.toLowerCase(),
      alias: link.ifalias || undefined,
      master: link.master,
      addresses,
      ...(kind === 'bridge'
        ? {
            bridge: {
              stp: n(data['stp_state']) !== 0,
              priority: n(data['priority'], 32768),
              aging: Math.round(n(data['ageing_time']) / 100),
              forwardDelay: Math.round(n(data['forward_delay']) / 100),
              helloTime: Math.round(n(data['hello_time']) / 100),
              maxAge: Math.round(n(data['max_age']) / 100),
            },
          }
        : {}),
      ...(kind === 'vxlan'
        ? {
            vxlan: {
              vni: typeof data['id'] === 'number' ? data['id'] : undefined,
              remote: s(data['remote']),
              group: s(data['group']),
              local: s(data['local']),
              dev: s(data['link']),
              port: n(data['port'], 8472),
              learning: data['learning'] !== false,
              external: data['external'] === true || data['collect_metadata'] === true,
              ttl: n(data['ttl']),
              tos: n(data['tos']),
              df: s(data['df']) ?? 'unset',
              flood: [],
            },
          }
        : {}),
      ...(kind === 'bond'
        ? {
            bond: {
              mode: s(data['mode']) ?? 'balance-rr',
              hashPolicy: ['802.3ad', 'balance-xor'].includes(s(data['mode']) ?? '')
                ? s(data['xmit_hash_policy'])
                : undefined,
              miimon: n(data['miimon']),
              minLinks: n(data['min_links']),
              primary: ['active-backup', 'balance-tlb', 'balance-alb'].includes(
                s(data['mode']) ?? '',
              )
                ? s(data['primary'])
                : undefined,
              lacpRate: s(data['mode']) === '802.3ad' ? s(data['ad_lacp_rate']) : undefined,
              systemMac:
                s(data['mode']) === '802.3ad' && s(data['ad_actor_system']) !== '00:00:00:00:00:00'
                  ? s(data['ad_actor_system'])
                  : undefined,
              arpInterval: n(data['arp_interval']),
              arpTargets: Array.isArray(data['arp_ip_target'])
                ? (data['arp_ip_target'] as unknown[])
                    .filter((t): t is string => typeof t === 'string')
                    .sort()
                : [],
            },
          }
        : {}),
      ...(kind === 'vrf' ? { table: n(data['table']) } : {}),
      ...(kind === 'vlan'
        ? {
            vlan: {
              parent: link.link ?? '',
              id: n(data['id']),
              protocol:
                s(data['protocol']) === '802.1ad' ? ('802.1ad' as const) : ('802.1Q' as const),
            },
          }
        : {}),
    };
    links.set(link.ifname, state);
  }
  return { links };
}

interface FdbEntry {
  ifname?: string;
  mac?: string;
  dst?: string;
}

/** Add the all-zero FDB entries (head-end replication) of `bridge -json fdb show` to the VXLAN links. */
export function withFloodEntries(state: KernelState, fdbJson: string): KernelState {
  const flood = new Map<string, string[]>();
  for (const e of JSON.parse(fdbJson) as FdbEntry[]) {
    if (e.ifname && e.dst && e.mac === '00:00:00:00:00:00')
      flood.set(e.ifname, [...(flood.get(e.ifname) ?? []), e.dst]);
  }
  const links = new Map(state.links);
  for (const [name, link] of links) {
    // The kernel keeps its own all-zero entry for a link's `remote`; that one is not flooding of ours.
    if (link.vxlan) {
      const entries = (flood.get(name) ?? []).filter((dst) => dst !== link.vxlan!.remote).sort();
      links.set(name, { ...link, vxlan: { ...link.vxlan, flood: entries } });
    }
  }
  return { links };
}

const none = (v: string | undefined): string | undefined =>
  v === undefined || v === '(none)' || v === 'off' ? undefined : v;

/**
 * `wg show all dump`: per interface a line `NAME PRIVATE PUBLIC PORT FWMARK`,
 * then per peer `NAME PUBLIC PSK ENDPOINT ALLOWED HANDSHAKE RX TX KEEPALIVE`.
 */
export function parseWireguardDump(dump: string): Map<string, WireguardParameters> {
  const out = new Map<string, { w: WireguardParameters; peers: WireguardPeer[] }>();
  for (const line of dump.split('\n')) {
    const f = line.split('\t');
    if (f.length === 5) {
      const peers: WireguardPeer[] = [];
      out.set(f[0]!, {
        w: {
          privateKey: f[1]!,
          port: Number(f[3]),
          fwmark: none(f[4]) === undefined ? 0 : Number(f[4]),
          peers,
        },
        peers,
      });
    } else if (f.length === 9) {
      const entry = out.get(f[0]!);
      if (!entry) continue;
      const allowed = none(f[4]);
      const keepalive = none(f[8]);
      entry.peers.push({
        publicKey: f[1]!,
        presharedKey: none(f[2]),
        endpoint: none(f[3]),
        allowedIps: allowed ? allowed.split(',').sort() : [],
        keepalive: keepalive === undefined ? undefined : Number(keepalive),
      });
    }
  }
  const result = new Map<string, WireguardParameters>();
  for (const [name, { w }] of out)
    result.set(name, {
      ...w,
      peers: [...w.peers].sort((a, b) =>
        a.publicKey < b.publicKey ? -1 : a.publicKey > b.publicKey ? 1 : 0,
      ),
    });
  return result;
}

/**
 * Run `work` with `text` in a file only root can read, in a directory of its
 * own under /run (memory, not disk, on a router), removed afterwards. `wg`
 * reads its configuration from a path; a pipe from Node is a socket, which
 * `/dev/stdin` cannot open.
 */
async function withSecretFile<T>(text: string, work: (file: string) => Promise<T>): Promise<T> {
  const base = existsSync('/run') ? '/run' : tmpdir();
  const dir = mkdtempSync(join(base, 'fos-wg-'));
  try {
    const file = join(dir, 'wg.conf');
    writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
    return await work(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `wg` in the target namespace. */
export function wgCommand(target: Target, args: readonly string[]): [string, string[]] {
  return inNamespace(target, 'wg', args);
}

export async function observeKernel(target: Target): Promise<KernelState> {
  let state = parseIpJson(
    await runChecked('ip', [...ipPrefix(target), '-json', '-details', 'address', 'show']),
  );
  // WireGuard's keys and peers are read only where there is a WireGuard link.
  if ([...state.links.values()].some((l) => l.kind === 'wireguard')) {
    const wg = parseWireguardDump(await runChecked(...wgCommand(target, ['show', 'all', 'dump'])));
    const links = new Map(state.links);
    for (const [name, link] of links)
      if (link.kind === 'wireguard') links.set(name, { ...link, wireguard: wg.get(name) });
    state = { links };
  }
  // The forwarding database is read only where there is a VXLAN to read it for.
  if (![...state.links.values()].some((l) => l.kind === 'vxlan')) return state;
  return withFloodEntries(
    state,
    await runChecked('bridge', [...ipPrefix(target), '-json', 'fdb', 'show']),
  );
}

export class StepError extends Error {
  constructor(
    readonly step: string,
    readonly detail: string,
  ) {
    super(`kernel step '${step}' failed: ${detail}`);
  }
}

/** Run one step: per tool (`ip`, `bridge`), its batchable operations as one `-batch`, the others one by one. */
async function applyStep(target: Target, step: PlanStep, force: boolean): Promise<void> {
  const errors: string[] = [];
  const fail = (message: string): void => {
    errors.push(message);
    if (!force) throw new StepError(step.name, errors.join('; '));
  };
  for (const op of step.ops) {
    if (op.tool !== 'wg') continue;
    const result = await withSecretFile(op.input ?? '', (file) =>
      run(...wgCommand(target, [...op.argv, file])),
    );
    // The message names the arguments only: the keys were in the file.
    if (result.code !== 0) fail(new CommandError('wg', op.argv, result).message);
  }
  for (const tool of ['ip', 'bridge'] as const) {
    const lines: string[] = [];
    const standalone: (readonly string[])[] = [];
    for (const op of step.ops) {
      if ((op.tool ?? 'ip') !== tool) continue;
      const line = batchLine(op);
      if (line === undefined) standalone.push(op.argv);
      else lines.push(line);
    }
    if (lines.length > 0) {
      const result = await run(
        tool,
        [...ipPrefix(target), ...(force ? ['-force'] : []), '-batch', '-'],
        `${lines.join('\n')}\n`,
      );
      if (result.code !== 0)
        fail(result.stderr.trim() || `${tool} -batch exited with status ${result.code}`);
    }
    for (const argv of standalone) {
      const result = await run(tool, [...ipPrefix(target), ...argv]);
      if (result.code !== 0) fail(new CommandError(tool, argv, result).message);
    }
  }
  if (errors.length > 0) throw new StepError(step.name, errors.join('; '));
}

/** Apply one step of a plan (the kernel backend runs each through its progress). */
export async function applyKernelStep(target: Target, step: PlanStep): Promise<void> {
  await applyStep(target, step, false);
}

/**
 * Bring the namespace back to a desired state after a failed apply: observe,
 * plan and apply with `-force`, then observe again. Returns what still differs.
 */
export async function restoreKernel(
  target: Target,
  desired: KernelState,
  managed: ReadonlySet<string>,
): Promise<string[]> {
  const plan = planKernel({ observed: await observeKernel(target), desired, managed });
  const problems: string[] = [];
  for (const step of plan.steps) {
    try {
      await applyStep(target, step, true);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const after = planKernel({ observed: await observeKernel(target), desired, managed });
  for (const step of after.steps)
    for (const op of step.ops) problems.push(`still differs: ip ${op.argv.join(' ')}`);
  return problems;
}
