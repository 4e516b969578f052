/**
 * The backend contract: the registry's order as data, the owners a change
 * touches, and, against real namespaces, a fault in every phase of every
 * backend leaving the system and the running configuration as they were.
 * A backend added to the registry joins the fault loop by itself.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyBackend } from '../src/backends/contract.js';
import { FAULT_PHASES, faultyBackends, parseFaults } from '../src/backends/faults.js';
import { BACKENDS, inDependencyOrder } from '../src/backends/registry.js';
import { frrSpace, observeFrr } from '../src/apply/frr.js';
import { describeOutcome } from '../src/commit/outcome.js';
import type { Router } from '../src/commit/router.js';
import { changedOwners, loadSetForm, toSetForm, type ConfigNode } from '../src/config/index.js';
import { OWNERS, schema, type ContainerNode, type SchemaNode } from '../src/schema/index.js';
import { withDefaults } from '../src/verify/index.js';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';

const tree = (lines: string[]): ConfigNode => loadSetForm(lines.join('\n'), schema).tree;

/** A stand-in backend with only a name and dependencies (the order does not call the rest). */
const stub = (name: string, after: string[] = []): AnyBackend =>
  ({ ...BACKENDS[0]!, name, after }) as AnyBackend;

describe('the registry', () => {
  it('keeps every backend after the ones it names in after', () => {
    const position = new Map(BACKENDS.map((b, i) => [b.name, i]));
    for (const b of BACKENDS)
      for (const dep of b.after) expect(position.get(dep)!).toBeLessThan(position.get(b.name)!);
    expect(BACKENDS.map((b) => b.name)).toEqual(['kernel', 'nft', 'sysctl', 'xdp', 'frr', 'pbr']);
  });

  it('orders by dependency, whatever order the list is given in', () => {
    const order = inDependencyOrder([stub('c', ['b']), stub('b', ['a']), stub('a')]);
    expect(order.map((b) => b.name)).toEqual(['a', 'b', 'c']);
  });

  it('rejects a cycle, naming it', () => {
    expect(() => inDependencyOrder([stub('a', ['c']), stub('b', ['a']), stub('c', ['b'])])).toThrow(
      /cycle: a -> c -> b -> a/,
    );
    expect(() => inDependencyOrder([stub('a', ['a'])])).toThrow(/cycle: a -> a/);
  });

  it('rejects an unknown dependency and a name registered twice', () => {
    expect(() => inDependencyOrder([stub('a', ['nope'])])).toThrow(
      /'a' comes after 'nope', which is not a backend/,
    );
    expect(() => inDependencyOrder([stub('a'), stub('a')])).toThrow(/'a' is registered twice/);
  });

  it('has a backend for every owner the schema uses, except the system FOS1 consumes itself', () => {
    const used = new Set<string>();
    const visit = (node: SchemaNode): void => {
      if (node.owner) used.add(node.owner);
      if (node.kind === 'container' || node.kind === 'entry') node.children.forEach(visit);
      if (node.kind === 'tag') visit(node.entry);
    };
    visit(schema);
    for (const owner of used) {
      if (owner === 'system') continue;
      expect(
        BACKENDS.some((b) => b.owns.includes(owner as (typeof OWNERS)[number])),
        owner,
      ).toBe(true);
    }
    for (const b of BACKENDS) for (const o of b.owns) expect(OWNERS).toContain(o);
  });
});

describe('the owners a change touches', () => {
  const base = [
    "set interfaces ethernet eth0 address '192.0.2.1/24'",
    'set firewall ipv4 forward filter rule 10 action accept',
    "set system host-name 'r1'",
  ];
  const owners = (lines: string[], from = base): string[] =>
    [...changedOwners(tree(from), tree(lines), schema as ContainerNode)].sort();

  it('is empty for equal trees', () => {
    expect(owners(base)).toEqual([]);
  });
  it('names only the kernel for an interfaces change', () => {
    expect(owners([...base, 'set interfaces ethernet eth1 disable'])).toEqual(['kernel']);
  });
  it('sees a flag that comes or goes', () => {
    const on = [...base, 'set interfaces ethernet eth0 disable'];
    expect(owners(base, on)).toEqual(['kernel']);
    expect(owners(on, base)).toEqual(['kernel']);
  });
  it('finds an owner nested under another (system conntrack is nft)', () => {
    expect(owners([...base, "set system conntrack table-size '1000'"])).toEqual(['nft']);
    expect(owners([...base.slice(0, 2), "set system host-name 'r2'"])).toEqual(['system']);
  });
  it('names bpf alone for a change under firewall xdp, though firewall is nft', () => {
    const xdp = [...base, 'set firewall xdp interface eth0 drop source address 192.0.2.99'];
    expect(owners(xdp)).toEqual(['bpf']);
    expect(owners([...xdp, 'set firewall xdp interface eth0 disable'], xdp)).toEqual(['bpf']);
  });
  it('runs a backend that reads a changed owner (xdp reads the groups nft owns)', () => {
    const xdp = BACKENDS.find((b) => b.name === 'xdp')!;
    expect(xdp.owns).toEqual(['bpf']);
    expect(xdp.reads).toEqual(expect.arrayContaining(['nft', 'kernel']));
  });
  it('names pbr for a policy route, which the nft backend reads for its marks', () => {
    const pbr = [...base, 'set policy route P rule 10 set mark 7'];
    expect(owners([...pbr, 'set policy route P rule 20 set mark 8'], pbr)).toEqual(['pbr']);
    expect(BACKENDS.find((b) => b.name === 'nft')!.reads).toContain('pbr');
    expect(BACKENDS.find((b) => b.name === 'pbr')!.owns).toEqual(['pbr']);
  });
  it('names every owner of a deleted area', () => {
    const from = [...base, "set system conntrack table-size '1000'"];
    expect(owners(base.slice(0, 2), from)).toEqual(['nft', 'system']);
    expect(owners([], base)).toEqual(['kernel', 'nft', 'system']);
  });
});

describe('the fault switches', () => {
  const names = BACKENDS.map((b) => b.name);
  it('parse a comma list of BACKEND:PHASE[:STEP]', () => {
    expect(parseFaults('X', 'kernel:apply:add addresses, nft:check', names)).toEqual([
      { backend: 'kernel', phase: 'apply', step: 'add addresses' },
      { backend: 'nft', phase: 'check' },
    ]);
  });
  it('refuse an unknown backend, phase or a step outside apply, naming the word', () => {
    expect(() => parseFaults('X', 'nope:apply', names)).toThrow(/'nope' is not a backend/);
    expect(() => parseFaults('X', 'nft:load', names)).toThrow(/'load' is not a phase/);
    expect(() => parseFaults('X', 'nft:check:x', names)).toThrow(/only apply has steps/);
    expect(() => faultyBackends(BACKENDS, { FOS_TEST_PAUSE: 'nft:check' })).toThrow(
      /only BACKEND:apply:STEP can pause/,
    );
  });
  it('leave the backends as they are when the environment asks for nothing', () => {
    expect(faultyBackends(BACKENDS, {})).toBe(BACKENDS);
  });
});

// ------------------------------------------------------------------ live

/** Touches every backend: a link setting and an address, a firewall rule, a sysctl, XDP maps, a route, an ip rule. */
const BASE = [
  'set policy route LAN interface eth1',
  'set policy route LAN rule 10 source group address-group G',
  "set policy route LAN rule 10 set table '100'",
  'set protocols static table 100 route 0.0.0.0/0 blackhole',
  'set firewall xdp interface eth0 drop source group address-group G',
  'set firewall xdp interface eth0 drop source address 2001:db8::99',
  'set firewall xdp interface eth0 rate-limit source protocol udp rate 100',
  'set firewall xdp interface eth0 rate-limit source protocol udp burst 10',
  'set protocols static route 203.0.113.0/24 blackhole',
  "set interfaces ethernet eth0 address '192.0.2.1/24'",
  "set interfaces bridge br0 address '10.0.0.1/24'",
  'set interfaces bridge br0 member interface eth1',
  'set firewall ipv4 forward filter rule 10 action accept',
  'set firewall ipv4 forward filter rule 10 protocol tcp',
  'set firewall group address-group G address 192.0.2.50',
];
const CHANGE = [
  // One ip rule goes (table 100), another comes (table 101).
  "set policy route LAN rule 10 set table '101'",
  'set protocols static table 101 route 0.0.0.0/0 blackhole',
  // The group's new member changes eth0's map in place; eth2 gets a program of its own.
  'set firewall xdp interface eth2 drop source address 10.9.9.9',
  'set firewall xdp interface eth0 rate-limit source protocol udp rate 200',
  'set protocols static route 198.51.100.0/24 blackhole',
  "set protocols bgp system-as '65001'",
  "set protocols bgp neighbor 192.0.2.2 remote-as '65002'",
  "set interfaces ethernet eth2 address '10.2.0.1/24'",
  "set interfaces ethernet eth0 description 'uplink'",
  'set interfaces bridge br1 member interface eth3',
  'set firewall ipv4 forward filter rule 20 action drop',
  'set firewall group address-group G address 192.0.2.51',
  'set firewall global-options all-ping disable',
];
const INTERFACES_ONLY = ["set interfaces ethernet eth2 address '10.2.0.1/24'"];

describe('a fault in any phase of any backend', () => {
  let lab: Lab;
  let router: Router;

  const nftRuleset = (): string =>
    spawnSync('ip', ['netns', 'exec', lab.netns, 'nft', '-s', 'list', 'ruleset'], {
      encoding: 'utf8',
    }).stdout;

  const candidate = (lines: string[]): ConfigNode =>
    loadSetForm(lines.join('\n'), schema, router.running().tree).tree;

  /** Everything the backends see of the system, and what the running configuration is. */
  async function state(): Promise<unknown> {
    const running = router.running();
    const before = withDefaults(running.tree, schema);
    const after = withDefaults(candidate(CHANGE), schema);
    const target = { netns: lab.netns };
    const observed: Record<string, unknown> = {};
    for (const b of BACKENDS)
      observed[b.name] = await b.observe(target, {
        desired: b.render(after),
        applied: b.render(before),
      });
    return {
      observed,
      links: lab.snapshot(),
      nft: nftRuleset(),
      frr: await observeFrr(frrSpace({ netns: lab.netns })),
      running: { id: running.id, text: toSetForm(running.tree, schema) },
      revisions: router.store.list().length,
      journal: router.store.inflightJournal(),
    };
  }

  async function commit(lines: string[], fault: string | undefined, checkOnly = false) {
    const running = router.running();
    if (fault) process.env['FOS_TEST_FAULT'] = fault;
    try {
      return await router.commit({
        candidate: candidate(lines),
        baseId: running.id,
        baseTree: running.tree,
        user: 't',
        origin: 'cli',
        session: 't',
        ...(checkOnly ? { checkOnly } : {}),
      });
    } finally {
      delete process.env['FOS_TEST_FAULT'];
    }
  }

  beforeAll(async () => {
    lab = await makeLab();
    const r = await runFos([...lab.flags, '-c', ['configure', ...BASE, 'commit'].join('\n')]);
    expect(r.code, r.err).toBe(0);
    router = lab.router();
  });
  afterAll(async () => lab.down());

  const prepare = FAULT_PHASES.filter((p) =>
    ['render', 'observe', 'plan', 'check', 'journal'].includes(p),
  );
  const cases = BACKENDS.flatMap((b) => [
    ...prepare.map((phase) => [b.name, phase] as const),
    [b.name, 'apply'] as const,
  ]);

  it.each(cases)('%s:%s leaves the system and running as they were', async (backend, phase) => {
    const before = await state();
    const outcome = await commit(CHANGE, `${backend}:${phase}`);
    if (phase === 'apply') {
      expect(outcome).toMatchObject({ kind: 'apply-failed', backend, step: 'apply' });
      expect(describeOutcome(outcome)[0]).toBe(
        `Commit failed at 'apply' of the ${backend} backend: injected fault (FOS_TEST_FAULT)`,
      );
    } else {
      expect(outcome).toMatchObject({
        kind: 'check-failed',
        problems: [
          { kind: 'failed', backend, phase, message: expect.stringMatching(/injected fault/) },
        ],
      });
      expect(describeOutcome(outcome).join('\n')).toContain(
        `the ${backend} backend failed to ${phase}: injected fault`,
      );
    }
    expect(await state()).toEqual(before);
  });

  it('a failed restore is reported as inconsistent, keeps the journal, and converge heals it', async () => {
    const before = await state();
    // The last backend fails; the first restore (its own) works, the next one (nft) does not.
    const last = BACKENDS[BACKENDS.length - 1]!.name;
    const outcome = await commit(CHANGE, `${last}:apply,nft:restore`);
    expect(outcome).toMatchObject({ kind: 'inconsistent', backend: last, step: 'apply' });
    expect(describeOutcome(outcome)[0]).toBe(
      `COMMIT FAILED AND THE RESTORE FAILED TOO at 'apply' of the ${last} backend: injected fault (FOS_TEST_FAULT)`,
    );
    expect(outcome.kind === 'inconsistent' && outcome.problems.join('\n')).toMatch(
      /^nft: injected fault/m,
    );
    expect(router.store.inflightJournal()).toMatchObject({ kernel: expect.any(Array), nft: true });
    expect(nftRuleset()).not.toBe((before as { nft: string }).nft);
    await router.converge();
    expect(router.store.inflightJournal()).toBeUndefined();
    expect(await state()).toEqual(before);
  });

  it('a backend that fails to converge says so, the others still converge, and the journal stays', async () => {
    const before = await state();
    lab.ip('address', 'del', '192.0.2.1/24', 'dev', 'eth0');
    router.store.setInflight({ kernel: [] });
    process.env['FOS_TEST_FAULT'] = 'nft:converge';
    let lines: string[];
    try {
      lines = await router.converge();
    } finally {
      delete process.env['FOS_TEST_FAULT'];
    }
    expect(lines).toContain(
      '# the nft backend failed to converge: injected fault (FOS_TEST_FAULT)',
    );
    expect(lines).toContain(`ip -n ${lab.netns} address add 192.0.2.1/24 dev eth0`);
    expect(router.store.inflightJournal()).toEqual({ kernel: [] });
    expect(await router.converge()).not.toContainEqual(expect.stringMatching(/failed/));
    expect(await state()).toEqual(before);
  });

  it('a change only to interfaces does not render, observe, plan or check nft or the sysctls', async () => {
    const untouched = BACKENDS.filter(
      (b) => !b.owns.includes('kernel') && !b.reads?.includes('kernel'),
    ).map((b) => b.name);
    expect(untouched.length).toBeGreaterThan(0);
    const faults = untouched
      .flatMap((name) => prepare.map((phase) => `${name}:${phase}`))
      .join(',');
    // The same faults fire for a change that does touch them.
    const firewall = await commit(
      ['set firewall ipv4 forward filter rule 30 action drop'],
      faults,
      true,
    );
    expect(firewall.kind).toBe('check-failed');
    const check = await commit(INTERFACES_ONLY, faults, true);
    expect(check.kind).toBe('checked');
    expect(check.kind === 'checked' && check.plan.join('\n')).not.toMatch(/nft|sysctl/);
    const outcome = await commit(INTERFACES_ONLY, faults);
    expect(outcome.kind).toBe('committed');
  });
});
