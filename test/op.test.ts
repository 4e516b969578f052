/**
 * The operational command tree (src/op): dispatch, TAB and `?`, `| display
 * json` and the word errors all come from the one declaration of each
 * command; the generated reference matches it.
 */
import { opHelp } from '../src/cli/help.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScript } from '../grammar/index.js';
import { completeLine, formatHelp } from '../src/cli/complete.js';
import { ShellEngine } from '../src/cli/engine.js';
import { activeTree, loadSetForm, redactSecrets } from '../src/config/index.js';
import { routerAccess } from '../src/main.js';
import {
  argName,
  buildOpTree,
  checkOpTree,
  command,
  completeOp,
  CompletionValues,
  describeOpError,
  keywordsAt,
  OP_AREAS,
  opSystem,
  opTree,
  referenceSource,
  resolveOp,
  visibleCommands,
  type OpArgs,
  type OpCommand,
  type OpContext,
  type OpSystem,
  type OpWordError,
} from '../src/op/index.js';
import { renderOpReference } from '../src/op/reference.js';
import { schema, simple } from '../src/schema/index.js';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';
import { repoRoot } from './helpers/paths.js';

function errorOf(words: string, mode: 'operational' | 'configuration' = 'operational') {
  const m = resolveOp(opTree, words.split(' '), mode);
  expect(m.ok).toBe(false);
  return (m as { error: OpWordError }).error;
}

describe('the declarations', () => {
  it('are consistent: every word has help, every source is in the registry', () => {
    expect(checkOpTree(opTree, schema)).toEqual([]);
  });

  it('a broken declaration is reported, not silently built', () => {
    const view = { run: () => ({}), text: () => [] };
    const broken = buildOpTree([
      {
        name: 'broken',
        sources: [{ name: 'twice', help: 'x', read: () => [] }],
        commands: [
          command('show thing', { help: 'A thing', ...view }),
          command('show thing', { help: 'A thing', ...view }),
          command('show lonely words', { help: 'Words', ...view }),
          command('show value <v>', {
            help: 'A value',
            args: { v: { type: simple('x', '<x>', 'X', () => true), help: 'X', source: 'nope' } },
            ...view,
          }),
          command('show missing <m>', { help: 'No args', ...view }),
        ],
      },
      {
        name: 'other',
        sources: [{ name: 'twice', help: 'y', read: () => [] }],
        commands: [command('show thing', { help: 'Another help', ...view })],
      },
    ]);
    const problems = broken.problems.join('\n');
    expect(problems).toContain("'show thing' is declared twice");
    expect(problems).toContain("'show thing': help given twice");
    expect(problems).toContain("'show lonely' has no help");
    expect(problems).toContain("completion source 'nope' is not in the registry");
    expect(problems).toContain('argument <m> is not declared in args');
    expect(problems).toContain("completion source 'twice' is declared twice");
    expect(problems).toContain("'show' has no help");
  });

  it('a schema leaf naming a source that is not in the registry is reported', () => {
    const without = buildOpTree(OP_AREAS.filter((a) => a.name !== 'interfaces'));
    const problems = checkOpTree(without, schema).map((p) => `${p.path}: ${p.message}`);
    expect(problems).toContain(
      "interfaces bridge member interface: completion source 'interfaces' is not in the registry",
    );
  });
});

describe('dispatch', () => {
  it.each<[string, string, OpArgs]>([
    ['show interfaces', 'show interfaces', {}],
    ['show system commit diff 3', 'show system commit diff <N>', { N: '3' }],
    ['show firewall group', 'show firewall group [<name>]', {}],
    ['show firewall group LAN', 'show firewall group [<name>]', { name: 'LAN' }],
    ['set terminal length 0', 'set terminal length <length>', { length: '0' }],
    ['terminal width 120', 'terminal width <width>', { width: '120' }],
    ['quit', 'quit', {}],
    // Unambiguous prefixes of keywords, never of values.
    ['sho int', 'show interfaces', {}],
    ['conf', 'configure', {}],
    ['sh sys com d 3', 'show system commit diff <N>', { N: '3' }],
    ['sh fir gr LA', 'show firewall group [<name>]', { name: 'LA' }],
    ['ping co', 'ping <host>', { host: 'co' }],
  ])('%s is %s', (words, pattern, args) => {
    const m = resolveOp(opTree, words.split(' '), 'operational');
    expect(m.ok && m.command.pattern).toBe(pattern);
    expect(m.ok && m.args).toEqual(args);
  });

  it('every declared command is reached by its own words', () => {
    for (const c of opTree.commands) {
      const words = c.words.map((w) => (argName(w) !== undefined ? sample(c, w) : w));
      const m = resolveOp(opTree, words, 'operational');
      expect(m.ok && m.command, c.pattern).toBe(c);
    }
  });

  it.each<[string, OpWordError['code'], number, RegExp]>([
    [
      'show interfaces nosuchthing',
      'unknown-word',
      2,
      /^unknown word 'nosuchthing' after 'show interfaces'; expected one of: bonding, bridge, counters, detail, dummy, ethernet, vxlan, wireguard$/,
    ],
    [
      'show system uptime now',
      'extra-word',
      3,
      /^unknown word 'now': 'show system uptime' is a complete command/,
    ],
    [
      'show interfaces ethernet eth0 brief more',
      'extra-word',
      5,
      /^unknown word 'more': 'show interfaces ethernet eth0 brief' is a complete command/,
    ],
    [
      'show interfaces ethernet -x',
      'invalid-value',
      3,
      /^'-x' is not a valid value for 'show interfaces ethernet'; expected <interface>/,
    ],
    ['show version now', 'extra-word', 2, /'now'/],
    ['show firewall group LAN more', 'extra-word', 4, /'more'/],
    [
      'show nosuch',
      'unknown-word',
      1,
      /^unknown word 'nosuch' after 'show'; expected one of: arp, bfd, bridge, configuration, conntrack, firewall, host, interfaces, ip, ipv6, lldp, log, \.\.\. \(16 in all\)$/,
    ],
    [
      'show system commit frob',
      'unknown-word',
      3,
      /'frob' after 'show system commit'; expected one of: diff$/,
    ],
    [
      'show system frob',
      'unknown-word',
      2,
      /'frob' after 'show system'; expected one of: commit, cpu, drift, login, memory, storage, uptime, users$/,
    ],
    [
      'set interfaces',
      'unknown-word',
      1,
      /^unknown word 'interfaces' after 'set'; expected one of: terminal \(configuration is changed in configure mode\)$/,
    ],
    [
      'frobnicate',
      'unknown-command',
      0,
      /^unknown command 'frobnicate'; expected clear, configure, exit, generate, help, monitor, ping, reset, restart, set, show, terminal, \.\.\. \(13 in all\)$/,
    ],
    [
      'show system commit diff x1',
      'invalid-value',
      4,
      /^'x1' is not a valid value for 'show system commit diff'; expected <N> \(Revision number \(0 is running\)\)$/,
    ],
    [
      'show firewall group bad!name',
      'invalid-value',
      3,
      /^'bad!name' is not a valid value for 'show firewall group'; expected <name> \(One group with all its members\)$/,
    ],
    [
      'show system commit diff',
      'value-required',
      4,
      /^'show system commit diff' needs <N>: Revision number/,
    ],
    [
      'show nat',
      'incomplete',
      2,
      /^'show nat' is not a complete command; expected one of: destination, source, translations$/,
    ],
    ['set terminal length 1234567', 'invalid-value', 3, /'1234567'/],
    ['s', 'ambiguous', 0, /^ambiguous command 's': it begins set, show$/],
    ['show i', 'ambiguous', 1, /^ambiguous word 'i' after 'show': it begins interfaces, ip, ipv6$/],
    [
      'show configuraton',
      'unknown-word',
      1,
      /^unknown word 'configuraton' after 'show' \(did you mean 'configuration'\?\); expected one of: /,
    ],
    ['shwo', 'unknown-command', 0, /^unknown command 'shwo' \(did you mean 'show'\?\); /],
    // Where a keyword and an argument share the place: a word near a keyword is a misspelling,
    [
      'show ip route conected',
      'unknown-word',
      3,
      /^unknown word 'conected' after 'show ip route' \(did you mean 'connected'\?\)/,
    ],
    ['show ip bgp sumary', 'unknown-word', 3, /\(did you mean 'summary'\?\)/],
    ['reset ip bgp vfr', 'unknown-word', 3, /\(did you mean 'vrf'\?\)/],
    // and any other a value the argument refuses, naming both.
    [
      'show ip route vrf eth0',
      'invalid-value',
      4,
      /^'eth0' is not a valid value for 'show ip route vrf'; expected one of all, or <name> \(A VRF/,
    ],
  ])('%s: %s at word %i', (words, code, index, message) => {
    const e = errorOf(words);
    expect(e.code).toBe(code);
    expect(e.index).toBe(index);
    expect(describeOpError(e)).toMatch(message);
  });

  it('run in configuration mode does not offer or accept the commands of operational mode only', () => {
    expect(errorOf('configure', 'configuration').code).toBe('unknown-command');
    expect(describeOpError(errorOf('exit', 'configuration'))).toBe(
      "unknown command 'exit'; expected clear, generate, help, monitor, ping, reset, restart, set, show, terminal, traceroute",
    );
    expect(resolveOp(opTree, ['show', 'version'], 'configuration').ok).toBe(true);
  });
});

/** An argument value for a command's word: the first value its source or type offers, or a number. */
function sample(
  c: OpCommand,
  word: string,
  values?: (source: string) => readonly string[],
): string {
  const spec = c.args![argName(word)!]!;
  const source = spec.source ?? (spec.reference ? referenceSource(spec.reference) : undefined);
  const offered = [
    ...(values && source ? values(source) : []),
    ...spec.type.words,
    '1',
    'LAN',
    '192.0.2.2',
    '2001:db8::2',
  ].filter((v) => spec.type.accepts(v));
  return offered[0]!;
}

describe('TAB and ? from the tree', () => {
  const sources: Record<string, readonly string[]> = {
    revisions: ['0', '1', '2'],
    'firewall-groups': ['LAN', 'WAN'],
    'firewall-chains-ipv4': ['IN'],
    'firewall-chains-ipv6': ['IN6'],
    interfaces: ['eth0'],
    'xdp-interfaces': ['eth0'],
    'interfaces-ethernet': ['eth0'],
    'interfaces-bridge': ['br0'],
    'interfaces-vxlan': ['vx0'],
    'interfaces-bonding': ['bond0'],
    'interfaces-dummy': ['dum0'],
    'interfaces-wireguard': ['wg0'],
    hosts: ['192.0.2.2'],
    'policy-routes': ['LAN'],
    'policy-route6s': ['LAN6'],
    'bgp-neighbors': ['192.0.2.2'],
    'configured vrf name': ['red'],
  };
  const runtime = (source: string): readonly string[] => sources[source] ?? [];
  const tree = loadSetForm('', schema).tree;
  const at = (line: string, mode: 'operational' | 'configuration' = 'operational') =>
    completeLine(line, line.length, schema, { mode, level: [], tree, runtime });

  it('offers at each word of every command exactly the words the tree has there', () => {
    expect(Object.keys(sources).sort()).toEqual([...opTree.sources.keys()].sort());
    for (const c of visibleCommands(opTree)) {
      let node = opTree.root;
      const typed: string[] = [];
      for (const word of c.words) {
        const offered = at(typed.map((w) => `${w} `).join('')).choices.map((ch) => ch.word);
        const expected = keywordsAt(node, 'operational').map((k) => k.word);
        expect(offered.slice(0, expected.length), c.pattern).toEqual(expected);
        if (argName(word) !== undefined) {
          const value = sample(c, word, runtime);
          if (node.arg?.spec.source || node.arg?.spec.reference)
            expect(offered, c.pattern).toContain(value);
          typed.push(value);
          node = node.arg!.next;
        } else {
          expect(offered, c.pattern).toContain(word);
          typed.push(word);
          node = node.keywords.get(word)!;
        }
      }
      expect(at(`${typed.join(' ')} `).complete, c.pattern).toBe(true);
    }
  });

  it('? shows the help of each word and argument, and <Enter> where a command ends', () => {
    expect(formatHelp(at('show nat '))).toEqual([
      'Possible completions:',
      '  destination   Destination NAT',
      '  source        Source NAT',
      '  translations  Connections the kernel translates',
    ]);
    expect(formatHelp(at('show system commit diff '))).toEqual([
      'Possible completions:',
      '  0    Revision number (0 is running)',
      '  1    Revision number (0 is running)',
      '  2    Revision number (0 is running)',
      '  <N>  Revision number (0 is running)',
    ]);
    const group = formatHelp(at('show firewall group '));
    expect(group).toContain('  LAN      One group with all its members');
    expect(group).toContain('  <Enter>  Execute the current command');
    expect(formatHelp(at('show interfaces ethernet eth0 brief '))).toEqual([
      'Possible completions:',
      '  <Enter>  Execute the current command',
    ]);
    expect(formatHelp(at('show interfaces ethernet '))).toEqual([
      'Possible completions:',
      '  eth0         Ethernet interface',
      '  <interface>  Ethernet interface',
      '  <Enter>      Execute the current command',
    ]);
  });

  it('offers nothing after a word the tree does not have', () => {
    expect(at('show interfaces nosuchthing ').choices).toEqual([]);
    expect(at('show interfaces nosuchthing ').complete).toBe(false);
  });

  it('run in configuration mode offers the tree without configure and exit', () => {
    expect(at('run ', 'configuration').choices.map((c) => c.word)).toEqual([
      'clear',
      'generate',
      'help',
      'monitor',
      'ping',
      'reset',
      'restart',
      'set',
      'show',
      'terminal',
      'traceroute',
    ]);
    expect(at('run show system commit diff ', 'configuration').choices.map((c) => c.word)).toEqual([
      '0',
      '1',
      '2',
    ]);
  });
});

describe('completion sources', () => {
  it('answer TAB at once: a source that asks the system gives what it read last and reads again', async () => {
    let links = ['eth0'];
    let reads = 0;
    const registry = buildOpTree([
      {
        name: 'sources',
        commands: [],
        sources: [
          {
            name: 'links',
            help: 'Links',
            read: async () => {
              reads++;
              return links;
            },
          },
          { name: 'revisions', help: 'Revisions', read: () => ['0', '1'] },
          {
            name: 'broken',
            help: 'Throws',
            read: () => {
              throw new Error('no store');
            },
          },
        ],
      },
    ]).sources;
    const values = new CompletionValues(registry, {} as OpSystem).prime();
    expect(values.get('links')).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(values.get('links')).toEqual(['eth0']);
    await new Promise((resolve) => setImmediate(resolve));
    links = ['eth0', 'eth1'];
    // What was read last, while it is read again for the next TAB.
    expect(values.get('links')).toEqual(['eth0']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(values.get('links')).toEqual(['eth0', 'eth1']);
    expect(reads).toBe(4);
    expect(values.get('revisions')).toEqual(['0', '1']);
    expect(values.get('broken')).toEqual([]);
    expect(values.get('no-such-source')).toEqual([]);
  });

  it('a reference argument: TAB offers the configured entries, any other name is refused naming it', async () => {
    const ran: string[] = [];
    const name = simple('name', '<name>', 'A name', (v) => /^[a-z0-9]+$/.test(v));
    const vrf = { type: name, help: 'VRF', reference: { what: 'VRF', path: ['vrf', 'name'] } };
    const tree = buildOpTree([
      {
        name: 'ref',
        words: { show: 'Show', 'show thing': 'Things' },
        commands: [
          command('show thing vrf <vrf> peers [<peer>]', {
            help: 'Peers of a VRF',
            args: {
              vrf,
              peer: { type: name, help: 'A peer', source: 'peers' },
            },
            run: (_, a) => void ran.push(`${a['vrf']} ${a['peer'] ?? ''}`),
            text: () => [],
          }),
        ],
        sources: [
          {
            name: 'peers',
            help: 'Peers of the VRF named before',
            read: (_, args) => (args['vrf'] === 'red' ? ['p1'] : []),
          },
        ],
      },
    ]);
    expect(tree.problems).toEqual([]);
    expect([...tree.sources.keys()].sort()).toEqual(['configured vrf name', 'peers']);
    const running = loadSetForm(
      "set vrf name red table '100'\nset vrf name blue table '101'",
      schema,
    ).tree;
    const system = {
      applied: () => running,
      running: () => ({ id: 1, tree: running }),
    } as unknown as OpSystem;
    const values = new CompletionValues(tree.sources, system);
    const runtime = (source: string, args: OpArgs) => values.get(source, args);
    const tab = (words: string[]) =>
      completeOp(tree, words, 'operational', runtime).choices.map((c) => c.word);
    expect(tab(['show', 'thing', 'vrf']).sort()).toEqual(['blue', 'red']);
    expect(tab(['show', 'thing', 'vrf', 'red', 'peers'])).toEqual(['p1']);
    expect(tab(['show', 'thing', 'vrf', 'blue', 'peers'])).toEqual([]);
    const c = tree.commands[0]!;
    const ctx = { system } as unknown as OpContext;
    await c.run(ctx, { vrf: 'red', peer: 'p1' });
    expect(ran).toEqual(['red p1']);
    expect(() => c.run(ctx, { vrf: 'green' })).toThrow(
      "VRF 'green' does not exist (vrf name green); configured: blue, red",
    );
    const empty = {
      system: {
        applied: () => loadSetForm('', schema).tree,
        running: () => ({ id: 1, tree: loadSetForm('', schema).tree }),
      },
    } as unknown as OpContext;
    expect(() => c.run(empty, { vrf: 'red' })).toThrow(
      "VRF 'red' does not exist (vrf name red); no VRF is configured",
    );
    // A deactivated VRF is in the configuration but applied nowhere: said so, not "does not exist".
    const withInactive = loadSetForm(
      "set vrf name red table '100'\nset vrf name blue table '101'\ndeactivate vrf name blue",
      schema,
    ).tree;
    const deactivated = {
      system: {
        applied: () => activeTree(withInactive, schema),
        running: () => ({ id: 1, tree: withInactive }),
      },
    } as unknown as OpContext;
    expect(() => c.run(deactivated, { vrf: 'blue' })).toThrow(
      "VRF 'blue' is deactivated in the running configuration (vrf name blue): 'activate' it to use it",
    );
    expect(ran).toEqual(['red p1']);
  });
});

describe('the generated reference', () => {
  it('docs/op-reference.md is what the tree generates (run `npm run docs` after changing a command)', () => {
    const onDisk = readFileSync(join(repoRoot, 'docs', 'op-reference.md'), 'utf8');
    expect(onDisk).toBe(renderOpReference(OP_AREAS, opTree));
  });

  it('lists every visible command and no hidden one', () => {
    const text = renderOpReference(OP_AREAS, opTree);
    for (const c of visibleCommands(opTree)) expect(text).toContain(`| \`${c.pattern}\` |`);
    expect(text).not.toContain('`quit`');
  });
});

// ------------------------------------------------------------------ live

let lab: Lab;
beforeAll(async () => {
  lab = await makeLab();
  const r = await runFos([
    ...lab.flags,
    '-c',
    [
      'configure',
      "set interfaces ethernet eth0 address '192.0.2.1/24'",
      "set interfaces ethernet eth0 description 'inside'",
      "set interfaces bridge br0 member interface 'eth2'",
      "set interfaces vxlan vxlan10 vni '10'",
      "set interfaces vxlan vxlan10 remote '192.0.2.9'",
      'set firewall group address-group LAN address 192.0.2.10',
      'set firewall ipv4 name IN default-action drop',
      'set firewall ipv4 name IN rule 10 action accept',
      'set firewall ipv4 name IN rule 10 source group address-group LAN',
      'set firewall ipv6 name IN6 default-action accept',
      'set firewall ipv4 forward filter rule 5 action jump',
      'set firewall ipv4 forward filter rule 5 jump-target IN',
      'set firewall xdp interface eth0 drop source group address-group LAN',
      'set nat source rule 10 outbound-interface name eth1',
      'set nat source rule 10 translation address masquerade',
      'set policy route LAN interface eth0',
      "set policy route LAN rule 10 set mark '7'",
      "set policy route6 LAN6 rule 10 set mark '7'",
      // Every routing daemon runs, so that each routing command has a daemon to ask.
      "set protocols static route 203.0.113.0/24 next-hop '192.0.2.254'",
      "set protocols bgp system-as '65001'",
      "set protocols bgp neighbor 192.0.2.2 remote-as '65002'",
      'set protocols bgp address-family ipv4-unicast network 192.0.2.0/24',
      'set protocols bgp neighbor 192.0.2.2 address-family ipv4-unicast soft-reconfiguration inbound',
      // And IPv6 over the same session, so that `show ipv6 bgp ...` has a neighbor and a network.
      'set protocols bgp address-family ipv6-unicast network 2001:db8::/64',
      'set protocols bgp neighbor 192.0.2.2 address-family ipv6-unicast soft-reconfiguration inbound',
      "set protocols ospf area 0 network '192.0.2.0/24'",
      "set protocols ospfv3 interface eth0 area '0'",
      'set protocols bfd peer 192.0.2.2',
      "commit comment 'op test'",
      "set system domain-name 'op.example'",
      'commit',
    ].join('\n'),
  ]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
});
afterAll(async () => lab?.down());

function engineFor(session: string): ShellEngine {
  return new ShellEngine(
    schema,
    routerAccess(lab.router(), 'ops', session),
    { read: () => '', write: () => undefined },
    { user: 'ops', session, origin: 'cli', allowSecrets: false },
  );
}

/**
 * How long the generic test lets a live command (ping, monitor) run before it stops it: long
 * enough that each of the three runs sees a one-second sample even on a loaded machine (at
 * 1.2 s one of them once saw none).
 */
const LIVE_MS = 2500;

/** The context a handler gets in a session that may not see secrets; shell changes are recorded. */
function contextFor(calls: string[], signal = new AbortController().signal): OpContext {
  return {
    live: { line: () => undefined, signal },
    schema,
    system: opSystem(lab.router()),
    shell: {
      configure: (exclusive) => void calls.push(`configure ${exclusive}`),
      setTerminal: (setting, value) => void calls.push(`terminal ${setting} ${value}`),
      exit: () => void calls.push('exit'),
      help: () => {
        const help = opHelp([], 'operational');
        return help.ok ? help.lines : [];
      },
    },
    visible: (tree) => redactSecrets(tree, schema),
  };
}

/** What data looks like without its values: the keys and the types, arrays by the shapes they hold. */
function shape(value: unknown): unknown {
  if (Array.isArray(value))
    return [...new Set(value.map((v) => JSON.stringify(shape(v))))]
      .sort()
      .map((v) => JSON.parse(v));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shape(v)]),
    );
  return typeof value;
}

/** The words of a command with arguments taken from its completion sources on the lab. */
async function wordsOf(
  c: OpCommand,
): Promise<{ words: string[]; args: Record<string, string>; absent?: string }> {
  const args: Record<string, string> = {};
  const words: string[] = [];
  let absent: string | undefined;
  for (const w of c.words) {
    const name = argName(w);
    if (name === undefined) {
      words.push(w);
      continue;
    }
    const spec = c.args![name]!;
    const source = spec.source ?? (spec.reference ? referenceSource(spec.reference) : undefined);
    const values = source
      ? await opTree.sources.get(source)!.read(opSystem(lab.router()), args)
      : [];
    // Link kinds this host's kernel lacks have no link to name: a made-up one must be refused clearly.
    const kind = /^interfaces-(bonding|dummy|wireguard)$/.exec(source ?? '')?.[1];
    // So must a name of the configuration that the lab cannot have (a VRF: this kernel has none).
    const value =
      kind && values.length === 0
        ? (absent = { bonding: 'bond9', dummy: 'dum9', wireguard: 'wg9' }[kind]!)
        : spec.reference && values.length === 0
          ? (absent = sample(c, w))
          : sample(c, w, () => values);
    args[name] = value;
    words.push(value);
  }
  return { words, args, ...(absent ? { absent } : {}) };
}

describe('every command on a live lab', () => {
  it.each(opTree.commands.map((c) => [c.pattern, c] as const))(
    '%s | display json is its handler data, and its text is the text view',
    async (_, c) => {
      const { words, args, absent } = await wordsOf(c);
      const line = words.join(' ');
      // A fresh session each time: `configure exclusive` takes the lock until the session ends.
      const execute = async (text: string) => {
        const engine = engineFor(`op-${text}`);
        // A live command is stopped as Ctrl-C stops it.
        const stop = c.live ? setTimeout(() => engine.interrupt(), LIVE_MS) : undefined;
        try {
          return await engine.execute(parseScript(text).commands[0]!);
        } finally {
          clearTimeout(stop);
          engine.dispose();
        }
      };
      if (c.daemon) {
        // Without fos serve in this process, it is refused, naming why.
        const refused = await execute(`${line} | display json`);
        expect(refused.ok).toBe(false);
        expect(refused.output.join('\n')).toMatch(
          /acts on the daemon: run it in a session of fos serve/,
        );
        return;
      }
      if (absent) {
        const refused = await execute(`${line} | display json`);
        expect(refused.ok).toBe(false);
        expect(refused.output.join('\n')).toMatch(
          new RegExp(`${absent}.*does not exist|does not exist.*${absent}`),
        );
        return;
      }
      const handler = () => c.run(contextFor([], AbortSignal.timeout(LIVE_MS)), args);
      const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
      if (c.live) {
        // A live command runs until it is stopped: all four at once, each stopped after LIVE_MS.
        const [before, json, text] = await Promise.all([
          handler(),
          execute(`${line} | display json`),
          execute(line),
        ]);
        expect(json.ok, json.output.join('\n')).toBe(true);
        expect(text.ok, text.output.join('\n')).toBe(true);
        expect(shape(JSON.parse(json.output.join('\n')))).toEqual(shape(roundTrip(before)));
        expect(text.output.length).toBeGreaterThan(0);
        return;
      }
      // Read before and after: data that changed meanwhile (counters, times) is compared by shape.
      const data = await handler();
      const before = roundTrip(data);
      const json = await execute(`${line} | display json`);
      const text = await execute(line);
      const after = roundTrip(await handler());
      expect(json.ok, json.output.join('\n')).toBe(true);
      expect(text.ok, text.output.join('\n')).toBe(true);
      const shown = JSON.parse(json.output.join('\n')) as unknown;
      if (JSON.stringify(before) === JSON.stringify(after)) {
        expect(shown).toEqual(before);
        expect(text.output).toEqual(c.text(data, args).flatMap((l) => l.split('\n')));
      } else {
        // The json was read between the two: its shape is one of theirs. (A link that has just
        // come up gains its IPv6 link-local address meanwhile, so `allAddresses` changes shape.)
        const likeAfter = JSON.stringify(shape(shown)) === JSON.stringify(shape(after));
        if (!likeAfter) expect(shape(shown)).toEqual(shape(before));
      }
    },
  );

  it('the views hold what the lab has', async () => {
    const calls: string[] = [];
    const ctx = contextFor(calls);
    const find = (pattern: string) => opTree.commands.find((c) => c.pattern === pattern)!;
    const links = (await find('show interfaces').run(ctx, {})) as { name: string }[];
    expect(links.map((l) => l.name)).toContain('eth0');
    const groups = (await find('show firewall group [<name>]').run(ctx, { name: 'LAN' })) as {
      references: string[];
    }[];
    expect(groups[0]!.references).toEqual(['ipv4 name IN rule 10', 'xdp interface eth0 drop']);
    const diff = (await find('show system commit diff <N>').run(ctx, { N: '0' })) as {
      diff: string[];
    };
    expect(diff.diff.join('\n')).toContain('+     domain-name op.example');
    await find('set terminal length <length>').run(ctx, { length: '0' });
    expect(calls).toEqual(['terminal length 0']);
    expect(await opTree.sources.get('firewall-chains-ipv4')!.read(ctx.system, {})).toEqual(['IN']);
    expect(await opTree.sources.get('firewall-chains-ipv6')!.read(ctx.system, {})).toEqual(['IN6']);
    const chain = (await find('show firewall ipv4 name <chain>').run(ctx, { chain: 'IN' })) as {
      chain: string;
      rules: { rule: string }[];
    }[];
    expect(chain.map((c) => c.chain)).toEqual(['name IN']);
    expect(chain[0]!.rules.map((r) => r.rule)).toEqual(['10', 'default']);
    const forward = (await find('show firewall ipv4 forward filter').run(ctx, {})) as {
      chain: string;
    }[];
    expect(forward.map((c) => c.chain)).toEqual(['forward filter']);
    expect(
      ((await find('show firewall ipv6').run(ctx, {})) as { chain: string }[]).map((c) => c.chain),
    ).toEqual(['name IN6']);
    expect(await opTree.sources.get('interfaces')!.read(ctx.system, {})).toContain('eth1');
  });

  it('show interfaces nosuchthing fails, naming the word, and prints no table', async () => {
    const r = await runFos([...lab.flags, '-c', 'show interfaces nosuchthing']);
    expect(r.code).toBe(1);
    expect(r.err).toContain("'nosuchthing'");
    expect(r.out).toBe('');
  });

  it.each([
    ['show version extra', "'extra'"],
    ['show firewall group NOPE', "firewall group 'NOPE' does not exist"],
    ['show system commit diff 999', 'there is no revision 999'],
    ['show firewall ipv4 name NOPE', "firewall ipv4 name 'NOPE' is not configured"],
    ['show firewall ipv6 name IN', "firewall ipv6 name 'IN' is not configured"],
    ['configure; run show interfaces nosuchthing', "'nosuchthing'"],
    ['configure; run configure', "unknown command 'configure'"],
  ])('%s fails: %s', async (script, message) => {
    const r = await runFos([...lab.flags, '-c', script]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
  });

  it('points at the wrong word, after run too', async () => {
    const e = engineFor('caret');
    const op = await e.execute(parseScript('show interfaces nosuchthing').commands[0]!);
    expect(op.errorColumn).toBe('show interfaces '.length + 1);
    await e.execute(parseScript('configure').commands[0]!);
    const run = await e.execute(parseScript('run show interfaces nosuchthing').commands[0]!);
    expect(run.ok).toBe(false);
    expect(run.errorColumn).toBe('run show interfaces '.length + 1);
  });

  it('configure, terminal and exit act on the session', async () => {
    const e = engineFor('session');
    const run = (line: string) => e.execute(parseScript(line).commands[0]!);
    expect((await run('terminal length 0')).ok).toBe(true);
    expect(e.terminal.length).toBe(0);
    expect((await run('set terminal width 132')).ok).toBe(true);
    expect(e.terminal.width).toBe(132);
    expect((await run('quit')).exit).toBe(true);
    expect((await run('configure exclusive | display json')).output).toEqual([
      '{',
      '  "mode": "configuration",',
      '  "exclusive": true',
      '}',
    ]);
    expect(e.mode).toBe('configuration');
    e.dispose();
  });
});
