/** Completion and `?` help: `<|>` marks the cursor. */
import { describe, expect, it } from 'vitest';
import {
  commonPrefix,
  completeLine,
  formatHelp,
  type CompletionContext,
} from '../src/cli/complete.js';
import { loadSetForm } from '../src/config/index.js';
import { schema } from '../src/schema/index.js';

const tree = loadSetForm(
  "set interfaces ethernet eth0 address '192.0.2.1/24'\nset interfaces ethernet eth1 mtu '1400'\nset interfaces bridge br0 stp\n",
  schema,
).tree;

function at(text: string, mode: CompletionContext['mode'] = 'configuration', level: string[] = []) {
  const cursor = text.indexOf('<|>');
  const line = text.replace('<|>', '');
  return completeLine(line, cursor, schema, {
    mode,
    level,
    tree,
    runtime: (p) => (p === 'interfaces' ? ['eth0', 'eth1', 'eth2', 'eth3', 'lo'] : []),
  });
}

const words = (text: string, mode?: CompletionContext['mode'], level?: string[]) =>
  at(text, mode, level).choices.map((c) => c.word);

describe('completion', () => {
  it.each<[string, CompletionContext['mode'], string[]]>([
    [
      '<|>',
      'operational',
      [
        'clear',
        'configure',
        'exit',
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
      ],
    ],
    ['sh<|>', 'operational', ['show']],
    [
      'show <|>',
      'operational',
      [
        'arp',
        'bfd',
        'bridge',
        'configuration',
        'conntrack',
        'firewall',
        'host',
        'interfaces',
        'ip',
        'ipv6',
        'lldp',
        'log',
        'nat',
        'policy',
        'system',
        'version',
      ],
    ],
    ['show system c<|>', 'operational', ['commit', 'cpu']],
    ['com<|>', 'configuration', ['comment', 'commit', 'compare']],
    ['commit <|>', 'configuration', ['and-quit', 'check', 'comment', 'confirmed']],
    ['set in<|>', 'configuration', ['interfaces']],
    ['set interfaces e<|>', 'configuration', ['ethernet']],
    ['set interfaces ethernet <|>', 'configuration', ['eth0', 'eth1', 'eth2', 'eth3']],
    ['delete interfaces ethernet <|>', 'configuration', ['eth0', 'eth1']],
    ['set interfaces ethernet eth0 dup<|>', 'configuration', ['duplex']],
    ['set interfaces ethernet eth0 duplex <|>', 'configuration', ['auto', 'half', 'full']],
    ['delete interfaces ethernet eth0 address <|>', 'configuration', ['192.0.2.1/24']],
    ['delete interfaces <|>', 'configuration', ['bridge', 'ethernet']],
    [
      'set interfaces bridge br0 member interface <|>',
      'configuration',
      ['eth0', 'eth1', 'eth2', 'eth3', 'lo'],
    ],
    ['run sh<|>', 'configuration', ['show']],
    [
      'set interfaces ethernet eth0 <|> mtu',
      'configuration',
      words('set interfaces ethernet eth0 <|>'),
    ],
  ])('%j (%s)', (text, mode, expected) => {
    expect(words(text, mode)).toEqual(expected);
  });

  it('completes relative to the edit level', () => {
    expect(words('set m<|>', 'configuration', ['interfaces', 'ethernet', 'eth0'])).toEqual([
      'mac',
      'mirror',
      'mtu',
    ]);
  });

  it('gives value help for free values', () => {
    const c = at('set interfaces ethernet eth0 address <|>');
    // dhcp and dhcpv6 are choices with their own help; the formats are the free values.
    expect(c.values.map((v) => v.format)).toEqual(['<x.x.x.x/x>', '<h:h:h:h:h:h:h:h/x>']);
    const listed = formatHelp(c);
    expect(listed.filter((l) => /^\s+dhcp\s/.test(l))).toEqual([
      '  dhcp                 Dynamic Host Configuration Protocol',
    ]);
    expect(listed.filter((l) => /^\s+dhcpv6\s/.test(l))).toHaveLength(1);
    const help = formatHelp(at('set interfaces ethernet eth0 mtu <|>'));
    expect(help).toEqual([
      'Possible completions:',
      '  <68-16000>  Maximum Transmission Unit in byte',
    ]);
  });

  it('offers <Enter> where the command is complete', () => {
    expect(formatHelp(at('commit <|>')).join('\n')).toContain('<Enter>');
    expect(formatHelp(at('set interfaces ethernet eth0 mtu 1500 <|>')).join('\n')).toContain(
      '<Enter>',
    );
    expect(formatHelp(at('set <|>')).join('\n')).not.toContain('<Enter>');
  });

  it('marks areas not implemented yet', () => {
    expect(at('set q<|>').choices).toEqual([
      { word: 'qos', help: 'Quality of Service (QoS) (not yet)' },
    ]);
  });

  it('finds the longest common prefix', () => {
    expect(commonPrefix(['disable', 'disable-flow-control', 'disable-link-detect'])).toBe(
      'disable',
    );
    expect(commonPrefix([])).toBe('');
  });
});
