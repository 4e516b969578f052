/**
 * The commit engine against the real kernel, in throwaway lab namespaces:
 * apply, idempotence, drift, ownership, failure at every step, commit
 * confirmed, rollback, and a process killed in the middle of a commit.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSetForm } from '../src/config/index.js';
import { schema } from '../src/schema/index.js';
import { Store } from '../src/store/store.js';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { FEATURE_NAMES, kernelFeatures } from '../src/apply/kernel-features.js';
import type { KernelFeature } from '../src/render/kernel-plan.js';
import { repoRoot } from './helpers/paths.js';

const BASE = [
  "set interfaces ethernet eth0 address '192.0.2.1/24'",
  "set interfaces ethernet eth0 address '2001:db8::1/64'",
  "set interfaces ethernet eth0 description 'uplink'",
  "set interfaces bridge br0 address '10.0.0.1/24'",
  'set interfaces bridge br0 member interface eth1',
  'set interfaces bridge br0 member interface vxlan10',
  "set interfaces vxlan vxlan10 vni '10'",
  "set interfaces vxlan vxlan10 remote '192.0.2.9'",
  "set interfaces vxlan vxlan10 source-address '192.0.2.1'",
  "set interfaces loopback lo address '198.51.100.1/32'",
];

async function fos(lab: Lab, script: string): Promise<{ code: number; out: string; err: string }> {
  return runFos([...lab.flags, '-c', script]);
}

async function configure(
  lab: Lab,
  lines: string[],
  commit = 'commit',
): Promise<{ code: number; out: string; err: string }> {
  return fos(lab, ['configure', ...lines, commit].join('\n'));
}

function addresses(lab: Lab, dev: string): string[] {
  const [link] = JSON.parse(lab.ip('-json', 'address', 'show', 'dev', dev)) as {
    addr_info: { local: string; prefixlen: number; scope: string }[];
  }[];
  return link!.addr_info
    .filter((a) => a.scope !== 'link')
    .map((a) => `${a.local}/${a.prefixlen}`)
    .sort();
}

describe('commit against the kernel', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await makeLab();
  });
  afterAll(async () => lab.down());

  it('applies a configuration for real', async () => {
    const r = await configure(lab, BASE, 'commit comment "first"');
    expect(r.err).toBe('');
    expect(r.out).toMatch(/Committed revision 2 \(rollback 0; revision 1 is now rollback 1\)\./);
    expect(addresses(lab, 'eth0')).toEqual(['192.0.2.1/24', '2001:db8::1/64']);
    expect(addresses(lab, 'br0')).toEqual(['10.0.0.1/24']);
    expect(addresses(lab, 'lo')).toEqual(['127.0.0.1/8', '198.51.100.1/32', '::1/128']);
    const [vx] = JSON.parse(lab.ip('-json', '-details', 'link', 'show', 'dev', 'vxlan10'));
    expect(vx).toMatchObject({
      master: 'br0',
      mtu: 1450,
      linkinfo: {
        info_kind: 'vxlan',
        info_data: { id: 10, remote: '192.0.2.9', local: '192.0.2.1', port: 8472 },
      },
    });
    const [eth0] = JSON.parse(lab.ip('-json', 'link', 'show', 'dev', 'eth0'));
    expect(eth0.ifalias).toBe('uplink');
    const [eth1] = JSON.parse(lab.ip('-json', 'link', 'show', 'dev', 'eth1'));
    expect(eth1.master).toBe('br0');
  });

  it('is idempotent: the same config again changes nothing and records nothing', async () => {
    const before = lab.snapshot();
    const r = await fos(lab, 'configure; commit');
    expect(r).toMatchObject({ code: 0, out: 'No configuration changes to commit.\n' });
    expect(lab.snapshot()).toEqual(before);
    expect((await fos(lab, 'show system commit | count')).out).toBe('Count: 4 lines\n');
  });

  it('reports drift without changing it, and the next commit corrects it', async () => {
    lab.ip('address', 'add', '192.0.2.77/24', 'dev', 'eth0');
    lab.ip('address', 'del', '10.0.0.1/24', 'dev', 'br0');
    const drift = await fos(lab, 'show system drift');
    expect(drift.out).toContain(`ip -n ${lab.netns} address del 192.0.2.77/24 dev eth0`);
    expect(drift.out).toContain(`ip -n ${lab.netns} address add 10.0.0.1/24 dev br0`);
    expect(addresses(lab, 'eth0')).toContain('192.0.2.77/24');
    await configure(lab, ["set interfaces ethernet eth0 mtu '1400'"]);
    expect(addresses(lab, 'eth0')).toEqual(['192.0.2.1/24', '2001:db8::1/64']);
    expect(addresses(lab, 'br0')).toEqual(['10.0.0.1/24']);
    expect((await fos(lab, 'show system drift')).out).toBe(
      'The system matches the running configuration.\n',
    );
  });

  it('touches only what the config names', async () => {
    lab.ip('address', 'add', '203.0.113.3/24', 'dev', 'eth3');
    lab.ip('link', 'add', 'br9', 'type', 'bridge');
    await configure(lab, [
      "set interfaces ethernet eth2 description 'spare'",
      'delete interfaces ethernet eth0 mtu',
    ]);
    expect(addresses(lab, 'eth3')).toEqual(['203.0.113.3/24']);
    expect(JSON.parse(lab.ip('-json', 'link', 'show', 'dev', 'br9'))).toHaveLength(1);
    // Taking a port out of the config releases what FOS1 set on it, and a deleted bridge goes.
    await configure(lab, [
      'delete interfaces ethernet eth2',
      'delete interfaces bridge br0',
      'delete interfaces vxlan',
    ]);
    const [eth2] = JSON.parse(lab.ip('-json', 'link', 'show', 'dev', 'eth2'));
    expect(eth2.ifalias).toBeUndefined();
    expect(lab.ip('-json', 'link', 'show', 'type', 'bridge')).toContain('br9');
    expect(lab.ip('-json', 'link', 'show', 'type', 'bridge')).not.toContain('"br0"');
    expect(lab.ip('-json', 'link', 'show', 'type', 'vxlan')).toBe('[]\n');
    await configure(lab, BASE);
  });

  it('commit check prints the plan and changes nothing', async () => {
    const before = lab.snapshot();
    const r = await configure(
      lab,
      [
        'set interfaces bridge br5 member interface eth2',
        "set interfaces bridge br5 address '10.5.0.1/24'",
      ],
      'commit check',
    );
    expect(r.out).toContain(`ip -n ${lab.netns} link add name br5 type bridge`);
    expect(r.out).toContain(`ip -n ${lab.netns} address add 10.5.0.1/24 dev br5`);
    expect(r.out).toContain('Configuration check succeeded.');
    expect(lab.snapshot()).toEqual(before);
  });

  it('refuses an invalid candidate with the path, and a missing port before touching anything', async () => {
    const before = lab.snapshot();
    const invalid = await configure(lab, ["set interfaces vxlan vxlan20 remote '192.0.2.8'"]);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toContain("[interfaces vxlan vxlan20] vxlan vxlan20 needs a 'vni'");
    const missing = await configure(lab, ["set interfaces ethernet eth7 address '192.0.2.70/24'"]);
    expect(missing.err).toContain(`interface eth7 does not exist in namespace ${lab.netns}`);
    expect(lab.snapshot()).toEqual(before);
  });

  const CHANGE = [
    'delete interfaces bridge br0 member interface vxlan10',
    "set interfaces vxlan vxlan10 vni '11'",
    "set interfaces vxlan vxlan10 remote '192.0.2.10'",
    'set interfaces bridge br1 member interface eth2',
    'set interfaces bridge br1 member interface vxlan10',
    "set interfaces bridge br1 address '10.1.0.1/24'",
    "delete interfaces ethernet eth0 address '2001:db8::1/64'",
    "set interfaces ethernet eth0 address '192.0.2.2/24'",
    "set interfaces ethernet eth0 mtu '1450'",
    'set interfaces ethernet eth3 disable',
  ];

  it.each([
    'remove links',
    'create links',
    'link settings',
    'flood entries',
    'remove addresses',
    'add addresses',
    'link state',
  ])(
    'a failure in step "%s" restores the namespace and keeps the running revision',
    async (step) => {
      const before = lab.snapshot();
      const revisions = (await fos(lab, 'show system commit | count')).out;
      process.env['FOS_TEST_FAULT'] = `kernel:apply:${step}`;
      try {
        const r = await configure(lab, CHANGE);
        expect(r.code).toBe(1);
        expect(r.err).toContain(`Commit failed at '${step}' of the kernel backend`);
        expect(r.err).toContain('Every change already made was undone');
      } finally {
        delete process.env['FOS_TEST_FAULT'];
      }
      expect(lab.snapshot()).toEqual(before);
      expect((await fos(lab, 'show system commit | count')).out).toBe(revisions);
    },
  );

  it('the same change commits once the fault is gone', async () => {
    const r = await configure(lab, CHANGE);
    expect(r.code).toBe(0);
    expect(
      JSON.parse(lab.ip('-json', '-details', 'link', 'show', 'dev', 'vxlan10'))[0],
    ).toMatchObject({ master: 'br1', linkinfo: { info_data: { id: 11 } } });
  });

  it('rollback N loads an older revision, compare shows it, commit applies it', async () => {
    const compare = await fos(lab, 'configure; rollback 1; compare');
    expect(compare.out).toContain('-     bridge br1 {');
    expect(compare.out).toContain('+         address 2001:db8::1/64');
    const diff = await fos(lab, 'show system commit diff 0');
    expect(diff.out).toContain('+     bridge br1 {');
    await fos(lab, 'configure; rollback 1; commit comment "back"');
    expect(addresses(lab, 'eth0')).toEqual(['192.0.2.1/24', '2001:db8::1/64']);
    expect(lab.ip('-json', 'link', 'show', 'type', 'bridge')).not.toContain('"br1"');
    const list = await fos(lab, 'show system commit | display json');
    expect(JSON.parse(list.out)[0]).toMatchObject({ number: 0, comment: 'back', origin: 'batch' });
  });

  it('save, load and merge in both forms', async () => {
    const set = join(lab.state, 'saved.set');
    const curly = join(lab.state, 'saved.boot');
    await fos(lab, `configure; save ${set}; save ${curly}`);
    const running = (await fos(lab, 'show configuration commands')).out;
    const viaLoad = await fos(
      lab,
      `configure; delete interfaces; load ${curly}; show | display set`,
    );
    expect(
      viaLoad.out
        .split('\n')
        .filter((l) => l.startsWith('set '))
        .join('\n'),
    ).toBe(running.trim());
    const merged = await fos(
      lab,
      `configure; delete interfaces ethernet eth0 description; merge ${set}; compare`,
    );
    expect(merged.out).toContain('No changes.');
  });
});

describe('commit confirmed', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await makeLab();
    await configure(lab, BASE);
  });
  afterAll(async () => lab.down());

  it('reverts by itself when nobody confirms, even after the committing batch exited', async () => {
    process.env['FOS_TEST_MINUTE_MS'] = '1500';
    const r = await fos(
      lab,
      "configure; set interfaces ethernet eth2 address '10.2.0.1/24'; commit confirmed 1",
    );
    // The minute is read when the module loads; in this process it is the real one,
    // so the detached watcher (a new process) applies the short minute.
    delete process.env['FOS_TEST_MINUTE_MS'];
    expect(r.out).toMatch(/is rolled back in 1 minute, to revision \d+, unless confirmed/);
    expect(addresses(lab, 'eth2')).toEqual(['10.2.0.1/24']);
    const store = new Store(lab.state);
    const pending = store.pending()!;
    store.close();
    expect(pending).toBeDefined();
    // Shorten the wait the watcher sees: it re-reads the deadline from the store.
    const s2 = new Store(lab.state);
    s2.setPending({ ...pending, deadline: Date.now() + 1500 });
    s2.close();
    await expect.poll(() => addresses(lab, 'eth2'), { timeout: 15_000, interval: 250 }).toEqual([]);
    const list = JSON.parse((await fos(lab, 'show system commit | display json')).out);
    expect(list[0]).toMatchObject({ origin: 'confirm-timeout' });
  });

  it('confirm keeps the change', async () => {
    await fos(
      lab,
      "configure; set interfaces ethernet eth2 address '10.2.0.1/24'; commit confirmed 5",
    );
    const confirmed = await fos(lab, 'configure; confirm');
    expect(confirmed.out).toContain('Commit confirmed.');
    const store = new Store(lab.state);
    expect(store.pending()).toBeUndefined();
    store.close();
    expect(addresses(lab, 'eth2')).toEqual(['10.2.0.1/24']);
  });

  it('a start-up after the deadline reverts at once, and re-issuing extends the deadline', async () => {
    const router = lab.router();
    const running = router.running();
    const candidate = loadSetForm(
      `${(await fos(lab, 'show configuration commands | display secrets')).out}set interfaces ethernet eth3 address '10.3.0.1/24'\n`,
      schema,
    ).tree;
    const first = await router.commit({
      candidate,
      baseId: running.id,
      baseTree: running.tree,
      user: 't',
      origin: 'cli',
      session: 't',
      confirmMinutes: 1,
    });
    expect(first.kind).toBe('committed');
    const deadline1 = router.store.pending()!.deadline;
    const again = router.running();
    const second = await router.commit({
      candidate: again.tree,
      baseId: again.id,
      baseTree: again.tree,
      user: 't',
      origin: 'cli',
      session: 't',
      confirmMinutes: 2,
    });
    expect(second.kind).toBe('no-changes');
    expect(addresses(lab, 'eth3')).toEqual(['10.3.0.1/24']);
    const store = router.store;
    const pending = store.pending()!;
    expect(pending.restoreId).toBe(running.id);
    expect(deadline1).toBeGreaterThan(Date.now());
    store.setPending({ ...pending, deadline: Date.now() - 1 });
    // Any process that opens the store now reverts first.
    const r = await fos(lab, 'show system commit | count');
    expect(r.err).toMatch(/commit confirmed was not confirmed in time/);
    expect(addresses(lab, 'eth3')).toEqual([]);
  });
});

describe('a process killed in the middle of a commit', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await makeLab();
    await configure(lab, BASE);
  });
  afterAll(async () => lab.down());

  it('leaves a consistent store, and the next start converges the namespace to the newest revision', async () => {
    const before = lab.snapshot();
    const lines = [
      'configure',
      ...Array.from(
        { length: 40 },
        (_, i) => `set interfaces bridge br${100 + i} address '10.${100 + i}.0.1/24'`,
      ),
      "set interfaces ethernet eth0 address '192.0.2.3/24'",
      'commit',
    ];
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin', 'fos.js'), ...lab.flags, '-c', lines.join('; ')],
      {
        env: { ...process.env, FOS_TEST_PAUSE: 'kernel:apply:add addresses' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await expect
      .poll(() => stderr, { timeout: 15_000, interval: 50 })
      .toContain("paused before 'add addresses' of the kernel backend");
    expect(JSON.parse(lab.ip('-json', 'link', 'show', 'type', 'bridge')).length).toBeGreaterThan(1);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const store = new Store(lab.state);
    expect(store.inflightJournal()?.['kernel']).toEqual(expect.arrayContaining(['br100', 'eth0']));
    store.close();
    const r = await fos(lab, 'show system drift');
    expect(r.err).toMatch(/an interrupted commit was undone/);
    expect(r.out).toBe('The system matches the running configuration.\n');
    expect(lab.snapshot()).toEqual(before);
  });
});

describe('areas this kernel may lack', () => {
  const CASES: readonly {
    feature: KernelFeature;
    lines: string[];
    path: string;
    link: string;
    address: string;
  }[] = [
    {
      feature: '802.1q',
      lines: ["set interfaces ethernet eth1 vif 10 address '198.51.100.1/24'"],
      path: 'interfaces ethernet eth1 vif 10',
      link: 'eth1.10',
      address: '198.51.100.1/24',
    },
    {
      feature: '802.1ad',
      lines: ["set interfaces ethernet eth1 vif-s 20 address '198.51.100.17/28'"],
      path: 'interfaces ethernet eth1 vif-s 20',
      link: 'eth1.20',
      address: '198.51.100.17/28',
    },
    {
      feature: 'bonding',
      lines: [
        "set interfaces bonding bond0 member interface 'eth2'",
        "set interfaces bonding bond0 address '198.51.100.33/28'",
      ],
      path: 'interfaces bonding bond0',
      link: 'bond0',
      address: '198.51.100.33/28',
    },
    {
      feature: 'vrf',
      lines: [
        "set vrf name red table '100'",
        "set interfaces ethernet eth3 vrf 'red'",
        "set interfaces ethernet eth3 address '198.51.100.49/28'",
      ],
      path: 'vrf name red',
      link: 'eth3',
      address: '198.51.100.49/28',
    },
    {
      feature: 'wireguard',
      lines: [
        "set interfaces wireguard wg0 private-key 'aGx+fvW916Ej7QRnBbW3QMoldhNv1u95/WHz45zDmF0='",
        "set interfaces wireguard wg0 address '198.51.100.65/28'",
      ],
      path: 'interfaces wireguard wg0',
      link: 'wg0',
      address: '198.51.100.65/28',
    },
    {
      feature: 'dummy',
      lines: ["set interfaces dummy dum0 address '192.0.2.254/32'"],
      path: 'interfaces dummy dum0',
      link: 'dum0',
      address: '192.0.2.254/32',
    },
  ];
  const features = new Map<KernelFeature, boolean>();
  beforeAll(async () => {
    for (const [f, ok] of await kernelFeatures()) features.set(f, ok);
  });

  for (const c of CASES) {
    const reason = FEATURE_NAMES[c.feature];
    it(`${c.feature}: applies where the kernel has it, else the commit is refused at its check naming ${c.path}`, async (ctx) => {
      const lab = await makeLab();
      try {
        const before = lab.snapshot();
        const r = await configure(lab, c.lines);
        if (features.get(c.feature)) {
          expect(r.code, r.err).toBe(0);
          expect(addresses(lab, c.link)).toEqual([c.address]);
          return;
        }
        expect(r.code).toBe(1);
        expect(r.err).toContain('Commit failed before anything was changed');
        expect(r.err).toContain(`${c.path}: this kernel has no ${reason}`);
        expect(lab.snapshot()).toEqual(before);
        ctx.annotate(`this kernel has no ${reason}: refused at the check step`);
      } finally {
        await lab.down();
      }
    });
  }

  it('commit check says so too, without touching anything', async () => {
    const lab = await makeLab();
    try {
      const r = await fos(
        lab,
        "configure; set interfaces ethernet eth1 vif 10 address '198.51.100.1/24'; commit check",
      );
      if (features.get('802.1q')) expect(r.code).toBe(0);
      else {
        expect(r.code).toBe(1);
        expect(r.err + r.out).toContain(
          'interfaces ethernet eth1 vif 10: this kernel has no 802.1Q VLAN support',
        );
      }
    } finally {
      await lab.down();
    }
  });
});

describe('one commit at a time per store', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await makeLab();
    await configure(lab, BASE);
  });
  afterAll(async () => lab.down());

  it('a second committer waits, then is refused with who holds the lock', async () => {
    const first = spawn(
      process.execPath,
      [
        join(repoRoot, 'bin', 'fos.js'),
        ...lab.flags,
        '--user',
        'alice',
        '-c',
        "configure; set interfaces ethernet eth2 address '10.2.0.1/24'; commit",
      ],
      {
        env: { ...process.env, FOS_TEST_PAUSE: 'kernel:apply:add addresses' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    first.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await expect.poll(() => stderr, { timeout: 15_000, interval: 50 }).toContain('paused');
    const second = spawn(
      process.execPath,
      [
        join(repoRoot, 'bin', 'fos.js'),
        ...lab.flags,
        '--user',
        'bob',
        '-c',
        "configure; set interfaces ethernet eth3 address '10.3.0.1/24'; commit",
      ],
      {
        env: { ...process.env, FOS_TEST_LOCK_WAIT_MS: '500' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let refused = '';
    second.stderr.on('data', (d: Buffer) => (refused += d.toString()));
    const code = await new Promise((resolve) => second.on('exit', resolve));
    first.kill('SIGKILL');
    await new Promise((resolve) => first.on('exit', resolve));
    expect(code).toBe(1);
    expect(refused).toMatch(
      /Commit refused: another commit is in progress \(user alice, process \d+/,
    );
    expect(addresses(lab, 'eth3')).toEqual([]);
    // The next start puts back what the killed commit had begun.
    await fos(lab, 'show system drift');
    expect(addresses(lab, 'eth2')).toEqual([]);
  });
});

describe('start-up', () => {
  it('fos shell makes the namespace match the newest revision before the first prompt', async () => {
    const lab = await makeLab();
    try {
      await configure(lab, BASE);
      lab.ip('address', 'del', '192.0.2.1/24', 'dev', 'eth0');
      lab.ip('link', 'del', 'br0');
      const r = spawnSync(
        process.execPath,
        [join(repoRoot, 'bin', 'fos.js'), ...lab.flags, 'shell'],
        { input: 'show system drift\n', encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('The system matches the running configuration.\n');
      expect(addresses(lab, 'eth0')).toEqual(['192.0.2.1/24', '2001:db8::1/64']);
      expect(addresses(lab, 'br0')).toEqual(['10.0.0.1/24']);
    } finally {
      await lab.down();
    }
  });
});

describe('settings kept but not applied yet', () => {
  it('a commit says which ones it recorded without applying', async () => {
    const lab = await makeLab();
    try {
      const r = await configure(lab, [
        'set interfaces ethernet eth0 offload gro',
        "set interfaces ethernet eth1 speed '1000'",
        "set system time-zone 'Europe/Berlin'",
        "set interfaces ethernet eth0 mtu '1400'",
      ]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(
        /Warning: recorded but not applied \(link speed, duplex, offloads and ring buffers \(ethtool\) are not applied yet\): interfaces ethernet eth0 offload, interfaces ethernet eth1 speed/,
      );
      expect(r.out).toMatch(
        /Warning: recorded but not applied \(name resolution and the time zone .*\): system time-zone/,
      );
      // The same settings again are not news.
      const again = await configure(lab, ["set interfaces ethernet eth0 mtu '1500'"]);
      expect(again.out).not.toContain('recorded but not applied');
    } finally {
      await lab.down();
    }
  });
});

describe('a VXLAN with several remotes', () => {
  it('floods to each through the forwarding database, and follows changes', async () => {
    const lab = await makeLab();
    const flood = (): string[] =>
      (
        JSON.parse(
          execFileSync('bridge', ['-n', lab.netns, '-json', 'fdb', 'show', 'dev', 'vxlan7'], {
            encoding: 'utf8',
          }),
        ) as { mac: string; dst?: string }[]
      )
        .filter((e) => e.mac === '00:00:00:00:00:00' && e.dst)
        .map((e) => e.dst!)
        .sort();
    try {
      const base = [
        "set interfaces vxlan vxlan7 vni '7'",
        "set interfaces vxlan vxlan7 source-address '192.0.2.1'",
      ];
      const r = await configure(lab, [
        ...base,
        "set interfaces vxlan vxlan7 remote '192.0.2.21'",
        "set interfaces vxlan vxlan7 remote '192.0.2.22'",
        "set interfaces vxlan vxlan7 remote '192.0.2.23'",
      ]);
      expect(r.code, r.err).toBe(0);
      expect(flood()).toEqual(['192.0.2.21', '192.0.2.22', '192.0.2.23']);
      await configure(lab, ["delete interfaces vxlan vxlan7 remote '192.0.2.23'"]);
      expect(flood()).toEqual(['192.0.2.21', '192.0.2.22']);
      expect((await fos(lab, 'show system drift')).out).toBe(
        'The system matches the running configuration.\n',
      );
      // Back to one remote: the link's own remote, no flood entries of ours.
      await configure(lab, ["delete interfaces vxlan vxlan7 remote '192.0.2.22'"]);
      expect(
        JSON.parse(lab.ip('-json', '-details', 'link', 'show', 'dev', 'vxlan7'))[0].linkinfo
          .info_data.remote,
      ).toBe('192.0.2.21');
      expect((await fos(lab, 'show system drift')).out).toBe(
        'The system matches the running configuration.\n',
      );
    } finally {
      await lab.down();
    }
  });
});
