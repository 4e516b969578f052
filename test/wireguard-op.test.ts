/** `generate pki wireguard key-pair` and the reading and layout of `show interfaces wireguard`. */
import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseWireguardStatus } from '../src/apply/wireguard.js';
import { loadSetForm } from '../src/config/index.js';
import { schema } from '../src/schema/index.js';
import { bytes, duration, wireguardKeyPair } from '../src/op/wireguard.js';
import { runFos } from './helpers/io.js';

const url = (b64: string): string => Buffer.from(b64, 'base64').toString('base64url');
const keys = (pair: { privateKey: string; publicKey: string }) => ({
  priv: createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: url(pair.privateKey), x: url(pair.publicKey) },
    format: 'jwk',
  }),
  pub: createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: url(pair.publicKey) },
    format: 'jwk',
  }),
});

describe('generate pki wireguard key-pair', () => {
  it('makes X25519 pairs whose halves belong together, in the form the schema takes', () => {
    const a = wireguardKeyPair();
    const b = wireguardKeyPair();
    expect(a.privateKey).not.toBe(b.privateKey);
    for (const k of [a.privateKey, a.publicKey]) {
      const { report } = loadSetForm(`set interfaces wireguard wg0 private-key '${k}'`, schema);
      expect(report.invalid).toEqual([]);
    }
    // Each side's secret with the other's public key: the same shared secret only if each pair is whole.
    const ka = keys(a);
    const kb = keys(b);
    expect(diffieHellman({ privateKey: ka.priv, publicKey: kb.pub })).toEqual(
      diffieHellman({ privateKey: kb.priv, publicKey: ka.pub }),
    );
  });

  it('prints them from the shell as VyOS does', async () => {
    const r = await runFos([
      '--netns',
      'root',
      '--state',
      '/nonexistent-links',
      '-c',
      'generate pki wireguard key-pair',
    ]);
    expect(r.out, r.err).toMatch(
      /^Private key: [A-Za-z0-9+/]{43}=\nPublic key: [A-Za-z0-9+/]{43}=\n$/,
    );
  });
});

describe('show interfaces wireguard', () => {
  it('reads wg show all dump, leaving out the private and preshared keys', () => {
    const status = parseWireguardStatus(
      [
        'wg0\tPRIVATE=\tPUBLIC=\t51820\toff',
        'wg0\tPEER=\tPSK=\t192.0.2.2:51820\t10.0.0.2/32,10.1.0.0/16\t1700000000\t1234\t5678\t25',
        'wg0\tPEER2=\t(none)\t(none)\t(none)\t0\t0\t0\toff',
        '',
      ].join('\n'),
    );
    expect(JSON.stringify(status)).not.toMatch(/PRIVATE|PSK/);
    expect(status).toEqual([
      {
        name: 'wg0',
        publicKey: 'PUBLIC=',
        port: 51820,
        fwmark: undefined,
        peers: [
          {
            publicKey: 'PEER=',
            endpoint: '192.0.2.2:51820',
            allowedIps: ['10.0.0.2/32', '10.1.0.0/16'],
            latestHandshake: 1700000000,
            rxBytes: 1234,
            txBytes: 5678,
            keepalive: 25,
          },
          {
            publicKey: 'PEER2=',
            endpoint: undefined,
            allowedIps: [],
            latestHandshake: undefined,
            rxBytes: 0,
            txBytes: 0,
            keepalive: undefined,
          },
        ],
      },
    ]);
  });

  it('writes times and sizes as wg does', () => {
    expect(duration(62)).toBe('1 minute, 2 seconds');
    expect(duration(3600)).toBe('1 hour');
    expect(bytes(100)).toBe('100 B');
    expect(bytes(1536)).toBe('1.50 KiB');
  });
});
