import { describe, expect, it } from 'vitest';
import {
  EMPTY_TREE,
  TreeEditor,
  applyComment,
  applyDelete,
  applySet,
  describeEditError,
  diffCommands,
  diffCurly,
  getNode,
  loadCurly,
  loadSetForm,
  naturalCompare,
  sortedChildren,
  editTree,
  toCurly,
  toJson,
  toSetForm,
  treesEqual,
  type ConfigNode,
} from '../src/config/index.js';
import { frrText, renderFrr } from '../src/render/frr.js';
import { schema } from '../src/schema/index.js';
import { verify, withDefaults } from '../src/verify/index.js';
import { randomTree } from './helpers/generate.js';
import { corpusFiles } from './helpers/paths.js';

function load(text: string): ConfigNode {
  const { tree, report } = loadSetForm(text, schema);
  expect(report.invalid).toEqual([]);
  return tree;
}

function edit(
  base: ConfigNode,
  verb: 'set' | 'delete' | 'comment',
  line: string,
): { tree: ConfigNode; error?: string } {
  const editor = new TreeEditor(base);
  const words = line.split(' ');
  const apply = verb === 'set' ? applySet : verb === 'delete' ? applyDelete : applyComment;
  const result = apply(editor, schema, words);
  const tree = editor.finish();
  return result.ok ? { tree } : { tree, error: describeEditError(result.error) };
}

describe('set, delete and comment', () => {
  it('adds to a multi-leaf and replaces a leaf', () => {
    let t = edit(EMPTY_TREE, 'set', 'interfaces ethernet eth0 address 192.0.2.1/24').tree;
    t = edit(t, 'set', 'interfaces ethernet eth0 address 2001:db8::1/64').tree;
    t = edit(t, 'set', 'interfaces ethernet eth0 address 192.0.2.1/24').tree;
    t = edit(t, 'set', 'interfaces ethernet eth0 mtu 1500').tree;
    t = edit(t, 'set', 'interfaces ethernet eth0 mtu 9000').tree;
    expect(getNode(t, ['interfaces', 'ethernet', 'eth0', 'address'])!.values).toEqual([
      '192.0.2.1/24',
      '2001:db8::1/64',
    ]);
    expect(getNode(t, ['interfaces', 'ethernet', 'eth0', 'mtu'])!.values).toEqual(['9000']);
  });

  it('never changes the tree it started from', () => {
    const before = load(
      "set system host-name 'r1'\nset interfaces ethernet eth0 address '192.0.2.1/24'\n",
    );
    const text = toSetForm(before, schema);
    const after = edit(before, 'delete', 'interfaces ethernet eth0').tree;
    expect(toSetForm(before, schema)).toBe(text);
    expect(getNode(after, ['interfaces', 'ethernet'])).toBeUndefined();
    // untouched subtrees are shared, not copied
    expect(after.children.get('system')).toBe(before.children.get('system'));
  });

  it('deletes one value, a subtree, and a tag node left empty', () => {
    let t = load(
      "set interfaces ethernet eth0 address '192.0.2.1/24'\nset interfaces ethernet eth0 address '192.0.2.2/24'\nset interfaces ethernet eth0 disable\n",
    );
    t = edit(t, 'delete', 'interfaces ethernet eth0 address 192.0.2.1/24').tree;
    expect(getNode(t, ['interfaces', 'ethernet', 'eth0', 'address'])!.values).toEqual([
      '192.0.2.2/24',
    ]);
    t = edit(t, 'delete', 'interfaces ethernet eth0 address 192.0.2.2/24').tree;
    expect(getNode(t, ['interfaces', 'ethernet', 'eth0', 'address'])).toBeUndefined();
    t = edit(t, 'delete', 'interfaces ethernet eth0').tree;
    expect(getNode(t, ['interfaces', 'ethernet'])).toBeUndefined();
    // `interfaces` only groups lists, so left empty it goes too.
    expect(getNode(t, ['interfaces'])).toBeUndefined();
  });

  it('keeps an emptied container that has settings of its own, and drops one that only groups', () => {
    let t = load(
      'set policy prefix-list PL rule 10 action permit\nset protocols static route 10.1.0.0/16 blackhole distance 5\n',
    );
    t = edit(t, 'delete', 'policy prefix-list PL').tree;
    expect(getNode(t, ['policy'])).toBeUndefined();
    t = edit(t, 'delete', 'protocols static route 10.1.0.0/16 blackhole distance').tree;
    // An empty `blackhole` is a setting (a blackhole route), so it stays.
    expect(getNode(t, ['protocols', 'static', 'route', '10.1.0.0/16', 'blackhole'])).toBeDefined();
    t = edit(t, 'delete', 'protocols static route 10.1.0.0/16').tree;
    // `protocols static` has a setting of its own (route-map), so it stays empty.
    expect(getNode(t, ['protocols', 'static'])).toBeDefined();
  });

  it('does not prune the edit level, or what is above it, from under the session', () => {
    const t = load('set policy prefix-list PL rule 10 action permit\n');
    const editor = new TreeEditor(t);
    // At `edit policy`, the last list goes: `policy` stays, so `show` there is empty, not an error.
    expect(applyDelete(editor, schema, ['prefix-list', 'PL'], ['policy']).ok).toBe(true);
    const after = editor.finish();
    expect(getNode(after, ['policy'])).toBeDefined();
    expect(getNode(after, ['policy', 'prefix-list'])).toBeUndefined();
    // From the top, the same delete takes `policy` with it.
    expect(getNode(edit(t, 'delete', 'policy prefix-list PL').tree, ['policy'])).toBeUndefined();
  });

  it('keeps an emptied container whose presence is a setting (ospf md5 is message-digest on)', () => {
    const md5 = ['protocols', 'ospf', 'interface', 'eth0', 'authentication', 'md5'];
    let t = load(
      "set protocols ospf interface eth0 authentication md5 key-id 1 md5-key 'k1'\nset protocols ospf interface eth0 area 0\n",
    );
    t = edit(t, 'delete', 'protocols ospf interface eth0 authentication md5 key-id 1').tree;
    // Deleting the last key must not turn message-digest authentication off.
    expect(getNode(t, md5)).toBeDefined();
    expect(frrText(renderFrr(t).ospfd)).toContain('ip ospf authentication message-digest');
  });

  it.each([
    [
      'set',
      'interfaces ethernat eth0',
      /unknown word 'ethernat' under 'interfaces' \(did you mean 'ethernet'\?\); expected one of: .*bridge, dummy, ethernet/,
    ],
    [
      'set',
      'interfaces ethernet eth0 address 300.1.1.1/24',
      /'300.1.1.1\/24' is not a valid value for 'interfaces ethernet eth0 address'; expected <x.x.x.x\/x>/,
    ],
    [
      'set',
      'interfaces ethernet eth0 mtu',
      /'interfaces ethernet eth0 mtu' needs a value: <68-16000>/,
    ],
    ['set', 'interfaces ethernet', /'interfaces ethernet' needs a name: <ethN>/],
    ['set', 'interfaces ethernet br0', /'br0' is not a valid value for 'interfaces ethernet'/],
    ['set', 'interfaces ethernet eth0 disable yes', /takes no value, found 'yes'/],
    [
      'set',
      'system host-name r1 extra',
      /unexpected 'extra' after the value of 'system host-name'/,
    ],
    ['set', 'interfaces ethernet eth0 mac 01:00:5e:00:00:01', /multicast MAC/],
    [
      'set',
      'qos policy shaper WAN bandwidth 10mbit',
      /'qos' is not supported: QoS is not implemented yet/,
    ],
    [
      'set',
      'interfaces wireguard wg0 mirror ingress eth1',
      /'interfaces wireguard wg0 mirror' is not supported: port mirroring/,
    ],
    [
      'set',
      'interfaces ethernet eth0 vrf eth1',
      /'eth1' is not a valid value for 'interfaces ethernet eth0 vrf'/,
    ],
    [
      'delete',
      'interfaces ethernet eth0',
      /nothing to delete: 'interfaces ethernet eth0' is not configured/,
    ],
    ['comment', 'interfaces ethernet eth0 hello', /'interfaces ethernet eth0' is not configured/],
  ])('%s %s fails clearly', (verb, line, message) => {
    const result = edit(EMPTY_TREE, verb as 'set', line);
    expect(result.error).toMatch(message);
    expect(treesEqual(result.tree, EMPTY_TREE)).toBe(true);
  });

  it('refuses a description that would inject a line', () => {
    const editor = new TreeEditor();
    const r = applySet(editor, schema, [
      'interfaces',
      'ethernet',
      'eth0',
      'description',
      'x\nset system host-name evil',
    ]);
    expect(r.ok).toBe(false);
  });
});

describe('canonical order', () => {
  it('keeps the order of large nodes through edits, as a sort gives it', () => {
    // Large nodes keep their order and copies patch it: after every edit the
    // children come out as a fresh sort orders them, mid-edit included.
    const plain = (n: ConfigNode) => [...n.children.keys()].sort(naturalCompare);
    const keys = (n: ConfigNode) => sortedChildren(n).map(([k]) => k);
    let seed = 7;
    const rnd = (m: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % m;
    };
    const route = () => `10.${rnd(40)}.${rnd(250)}.0/24`;
    let tree = editTree(EMPTY_TREE, (e) => {
      for (let i = 0; i < 300; i++) e.ensure(['route', route()]);
    });
    const list = (t: ConfigNode) => getNode(t, ['route'])!;
    expect(keys(list(tree))).toEqual(plain(list(tree)));
    for (let round = 0; round < 60; round++) {
      const before = tree;
      const beforeKeys = keys(list(before));
      const editor = new TreeEditor(tree);
      const edits = round % 7 === 0 ? 100 : 1 + rnd(4);
      for (let i = 0; i < edits; i++) {
        if (rnd(3) === 0) {
          const names = [...list(editor.tree).children.keys()];
          editor.remove(['route', names[rnd(names.length)]!]);
        } else editor.ensure(['route', route(), 'next-hop', `192.0.2.${rnd(250)}`]);
        // Read while the editor still changes the node: never kept as if it were final.
        expect(keys(list(editor.tree))).toEqual(plain(list(editor.tree)));
      }
      tree = editor.finish();
      expect(keys(list(tree))).toEqual(plain(list(tree)));
      // Each entry is the node's own child, and the old tree keeps its order.
      for (const [k, c] of sortedChildren(list(tree))) expect(c).toBe(list(tree).children.get(k));
      expect(keys(list(before))).toEqual(beforeKeys);
    }
  });

  it('sorts tag values naturally', () => {
    expect(['eth10', 'eth2', 'eth1', 'br0', 'eth2.10', 'eth2.9'].sort(naturalCompare)).toEqual([
      'br0',
      'eth1',
      'eth2',
      'eth2.9',
      'eth2.10',
      'eth10',
    ]);
    expect(['10', '5', '100', '7'].sort(naturalCompare)).toEqual(['5', '7', '10', '100']);
  });

  it('orders numbers alone as it orders them after a word', () => {
    const numbers = ['0', '7', '007', '07', '10', '9', '100', '0100', '65535', '4294967296'];
    for (const a of numbers)
      for (const b of numbers)
        expect(Math.sign(naturalCompare(a, b)), `${a} ${b}`).toBe(
          Math.sign(naturalCompare(`x${a}`, `x${b}`)),
        );
  });

  it('orders as the runs of split(/(\\d+)/) order, read in place', () => {
    // The order as it was defined: runs of digits (as numbers, then by length) and of
    // other characters (as strings), the one with fewer runs first when they agree.
    const byRuns = (a: string, b: string): number => {
      if (a === b) return 0;
      const pa = a.split(/(\d+)/);
      const pb = b.split(/(\d+)/);
      for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
        const x = pa[i]!;
        const y = pb[i]!;
        if (x === y) continue;
        if (i % 2 === 0) return x < y ? -1 : 1;
        const d =
          x.length === y.length ? (x < y ? -1 : 1) : Number(x) - Number(y) || x.length - y.length;
        return d < 0 ? -1 : 1;
      }
      return pa.length - pb.length || (a < b ? -1 : 1);
    };
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const alphabet = [
      '0',
      '1',
      '9',
      '00',
      '10',
      '.',
      '/',
      ':',
      '-',
      ' ',
      'a',
      'eth',
      'Z',
      '~',
      'é',
    ];
    const word = (): string =>
      Array.from({ length: random(6) }, () => alphabet[random(alphabet.length)]).join('');
    const words = [
      ...Array.from({ length: 400 }, word),
      '10.0.0.0/8',
      '10.0.0.0/24',
      '9.255.0.0/16',
    ];
    const differ: string[] = [];
    for (const a of words)
      for (const b of words)
        if (Math.sign(naturalCompare(a, b)) !== Math.sign(byRuns(a, b)))
          differ.push(`'${a}' '${b}'`);
    expect(differ).toEqual([]);
    expect(words.length).toBe(403);
  });

  it('prints the same text whatever order the lines came in', () => {
    const a = load(
      "set interfaces ethernet eth10 mtu '1500'\nset interfaces ethernet eth2 mtu '1500'\nset system host-name 'r1'\n",
    );
    const b = load(
      "set system host-name 'r1'\nset interfaces ethernet eth2 mtu '1500'\nset interfaces ethernet eth10 mtu '1500'\n",
    );
    expect(toCurly(a, schema)).toBe(toCurly(b, schema));
    expect(toSetForm(a, schema).split('\n')[0]).toBe("set interfaces ethernet eth2 mtu '1500'");
  });
});

const SAMPLE = `set interfaces ethernet eth0 address '192.0.2.1/24'
set interfaces ethernet eth0 description 'it\\'s the "uplink"'
set interfaces ethernet eth0 disable
set interfaces loopback lo
set system name-server '192.0.2.53'
set system name-server '2001:db8::53'
comment interfaces ethernet eth0 'circuit 42'
`;

describe('serialising', () => {
  it('writes set form', () => {
    expect(toSetForm(load(SAMPLE), schema)).toBe(SAMPLE);
  });

  it('writes curly form with comments', () => {
    expect(toCurly(load(SAMPLE), schema)).toBe(`interfaces {
    /* circuit 42 */
    ethernet eth0 {
        address 192.0.2.1/24
        description "it's the \\"uplink\\""
        disable
    }
    loopback lo {
    }
}
system {
    name-server 192.0.2.53
    name-server 2001:db8::53
}
`);
  });

  it('writes JSON as VyOS does', () => {
    expect(JSON.parse(toJson(load(SAMPLE), schema))).toEqual({
      interfaces: {
        ethernet: {
          eth0: { address: ['192.0.2.1/24'], description: 'it\'s the "uplink"', disable: {} },
        },
        loopback: { lo: {} },
      },
      system: { 'name-server': ['192.0.2.53', '2001:db8::53'] },
    });
  });
});

describe('round trip: parse(serialise(tree)) equals tree', () => {
  const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
  it.each(seeds)('generated tree, seed %i', (seed) => {
    const tree = randomTree(schema, { seed, paths: 60, commentRate: 0.2 });
    const viaSet = loadSetForm(toSetForm(tree, schema), schema);
    expect(viaSet.report.invalid).toEqual([]);
    expect(treesEqual(viaSet.tree, tree)).toBe(true);
    const viaCurly = loadCurly(toCurly(tree, schema), schema);
    expect(viaCurly.report.invalid).toEqual([]);
    expect(treesEqual(viaCurly.tree, tree)).toBe(true);
  });

  it.each(corpusFiles('set').map((f) => [f.name, f]))('corpus %s (supported areas)', (_, file) => {
    const { tree, report } = loadSetForm(file.text, schema);
    expect(report.invalid).toEqual([]);
    const setText = toSetForm(tree, schema);
    expect(treesEqual(loadSetForm(setText, schema).tree, tree)).toBe(true);
    expect(treesEqual(loadCurly(toCurly(tree, schema), schema).tree, tree)).toBe(true);
    // every supported line of the file is in the serialised form
    for (const line of setText.split('\n').filter(Boolean)) expect(file.text).toContain(line);
  });
});

describe('diff', () => {
  const running = load(SAMPLE);
  const candidate = load(
    SAMPLE.replace('set interfaces ethernet eth0 disable\n', '')
      .replace("'192.0.2.53'", "'192.0.2.54'")
      .concat("set interfaces ethernet eth1 mtu '9000'\n"),
  );

  it('prints delete and set commands', () => {
    expect(diffCommands(running, candidate, schema)).toEqual([
      'delete interfaces ethernet eth0 disable',
      'delete system name-server',
      "set interfaces ethernet eth1 mtu '9000'",
      "set system name-server '192.0.2.54'",
      "set system name-server '2001:db8::53'",
    ]);
  });

  it('prints the curly form with + and - markers', () => {
    expect(diffCurly(running, candidate, schema)).toBe(`  interfaces {
      ethernet eth0 {
-         disable
      }
+     ethernet eth1 {
+         mtu 9000
+     }
  }
  system {
-     name-server 192.0.2.53
+     name-server 192.0.2.54
  }
`);
  });

  it('is empty for equal trees', () => {
    expect(diffCommands(running, load(SAMPLE), schema)).toEqual([]);
    expect(diffCurly(running, load(SAMPLE), schema)).toBe('');
  });

  it.each(Array.from({ length: 25 }, (_, i) => i + 100))(
    'applying the diff commands gives the candidate (seed %i)',
    (seed) => {
      const a = randomTree(schema, { seed, paths: 40, commentRate: 0.1 });
      const b = randomTree(schema, { seed: seed * 7, paths: 40, commentRate: 0.1 });
      const script = diffCommands(a, b, schema).join('\n');
      const { tree, report } = loadSetForm(script, schema, a);
      expect(report.invalid).toEqual([]);
      expect(treesEqual(tree, b)).toBe(true);
    },
  );
});

describe('defaults and verify', () => {
  it('fills defaults only where the parent exists', () => {
    const t = withDefaults(
      load(
        "set interfaces vxlan vxlan1 vni '10'\nset interfaces vxlan vxlan1 remote '192.0.2.9'\n",
      ),
      schema,
    );
    expect(getNode(t, ['interfaces', 'vxlan', 'vxlan1', 'port'])!.values).toEqual(['8472']);
    expect(getNode(t, ['interfaces', 'vxlan', 'vxlan1', 'mtu'])!.values).toEqual(['1450']);
    expect(getNode(t, ['interfaces', 'bridge'])).toBeUndefined();
  });

  it.each([
    ["set interfaces vxlan vxlan1 remote '192.0.2.9'", 'interfaces vxlan vxlan1', /needs a 'vni'/],
    ["set interfaces vxlan vxlan1 vni '1'", 'interfaces vxlan vxlan1', /needs 'remote', 'group'/],
    [
      "set interfaces vxlan vxlan1 vni '1'\nset interfaces vxlan vxlan1 source-address '192.0.2.1'\nset interfaces vxlan vxlan1 remote '2001:db8::2'",
      'interfaces vxlan vxlan1 remote',
      /mixes IPv4 and IPv6/,
    ],
    [
      'set interfaces bridge br0 member interface eth1\nset interfaces bridge br1 member interface eth1',
      'interfaces bridge br1 member interface eth1',
      /already a member of bridge br0/,
    ],
    [
      'set interfaces bridge br0 member interface vxlan9',
      'interfaces bridge br0 member interface vxlan9',
      /not a configured interface/,
    ],
    [
      "set interfaces bridge br0 member interface eth1\nset interfaces ethernet eth1 address '192.0.2.1/24'",
      'interfaces ethernet eth1 address',
      /member of bridge br0 and cannot have addresses/,
    ],
    [
      "set interfaces ethernet eth1 address '192.0.2.1/24'\nset interfaces ethernet eth2 address '192.0.2.1/25'",
      'interfaces ethernet eth2 address',
      /already assigned to eth1/,
    ],
    [
      "set system login user ops authentication public-keys k1 type 'ssh-ed25519'",
      'system login user ops authentication public-keys k1',
      /'.* key' must be set/,
    ],
  ])('%s', (text, path, message) => {
    const issues = verify(load(text), schema);
    expect(issues.map((i) => i.path.join(' '))).toContain(path);
    expect(issues.map((i) => i.message).join('\n')).toMatch(message);
  });

  it('accepts every corpus file', () => {
    for (const file of corpusFiles('set')) {
      expect(verify(loadSetForm(file.text, schema).tree, schema), file.name).toEqual([]);
    }
  });
});
