/**
 * Reference leaves: a value that names an entry of another list (a chain, a
 * group, a zone, later a route-map or a peer-group). One declaration in the
 * schema drives completion, the existence check at verify, and rename.
 */
import { describe, expect, it } from 'vitest';
import { completeLine } from '../src/cli/complete.js';
import {
  loadSetForm,
  referencesIn,
  renameEntry,
  toSetForm,
  type ConfigNode,
} from '../src/config/index.js';
import {
  checkSchema,
  container,
  leaf,
  refersTo,
  tag,
  text,
  u32,
  schema,
} from '../src/schema/index.js';
import { verify } from '../src/verify/index.js';
import { ADMIN_LOGIN } from './helpers/fixtures.js';

const load = (text: string): ConfigNode => {
  const { tree, report } = loadSetForm(text, schema);
  expect(report.invalid).toEqual([]);
  return tree;
};

const FIREWALL = `${ADMIN_LOGIN}
set firewall ipv4 name LAN-IN default-action 'accept'
set firewall ipv4 name WAN-IN default-action 'drop'
set firewall ipv4 name WAN-IN rule 10 action 'jump'
set firewall ipv4 name WAN-IN rule 10 jump-target 'LAN-IN'
set firewall ipv4 forward filter rule 5 action 'jump'
set firewall ipv4 forward filter rule 5 jump-target 'WAN-IN'
set firewall group address-group ADMINS address '192.0.2.10'
set firewall group address-group OTHERS include 'ADMINS'
set firewall ipv4 name LAN-IN rule 20 action 'drop'
set firewall ipv4 name LAN-IN rule 20 source group address-group '!ADMINS'
set firewall zone LAN interface 'eth1'
set firewall zone WAN interface 'eth0'
set firewall zone LAN from WAN firewall name 'WAN-IN'
`;

function complete(line: string, tree: ConfigNode): string[] {
  return completeLine(line, line.length, schema, {
    mode: 'configuration',
    level: [],
    tree,
    runtime: () => [],
  }).choices.map((c) => c.word);
}

describe('reference leaves', () => {
  const tree = load(FIREWALL);

  it('complete a value with the names configured where the reference points', () => {
    expect(complete('set firewall ipv4 forward filter rule 7 jump-target ', tree).sort()).toEqual([
      'LAN-IN',
      'WAN-IN',
    ]);
    expect(complete('set firewall ipv4 name X default-jump-target W', tree)).toEqual(['WAN-IN']);
    expect(
      complete('set firewall ipv4 name LAN-IN rule 1 source group address-group ', tree).sort(),
    ).toEqual(['ADMINS', 'OTHERS']);
    // An IPv6 rule names IPv6 chains only: there are none.
    expect(complete('set firewall ipv6 forward filter rule 7 jump-target ', tree)).toEqual([]);
    expect(complete('set firewall zone LAN from ', tree)).toContain('WAN');
  });

  it('are found wherever they are, with their paths', () => {
    const found = referencesIn(tree, schema).map((f) => `${f.path.join(' ')} -> ${f.name}`);
    expect(found.sort()).toEqual(
      [
        'firewall group address-group OTHERS include -> ADMINS',
        'firewall ipv4 forward filter rule 5 jump-target -> WAN-IN',
        'firewall ipv4 name LAN-IN rule 20 source group address-group -> ADMINS',
        'firewall ipv4 name WAN-IN rule 10 jump-target -> LAN-IN',
        'firewall zone LAN from WAN -> WAN',
        'firewall zone LAN from WAN firewall name -> WAN-IN',
      ].sort(),
    );
  });

  it('are accepted when they name something configured', () => {
    expect(verify(tree, schema)).toEqual([]);
  });

  it.each([
    [
      'firewall ipv4 forward filter rule 5 jump-target',
      "set firewall ipv4 forward filter rule 5 jump-target 'NOPE'",
      "chain 'NOPE' does not exist (firewall ipv4 name NOPE)",
    ],
    [
      'firewall ipv4 name LAN-IN rule 20 source group address-group',
      "set firewall ipv4 name LAN-IN rule 20 source group address-group '!NOBODY'",
      "firewall group address-group 'NOBODY' does not exist (firewall group address-group NOBODY)",
    ],
    [
      'firewall group address-group OTHERS include',
      "set firewall group address-group OTHERS include 'GONE'",
      "firewall group address-group 'GONE' does not exist",
    ],
    [
      'firewall zone LAN from DMZ',
      "set firewall zone LAN from DMZ firewall name 'WAN-IN'",
      "zone 'DMZ' does not exist (firewall zone DMZ)",
    ],
  ])('name the path and the missing name: %s', (path, line, message) => {
    const issues = verify(load(`${FIREWALL}${line}\n`), schema);
    const issue = issues.find((i) => i.path.join(' ') === path);
    expect(issue?.message).toContain(message);
  });

  it('follow a rename of the entry they name', () => {
    const renamed = renameEntry(tree, schema, ['firewall', 'ipv4', 'name', 'WAN-IN'], 'OUTSIDE');
    const text = toSetForm(renamed, schema);
    expect(text).toContain("set firewall ipv4 forward filter rule 5 jump-target 'OUTSIDE'");
    expect(text).toContain("set firewall zone LAN from WAN firewall name 'OUTSIDE'");
    expect(text).toContain("set firewall ipv4 name OUTSIDE rule 10 jump-target 'LAN-IN'");
    expect(text).not.toContain('WAN-IN');
    expect(verify(renamed, schema)).toEqual([]);
    // The original tree is a value: unchanged.
    expect(toSetForm(tree, schema)).toContain("jump-target 'WAN-IN'");
  });

  it('keep a negation through a rename, and rename tag keys that are references', () => {
    const groups = renameEntry(
      tree,
      schema,
      ['firewall', 'group', 'address-group', 'ADMINS'],
      'OPS',
    );
    const text = toSetForm(groups, schema);
    expect(text).toContain("source group address-group '!OPS'");
    expect(text).toContain("set firewall group address-group OTHERS include 'OPS'");
    const zones = renameEntry(tree, schema, ['firewall', 'zone', 'WAN'], 'OUTSIDE');
    expect(toSetForm(zones, schema)).toContain(
      "set firewall zone LAN from OUTSIDE firewall name 'WAN-IN'",
    );
    expect(verify(zones, schema)).toEqual([]);
  });

  it('rename only what names the renamed list', () => {
    // An IPv6 chain of the same name is another list.
    const both = load(
      `${FIREWALL}set firewall ipv6 name WAN-IN default-action 'drop'\nset firewall ipv6 forward filter rule 1 action 'jump'\nset firewall ipv6 forward filter rule 1 jump-target 'WAN-IN'\n`,
    );
    const text = toSetForm(
      renameEntry(both, schema, ['firewall', 'ipv4', 'name', 'WAN-IN'], 'OUTSIDE'),
      schema,
    );
    expect(text).toContain("set firewall ipv6 forward filter rule 1 jump-target 'WAN-IN'");
    expect(text).toContain("set firewall ipv4 forward filter rule 5 jump-target 'OUTSIDE'");
  });

  it('are checked by the schema self-check: a reference must name a list', () => {
    const broken = container('', 'root', [
      container(
        'area',
        'An area',
        [
          tag('thing', 'Things', u32(1, 9), [leaf('description', 'Description', text())]),
          leaf('uses', 'Uses a thing', u32(1, 9), {
            reference: refersTo('thing', ['area', 'nothing']),
          }),
        ],
        { owner: 'system' },
      ),
    ]);
    expect(checkSchema(broken).map((p) => `${p.path}: ${p.message}`)).toContain(
      "area uses: refers to 'area nothing', which is not a named list of the schema",
    );
  });
});
