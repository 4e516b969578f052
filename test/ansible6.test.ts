/**
 * vyos.vyos 6.x (its VyOS 1.4 templates) against `fos serve`:
 * test/automation/ansible/site6.yml runs once with the json callback and the
 * collection found under FOS_VYOS_COLLECTIONS (a directory holding
 * ansible_collections/vyos/vyos); every task's result is asserted by name, then
 * what FRR, nft and the kernel were given. Without that collection the file is
 * skipped and says why: Debian 12 ships 4.1.0 (test/ansible.test.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks, playbook, type Played } from './helpers/ansible.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { serve, ssh, type Served } from './helpers/serve.js';

/** The collection's version under `root`, from an installed MANIFEST.json or a source galaxy.yml. */
function collectionVersion(root: string): string | undefined {
  const dir = join(root, 'ansible_collections', 'vyos', 'vyos');
  const manifest = join(dir, 'MANIFEST.json');
  if (existsSync(manifest))
    return (
      JSON.parse(readFileSync(manifest, 'utf8')) as { collection_info?: { version?: string } }
    ).collection_info?.version;
  const galaxy = join(dir, 'galaxy.yml');
  if (existsSync(galaxy))
    return /^version:\s*['"]?([\w.+-]+)/m.exec(readFileSync(galaxy, 'utf8'))?.[1];
  return undefined;
}

const root = process.env['FOS_VYOS_COLLECTIONS'];
const version = root ? collectionVersion(root) : undefined;
const why = !root
  ? 'FOS_VYOS_COLLECTIONS is not set (a directory holding ansible_collections/vyos/vyos 6.x)'
  : !version
    ? `no vyos.vyos collection under ${root}`
    : Number(version.split('.')[0]) < 6
      ? `vyos.vyos ${version} under ${root} is older than 6`
      : undefined;
if (why) console.log(`test/ansible6.test.ts skipped: ${why}`);

let lab: Lab;
let server: Served;
let work: string;
let played: Played;

const { task, changed, unchanged, stdout } = checks(() => played);

async function show(command: string): Promise<string> {
  const r = await ssh(server.port, { password: 'fos', command });
  expect(r.code, r.err).toBe(0);
  return r.out;
}

/** Each module's merged and replaced runs again change nothing; so does deleted again. */
function idempotent(module: string, withDeleted = true): void {
  unchanged(`${module} merged again`);
  unchanged(`${module} replaced again`);
  if (withDeleted) unchanged(`${module} deleted again`);
}

describe.skipIf(why !== undefined)(`vyos.vyos ${version ?? '6.x'} against fos serve`, () => {
  beforeAll(async () => {
    lab = await makeLab();
    server = await serve(lab.flags);
    work = mkdtempSync(join(tmpdir(), 'fos-ansible6-'));
    played = await playbook('site6.yml', work, {
      ANSIBLE_COLLECTIONS_PATH: root!,
      FOS_ANSIBLE_PORT: String(server.port),
      FOS_ANSIBLE_NETNS: lab.netns,
    });
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    await lab?.down();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs the whole playbook: no task failed; the version line picks the 1.4 templates', () => {
    expect(played.stats['failures']).toBe(0);
    expect(played.stats['unreachable']).toBe(0);
    expect(played.stats['ignored'] ?? 0).toBe(0);
    const facts = task('facts').ansible_facts!;
    expect(facts['ansible_net_version']).toMatch(/^FOS1 \S+ \(VyOS 1\.4 syntax\)$/);
  });

  it('vyos_bgp_global: system-as syntax; merged, again, replaced, gathered, deleted', () => {
    // The lab starts without BGP: system-as comes first in 1.4's templates.
    changed('bgp_global merged', [
      'set protocols bgp system-as 65001',
      'set protocols bgp neighbor 10.3.0.9 remote-as 65002',
      'set protocols bgp neighbor 10.3.0.9 description via-ansible',
      'set protocols bgp parameters router-id 10.3.0.2',
    ]);
    changed('bgp_global replaced', [
      'delete protocols bgp neighbor 10.3.0.9 description via-ansible',
      'set protocols bgp neighbor 10.3.0.9 remote-as 65003',
      'set protocols bgp parameters router-id 10.3.0.3',
    ]);
    idempotent('bgp_global');
    expect(task('bgp_global gathered').gathered).toEqual({
      as_number: 65001,
      bgp_params: { router_id: '10.3.0.3' },
      neighbor: [{ address: '10.3.0.9', remote_as: 65003 }],
    });
    // The collection's deleted keeps system-as.
    changed('bgp_global deleted', [
      'delete protocols bgp parameters',
      'delete protocols bgp neighbor 10.3.0.9',
    ]);
  });

  it('vyos_bgp_address_family: merged, again, replaced, gathered, deleted; FRR has it', () => {
    changed('bgp_address_family merged', [
      'set protocols bgp address-family ipv4-unicast network 192.0.2.0/24',
      'set protocols bgp neighbor 10.3.0.9 address-family ipv4-unicast soft-reconfiguration inbound',
    ]);
    const neighbor = (task('bgp neighbor in FRR').stdout as unknown as string[])[0]!;
    expect(neighbor).toContain('remote AS 65003, local AS 65001');
    expect(neighbor).toContain('local router ID 10.3.0.3');
    expect(neighbor).toMatch(
      /For address family: IPv4 Unicast\n[\s\S]*Inbound soft reconfiguration allowed/,
    );
    changed('bgp_address_family replaced', [
      'delete protocols bgp address-family ipv4-unicast network 192.0.2.0/24',
      'set protocols bgp address-family ipv4-unicast network 198.51.100.0/24',
    ]);
    idempotent('bgp_address_family');
    expect(task('bgp_address_family gathered').gathered).toEqual({
      as_number: 65001,
      address_family: [{ afi: 'ipv4', networks: [{ prefix: '198.51.100.0/24' }] }],
      neighbors: [
        {
          neighbor_address: '10.3.0.9',
          address_family: [{ afi: 'ipv4', soft_reconfiguration: true }],
        },
      ],
    });
    changed('bgp_address_family deleted', [
      'delete protocols bgp address-family ipv4-unicast',
      'delete protocols bgp neighbor 10.3.0.9 address-family ipv4-unicast',
    ]);
  });

  it('vyos_firewall_rules: firewall ipv4 name; merged, again, replaced (nft follows), gathered, deleted', () => {
    changed('firewall_rules merged', [
      "set firewall ipv4 name ANSIBLE-IN default-action 'drop'",
      "set firewall ipv4 name ANSIBLE-IN description 'via ansible'",
      'set firewall ipv4 name ANSIBLE-IN rule 10',
      "set firewall ipv4 name ANSIBLE-IN rule 10 action 'accept'",
      "set firewall ipv4 name ANSIBLE-IN rule 10 protocol 'tcp'",
      'set firewall ipv4 name ANSIBLE-IN rule 10 destination port 22',
    ]);
    changed('firewall_rules replaced', [
      'delete firewall ipv4 name ANSIBLE-IN description',
      'delete firewall ipv4 name ANSIBLE-IN rule 10',
      "set firewall ipv4 name ANSIBLE-IN default-action 'accept'",
      'set firewall ipv4 name ANSIBLE-IN rule 20',
      "set firewall ipv4 name ANSIBLE-IN rule 20 action 'drop'",
      "set firewall ipv4 name ANSIBLE-IN rule 20 protocol 'udp'",
    ]);
    idempotent('firewall_rules');
    expect(task('firewall_rules gathered').gathered).toEqual([
      {
        afi: 'ipv4',
        rule_sets: [
          {
            name: 'ANSIBLE-IN',
            default_action: 'accept',
            rules: [{ number: 20, action: 'drop', protocol: 'udp' }],
          },
        ],
      },
    ]);
    const rules = (
      JSON.parse(stdout('nft after firewall_rules replaced')).nftables as {
        rule?: { chain: string; comment?: string; expr: Record<string, unknown>[] };
      }[]
    ).flatMap((e) => (e.rule && e.rule.chain === 'ipv4-ANSIBLE-IN' ? [e.rule] : []));
    expect(rules.map((r) => [r.comment, r.expr.at(-1)])).toEqual([
      ['rule 20', { drop: null }],
      ['default-action', { accept: null }],
    ]);
    changed('firewall_rules deleted', ['delete firewall ipv4']);
  });

  it('vyos_firewall_global: groups merged, again, replaced, gathered, deleted', () => {
    changed('firewall_global merged');
    changed('firewall_global replaced');
    idempotent('firewall_global');
    expect(task('firewall_global gathered').gathered).toEqual({
      group: {
        address_group: [
          { afi: 'ipv4', name: 'ANSIBLE-HOSTS', members: [{ address: '192.0.2.12' }] },
        ],
      },
    });
    changed('firewall_global deleted', ['delete firewall']);
  });

  it('vyos_ospfv3: merged, again, replaced, gathered, deleted; ospf6d runs on eth3', () => {
    changed('ospfv3 merged', [
      "set protocols ospfv3 parameters router-id '10.3.0.2'",
      "set protocols ospfv3 area '0'",
      'set protocols ospfv3 interface eth3 area 0',
    ]);
    const ifaces = (task('ospfv3 in FRR').stdout as unknown as string[])[0]!;
    expect(ifaces).toMatch(/^eth3 is up[\s\S]*?Area ID 0\.0\.0\.0/m);
    changed('ospfv3 replaced', ["set protocols ospfv3 parameters router-id '10.3.0.9'"]);
    idempotent('ospfv3');
    expect(task('ospfv3 gathered').gathered).toEqual({
      areas: [{ area_id: '0', interface: [{ name: 'eth3' }] }],
      parameters: { router_id: '10.3.0.9' },
    });
    changed('ospfv3 deleted', ['delete protocols ospfv3']);
  });

  it('vyos_prefix_lists and vyos_route_maps: merged, again, replaced, gathered, deleted', () => {
    changed('prefix_lists merged');
    changed('prefix_lists replaced');
    idempotent('prefix_lists', false);
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
    changed('route_maps merged', [
      'set policy route-map ANSIBLE-RM rule 10 description via-ansible',
      'set policy route-map ANSIBLE-RM rule 10 action permit',
      'set policy route-map ANSIBLE-RM rule 10 set local-preference 200',
      'set policy route-map ANSIBLE-RM rule 10 match ip address prefix-list ANSIBLE-PL',
    ]);
    changed('route_maps replaced', ['set policy route-map ANSIBLE-RM rule 20 action deny']);
    idempotent('route_maps');
    expect(task('route_maps gathered').gathered).toEqual([
      {
        route_map: 'ANSIBLE-RM',
        entries: [
          {
            sequence: 10,
            action: 'permit',
            description: 'via-ansible',
            match: { ip: { address: { list_type: 'prefix-list', value: 'ANSIBLE-PL' } } },
            set: { local_preference: '200' },
          },
          { sequence: 20, action: 'deny' },
        ],
      },
    ]);
    changed('route_maps deleted', ['delete policy route-map ANSIBLE-RM']);
    changed('prefix_lists deleted', ['delete policy prefix-list ANSIBLE-PL']);
  });

  it('vyos_static_routes: merged, again, replaced (zebra installs it), gathered, deleted', () => {
    changed('static_routes merged');
    changed('static_routes replaced', [
      "delete protocols static route 198.51.100.0/24 next-hop '10.3.0.254'",
      "set protocols static route 198.51.100.0/24 next-hop '10.3.0.253'",
    ]);
    idempotent('static_routes');
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

  it('vyos_ospfv2: merged, again, replaced, gathered, deleted', () => {
    changed('ospfv2 merged');
    changed('ospfv2 replaced', ["set protocols ospf parameters router-id '10.3.0.9'"]);
    idempotent('ospfv2');
    expect(task('ospfv2 gathered').gathered).toEqual({
      areas: [{ area_id: '0', network: [{ address: '10.3.0.0/24' }] }],
      parameters: { router_id: '10.3.0.9' },
    });
    changed('ospfv2 deleted', ['delete protocols ospf']);
  });

  it('leaves the router with only what the deletes keep: system-as and the addresses', async () => {
    const resources = task('facts after deleted').ansible_facts![
      'ansible_network_resources'
    ] as Record<string, unknown>;
    expect(resources['bgp_global']).toEqual({ as_number: 65001 });
    for (const r of ['firewall_global', 'ospfv2', 'ospfv3'])
      expect(resources[r] ?? {}, r).toEqual({});
    for (const r of ['firewall_rules', 'route_maps', 'static_routes', 'prefix_lists'])
      expect(resources[r] ?? [], r).toEqual([]);
    const config = await show('show configuration commands');
    expect(config).toContain("set protocols bgp system-as '65001'");
    // `delete protocols static route` leaves an empty `protocols static`, as in test/ansible.test.ts.
    expect(config).not.toMatch(/firewall|ospf|route-map|prefix-list|route |neighbor/);
    expect(JSON.parse(lab.ip('-json', 'route', 'show', '198.51.100.0/24'))).toEqual([]);
  });
});
