/**
 * The operational commands against a real lab: the kernel's links, counters,
 * neighbours and routes; real traffic between the lab and its wire namespace
 * for ping, traceroute and monitor; FOS1's log; and over SSH, ping's exit
 * status, Ctrl-C, `show system users` and `restart ssh`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScript } from '../grammar/index.js';
import { ShellEngine, type CommandResult } from '../src/cli/engine.js';
import { frrAvailable } from '../src/apply/frr.js';
import { routerAccess } from '../src/main.js';
import { schema } from '../src/schema/index.js';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { serve, ssh, SshSession, type Served } from './helpers/serve.js';

let lab: Lab;
const execFileAsync = promisify(execFile);

/** A command in the wire namespace (the far ends of eth0..eth3). */
const wire = (...args: string[]): string =>
  execFileSync('ip', ['netns', 'exec', lab.wire, ...args], { encoding: 'utf8' });
/** FOS1's filter table as nft lists it in the lab (`json`: nft -j). */
const filterTable = (json = false): string =>
  execFileSync(
    'ip',
    [
      'netns',
      'exec',
      lab.netns,
      'nft',
      ...(json ? ['-j'] : []),
      'list',
      'table',
      'inet',
      'fos_filter',
    ],
    { encoding: 'utf8' },
  );

beforeAll(async () => {
  lab = await makeLab();
  const r = await runFos([
    ...lab.flags,
    '-c',
    [
      'configure',
      "set interfaces ethernet eth0 address '192.0.2.1/24'",
      "set interfaces ethernet eth0 description 'to the wire'",
      "set interfaces bridge br0 member interface 'eth2'",
      "set interfaces bridge br0 address '10.9.0.1/24'",
      'set firewall ipv4 input filter rule 10 action accept',
      'set firewall ipv4 input filter rule 10 protocol icmp',
      'set firewall global-options state-policy established action accept',
      'commit',
    ].join('\n'),
  ]);
  expect(r.err).toBe('');
  wire('ip', 'address', 'add', '192.0.2.2/24', 'dev', 'wire0');
  wire('ip', 'address', 'add', '10.9.0.2/24', 'dev', 'wire2');
});
afterAll(async () => lab?.down());

function engine(session = 'opc'): ShellEngine {
  return new ShellEngine(
    schema,
    routerAccess(lab.router(), 'ops', session),
    { read: () => '', write: () => undefined },
    { user: 'ops', session, origin: 'cli', allowSecrets: false },
  );
}

async function run(line: string, live?: (l: string) => void): Promise<CommandResult> {
  const e = engine();
  try {
    return await e.execute(parseScript(line).commands[0]!, live ? { live } : {});
  } finally {
    e.dispose();
  }
}

async function json<T>(line: string): Promise<T> {
  const r = await run(`${line} | display json`);
  expect(r.ok, r.output.join('\n')).toBe(true);
  return JSON.parse(r.output.join('\n')) as T;
}

interface Counters {
  name: string;
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
}

describe('show interfaces', () => {
  it("prints VyOS's S/L codes: admin down is A, a link without carrier D", async () => {
    lab.ip('link', 'set', 'eth1', 'down');
    wire('ip', 'link', 'set', 'wire3', 'down');
    try {
      // The kernel tells a lost carrier within about a second (linkwatch).
      await until(() => lab.ip('link', 'show', 'dev', 'eth3').includes('state DOWN'));
      const text = (await run('show interfaces')).output;
      expect(text[0]).toBe('Codes: S - State, L - Link, u - Up, D - Down, A - Admin Down');
      expect(text).toContain(`${'eth0'.padEnd(16)} ${'192.0.2.1/24'.padEnd(33)} u/u  to the wire`);
      expect(text.find((l) => l.startsWith('eth1 '))).toMatch(/^eth1 +- +A\/D$/);
      expect(text.find((l) => l.startsWith('eth3 '))).toMatch(/^eth3 +- +u\/D$/);
      const data = await json<{ name: string; admin: string; link: string }[]>('show interfaces');
      expect(data.find((l) => l.name === 'eth1')).toMatchObject({ admin: 'down', link: 'down' });
      expect(data.find((l) => l.name === 'eth3')).toMatchObject({ admin: 'up', link: 'down' });
    } finally {
      lab.ip('link', 'set', 'eth1', 'up');
      wire('ip', 'link', 'set', 'wire3', 'up');
    }
  });

  it('counts real traffic, and clear interfaces counters starts from zero', async () => {
    wire('ping', '-c', '5', '-i', '0.2', '-q', '192.0.2.1');
    const [before] = await json<Counters[]>('show interfaces ethernet eth0 counters');
    expect(before!.rxPackets).toBeGreaterThanOrEqual(5);
    expect(before!.txPackets).toBeGreaterThanOrEqual(5);
    expect((await run('clear interfaces counters')).ok).toBe(true);
    const [cleared] = await json<Counters[]>('show interfaces ethernet eth0 counters');
    expect(cleared!.rxPackets).toBeLessThan(3);
    wire('ping', '-c', '4', '-i', '0.2', '-q', '192.0.2.1');
    const detail = await json<{ counters: Counters; lastClear: string }>(
      'show interfaces ethernet eth0',
    );
    expect(detail.counters.rxPackets).toBeGreaterThanOrEqual(4);
    expect(detail.counters.rxPackets).toBeLessThan(before!.rxPackets + 4);
    expect(detail.lastClear).toMatch(/^\d{4}-/);
    // The kernel's own counters went on counting.
    const kernel = JSON.parse(lab.ip('-s', '-json', 'link', 'show', 'dev', 'eth0')) as {
      stats64: { rx: { packets: number } };
    }[];
    expect(kernel[0]!.stats64.rx.packets).toBeGreaterThan(detail.counters.rxPackets);
    const text = (await run('show interfaces ethernet eth0')).output;
    expect(text[0]).toMatch(/^eth0: <.*UP.*> mtu 1500 state UP$/);
    expect(text).toContain('    Description: to the wire');
    expect(
      text.some((l) => /^ {4}RX: +bytes +packets +errors +dropped +overrun +mcast$/.test(l)),
    ).toBe(true);
    expect((await run('show interfaces ethernet eth0 detail')).output).toContain(
      '    Kind: ethernet',
    );
    expect((await run('show interfaces ethernet eth0 brief')).output).toHaveLength(4);
    const missing = await run('show interfaces ethernet eth9');
    expect(missing.ok).toBe(false);
    expect(missing.output[0]).toContain("interface ethernet 'eth9' does not exist");
    // A bridge is not an ethernet interface.
    expect((await run('show interfaces ethernet br0')).ok).toBe(false);
    expect((await json<{ name: string }[]>('show interfaces bridge')).map((l) => l.name)).toEqual([
      'br0',
    ]);
  });

  it('show interfaces detail is not the summary table', async () => {
    const text = (await run('show interfaces detail')).output;
    expect(text[0]).not.toMatch(/^Codes:/);
    expect(text.some((l) => l.startsWith('eth0: <'))).toBe(true);
  });
});

describe('neighbours, bridges and routes', () => {
  it('show arp lists the neighbour real traffic made, with its MAC', async () => {
    wire('ping', '-c', '1', '-q', '192.0.2.1');
    const mac = (
      JSON.parse(wire('ip', '-json', 'link', 'show', 'dev', 'wire0')) as { address: string }[]
    )[0]!.address;
    const arp = await json<{ address: string; interface: string; mac: string }[]>('show arp');
    expect(arp).toContainEqual(
      expect.objectContaining({ address: '192.0.2.2', interface: 'eth0', mac }),
    );
    const text = (await run('show arp')).output;
    expect(text[0]).toMatch(/^Address +Interface +Link layer address +State$/);
    expect(Array.isArray(await json('show ipv6 neighbors'))).toBe(true);
  });

  it('show bridge br0 macs lists the address the bridge learned on eth2; fdb lists all', async () => {
    wire('ping', '-c', '1', '-q', '10.9.0.1');
    const mac = (
      JSON.parse(wire('ip', '-json', 'link', 'show', 'dev', 'wire2')) as { address: string }[]
    )[0]!.address;
    const macs = await json<{ mac: string; interface: string }[]>('show bridge br0 macs');
    expect(macs).toContainEqual(expect.objectContaining({ mac, interface: 'eth2' }));
    const fdb = await json<{ state: string }[]>('show bridge br0 fdb');
    expect(fdb.length).toBeGreaterThan(macs.length);
    expect((await run('show bridge br0 fdb')).output[0]).toMatch(
      /^Interface +Mac address +State +Flags$/,
    );
    const none = await run('show bridge eth0 fdb');
    expect(none.ok).toBe(false);
    expect(none.output[0]).toBe("bridge 'eth0' does not exist in the system");
  });

  it("show ip route is zebra's RIB (the kernel's table without FRR), in zebra's layout and json", async () => {
    type Rib = Record<string, { protocol: string; nexthops: { ip?: string }[] }[]>;
    // With FRR, zebra learns the kernel's route as a kernel route; without, it is read as static.
    const [code, protocol] = frrAvailable() ? ['K', 'kernel'] : ['S', 'static'];
    lab.ip('route', 'add', '198.51.100.0/24', 'via', '192.0.2.2', 'proto', 'static');
    try {
      let rib: Rib = {};
      for (let i = 0; i < 50 && !rib['198.51.100.0/24']; i++) {
        rib = await json<Rib>('show ip route');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(rib['198.51.100.0/24']?.[0]).toMatchObject({
        protocol,
        nexthops: [{ ip: '192.0.2.2', interfaceName: 'eth0' }],
      });
      expect(rib['192.0.2.0/24']?.[0]).toMatchObject({ protocol: 'connected' });
      const text = (await run('show ip route')).output;
      expect(text[0]).toMatch(/^Codes: K - kernel route, C - connected, S - static/);
      // zebra adds each route's age (`, 00:01:02`).
      expect(text).toContainEqual(
        expect.stringMatching(/^C>\* 192\.0\.2\.0\/24 is directly connected, eth0(, [\d:]+)?$/),
      );
      expect(text).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^${code}>\\* 198\\.51\\.100\\.0/24 \\[0/0\\] via 192\\.0\\.2\\.2, eth0(, [\\d:]+)?$`,
          ),
        ),
      );
      expect(Object.keys(await json<Rib>(`show ip route ${protocol}`))).toEqual([
        '198.51.100.0/24',
      ]);
      lab.ip('address', 'add', '2001:db8:9::1/64', 'dev', 'eth0', 'nodad');
      let rib6: Rib = {};
      for (let i = 0; i < 50 && !rib6['2001:db8:9::/64']; i++) {
        rib6 = await json<Rib>('show ipv6 route');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(rib6['2001:db8:9::/64']?.[0]).toMatchObject({ protocol: 'connected' });
    } finally {
      lab.ip('route', 'del', '198.51.100.0/24');
      lab.ip('address', 'flush', 'dev', 'eth0', 'to', '2001:db8:9::/64');
    }
  });
});

describe('the system', () => {
  it("show version is VyOS's layout, as Ansible's vyos collection reads it", async () => {
    const text = (await run('show version')).output.join('\n');
    expect(text).toMatch(/^Version: {10}FOS1 \d+\.\d+\.\d+ \(VyOS 1\.4 syntax\)$/m);
    for (const label of ['Release train', 'Built on', 'System type', 'Hardware vendor', 'Uptime'])
      expect(text).toMatch(new RegExp(`^${label}: +\\S`, 'm'));
    // cliconf/vyos.py's own expressions.
    const version = /Version:\s*(.*)/.exec(text)?.[1];
    expect(version).toMatch(/^FOS1 /);
    // vyos.vyos 6.x: its major version picks the 1.4 templates (>= 1.4), 1.3's otherwise.
    expect(/VyOS\s*(\d+\.\d+)/.exec(version ?? '')?.[1]).toBe('1.4');
    expect(/(?:HW|Hardware) model:\s*(\S+)/.exec(text)?.[1]).toBeTruthy();
  });

  it('uptime, memory, cpu and storage read the host', async () => {
    const up = await json<{ seconds: number }>('show system uptime');
    expect(up.seconds).toBeGreaterThan(0);
    expect((await run('show system uptime')).output[0]).toMatch(/^Uptime: (\d+[wdhms] ?)+$/);
    const memory = await json<{ total: number; used: number }>('show system memory');
    expect(memory.total).toBeGreaterThan(memory.used);
    expect((await run('show system memory')).output[0]).toMatch(/^Total: [\d.]+[KMGT]$/);
    expect((await json<unknown[]>('show system cpu')).length).toBeGreaterThan(0);
    const storage = await json<{ size: number; path: string }>('show system storage');
    expect(storage.path).toBe(lab.state);
    expect(storage.size).toBeGreaterThan(0);
    const login = await json<{ user: string; level: string }[]>('show system login');
    expect(login).toContainEqual(expect.objectContaining({ user: 'fos', level: 'admin' }));
  });

  it('show log has the commits with their times; tail N the newest N', async () => {
    const log = await json<{ kind: string; time: string }[]>('show log');
    expect(log.some((e) => e.kind === 'commit')).toBe(true);
    expect((await json<unknown[]>('show log tail 2')).length).toBe(2);
    expect(
      (await run('show log tail 3')).output.every((l) =>
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /.test(l),
      ),
    ).toBe(true);
  });

  it('show log follow prints an entry written while it runs, and stops on Ctrl-C', async () => {
    const e = engine('follow');
    const lines: string[] = [];
    const done = e.execute(parseScript('show log follow').commands[0]!, {
      live: (l) => lines.push(l),
    });
    await until(() => e.live);
    const r = await runFos([...lab.flags, '-c', 'clear interfaces counters']);
    expect(r.code).toBe(0);
    await until(() => lines.some((l) => l.includes('clear-counters: interfaces')));
    expect(e.interrupt()).toBe(true);
    const result = await done;
    expect(result.ok).toBe(true);
    expect(result.output).toEqual([]);
    expect(e.live).toBe(false);
    e.dispose();
  });
});

async function until(check: () => boolean, timeout = 15_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeout) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ping, traceroute and monitor', () => {
  it('ping streams its lines as they come and ends with its summary', async () => {
    const seen: { line: string; at: number }[] = [];
    const started = Date.now();
    const r = await run('ping 192.0.2.2 count 3', (line) => seen.push({ line, at: Date.now() }));
    expect(r.ok).toBe(true);
    expect(r.output).toEqual([]);
    expect(seen[0]!.line).toMatch(/^PING 192\.0\.2\.2 /);
    expect(seen.filter((s) => /icmp_seq=\d+ ttl=64/.test(s.line))).toHaveLength(3);
    // The first reply came well before the end: the lines were not held back.
    expect(seen.find((s) => s.line.includes('icmp_seq=1'))!.at - started).toBeLessThan(
      seen.at(-1)!.at - started - 1000,
    );
    const data = await json<{ transmitted: number; received: number; status: number }>(
      'ping 192.0.2.2 count 2 size 100',
    );
    expect(data).toMatchObject({ transmitted: 2, received: 2, status: 0 });
  });

  it('a ping nobody answers fails with the exit status ping gives', async () => {
    const r = await run('ping 192.0.2.99 count 1');
    expect(r.ok).toBe(false);
    expect(r.exitCode).toBe(1);
  });

  it('Ctrl-C stops a ping without a count; its summary is still shown', async () => {
    const e = engine('ctrl-c');
    const lines: string[] = [];
    const done = e.execute(parseScript('ping 192.0.2.2 interface eth0').commands[0]!, {
      live: (l) => lines.push(l),
    });
    await until(() => lines.some((l) => l.includes('icmp_seq=2')));
    e.interrupt();
    const r = await done;
    expect(r.ok).toBe(true);
    expect(lines.join('\n')).toMatch(/packets transmitted, \d+ received, 0% packet loss/);
    e.dispose();
  });

  it('refuses a host or value that could be taken for an option', async () => {
    for (const line of [
      'ping -f',
      'ping 192.0.2.2 interface -x',
      'traceroute --help',
      'ping 192.0.2.2 count 0',
    ]) {
      const r = await runFos([...lab.flags, '-c', line]);
      expect(r.code, line).toBe(1);
      expect(r.err, line).toMatch(/is not a valid value/);
    }
    const twice = await runFos([...lab.flags, '-c', 'ping 192.0.2.2 count 1 count 2']);
    expect(twice.err).toContain("unknown word 'count'");
    expect(twice.err).toContain('given already: count');
  });

  it('traceroute reaches the wire', async () => {
    const lines: string[] = [];
    const r = await run('traceroute 192.0.2.2', (l) => lines.push(l));
    expect(r.ok).toBe(true);
    expect(lines[0]).toMatch(/^traceroute to 192\.0\.2\.2/);
    expect(lines.some((l) => /^ 1 +192\.0\.2\.2/.test(l))).toBe(true);
  });

  it('monitor interface eth0 prints a rate a second of real traffic until stopped', async () => {
    const e = engine('monitor');
    const lines: string[] = [];
    const done = e.execute(parseScript('monitor interface eth0 traffic').commands[0]!, {
      live: (l) => lines.push(l),
    });
    // Traffic from the wire while the monitor runs (not execFileSync: the monitor needs the loop).
    const flood = await execFileAsync(
      'ip',
      ['netns', 'exec', lab.wire, 'ping', '-c', '15', '-i', '0.2', '-q', '192.0.2.1'],
      { encoding: 'utf8' },
    );
    expect(flood.stdout).toContain('15 received');
    e.interrupt();
    const r = await done;
    expect(r.ok).toBe(true);
    expect(lines[0]).toBe('Monitoring eth0, a line a second; Ctrl-C or q stops.');
    const samples = lines.slice(2);
    expect(samples.length).toBeGreaterThanOrEqual(2);
    // About five requests a second arrive: some second saw them.
    expect(samples.some((l) => /^\d\d:\d\d:\d\d +\S+ \S+ +[3-9] /.test(l))).toBe(true);
    e.dispose();
  });
});

describe('clearing and resetting tables FOS1 owns', () => {
  it('clear firewall counters starts the rule counters from zero and keeps the rules', async () => {
    const counted = (): number => {
      const items = (
        JSON.parse(filterTable(true)) as {
          nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[];
        }
      ).nftables;
      return items
        .flatMap((i) => i.rule?.expr ?? [])
        .reduce((n, x) => n + (x.counter?.packets ?? 0), 0);
    };
    wire('ping', '-c', '3', '-i', '0.2', '-q', '192.0.2.1');
    expect(counted()).toBeGreaterThan(0);
    const rules = filterTable().replace(/counter packets \d+ bytes \d+/g, 'counter');
    const r = await json<{ chains: string[] }>('clear firewall counters');
    expect(r.chains.length).toBeGreaterThan(0);
    expect(counted()).toBe(0);
    expect(filterTable().replace(/counter packets \d+ bytes \d+/g, 'counter')).toBe(rules);
  });

  it('clear nat translations leaves connections NAT does not translate; reset conntrack empties the table', async () => {
    wire('ping', '-c', '2', '-i', '0.2', '-q', '192.0.2.1');
    const before = (await json<unknown[]>('show conntrack table')).length;
    expect(before).toBeGreaterThan(0);
    expect(await json('clear nat translations')).toEqual({ deleted: 0 });
    expect((await json<unknown[]>('show conntrack table')).length).toBe(before);
    const reset = await json<{ deleted: number }>('reset conntrack');
    expect(reset.deleted).toBe(before);
    expect((await json<unknown[]>('show conntrack table')).length).toBe(0);
  });
});

describe('over SSH', () => {
  let server: Served;
  beforeAll(async () => {
    server = await serve(lab.flags);
  });
  afterAll(async () => server?.stop());

  it("an exec of ping returns ping's exit status, its output streamed on stdout", async () => {
    const good = await ssh(server.port, { password: 'fos', command: 'ping 192.0.2.2 count 2' });
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/2 packets transmitted, 2 received/);
    const bad = await ssh(server.port, { password: 'fos', command: 'ping 192.0.2.99 count 1' });
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/100% packet loss/);
  });

  it('Ctrl-C in an interactive session stops ping and gives the prompt back', async () => {
    const s = new SshSession(server.port, { password: 'fos' });
    try {
      await s.waitFor('fos@fos:~$ ');
      await s.type('ping 192.0.2.2', 'icmp_seq=2');
      const mark = s.output.length;
      s.child.stdin!.write('\x03');
      const after = await s.waitFor(/packet loss[\s\S]*fos@fos:~\$ $/, 15_000, mark);
      expect(after).toMatch(/packets transmitted/);
      // The session is there for the next command.
      await s.type('show system users', /fos \(you\) +127\.0\.0\.1 .* ssh +operational/);
    } finally {
      s.kill();
    }
  });

  it('show system users lists every logged-in session with its mode', async () => {
    const s = new SshSession(server.port, { password: 'fos' });
    try {
      await s.waitFor('fos@fos:~$ ');
      await s.type('configure', 'fos@fos# ');
      const r = await ssh(server.port, {
        password: 'fos',
        command: 'show system users | display json',
      });
      expect(r.code).toBe(0);
      const users = JSON.parse(r.out) as {
        user: string;
        from: string;
        mode: string;
        self?: boolean;
      }[];
      expect(users).toContainEqual(
        expect.objectContaining({ user: 'fos', from: '127.0.0.1', mode: 'configuration' }),
      );
      expect(users.filter((u) => u.self)).toHaveLength(1);
    } finally {
      s.kill();
    }
  });

  it('restart ssh starts the listener again; the session that asked stays', async () => {
    const r = await ssh(server.port, { password: 'fos', command: 'restart ssh; show host name' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/The SSH server was restarted.*\nfos\n$/);
    const again = await ssh(server.port, { password: 'fos', command: 'show log tail 5' });
    expect(again.code).toBe(0);
    expect(again.out).toContain('ssh-restart');
  });
});
