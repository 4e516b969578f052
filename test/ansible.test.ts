/**
 * Ansible's vyos.vyos collection (Debian 12's `ansible`, over network_cli and
 * paramiko) against `fos serve`: test/automation/ansible/site.yml runs once
 * with the json callback; every task's result is asserted by name, then the
 * router's revisions, configuration and namespace.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks, playbook, type Played } from './helpers/ansible.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { serve, ssh, type Served } from './helpers/serve.js';

let lab: Lab;
let server: Served;
let work: string;
let played: Played;
let stats: Record<string, number>;

beforeAll(async () => {
  lab = await makeLab();
  server = await serve(lab.flags);
  work = mkdtempSync(join(tmpdir(), 'fos-ansible-'));
  played = await playbook('site.yml', work, {
    FOS_ANSIBLE_PORT: String(server.port),
    FOS_ANSIBLE_NETNS: lab.netns,
    FOS_ANSIBLE_BACKUP: join(work, 'backup'),
  });
  stats = played.stats;
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await lab?.down();
  if (work) rmSync(work, { recursive: true, force: true });
});

const { task, changed, unchanged, refused, stdout } = checks(() => played);

async function show(command: string): Promise<string> {
  const r = await ssh(server.port, { password: 'fos', command });
  expect(r.code, r.err).toBe(0);
  return r.out;
}

describe('ansible vyos.vyos against fos serve', () => {
  it('runs the whole playbook: only the tasks meant to fail failed', () => {
    expect(stats['failures']).toBe(0);
    expect(stats['unreachable']).toBe(0);
    // command unknown, config bad line, firewall_rules merged, bgp_global merged.
    expect(stats['ignored']).toBe(4);
  });

  it('vyos_command: show commands, | grep -e, | strip-private; an unknown command fails', () => {
    const r = task('command show');
    const [version, grep, stripped] = r.stdout as unknown as string[];
    expect(version).toMatch(/^Version:\s+FOS1 /m);
    expect(grep!.split('\n')).toEqual([
      "set system host-name 'fos'",
      "set system login user fos authentication encrypted-password '********'",
    ]);
    expect(stripped).toContain("set system host-name 'xxxxxx'");
    expect(stripped).toContain('set system login user xxxxxx authentication');
    refused('command unknown', 'Invalid command: show [nosuchthing]');
  });

  it('vyos_config: lines with a comment and a backup, idempotent; match none; a bad line fails whole', () => {
    changed('config lines', [
      "set interfaces ethernet eth1 address '10.1.0.1/24'",
      "set interfaces ethernet eth1 description 'via vyos_config'",
    ]);
    const backup = readFileSync(join(work, 'backup', 'fos.cfg'), 'utf8');
    expect(backup).toContain("set system host-name 'fos'");
    expect(backup).not.toContain('eth1');
    unchanged('config lines again');
    // match: none sends every line; the router's `compare` finds nothing, so nothing is committed.
    expect(task('config match none').commands).toHaveLength(2);
    // Ansible keeps the end of the message: the router's explanation, then Set failed.
    refused('config bad line', "'interfaces ethernet eth1'", 'Set failed');
    changed('config delete', ['delete interfaces ethernet eth1 description']);
    unchanged('config delete again');
    changed('config save');
    unchanged('config save again');
    expect(existsSync(join(lab.state, 'config', 'config.boot'))).toBe(true);
  });

  it('vyos_interfaces: merged, again, replaced, gathered, deleted', () => {
    changed('interfaces merged', [
      "set interfaces ethernet eth3 description 'via ansible'",
      "set interfaces ethernet eth3 mtu '1400'",
    ]);
    unchanged('interfaces merged again');
    changed('interfaces replaced', [
      'delete interfaces ethernet eth3 mtu',
      "set interfaces ethernet eth3 description 'replaced'",
    ]);
    expect(task('interfaces gathered').gathered).toContainEqual({
      name: 'eth3',
      description: 'replaced',
      enabled: true,
    });
    const [link] = JSON.parse(stdout('ip eth3 after interfaces replaced'));
    expect(link).toMatchObject({ mtu: 1500, ifalias: 'replaced' });
    changed('interfaces deleted', ['delete interfaces ethernet eth3 description']);
    unchanged('interfaces deleted again');
  });

  it('vyos_l3_interfaces: merged, again, replaced, gathered, deleted', () => {
    changed('l3_interfaces merged', [
      "set interfaces ethernet eth3 address '10.3.0.1/24'",
      "set interfaces ethernet eth3 address '2001:db8:3::1/64'",
    ]);
    unchanged('l3_interfaces merged again');
    changed('l3_interfaces replaced');
    expect(task('l3_interfaces gathered').gathered).toContainEqual({
      name: 'eth3',
      ipv4: [{ address: '10.3.0.2/24' }],
    });
    const [link] = JSON.parse(stdout('ip eth3 after l3_interfaces replaced'));
    const global = (link.addr_info as { local: string; scope: string }[])
      .filter((a) => a.scope === 'global')
      .map((a) => a.local);
    expect(global).toEqual(['10.3.0.2']);
    changed('l3_interfaces deleted', ["delete interfaces ethernet eth3 address '10.3.0.2/24'"]);
  });

  it('vyos_hostname: merged, again, gathered, replaced, deleted', () => {
    changed('hostname merged', ['set system host-name fos-ansible']);
    unchanged('hostname merged again');
    expect(task('hostname gathered').gathered).toEqual({ hostname: 'fos-ansible' });
    changed('hostname replaced', ['set system host-name fos-replaced']);
    changed('hostname deleted', ['delete system host-name fos-replaced']);
  });

  it('vyos_firewall_global: groups merged, again, replaced (nft sets follow), gathered, deleted', () => {
    changed('firewall_global merged');
    unchanged('firewall_global merged again');
    changed('firewall_global replaced');
    expect(task('firewall_global gathered').gathered).toMatchObject({
      group: { address_group: [{ name: 'ANSIBLE-HOSTS', members: [{ address: '192.0.2.12' }] }] },
    });
    const sets = (
      JSON.parse(stdout('nft sets after firewall_global replaced')).nftables as {
        set?: { name: string; elem?: unknown[] };
      }[]
    ).flatMap((e) => (e.set ? [e.set] : []));
    expect(sets.map((s) => [s.name, s.elem])).toEqual([['A4_ANSIBLE-HOSTS', ['192.0.2.12']]]);
    changed('firewall_global deleted', [/^delete firewall\s*$/]);
  });

  it("vyos_firewall_rules and vyos_bgp_global write VyOS 1.3's syntax, which FOS1 refuses by name", () => {
    refused('firewall_rules merged', "unknown word 'name' under 'firewall'", 'Set failed');
    refused('bgp_global merged', "unknown word '65001' under 'protocols bgp'", 'Set failed');
  });

  it('vyos_static_routes: merged, again, replaced (zebra installs it), gathered, deleted', () => {
    changed('static_routes merged');
    unchanged('static_routes merged again');
    changed('static_routes replaced', [
      "delete protocols static route 198.51.100.0/24 next-hop '10.3.0.254'",
      "set protocols static route 198.51.100.0/24 next-hop '10.3.0.253'",
    ]);
    expect(task('static_routes gathered').gathered).toEqual([
      {
        address_families: [
          {
            afi: 'ipv4',
            routes: [
              { dest: '198.51.100.0/24', next_hops: [{ forward_router_address: '10.3.0.253' }] },
            ],
          },
        ],
      },
    ]);
    expect(JSON.parse(stdout('ip route after static_routes replaced'))).toMatchObject([
      { dst: '198.51.100.0/24', gateway: '10.3.0.253', dev: 'eth3' },
    ]);
    changed('static_routes deleted', ['delete protocols static route']);
  });

  it('vyos_prefix_lists and vyos_route_maps: merged, again, replaced, gathered, deleted', () => {
    changed('prefix_lists merged');
    unchanged('prefix_lists merged again');
    changed('prefix_lists replaced');
    expect(task('prefix_lists gathered').gathered).toEqual([
      {
        afi: 'ipv4',
        prefix_lists: [
          {
            name: 'ANSIBLE-PL',
            entries: [{ sequence: 20, action: 'deny', prefix: '198.51.100.0/24' }],
          },
        ],
      },
    ]);
    changed('route_maps merged');
    unchanged('route_maps merged again');
    changed('route_maps replaced', ['set policy route-map ANSIBLE-RM rule 20 action deny']);
    // The collection replaces route-map entries by sequence: rule 10 stays.
    expect(task('route_maps gathered').gathered).toEqual([
      {
        route_map: 'ANSIBLE-RM',
        entries: [
          {
            sequence: 10,
            action: 'permit',
            match: { ip: { address: { list_type: 'prefix-list', value: 'ANSIBLE-PL' } } },
          },
          { sequence: 20, action: 'deny' },
        ],
      },
    ]);
    changed('route_maps deleted', ['delete policy route-map ANSIBLE-RM']);
    changed('prefix_lists deleted', ['delete policy prefix-list ANSIBLE-PL']);
  });

  it('vyos_ospfv2: merged, again, replaced, gathered, deleted', () => {
    changed('ospfv2 merged');
    unchanged('ospfv2 merged again');
    changed('ospfv2 replaced', ["set protocols ospf parameters router-id '10.3.0.9'"]);
    expect(task('ospfv2 gathered').gathered).toEqual({
      areas: [{ area_id: '0', network: [{ address: '10.3.0.0/24' }] }],
      parameters: { router_id: '10.3.0.9' },
    });
    changed('ospfv2 deleted', ['delete protocols ospf']);
  });

  it('vyos_facts: every subset and resource, before and after the deletes', () => {
    const facts = task('facts after replaced').ansible_facts!;
    expect(facts['ansible_net_gather_subset']).toEqual(
      expect.arrayContaining(['default', 'config', 'neighbors']),
    );
    expect(facts['ansible_net_version']).toMatch(/^FOS1 /);
    const commits = facts['ansible_net_commits'] as { revision: string; by: string; via: string }[];
    expect(commits[0]).toMatchObject({ revision: '0', by: 'fos', via: 'ssh' });
    const resources = facts['ansible_network_resources'] as Record<string, unknown>;
    expect(resources['hostname']).toEqual({ hostname: 'fos-replaced' });
    expect(resources['ospfv2']).toMatchObject({ parameters: { router_id: '10.3.0.9' } });
    const after = task('facts after deleted').ansible_facts!['ansible_network_resources'] as Record<
      string,
      unknown
    >;
    expect(after['ospfv2'] ?? {}).toEqual({});
    expect(after['static_routes'] ?? []).toEqual([]);
    expect(after['prefix_lists'] ?? []).toEqual([]);
    expect(after['route_maps'] ?? []).toEqual([]);
    expect(after['firewall_global'] ?? {}).toEqual({});
  });

  it('leaves the router as the playbook says: revisions, configuration and namespace', async () => {
    const commits = await show('show system commit');
    expect(commits).toMatch(/^\d+ +\S+ \S+ by fos via ssh\n {4}ansible lines$/m);
    // Runs that found nothing to change committed nothing.
    expect(commits).not.toContain('ansible lines again');
    expect(commits).not.toContain('ansible match none');
    const config = await show('show configuration commands');
    expect(config).toContain("set interfaces ethernet eth1 address '10.1.0.1/24'");
    expect(config).not.toMatch(/eth1 (description|mtu)/);
    expect(config).not.toMatch(
      /host-name|firewall|ospf|route-map|prefix-list|next-hop|eth3 (address|description|mtu)/,
    );
    const [eth1] = JSON.parse(lab.ip('-json', '-details', 'address', 'show', 'dev', 'eth1'));
    expect(eth1.mtu).toBe(1500);
    expect(eth1.ifalias ?? '').toBe('');
    expect(eth1.addr_info.map((a: { local: string }) => a.local)).toContain('10.1.0.1');
    const [eth3] = JSON.parse(lab.ip('-json', 'address', 'show', 'dev', 'eth3'));
    expect(eth3.addr_info.filter((a: { scope: string }) => a.scope === 'global')).toEqual([]);
    expect(JSON.parse(lab.ip('-json', 'route', 'show', '198.51.100.0/24'))).toEqual([]);
  });
});
