/**
 * The firewall and NAT with real packets: a client namespace, the lab router
 * and a server namespace; TCP, UDP and ICMP over IPv4 and IPv6 through
 * FOS1's own nftables tables.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFos } from './helpers/io.js';
import {
  CLIENT4,
  CLIENT6,
  hold,
  makeTopology,
  ping,
  probe,
  ROUTER_INTERFACES,
  ROUTER_LAN4,
  SERVER4,
  SERVER6,
  startServer,
  type Topology,
} from './helpers/traffic.js';

let topo: Topology;
const stops: (() => void)[] = [];

async function fos(script: string): Promise<{ code: number; out: string; err: string }> {
  return runFos([...topo.lab.flags, '-c', script]);
}

/** Replace the firewall and NAT with these lines and commit; fails the test on any error. */
async function commitFirewall(lines: string[]): Promise<string> {
  const running = (await fos('show configuration commands')).out;
  const deletes = ['firewall', 'nat', 'nat66']
    .filter((area) => new RegExp(`^set ${area} `, 'm').test(running))
    .map((area) => `delete ${area}`);
  const r = await fos(['configure', ...deletes, ...lines, 'commit'].join('\n'));
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return r.out;
}

function nftRuleset(ns: string): string {
  // Stateless (-s): counters move with any packet the namespace sees (IPv6 neighbour discovery).
  return spawnSync('ip', ['netns', 'exec', ns, 'nft', '-s', 'list', 'ruleset'], {
    encoding: 'utf8',
  }).stdout;
}

const FORWARD = (f: 4 | 6): string[] => {
  const p = `set firewall ipv${f} forward filter`;
  return [
    `${p} default-action drop`,
    `${p} rule 10 action accept`,
    `${p} rule 10 protocol tcp`,
    `${p} rule 10 destination port 80`,
    `${p} rule 20 action reject`,
    `${p} rule 20 protocol tcp`,
    `${p} rule 20 destination port 81`,
    `${p} rule 30 action accept`,
    `${p} rule 30 protocol udp`,
    `${p} rule 30 destination port 5000`,
    `${p} rule 40 action accept`,
    `${p} rule 40 protocol ${f === 4 ? 'icmp' : 'ipv6-icmp'}`,
  ];
};
const STATE_POLICY = [
  'set firewall global-options state-policy established action accept',
  'set firewall global-options state-policy related action accept',
  'set firewall global-options state-policy invalid action drop',
];

beforeAll(async () => {
  topo = await makeTopology();
  const r = await fos(['configure', ...ROUTER_INTERFACES, 'commit'].join('\n'));
  expect(r.code).toBe(0);
  stops.push(await startServer(topo.server, ['tcp:80,81,82', 'udp:5000,5001']));
  stops.push(await startServer(topo.client, ['tcp:80']));
  // Someone else's table in the router: FOS1 must never touch it.
  spawnSync('ip', ['netns', 'exec', topo.lab.netns, 'nft', 'add table inet other']);
}, 60_000);

afterAll(async () => {
  for (const stop of stops) stop();
  await topo.down();
});

describe('filter chains with real traffic', () => {
  it('forwards without a firewall', async () => {
    expect((await probe(topo.client, 'tcp', SERVER4, 82)).result).toBe('connected');
    expect(ping(topo.client, SERVER6)).toBe(true);
  });

  it('accepts, drops and rejects TCP, UDP and ICMP over IPv4 and IPv6 by rule', async () => {
    await commitFirewall([...FORWARD(4), ...FORWARD(6), ...STATE_POLICY]);
    for (const server of [SERVER4, SERVER6]) {
      const accepted = await probe(topo.client, 'tcp', server, 80);
      expect(accepted.result).toBe('connected');
      expect(accepted.seen).toBe(server === SERVER4 ? CLIENT4 : CLIENT6);
      expect((await probe(topo.client, 'tcp', server, 81)).result).toBe('refused');
      expect((await probe(topo.client, 'tcp', server, 82, 700)).result).toBe('timeout');
      expect((await probe(topo.client, 'udp', server, 5000)).result).toBe('reply');
      expect((await probe(topo.client, 'udp', server, 5001, 700)).result).toBe('timeout');
      expect(ping(topo.client, server)).toBe(true);
    }
  });

  it('needs the state policy to let replies back through a default drop', async () => {
    await commitFirewall([...FORWARD(4), ...FORWARD(6)]);
    // The SYN passes rule 10; the SYN-ACK from port 80 matches no rule and meets the default drop.
    expect((await probe(topo.client, 'tcp', SERVER4, 80, 700)).result).toBe('timeout');
    await commitFirewall([...FORWARD(4), ...FORWARD(6), ...STATE_POLICY]);
    expect((await probe(topo.client, 'tcp', SERVER4, 80)).result).toBe('connected');
  });

  it('counts packets per config rule in show firewall', async () => {
    await probe(topo.client, 'tcp', SERVER4, 80);
    const r = await fos('show firewall | display json');
    const chains = JSON.parse(r.out) as {
      chain: string;
      family: string;
      rules: { rule: string; packets: number | null }[];
    }[];
    const forward = chains.find((c) => c.family === 'ipv4' && c.chain === 'forward filter')!;
    expect(forward.rules.find((x) => x.rule === '10')!.packets).toBeGreaterThan(0);
    expect(forward.rules.find((x) => x.rule === 'default')!.packets).not.toBeNull();
    const text = await fos('show firewall');
    expect(text.out).toMatch(/ipv4 forward filter \(default-action drop\)/);
  });

  it('lets a named chain jumped to from a base chain decide', async () => {
    const chain = 'set firewall ipv4 name WEB';
    await commitFirewall([
      ...STATE_POLICY,
      'set firewall ipv4 forward filter rule 5 action jump',
      'set firewall ipv4 forward filter rule 5 jump-target WEB',
      `${chain} default-action return`,
      `${chain} rule 10 action drop`,
      `${chain} rule 10 protocol tcp`,
      `${chain} rule 10 destination port 80`,
    ]);
    expect((await probe(topo.client, 'tcp', SERVER4, 80, 700)).result).toBe('timeout');
    expect((await probe(topo.client, 'tcp', SERVER4, 82)).result).toBe('connected');
  });

  it('keeps an established TCP connection across a group change that still allows it', async () => {
    const rule = 'set firewall ipv4 forward filter rule 10';
    const base = [
      ...STATE_POLICY,
      'set firewall ipv4 forward filter default-action drop',
      `${rule} action accept`,
      `${rule} protocol tcp`,
      `${rule} destination port 80`,
      `${rule} source group address-group CLIENTS`,
      `set firewall group address-group CLIENTS address ${CLIENT4}`,
    ];
    await commitFirewall(base);
    const connection = await hold(topo.client, SERVER4, 80);
    expect(await connection.echo('before')).toBe('before');
    const r = await fos(
      [
        'configure',
        'set firewall group address-group CLIENTS address 192.0.2.11',
        'commit check',
        'commit',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    // Only an element is added: no table reload.
    expect(r.out).toMatch(/add element inet fos_filter A4_CLIENTS \{ 192\.0\.2\.11 \}/);
    expect(r.out).not.toMatch(/delete table/);
    expect(await connection.echo('after')).toBe('after');
    connection.close();
    // A new connection from a client no longer in the group is dropped.
    await fos(
      [
        'configure',
        `delete firewall group address-group CLIENTS address ${CLIENT4}`,
        'commit',
      ].join('\n'),
    );
    expect((await probe(topo.client, 'tcp', SERVER4, 80, 700)).result).toBe('timeout');
    const groups = await fos('show firewall group CLIENTS');
    expect(groups.out).toMatch(
      /CLIENTS\s+address-group\s+192\.0\.2\.11\s+ipv4 forward filter rule 10/,
    );
  });
});

describe('zones', () => {
  it('allows and denies between zones and to the router itself', async () => {
    const z = 'set firewall zone';
    await commitFirewall([
      `${z} LAN interface eth0`,
      `${z} WAN interface eth1`,
      `${z} LOCAL local-zone`,
      `${z} WAN from LAN firewall name LAN-WAN`,
      `${z} LAN from WAN firewall name WAN-LAN`,
      `${z} LOCAL from LAN firewall name LAN-LOCAL`,
      'set firewall ipv4 name LAN-WAN rule 10 action accept',
      'set firewall ipv4 name LAN-WAN rule 10 protocol tcp',
      'set firewall ipv4 name LAN-WAN rule 10 destination port 80',
      'set firewall ipv4 name LAN-WAN rule 20 action accept',
      'set firewall ipv4 name LAN-WAN rule 20 state established',
      'set firewall ipv4 name WAN-LAN rule 10 action accept',
      'set firewall ipv4 name WAN-LAN rule 10 state established',
      'set firewall ipv4 name WAN-LAN rule 10 state related',
      'set firewall ipv4 name LAN-LOCAL rule 10 action accept',
      'set firewall ipv4 name LAN-LOCAL rule 10 protocol icmp',
      // The router's answers go out through `LAN from LOCAL`.
      `${z} LAN from LOCAL firewall name LOCAL-LAN`,
      'set firewall ipv4 name LOCAL-LAN rule 10 action accept',
      'set firewall ipv4 name LOCAL-LAN rule 10 state established',
      'set firewall ipv4 name LOCAL-LAN rule 10 state related',
    ]);
    expect((await probe(topo.client, 'tcp', SERVER4, 80)).result).toBe('connected');
    expect((await probe(topo.client, 'tcp', SERVER4, 82, 700)).result).toBe('timeout');
    // WAN to LAN: only replies.
    expect((await probe(topo.server, 'tcp', CLIENT4, 80, 700)).result).toBe('timeout');
    // To the router: pings from LAN only.
    expect(ping(topo.client, ROUTER_LAN4)).toBe(true);
    expect(ping(topo.server, '198.51.100.1')).toBe(false);
    // IPv6 has no chain from LAN to WAN: the zone's default action drops it.
    expect((await probe(topo.client, 'tcp', SERVER6, 80, 700)).result).toBe('timeout');
  });
});

describe('NAT', () => {
  it('masquerades and translates to a fixed source address', async () => {
    await commitFirewall([
      'set nat source rule 10 outbound-interface name eth1',
      'set nat source rule 10 translation address masquerade',
    ]);
    expect((await probe(topo.client, 'tcp', SERVER4, 82)).seen).toBe('198.51.100.1');
    const translations = await fos('show nat translations');
    expect(translations.out).toMatch(
      /192\.0\.2\.10:\d+\s+198\.51\.100\.10:82\s+198\.51\.100\.1:\d+/,
    );
    // A fixed address the router owns on the outside.
    const r = await fos(
      [
        'configure',
        "set interfaces ethernet eth1 address '198.51.100.99/24'",
        'set nat source rule 10 translation address 198.51.100.99',
        'commit',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    expect((await probe(topo.client, 'udp', SERVER4, 5000)).seen).toBe('198.51.100.99');
    const rules = await fos('show nat source rules');
    expect(rules.out).toMatch(
      /^10\s+0\.0\.0\.0\/0\s+0\.0\.0\.0\/0\s+all\s+eth1\s+198\.51\.100\.99\s+[1-9]/m,
    );
  });

  it('forwards a port to an inside server with destination NAT', async () => {
    await commitFirewall([
      'set nat destination rule 20 inbound-interface name eth0',
      'set nat destination rule 20 protocol tcp',
      'set nat destination rule 20 destination port 8080',
      `set nat destination rule 20 translation address ${SERVER4}`,
      'set nat destination rule 20 translation port 80',
    ]);
    const r = await probe(topo.client, 'tcp', ROUTER_LAN4, 8080);
    expect(r.result).toBe('connected');
    expect(r.seen).toBe(CLIENT4);
    expect((await fos('show conntrack table')).out).toMatch(
      /192\.0\.2\.1:8080\s+198\.51\.100\.10:80/,
    );
  });
});

describe('the nft backend', () => {
  it('touches only its own tables', () => {
    expect(nftRuleset(topo.lab.netns)).toMatch(/table inet other/);
  });

  it('leaves everything as it was when the nft load fails', async () => {
    await commitFirewall(FORWARD(4));
    const before = nftRuleset(topo.lab.netns);
    const running = (await fos('show configuration commands')).out;
    process.env['FOS_TEST_FAULT'] = 'nft:apply:load';
    let r: Awaited<ReturnType<typeof fos>>;
    try {
      r = await fos(
        [
          'configure',
          'set firewall ipv4 forward filter rule 50 action drop',
          "set interfaces ethernet eth2 description 'x'",
          'commit',
        ].join('\n'),
      );
    } finally {
      delete process.env['FOS_TEST_FAULT'];
    }
    expect(r.code).not.toBe(0);
    expect(r.out + r.err).toMatch(/Commit failed at 'load' of the nft backend/);
    expect(nftRuleset(topo.lab.netns)).toBe(before);
    expect((await fos('show configuration commands')).out).toBe(running);
    expect(topo.lab.ip('-json', 'link', 'show', 'dev', 'eth2')).not.toMatch(/ifalias/);
  });

  it('puts the ruleset and the sysctls back when the sysctl write fails after the load', async () => {
    await commitFirewall(FORWARD(4));
    const before = nftRuleset(topo.lab.netns);
    const sysctl = (): string =>
      spawnSync(
        'ip',
        ['netns', 'exec', topo.lab.netns, 'sysctl', '-n', 'net.ipv4.icmp_echo_ignore_all'],
        {
          encoding: 'utf8',
        },
      ).stdout.trim();
    expect(sysctl()).toBe('0');
    process.env['FOS_TEST_FAULT'] = 'sysctl:apply:write';
    let r: Awaited<ReturnType<typeof fos>>;
    try {
      r = await fos(
        [
          'configure',
          'set firewall ipv4 forward filter rule 50 action drop',
          'set firewall global-options all-ping disable',
          'commit',
        ].join('\n'),
      );
    } finally {
      delete process.env['FOS_TEST_FAULT'];
    }
    expect(r.code).not.toBe(0);
    expect(r.out + r.err).toMatch(/Commit failed at 'write' of the sysctl backend/);
    expect(nftRuleset(topo.lab.netns)).toBe(before);
    expect(sysctl()).toBe('0');
  });

  it('reloads the whole table when its own tables were changed behind its back', async () => {
    await commitFirewall([...FORWARD(4), 'set firewall group address-group G address 192.0.2.50']);
    spawnSync('ip', ['netns', 'exec', topo.lab.netns, 'nft', 'delete table inet fos_filter']);
    const r = await fos(
      ['configure', 'set firewall group address-group G address 192.0.2.51', 'commit'].join('\n'),
    );
    expect(r.code).toBe(0);
    expect(nftRuleset(topo.lab.netns)).toMatch(
      /192\.0\.2\.50, 192\.0\.2\.51|192\.0\.2\.51, 192\.0\.2\.50/,
    );
  });

  it('reports changes made behind its back in show system drift', async () => {
    await commitFirewall([...FORWARD(4), 'set firewall group address-group G address 192.0.2.50']);
    expect((await fos('show system drift')).out).toMatch(/matches the running configuration/);
    const ns = topo.lab.netns;
    spawnSync('ip', [
      'netns',
      'exec',
      ns,
      'nft',
      'delete element inet fos_filter A4_G { 192.0.2.50 }',
    ]);
    spawnSync('ip', ['netns', 'exec', ns, 'nft', 'add rule inet fos_filter ipv4-forward accept']);
    spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.tcp_syncookies=0']);
    const drift = (await fos('show system drift')).out;
    expect(drift).toMatch(/nft set inet fos_filter A4_G has 0 elements, the configuration 1/);
    expect(drift).toMatch(
      /nft chain inet fos_filter ipv4-forward has 6 rules, the configuration 5/,
    );
    expect(drift).toMatch(/sysctl net\.ipv4\.tcp_syncookies is 0, the configuration 1/);
  });

  it('shows the nft transaction in commit check without applying it', async () => {
    const before = nftRuleset(topo.lab.netns);
    const r = await fos(
      [
        'configure',
        'set firewall ipv4 name X description "a \\"quoted\\" name"',
        'set firewall ipv4 name X rule 1 action accept',
        'commit check',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/nft transaction \(checked with nft -c\):/);
    expect(r.out).toMatch(/chain ipv4-X \{/);
    expect(nftRuleset(topo.lab.netns)).toBe(before);
  });

  it('refuses a jump to a chain that does not exist, naming the path', async () => {
    const r = await fos(
      [
        'configure',
        'set firewall ipv4 forward filter rule 60 action jump',
        'set firewall ipv4 forward filter rule 60 jump-target NOPE',
        'commit',
      ].join('\n'),
    );
    expect(r.code).not.toBe(0);
    expect(r.out + r.err).toMatch(
      /\[firewall ipv4 forward filter rule 60 jump-target\] chain 'NOPE' does not exist/,
    );
  });

  it('removes its tables when the firewall is deleted', async () => {
    await commitFirewall([]);
    const ruleset = nftRuleset(topo.lab.netns);
    expect(ruleset).not.toMatch(/fos_filter|fos_nat/);
    expect(ruleset).toMatch(/table inet other/);
  });
});
