/**
 * Golden tests of the kernel renderer and planner: test/cases/kernel/<case>/
 * holds config.set and the plan FOS1 makes for it on a fresh lab
 * (expected.plan). `npm run goldens` rewrites the expectations; a missing one fails.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSetForm } from '../src/config/index.js';
import { parseIpJson, parseWireguardDump } from '../src/apply/kernel.js';
import { renderKernel, type KernelState, type LinkState } from '../src/render/kernel.js';
import { batchLine, describePlan, planKernel } from '../src/render/kernel-plan.js';
import { canonicalIPv6, schema } from '../src/schema/index.js';
import { verify, withDefaults } from '../src/verify/index.js';
import { repoRoot } from './helpers/paths.js';
import { ADMIN_LOGIN } from './helpers/fixtures.js';

const casesDir = join(repoRoot, 'test', 'cases', 'kernel');

/** What `fos lab up` makes: lo, and eth0..eth3 up without addresses. */
function freshLab(): KernelState {
  const links = new Map<string, LinkState>();
  links.set('lo', {
    name: 'lo',
    kind: 'loopback',
    up: true,
    mtu: 65536,
    mac: undefined,
    alias: undefined,
    master: undefined,
    addresses: ['127.0.0.1/8', '::1/128'],
  });
  for (let i = 0; i < 4; i++) {
    links.set(`eth${i}`, {
      name: `eth${i}`,
      kind: 'ethernet',
      up: true,
      mtu: 1500,
      mac: `02:00:00:00:00:0${i}`,
      alias: undefined,
      master: undefined,
      addresses: [],
    });
  }
  return { links };
}

function planFor(text: string, observed: KernelState = freshLab()): string[] {
  const { tree, report } = loadSetForm(`${ADMIN_LOGIN}\n${text}`, schema);
  expect(report.invalid).toEqual([]);
  expect(verify(tree, schema)).toEqual([]);
  const desired = renderKernel(withDefaults(tree, schema));
  return describePlan(
    planKernel({ observed, desired, managed: new Set(desired.links.keys()) }),
    'lab',
  );
}

describe('kernel golden cases', () => {
  const cases = readdirSync(casesDir).sort();
  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(5));
  it.each(cases)('%s', (name) => {
    const plan = `${planFor(readFileSync(join(casesDir, name, 'config.set'), 'utf8')).join('\n')}\n`;
    const expectedFile = join(casesDir, name, 'expected.plan');
    if (process.env['UPDATE_GOLDEN']) writeFileSync(expectedFile, plan);
    expect(existsSync(expectedFile), `${expectedFile} is missing (npm run goldens writes it)`).toBe(
      true,
    );
    expect(plan).toBe(readFileSync(expectedFile, 'utf8'));
  });
});

describe('kernel planning', () => {
  it('plans nothing when the namespace already matches', () => {
    const text = readFileSync(join(casesDir, 'bridge-vxlan', 'config.set'), 'utf8');
    const { tree } = loadSetForm(text, schema);
    const desired = renderKernel(withDefaults(tree, schema));
    expect(
      planKernel({ observed: desired, desired, managed: new Set(desired.links.keys()) }).steps,
    ).toEqual([]);
  });

  it('releases a port taken out of the config and deletes only links it manages', () => {
    const observed = freshLab();
    const links = new Map(observed.links);
    links.set('eth1', { ...links.get('eth1')!, alias: 'old', addresses: ['192.0.2.9/24'] });
    const bridge = (name: string): LinkState => ({
      name,
      kind: 'bridge',
      up: true,
      mtu: 1500,
      mac: undefined,
      alias: undefined,
      master: undefined,
      addresses: [],
    });
    links.set('br7', bridge('br7'));
    links.set('br8', bridge('br8'));
    const plan = describePlan(
      planKernel({
        observed: { links },
        desired: { links: new Map() },
        managed: new Set(['eth1', 'br7']),
      }),
      'lab',
    );
    expect(plan).toEqual([
      '# kernel: remove links',
      'ip -n lab link del dev br7',
      '# kernel: link settings',
      'ip -n lab link set dev eth1 alias ""',
      '# kernel: remove addresses',
      'ip -n lab address del 192.0.2.9/24 dev eth1',
    ]);
  });

  it('recreates a VXLAN whose VNI changed', () => {
    const before = planFor(
      "set interfaces vxlan vxlan1 vni '1'\nset interfaces vxlan vxlan1 remote '192.0.2.2'\n",
    );
    expect(before.join('\n')).toContain('link add name vxlan1 type vxlan id 1');
    const { tree } = loadSetForm(
      "set interfaces vxlan vxlan1 vni '1'\nset interfaces vxlan vxlan1 remote '192.0.2.2'\n",
      schema,
    );
    const observed = renderKernel(withDefaults(tree, schema));
    const changed = planFor(
      "set interfaces vxlan vxlan1 vni '2'\nset interfaces vxlan vxlan1 remote '192.0.2.2'\n",
      observed,
    );
    expect(changed).toContain('ip -n lab link del dev vxlan1');
    expect(changed.join('\n')).toContain('link add name vxlan1 type vxlan id 2');
  });

  it('reports a configured port that does not exist', () => {
    const { tree } = loadSetForm("set interfaces ethernet eth9 mtu '1500'\n", schema);
    const desired = renderKernel(withDefaults(tree, schema));
    expect(
      planKernel({ observed: freshLab(), desired, managed: new Set(['eth9']) }).missing,
    ).toEqual(['eth9']);
  });

  it('never puts free text into an ip -batch line unsafely', () => {
    expect(batchLine({ argv: ['link', 'set', 'dev', 'eth0', 'alias', 'plain text'] })).toBe(
      'link set dev eth0 alias "plain text"',
    );
    for (const alias of ['with "quote"', "it's", 'hash # here', 'back\\slash', 'two\nlines']) {
      expect(batchLine({ argv: ['link', 'set', 'dev', 'eth0', 'alias', alias] })).toBeUndefined();
    }
  });

  it('writes IPv6 addresses the way the kernel prints them', () => {
    expect(canonicalIPv6('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIPv6('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(canonicalIPv6('0:0:0:0:0:0:0:0')).toBe('::');
    expect(canonicalIPv6('2001:db8:1:1:1:1:0:1')).toBe('2001:db8:1:1:1:1:0:1');
  });

  it('reads ip -json output', () => {
    const state = parseIpJson(
      JSON.stringify([
        {
          ifname: 'br0',
          flags: ['UP'],
          mtu: 1500,
          address: 'AA:BB:CC:00:00:01',
          ifalias: 'lan',
          linkinfo: {
            info_kind: 'bridge',
            info_data: {
              stp_state: 1,
              priority: 100,
              ageing_time: 30000,
              forward_delay: 1500,
              hello_time: 200,
              max_age: 2000,
            },
          },
          addr_info: [
            { family: 'inet', local: '10.0.0.1', prefixlen: 24, scope: 'global' },
            { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
          ],
        },
      ]),
    );
    expect(state.links.get('br0')).toMatchObject({
      kind: 'bridge',
      up: true,
      mac: 'aa:bb:cc:00:00:01',
      alias: 'lan',
      addresses: ['10.0.0.1/24'],
      bridge: { stp: true, priority: 100, aging: 300, forwardDelay: 15, helloTime: 2, maxAge: 20 },
    });
  });
});

describe('kernel planning of VLANs, bonds, VRFs and WireGuard', () => {
  const desiredOf = (text: string): KernelState =>
    renderKernel(withDefaults(loadSetForm(`${ADMIN_LOGIN}\n${text}`, schema).tree, schema));
  const BOND = `set interfaces bonding bond0 member interface 'eth1'
set interfaces bonding bond0 member interface 'eth2'
set interfaces bonding bond0 vif 50 address '198.51.100.1/24'
`;

  it('makes a bond again when its mode changes, with its VLAN and its members', () => {
    const before = desiredOf(BOND);
    const lab = freshLab();
    const links = new Map(lab.links);
    for (const [name, link] of before.links) links.set(name, { ...link, mac: undefined });
    const plan = planFor(`${BOND}set interfaces bonding bond0 mode 'active-backup'\n`, { links });
    expect(plan).toEqual([
      '# kernel: remove links',
      'ip -n lab link del dev bond0',
      '# kernel: create links',
      'ip -n lab link add name bond0 type bond mode active-backup miimon 100 min_links 0',
      'ip -n lab link add link bond0 name bond0.50 type vlan protocol 802.1Q id 50',
      '# kernel: link settings',
      'ip -n lab link set dev eth1 down',
      'ip -n lab link set dev eth1 master bond0',
      'ip -n lab link set dev eth2 down',
      'ip -n lab link set dev eth2 master bond0',
      'ip -n lab link set dev bond0 mtu 1500',
      '# kernel: add addresses',
      'ip -n lab address add 198.51.100.1/24 dev bond0.50',
      '# kernel: link state',
      'ip -n lab link set dev bond0 up',
      'ip -n lab link set dev bond0.50 up',
      'ip -n lab link set dev eth1 up',
      'ip -n lab link set dev eth2 up',
    ]);
  });

  it('names the config path and feature of every link it creates', () => {
    const desired = desiredOf(`${BOND}set interfaces ethernet eth3 vif-s 7 vif-c 8
set vrf name red table '100'
set interfaces dummy dum0
`);
    expect(
      planKernel({ observed: freshLab(), desired, managed: new Set(desired.links.keys()) }).needs,
    ).toEqual([
      { name: 'dum0', path: 'interfaces dummy dum0', feature: 'dummy' },
      { name: 'red', path: 'vrf name red', feature: 'vrf' },
      { name: 'bond0', path: 'interfaces bonding bond0', feature: 'bonding' },
      { name: 'bond0.50', path: 'interfaces bonding bond0 vif 50', feature: '802.1q' },
      { name: 'eth3.7', path: 'interfaces ethernet eth3 vif-s 7', feature: '802.1ad' },
      { name: 'eth3.7.8', path: 'interfaces ethernet eth3 vif-s 7 vif-c 8', feature: '802.1q' },
    ]);
  });

  it('keeps WireGuard keys out of argv and the printed plan, and does nothing when wg shows the same', () => {
    const text = readFileSync(join(casesDir, 'wireguard', 'config.set'), 'utf8');
    const desired = desiredOf(text);
    const plan = planKernel({
      observed: freshLab(),
      desired,
      managed: new Set(desired.links.keys()),
    });
    const wg = plan.steps.find((s) => s.name === 'wireguard')!.ops[0]!;
    expect(wg.argv).toEqual(['syncconf', 'wg0']);
    expect(wg.input).toBe(
      [
        '[Interface]',
        'PrivateKey = aGx+fvW916Ej7QRnBbW3QMoldhNv1u95/WHz45zDmF0=',
        'ListenPort = 51820',
        'FwMark = off',
        '',
        '[Peer]',
        'PublicKey = 5iQUD3VoCDBTPXAPHOwUJ0p7xzKGHEY/wQmgvBVmaFI=',
        'AllowedIPs = ::/0',
        'Endpoint = [2001:db8::2]:51821',
        '',
        '[Peer]',
        'PublicKey = G4pZishpMRrLmd96Kr6V7LIuNGdcUb81gWaYZ+FWkG0=',
        'PresharedKey = CumyXX7osvUT9AwnS+m2TEfCaL0Ptc2LfuZ78Sujuk8=',
        'AllowedIPs = 10.0.0.2/32, 10.1.0.0/16',
        'Endpoint = 192.0.2.2:51820',
        'PersistentKeepalive = 25',
        '',
      ].join('\n'),
    );
    expect(describePlan(plan, 'lab').join('\n')).not.toMatch(/aGx\+|CumyXX/);

    const dump = [
      'wg0\taGx+fvW916Ej7QRnBbW3QMoldhNv1u95/WHz45zDmF0=\tPUB\t51820\toff',
      'wg0\tG4pZishpMRrLmd96Kr6V7LIuNGdcUb81gWaYZ+FWkG0=\tCumyXX7osvUT9AwnS+m2TEfCaL0Ptc2LfuZ78Sujuk8=\t192.0.2.2:51820\t10.1.0.0/16,10.0.0.2/32\t1700000000\t100\t200\t25',
      'wg0\t5iQUD3VoCDBTPXAPHOwUJ0p7xzKGHEY/wQmgvBVmaFI=\t(none)\t[2001:db8::2]:51821\t::/0\t0\t0\t0\toff',
      '',
    ].join('\n');
    const seen = parseWireguardDump(dump).get('wg0');
    const observed = new Map(freshLab().links);
    for (const [name, link] of desired.links)
      observed.set(name, name === 'wg0' ? { ...link, wireguard: seen } : link);
    expect(
      planKernel({ observed: { links: observed }, desired, managed: new Set(desired.links.keys()) })
        .steps,
    ).toEqual([]);
  });

  it('adds IPv6 addresses again to a link that joins a VRF (the kernel drops them)', () => {
    const lab = freshLab();
    const links = new Map(lab.links);
    links.set('eth2', { ...links.get('eth2')!, addresses: ['192.0.2.1/24', '2001:db8::1/64'] });
    links.set('red', { ...desiredOf("set vrf name red table '100'").links.get('red')!, up: true });
    const plan = planFor(
      `set vrf name red table '100'
set interfaces ethernet eth2 address '192.0.2.1/24'
set interfaces ethernet eth2 address '2001:db8::1/64'
set interfaces ethernet eth2 vrf 'red'
`,
      { links },
    );
    expect(plan).toEqual([
      '# kernel: link settings',
      'ip -n lab link set dev eth2 master red',
      '# kernel: add addresses',
      'ip -n lab address add 2001:db8::1/64 dev eth2',
    ]);
  });

  it('reads bonds and VRFs from ip -json', () => {
    const state = parseIpJson(
      JSON.stringify([
        {
          ifname: 'bond0',
          flags: ['UP'],
          mtu: 1500,
          linkinfo: {
            info_kind: 'bond',
            info_data: {
              mode: 'active-backup',
              miimon: 100,
              min_links: 0,
              primary: 'eth1',
              xmit_hash_policy: 'layer2',
              ad_lacp_rate: 'slow',
              arp_interval: 0,
            },
          },
        },
        { ifname: 'red', flags: ['UP'], linkinfo: { info_kind: 'vrf', info_data: { table: 100 } } },
      ]),
    );
    expect(state.links.get('bond0')?.bond).toEqual({
      mode: 'active-backup',
      hashPolicy: undefined,
      miimon: 100,
      minLinks: 0,
      primary: 'eth1',
      lacpRate: undefined,
      systemMac: undefined,
      arpInterval: 0,
      arpTargets: [],
    });
    expect(state.links.get('red')).toMatchObject({ kind: 'vrf', table: 100 });
  });
});
