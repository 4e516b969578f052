/** WireGuard as it runs in the target namespace (`wg show all dump`), for `show interfaces wireguard`. */
import { runChecked } from './run.js';
import { inNamespace, type Target } from './target.js';

export interface WireguardPeerStatus {
  readonly publicKey: string;
  readonly endpoint: string | undefined;
  readonly allowedIps: readonly string[];
  /** Unix seconds of the newest handshake; undefined before the first. */
  readonly latestHandshake: number | undefined;
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly keepalive: number | undefined;
}

export interface WireguardStatus {
  readonly name: string;
  readonly publicKey: string;
  readonly port: number;
  readonly fwmark: number | undefined;
  readonly peers: readonly WireguardPeerStatus[];
}

const none = (v: string | undefined): string | undefined =>
  v === undefined || v === '(none)' || v === 'off' ? undefined : v;

/** Parse `wg show all dump`; private and preshared keys are dropped here. */
export function parseWireguardStatus(dump: string): WireguardStatus[] {
  const out = new Map<string, { s: WireguardStatus; peers: WireguardPeerStatus[] }>();
  for (const line of dump.split('\n')) {
    const f = line.split('\t');
    if (f.length === 5) {
      const peers: WireguardPeerStatus[] = [];
      const fwmark = none(f[4]);
      out.set(f[0]!, {
        s: {
          name: f[0]!,
          publicKey: f[2]!,
          port: Number(f[3]),
          fwmark: fwmark === undefined ? undefined : Number(fwmark),
          peers,
        },
        peers,
      });
    } else if (f.length === 9) {
      const handshake = Number(f[5]);
      const keepalive = none(f[8]);
      out.get(f[0]!)?.peers.push({
        publicKey: f[1]!,
        endpoint: none(f[3]),
        allowedIps: none(f[4])?.split(',') ?? [],
        latestHandshake: handshake > 0 ? handshake : undefined,
        rxBytes: Number(f[6]),
        txBytes: Number(f[7]),
        keepalive: keepalive === undefined ? undefined : Number(keepalive),
      });
    }
  }
  return [...out.values()].map((e) => e.s);
}

export async function readWireguard(target: Target): Promise<WireguardStatus[]> {
  return parseWireguardStatus(
    await runChecked(...inNamespace(target, 'wg', ['show', 'all', 'dump'])),
  );
}
