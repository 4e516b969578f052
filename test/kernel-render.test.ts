/**
 * Golden tests of the kernel renderer and planner: test/cases/kernel/<case>/
 * holds config.set and the plan FOS1 makes for it on a fresh lab
 * (expected.plan). `npm run goldens` rewrites the expectations; a missing one fails.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSetForm } from '../src/config/index.js';
import { parseIpJson } from '../src/apply/kernel.js';
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
