/**
 * Bonding, VRF and WireGuard at their VyOS 1.4 paths: what verify refuses
 * (each with its path), what `show` masks, and the 1.3 forms migrated.
 */
import { describe, expect, it } from 'vitest';
import { loadCurly, loadSetForm, toSetForm } from '../src/config/index.js';
import { redactSecrets } from '../src/config/redact.js';
import { schema } from '../src/schema/index.js';
import { verify } from '../src/verify/index.js';
import { ADMIN_LOGIN } from './helpers/fixtures.js';

const KEY_A = 'aGx+fvW916Ej7QRnBbW3QMoldhNv1u95/WHz45zDmF0=';
const KEY_B = 'G4pZishpMRrLmd96Kr6V7LIuNGdcUb81gWaYZ+FWkG0=';

function issues(text: string): string[] {
  const { tree, report } = loadSetForm(`${ADMIN_LOGIN}\n${text}`, schema);
  expect(report.invalid).toEqual([]);
  return verify(tree, schema).map((i) => `${i.path.join(' ')}: ${i.message}`);
}

describe('bonding', () => {
  it('accepts a bond of two ports with a VLAN and the 1.4 defaults', () => {
    expect(
      issues(`set interfaces bonding bond0 member interface 'eth1'
set interfaces bonding bond0 member interface 'eth2'
set interfaces bonding bond0 mode 'active-backup'
set interfaces bonding bond0 primary 'eth1'
set interfaces bonding bond0 vif 50 address '192.0.2.1/24'`),
    ).toEqual([]);
  });

  it('refuses a member that is also a bridge port, has an address, or is in two bonds', () => {
    expect(
      issues(`set interfaces bonding bond0 member interface 'eth1'
set interfaces bonding bond0 member interface 'eth2'
set interfaces bonding bond1 member interface 'eth2'
set interfaces bonding bond1 member interface 'eth3'
set interfaces ethernet eth3 address '192.0.2.3/24'
set interfaces bridge br0 member interface 'eth1'
set interfaces bonding bond0 primary 'eth3'`),
    ).toEqual([
      "interfaces bonding bond0 member interface: 'eth1' is a member of bridge br0 and cannot also be a member of bond bond0",
      "interfaces bonding bond0 primary: primary 'eth3' is not a member of bond bond0",
      "interfaces bonding bond1 member interface: 'eth2' is already a member of bond bond0; an interface can be in one bond only",
      "interfaces ethernet eth3 address: 'eth3' is a member of bond bond1 and cannot have addresses of its own",
    ]);
  });

  it('refuses a primary in a mode without one, and a member that is not an ethernet port', () => {
    expect(
      issues(`set interfaces bonding bond0 member interface 'eth1'
set interfaces bonding bond0 member interface 'dum0'
set interfaces dummy dum0
set interfaces bonding bond0 primary 'eth1'`),
    ).toEqual([
      "interfaces bonding bond0 member interface: 'dum0' cannot be a bond member: only ethernet ports can",
      'interfaces bonding bond0 primary: a primary member needs mode active-backup, transmit-load-balance or adaptive-load-balance (bond bond0 is 802.3ad)',
    ]);
  });

  it('refuses ARP monitoring in the modes that cannot do it', () => {
    expect(
      issues(`set interfaces bonding bond0 member interface 'eth1'
set interfaces bonding bond0 arp-monitor interval '200'
set interfaces bonding bond0 arp-monitor target '192.0.2.1'`),
    ).toEqual([
      'interfaces bonding bond0 arp-monitor interval: ARP monitoring does not work in mode 802.3ad (bond bond0); use mii-mon-interval',
    ]);
  });

  it('refuses a MII interval between 0 and 50', () => {
    const { report } = loadSetForm("set interfaces bonding bond0 mii-mon-interval '10'", schema);
    expect(report.invalid.map((i) => i.message).join()).toMatch(/0 or 50-1000/);
  });
});

describe('vrf', () => {
  it('binds interfaces to a configured VRF, and refuses one that does not exist', () => {
    expect(
      issues(`set vrf name red table '100'
set interfaces ethernet eth1 vrf 'red'
set interfaces ethernet eth1 vif 10 vrf 'blue'`),
    ).toEqual(["interfaces ethernet eth1 vif 10 vrf: vrf 'blue' does not exist (vrf name blue)"]);
  });

  it('refuses a table used twice, the kernel tables, a missing table and a bridge port in a VRF', () => {
    expect(
      issues(`set vrf name red table '100'
set vrf name blue table '100'
set vrf name green table '254'
set vrf name pink
set interfaces bridge br0 member interface 'eth1'
set interfaces ethernet eth1 vrf 'red'`),
    ).toEqual([
      "vrf name pink: 'vrf name pink table' must be set",
      "interfaces ethernet eth1 vrf: 'eth1' is a member of bridge br0; the VRF belongs on the bridge",
      'vrf name blue table: table 100 is already used by VRF red',
      "vrf name green table: table 254 is the kernel's own (default, main or local)",
    ]);
  });

  it('takes the same address once in each VRF', () => {
    expect(
      issues(`set vrf name red table '100'
set vrf name blue table '200'
set interfaces ethernet eth1 vif 30 address '10.9.0.1/24'
set interfaces ethernet eth1 vif 30 vrf 'red'
set interfaces ethernet eth1 vif 40 address '10.9.0.1/24'
set interfaces ethernet eth1 vif 40 vrf 'blue'`),
    ).toEqual([]);
  });

  it('refuses a VRF named like an interface or a table', () => {
    for (const name of ['eth0', 'wg1', 'main', '1red', 'a-name-of-16-chr'])
      expect(loadSetForm(`set vrf name ${name} table '100'`, schema).report.invalid).toHaveLength(
        1,
      );
  });
});

describe('wireguard', () => {
  const wg = `set interfaces wireguard wg0 address '10.0.0.1/30'
set interfaces wireguard wg0 port '51820'
set interfaces wireguard wg0 private-key '${KEY_A}'
set interfaces wireguard wg0 peer b public-key '${KEY_B}'
set interfaces wireguard wg0 peer b preshared-key '${KEY_A}'
set interfaces wireguard wg0 peer b allowed-ips '10.0.0.2/32'`;

  it('accepts a tunnel and masks its private and preshared keys in show', () => {
    expect(issues(wg)).toEqual([]);
    const shown = toSetForm(redactSecrets(loadSetForm(wg, schema).tree, schema), schema);
    expect(shown).not.toContain(KEY_A);
    expect(shown).toContain(KEY_B);
    expect(shown).toContain("set interfaces wireguard wg0 private-key '********'");
  });

  it('needs a private key, public keys, allowed-ips and a whole endpoint', () => {
    expect(
      issues(`set interfaces wireguard wg0 peer b address '192.0.2.1'
set interfaces wireguard wg0 peer c public-key '${KEY_B}'
set interfaces wireguard wg0 peer c allowed-ips '0.0.0.0/0'
set interfaces wireguard wg0 peer d public-key '${KEY_B}'
set interfaces wireguard wg0 peer d allowed-ips '::/0'`),
    ).toEqual([
      "interfaces wireguard wg0: wireguard wg0 needs a private-key ('generate pki wireguard key-pair' makes one)",
      'interfaces wireguard wg0 peer b: peer b needs a public-key',
      'interfaces wireguard wg0 peer b: peer b needs allowed-ips',
      "interfaces wireguard wg0 peer b: peer b: an endpoint needs both 'address' and 'port'",
      'interfaces wireguard wg0 peer d public-key: peer d has the public key of peer c',
    ]);
  });

  it('refuses a key that is not 32 bytes of base64', () => {
    const { report } = loadSetForm("set interfaces wireguard wg0 private-key 'default'", schema);
    expect(report.invalid[0]?.message).toMatch(/WireGuard key \(32 bytes in base64/);
  });

  it("migrates 1.3's pubkey and endpoint", () => {
    const { tree, report } = loadCurly(
      `interfaces {
    wireguard wg1 {
        peer sam {
            allowed-ips 10.1.1.0/24
            endpoint 192.0.2.45:1200
            pubkey ${KEY_B}
        }
        peer v6 {
            allowed-ips ::/0
            endpoint [2001:db8::1]:51820
            pubkey ${KEY_A}
        }
    }
}
`,
      schema,
    );
    expect(report.invalid).toEqual([]);
    expect(toSetForm(tree, schema).split('\n').filter(Boolean)).toEqual([
      "set interfaces wireguard wg1 peer sam address '192.0.2.45'",
      "set interfaces wireguard wg1 peer sam allowed-ips '10.1.1.0/24'",
      "set interfaces wireguard wg1 peer sam port '1200'",
      `set interfaces wireguard wg1 peer sam public-key '${KEY_B}'`,
      "set interfaces wireguard wg1 peer v6 address '2001:db8::1'",
      "set interfaces wireguard wg1 peer v6 allowed-ips '::/0'",
      "set interfaces wireguard wg1 peer v6 port '51820'",
      `set interfaces wireguard wg1 peer v6 public-key '${KEY_A}'`,
    ]);
  });
});
