/** The shell engine through `fos -c`, on a real store and lab: table-driven. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';

let lab: Lab;
beforeAll(async () => {
  lab = await makeLab();
  const r = await runFos([
    ...(lab?.flags ?? []),
    '-c',
    "configure; set interfaces ethernet eth0 address '192.0.2.1/24'; set interfaces ethernet eth0 description 'up'; set interfaces ethernet eth1 mtu 1400; commit",
  ]);
  expect(r.code).toBe(0);
});
afterAll(async () => lab.down());

const cases: [string, string, RegExp | string, number?][] = [
  ['show configuration', 'show configuration', /ethernet eth0 \{\n {8}address 192.0.2.1\/24/],
  [
    'show configuration commands',
    'show configuration commands | match eth0',
    "set interfaces ethernet eth0 address '192.0.2.1/24'\nset interfaces ethernet eth0 description 'up'\n",
  ],
  [
    'pipes: except and count',
    'show configuration commands | except eth0 | count',
    /^Count: \d+ lines\n$/,
  ],
  ['show configuration json', 'show configuration json | match mtu', '        "mtu": "1400"\n'],
  [
    'secrets are hidden by default',
    'show configuration commands | match password',
    "set system login user fos authentication encrypted-password '********'\n",
  ],
  [
    'edit and show at a level',
    'configure; edit interfaces ethernet eth0; show',
    'address 192.0.2.1/24\ndescription up\n',
  ],
  [
    'set at a level, then compare',
    'configure; edit interfaces ethernet eth0; set mtu 9000; top; compare',
    '  interfaces {\n      ethernet eth0 {\n+         mtu 9000\n      }\n  }\n',
  ],
  [
    'up leaves a tag entry',
    'configure; edit interfaces ethernet eth0; up; show | display set | count',
    /^Count: [3-9] lines\n$/,
  ],
  [
    'show | display json at a leaf',
    'configure; show interfaces ethernet eth0 address | display json',
    '[\n  "192.0.2.1/24"\n]\n',
  ],
  [
    'exit refuses with changes',
    "configure; set system host-name 'x1'; exit",
    'Cannot exit: configuration modified',
    1,
  ],
  [
    'exit discard',
    "configure; set system host-name 'x1'; exit discard; show configuration | match host-name",
    '    host-name fos\n',
  ],
  [
    'discard',
    "configure; set system host-name 'x1'; discard; compare",
    'Changes discarded.\nNo changes.\n',
  ],
  ['unknown command', 'frobnicate', "unknown command 'frobnicate'", 1],
  [
    'unknown word in a path',
    'configure; set interfaces ethernat eth0',
    "unknown word 'ethernat' under 'interfaces'",
    1,
  ],
  ['unknown pipe display', 'show configuration | display xml', "unknown display format 'xml'", 1],
  [
    'bad value names the word',
    'configure; set interfaces ethernet eth0 mtu 99999',
    "'99999' is not a valid value for 'interfaces ethernet eth0 mtu'; expected <68-16000>",
    1,
  ],
  [
    'run an operational command',
    'configure; run show system commit | count',
    /^Count: \d+ lines\n$/,
  ],
  [
    'commit and-quit leaves configuration mode',
    "configure; set system domain-name 'q.example'; commit and-quit; show host name",
    /Committed revision \d+ \(rollback 0; revision \d+ is now rollback 1\)\.\nfos\n/,
  ],
  [
    'compare N M between revisions',
    "configure; set system domain-name 'r.example'; commit; compare 1 0",
    '-     domain-name q.example\n+     domain-name r.example',
  ],
  [
    'help COMMAND prints the reference entry of the command',
    'help show system commit diff',
    'show system commit diff <N>\n  System information: What revision N changed\n    <N>  Revision number (0 is running) (TAB: revisions)\n',
  ],
  [
    'help PATH prints the schema entry, with its values and default',
    'configure; help set interfaces ethernet eth0 mtu',
    'interfaces ethernet eth0 mtu (leaf)\n  Maximum Transmission Unit (MTU)\n  Values:\n    <68-16000>  Maximum Transmission Unit in byte\n  Default: 1500\n',
  ],
  ['help lists the commands', 'configure; help', /^Configuration commands:\n {2}annotate/],
  [
    'prefixes of keywords, in both modes and in pipes',
    'sho conf comm | mat eth1; conf; se int eth eth1 desc abc; sh int eth eth1 | disp set',
    "set interfaces ethernet eth1 mtu '1400'\nset interfaces ethernet eth1 description 'abc'\nset interfaces ethernet eth1 mtu '1400'\n",
  ],
  [
    'what a prefix set is stored in full words',
    'configure; se int eth eth1 desc abc; comp',
    '+         description abc',
  ],
  [
    'an ambiguous prefix lists the candidates',
    'configure; co',
    "ambiguous command 'co': it begins comment, commit, compare, confirm, copy",
    1,
  ],
  [
    'an ambiguous path word lists the candidates',
    'configure; set interfaces ethernet eth0 dis',
    "ambiguous word 'dis' under",
    1,
  ],
  [
    'a word two edits from a keyword is suggested (configuration mode)',
    "configure; set interfaces ethernet eth0 adress '192.0.2.7/24'",
    "unknown word 'adress' under 'interfaces ethernet eth0' (did you mean 'address'?)",
    1,
  ],
  [
    'a word two edits from a keyword is suggested (operational mode)',
    'show configuraton',
    "unknown word 'configuraton' after 'show' (did you mean 'configuration'?)",
    1,
  ],
  [
    'comment shows in curly form',
    "configure; comment interfaces ethernet eth0 'circuit 7'; show interfaces",
    /\/\* circuit 7 \*\/\nethernet eth0 \{/,
  ],
];

describe('shell engine commands', () => {
  it.each(cases)('%s', async (_, script, expected, code = 0) => {
    const r = await runFos([...lab.flags, '-c', script]);
    expect(r.code, r.err).toBe(code);
    const text = code === 0 ? r.out : r.err;
    if (typeof expected === 'string') expect(text).toContain(expected);
    else expect(text).toMatch(expected);
  });

  it('stops at the first error and runs nothing after it', async () => {
    const r = await runFos([
      ...lab.flags,
      '-c',
      "configure; set bogus; set system host-name 'never'; commit",
    ]);
    expect(r.code).toBe(1);
    expect(
      (await runFos([...lab.flags, '-c', 'show configuration | match host-name'])).out,
    ).toContain('host-name fos\n');
  });
});

describe('copy, rename, update and configure exclusive', () => {
  it('rename and copy a tag entry', async () => {
    const r = await runFos([
      ...lab.flags,
      '-c',
      "configure; set interfaces bridge br0 address '10.0.0.1/24'; set interfaces bridge br0 stp; rename interfaces bridge br0 to br1; copy interfaces bridge br1 to br2; delete interfaces bridge br2 address; show interfaces | display set",
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("set interfaces bridge br1 address '10.0.0.1/24'");
    expect(r.out).toContain('set interfaces bridge br2 stp');
    expect(r.out).not.toContain('br0');
  });

  it("copy and rename as VyOS spells them, the list's word again: copy rule 20 to rule 30", async () => {
    const r = await runFos([
      ...lab.flags,
      '-c',
      [
        'configure',
        "set firewall ipv4 name WAN-IN rule 20 action 'accept'",
        "set firewall ipv4 name WAN-IN rule 20 protocol 'tcp'",
        'edit firewall ipv4 name WAN-IN',
        'copy rule 20 to rule 30',
        'rename rule 20 to rule 15',
        'top',
        'show firewall | display set',
      ].join('; '),
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("set firewall ipv4 name WAN-IN rule 30 protocol 'tcp'");
    expect(r.out).toContain("set firewall ipv4 name WAN-IN rule 15 protocol 'tcp'");
    expect(r.out).not.toContain('rule 20');
    // Another word there is not the list's: refused with the usage.
    const wrong = await runFos([
      ...lab.flags,
      '-c',
      "configure; set firewall ipv4 name WAN-IN rule 20 action 'accept'; copy firewall ipv4 name WAN-IN rule 20 to name 30",
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('usage: copy PATH-TO-ENTRY to [LIST] NEW-NAME');
  });

  it('rename rewrites what named the entry, and says where', async () => {
    const r = await runFos([
      ...lab.flags,
      '-c',
      [
        'configure',
        "set firewall ipv4 name WAN-IN default-action 'drop'",
        "set firewall ipv4 forward filter rule 5 action 'jump'",
        "set firewall ipv4 forward filter rule 5 jump-target 'WAN-IN'",
        'rename firewall ipv4 name WAN-IN to OUTSIDE',
        'show firewall | display set',
        'commit check',
      ].join('; '),
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Renamed it in 1 reference:');
    expect(r.out).toContain('  firewall ipv4 forward filter rule 5 jump-target');
    expect(r.out).toContain("set firewall ipv4 forward filter rule 5 jump-target 'OUTSIDE'");
    expect(r.out).not.toContain('WAN-IN');
  });

  it('rename of a BGP peer-group: its neighbors follow, and verify sees the new name', async () => {
    const r = await runFos([
      ...lab.flags,
      '-c',
      [
        'configure',
        "set protocols bgp system-as '65001'",
        "set protocols bgp peer-group PE remote-as 'internal'",
        "set protocols bgp neighbor 192.0.2.2 peer-group 'PE'",
        'rename protocols bgp peer-group PE to CORE',
        'show protocols bgp | display set',
        'commit check',
      ].join('; '),
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("set protocols bgp neighbor 192.0.2.2 peer-group 'CORE'");
    expect(r.out).not.toMatch(/'PE'/);
  });

  it.each([
    ['configure; rename interfaces bridge br9 to br1', "'interfaces bridge br9' is not configured"],
    [
      'configure; set interfaces bridge br0 stp; rename interfaces bridge br0 to eth0',
      "'eth0' is not a valid value for 'interfaces bridge'",
    ],
    [
      'configure; set interfaces bridge br0 stp; set interfaces bridge br1 stp; copy interfaces bridge br0 to br1',
      "'interfaces bridge br1' already exists",
    ],
    ['configure; rename interfaces ethernet eth0 address to x', 'is not an entry of a named list'],
  ])('%s fails clearly', async (script, message) => {
    const r = await runFos([...lab.flags, '-c', script]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
  });

  it('configure exclusive locks out other committers until exit', async () => {
    const router = lab.router();
    expect(router.takeExclusive('other-session', 'alice')).toEqual({ ok: true });
    try {
      const refused = await runFos([
        ...lab.flags,
        '-c',
        "configure; set system domain-name 'x.example'; commit",
      ]);
      expect(refused.code).toBe(1);
      expect(refused.err).toContain('user alice holds the configuration exclusively');
      const cannot = await runFos([...lab.flags, '-c', 'configure exclusive']);
      expect(cannot.err).toContain('Configuration is locked by user alice');
    } finally {
      router.releaseExclusive('other-session');
    }
    const ok = await runFos([
      ...lab.flags,
      '-c',
      "configure exclusive; set system domain-name 'x.example'; commit; exit",
    ]);
    expect(ok.code, ok.err).toBe(0);
    expect(router.store.exclusiveHolder()).toBeUndefined();
  });
});

describe('the audit log', () => {
  it('keeps every configuration command, without secret values', async () => {
    await runFos([
      ...lab.flags,
      '-c',
      "configure; edit system; set login user aud authentication plaintext-password 'hunter2'; discard; set bogus",
    ]);
    const store = lab.router().store;
    const log = store.auditLog(20).map((e) => `${e.kind} ${e.text} ${e.outcome}`);
    expect(log).toContain(
      'set [edit system] set login user aud authentication plaintext-password ******** ok',
    );
    expect(log.some((l) => l.startsWith('set [edit system] set bogus error: unknown word'))).toBe(
      true,
    );
    expect(log).toContain('discard [edit system] discard ok');
    expect(log.join('\n')).not.toContain('hunter2');
  });
});

describe('the target namespace', () => {
  it('a missing one is named, with how to make it', async () => {
    const r = await runFos([
      '--netns',
      'fos-no-such-ns',
      '--state',
      lab.state,
      '-c',
      'show interfaces',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "fos: namespace fos-no-such-ns does not exist; create the lab with 'fos lab up fos-no-such-ns', or name another with --netns\n",
    );
  });
});
