/**
 * WireGuard in operational mode: `show interfaces wireguard [wgN]` (each
 * peer by its configured name, its latest handshake and transfer, as VyOS's
 * op-mode prints them) and `generate pki wireguard key-pair | preshared-key`
 * (made in-process with Node's X25519: no key passes through a program's argv).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readLinkStatus } from '../apply/status.js';
import { readWireguard, type WireguardStatus } from '../apply/wireguard.js';
import { getNode } from '../config/tree.js';
import { OpError, type OpContext } from './context.js';
import { linkName } from './interfaces.js';
import { command, type OpArea } from './tree.js';

export interface WireguardPeerView {
  /** The configured peer name, or `(unknown)` for a peer that is not in the running configuration. */
  readonly name: string;
  readonly publicKey: string;
  readonly endpoint: string | undefined;
  readonly allowedIps: readonly string[];
  /** ISO time of the latest handshake, if there was one. */
  readonly latestHandshake: string | undefined;
  readonly secondsSinceHandshake: number | undefined;
  /** A handshake within the last 3 minutes (WireGuard re-keys every 2). */
  readonly active: boolean;
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly keepalive: number | undefined;
}

export interface WireguardView {
  readonly name: string;
  readonly description: string | undefined;
  readonly addresses: readonly string[];
  readonly publicKey: string;
  readonly port: number;
  readonly peers: readonly WireguardPeerView[];
}

function view(ctx: OpContext, s: WireguardStatus, now: number): WireguardView {
  const entry = getNode(ctx.system.running().tree, ['interfaces', 'wireguard', s.name]);
  const names = new Map<string, string>();
  for (const [peer, p] of entry?.children.get('peer')?.children ?? []) {
    const key = p.children.get('public-key')?.values[0];
    if (key) names.set(key, peer);
  }
  return {
    name: s.name,
    description: entry?.children.get('description')?.values[0],
    addresses: entry?.children.get('address')?.values ?? [],
    publicKey: s.publicKey,
    port: s.port,
    peers: s.peers.map((p) => {
      const since =
        p.latestHandshake === undefined
          ? undefined
          : Math.max(0, Math.round(now / 1000 - p.latestHandshake));
      return {
        name: names.get(p.publicKey) ?? '(unknown)',
        publicKey: p.publicKey,
        endpoint: p.endpoint,
        allowedIps: p.allowedIps,
        latestHandshake:
          p.latestHandshake === undefined
            ? undefined
            : new Date(p.latestHandshake * 1000).toISOString(),
        secondsSinceHandshake: since,
        active: since !== undefined && since < 180,
        rxBytes: p.rxBytes,
        txBytes: p.txBytes,
        keepalive: p.keepalive,
      };
    }),
  };
}

async function wireguards(ctx: OpContext, name?: string): Promise<WireguardView[]> {
  const now = Date.now();
  // `wg` is asked only where a WireGuard link exists (a kernel or machine without it has none).
  const present = (await readLinkStatus(ctx.system.target)).some((l) => l.kind === 'wireguard');
  const all = (present ? await readWireguard(ctx.system.target) : []).filter(
    (s) => !name || s.name === name,
  );
  if (name && all.length === 0) throw new OpError(`WireGuard interface ${name} does not exist`);
  return all
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
    .map((s) => view(ctx, s, now));
}

/** `1 minute, 2 seconds`, as wg prints a time. */
export function duration(seconds: number): string {
  const parts: string[] = [];
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  let rest = seconds;
  for (const [size, unit] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
  }
  return parts.length ? parts.join(', ') : '0 seconds';
}

/** Bytes as wg prints them: `1.20 KiB`. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(2)} ${units[i]}`;
}

function formatWireguard(list: readonly WireguardView[]): string[] {
  const lines: string[] = [];
  for (const w of list) {
    if (lines.length) lines.push('');
    lines.push(`interface: ${w.name}`);
    if (w.description) lines.push(`  description: ${w.description}`);
    for (const a of w.addresses) lines.push(`  address: ${a}`);
    lines.push(
      `  public key: ${w.publicKey}`,
      '  private key: (hidden)',
      `  listening port: ${w.port}`,
    );
    for (const p of w.peers) {
      lines.push('', `  peer: ${p.name}`, `    public key: ${p.publicKey}`);
      lines.push(
        `    latest handshake: ${p.secondsSinceHandshake === undefined ? 'none' : `${duration(p.secondsSinceHandshake)} ago`}`,
        `    status: ${p.active ? 'active' : 'inactive'}`,
      );
      if (p.endpoint) lines.push(`    endpoint: ${p.endpoint}`);
      lines.push(`    allowed ips: ${p.allowedIps.join(', ') || '(none)'}`);
      lines.push(`    transfer: ${bytes(p.rxBytes)} received, ${bytes(p.txBytes)} sent`);
      if (p.keepalive !== undefined)
        lines.push(`    persistent keepalive: every ${duration(p.keepalive)}`);
    }
  }
  return lines;
}

const base64 = (b64url: string): string => Buffer.from(b64url, 'base64url').toString('base64');

/** A WireGuard key pair: X25519, both halves in base64 as `wg genkey | wg pubkey` prints them. */
export function wireguardKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const d = privateKey.export({ format: 'jwk' }).d!;
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { privateKey: base64(d), publicKey: base64(x) };
}

export const wireguardCommands: OpArea = {
  name: 'wireguard',
  words: {
    generate: 'Generate an object',
    'generate pki': 'Public Key Infrastructure (PKI) objects',
    'generate pki wireguard': 'WireGuard keys',
  },
  sources: [
    {
      name: 'interfaces-wireguard',
      help: 'WireGuard interfaces in the target namespace',
      read: async (system) =>
        (await readLinkStatus(system.target))
          .filter((l) => l.kind === 'wireguard')
          .map((l) => l.name),
    },
  ],
  commands: [
    command('show interfaces wireguard', {
      help: 'WireGuard interfaces: peers, latest handshakes and transfer',
      run: (ctx) => wireguards(ctx),
      text: formatWireguard,
    }),
    command('show interfaces wireguard <name>', {
      help: 'WireGuard interfaces: peers, latest handshakes and transfer',
      args: {
        name: { type: linkName, help: 'WireGuard interface', source: 'interfaces-wireguard' },
      },
      run: (ctx, a) => wireguards(ctx, a['name']!),
      text: formatWireguard,
    }),
    command('generate pki wireguard key-pair', {
      help: 'A private key and its public key, for interfaces wireguard wgN private-key',
      run: () => wireguardKeyPair(),
      text: (k) => [`Private key: ${k.privateKey}`, `Public key: ${k.publicKey}`],
    }),
    command('generate pki wireguard preshared-key', {
      help: 'A pre-shared key, for interfaces wireguard wgN peer NAME preshared-key',
      run: () => ({ presharedKey: randomBytes(32).toString('base64') }),
      text: (k) => [`Pre-shared key: ${k.presharedKey}`],
    }),
  ],
};
