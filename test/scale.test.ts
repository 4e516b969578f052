/**
 * Large configurations: every written form, diff and compare of a 200,000-rule
 * tree (no "Maximum call stack size exceeded" from arrays spread into calls),
 * and a 100,000-member network group loads, verifies and renders in time
 * linear in its size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeLine } from '../src/cli/complete.js';
import { ShellEngine } from '../src/cli/engine.js';
import { runScript } from '../src/cli/terminal.js';
import { routerAccess } from '../src/main.js';
import { renderFirewall } from '../src/render/firewall.js';
import { fullLoad } from '../src/render/nft-model.js';
import { verify, withDefaults } from '../src/verify/index.js';
import { makeLab, type Lab } from './helpers/lab.js';
import {
  diffCommands,
  diffCurly,
  EMPTY_TREE,
  editTree,
  setCommands,
  toCurly,
  toJson,
  loadCurly,
  loadSetForm,
  loadSetFormSliced,
  toSetForm,
  type ConfigNode,
} from '../src/config/index.js';
import { schema } from '../src/schema/index.js';

const RULES = 200_000;
const filter = ['firewall', 'ipv4', 'forward', 'filter'];

function bigRuleset(): ConfigNode {
  return editTree(EMPTY_TREE, (e) => {
    e.setValue([...filter, 'default-action'], 'drop');
    for (let n = 1; n <= RULES; n++) {
      const rule = [...filter, 'rule', String(n)];
      e.setValue([...rule, 'action'], 'accept');
      e.setValue([...rule, 'destination', 'port'], String(1 + (n % 65000)));
    }
  });
}

describe(`a tree of ${RULES.toLocaleString('en')} rules`, () => {
  const tree = bigRuleset();
  const changed = editTree(tree, (e) => {
    e.setValue([...filter, 'rule', '7', 'action'], 'drop');
    e.remove([...filter, 'rule', '9']);
  });

  // Loading text this large works (and is measured by the benchmarks); what overflowed was writing it.
  it('set form', () => {
    const text = toSetForm(tree, schema);
    expect(text.split('\n').length - 1).toBe(2 * RULES + 1);
    expect(text.slice(-60)).toBe(
      "set firewall ipv4 forward filter rule 200000 destination port '5001'\n".slice(-60),
    );
    expect(setCommands(tree, schema).length).toBe(2 * RULES + 1);
  });

  it('curly form', () => {
    const text = toCurly(tree, schema);
    // 6 lines a rule, 4 opening and 4 closing lines around them, and the default action.
    expect(text.split('\n').length - 1).toBe(6 * RULES + 9);
    expect(text).toContain('                rule 200000 {\n');
  });

  it('JSON', () => {
    const json = JSON.parse(toJson(tree, schema)) as {
      firewall: { ipv4: { forward: { filter: { rule: Record<string, unknown> } } } };
    };
    expect(Object.keys(json.firewall.ipv4.forward.filter.rule).length).toBe(RULES);
  });

  it('compare from nothing, and of a small change (curly with markers)', () => {
    const all = diffCurly(EMPTY_TREE, tree, schema);
    expect(all.split('\n').length).toBeGreaterThan(4 * RULES);
    expect(diffCurly(tree, EMPTY_TREE, schema)).toContain('-                 rule 200000 {');
    expect(diffCurly(tree, changed, schema)).toBe(
      [
        '  firewall {',
        '      ipv4 {',
        '          forward {',
        '              filter {',
        '                  rule 7 {',
        '-                     action accept',
        '+                     action drop',
        '                  }',
        '-                 rule 9 {',
        '-                     action accept',
        '-                     destination {',
        '-                         port 10',
        '-                     }',
        '-                 }',
        '              }',
        '          }',
        '      }',
        '  }',
        '',
      ].join('\n'),
    );
  });

  it('verify reports a problem in every rule', () => {
    // Each rule matches a port without a protocol.
    // (The tree has no login user: that problem is not counted.)
    expect(verify(tree, schema).filter((i) => i.path[0] === 'firewall').length).toBe(RULES);
  });

  it('diff as commands', () => {
    expect(diffCommands(EMPTY_TREE, tree, schema).length).toBe(2 * RULES + 1);
    expect(diffCommands(tree, changed, schema)).toEqual([
      'delete firewall ipv4 forward filter rule 9',
      "set firewall ipv4 forward filter rule 7 action 'drop'",
    ]);
  });
});

describe('the shell with a 60,000-rule candidate', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await makeLab();
  });
  afterAll(async () => lab.down());

  it('shows, compares and saves it', async () => {
    const rules = 60_000;
    const lines = [`set ${filter.join(' ')} default-action 'drop'`];
    for (let n = 1; n <= rules; n++)
      lines.push(`set ${filter.join(' ')} rule ${n} action 'accept'`);
    const files = new Map([['big.set', `${lines.join('\n')}\n`]]);
    const engine = new ShellEngine(
      schema,
      routerAccess(lab.router(), 'ops', 'scale'),
      {
        read: (path) => files.get(path) ?? '',
        write: (path, text) => void files.set(path, text),
      },
      { user: 'ops', session: 'scale', origin: 'batch', allowSecrets: true },
    );
    let out = '';
    let err = '';
    const code = await runScript(
      engine,
      [
        'configure',
        'load big.set',
        'show | count',
        'show | display set | count',
        'show firewall ipv4 forward filter | count',
        'compare | count',
        'save big.boot',
      ].join('\n'),
      (t) => void (out += t),
      (t) => void (err += t),
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    const counts = [...out.matchAll(/Count: (\d+) lines/g)].map((m) => Number(m[1]));
    // curly: 3 lines a rule and 9 around them; set form: one line a rule and the default action.
    expect(counts).toEqual([3 * rules + 9, rules + 1, 3 * rules + 1, 3 * rules + 9]);
    expect(files.get('big.boot')?.split('\n').length).toBe(3 * rules + 9 + 1);
  });
});

describe('a network group of 100,000 members', () => {
  const MEMBERS = 100_000;
  const group = ['firewall', 'group', 'network-group', 'big', 'network'];
  const member = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/32`;
  const lines: string[] = [];
  for (let n = 0; n < MEMBERS; n++) lines.push(`set ${group.join(' ')} '${member(n)}'`);
  lines.push(
    `set ${filter.join(' ')} rule 1 source group network-group 'big'`,
    `set ${filter.join(' ')} rule 1 action 'drop'`,
  );
  const text = `${lines.join('\n')}\n`;

  // Adding a member used to scan the members before it: 20k took 5 s, 100k would take many
  // minutes. Loaded in four files, so that the test's timeout can end a quadratic load.
  it('loads, verifies and renders in time linear in its size', async () => {
    let members = EMPTY_TREE;
    for (let part = 0; part < 4; part++) {
      const slice = lines.slice((part * MEMBERS) / 4, ((part + 1) * MEMBERS) / 4);
      const loaded = loadSetForm(`${slice.join('\n')}\n`, schema, members);
      expect(loaded.report.invalid).toEqual([]);
      members = loaded.tree;
      await new Promise((resolve) => setImmediate(resolve));
    }
    members = loadSetForm(lines.slice(MEMBERS).join('\n'), schema, members).tree;
    expect(toSetForm(members, schema).length).toBe(text.length);
    // (The tree has no login user: that problem is not the subject here.)
    expect(verify(members, schema).filter((i) => i.path[0] !== 'system')).toEqual([]);
    const firewall = renderFirewall(withDefaults(members, schema));
    const nft = fullLoad(firewall.tables);
    expect(JSON.stringify(nft).length).toBeGreaterThan(MEMBERS * 10);
    const curly = loadCurly(toCurly(members, schema), schema);
    expect(toSetForm(curly.tree, schema)).toBe(toSetForm(members, schema));
  });

  it('a sliced load gives other work turns while it runs, and the same tree', async () => {
    const part = `${lines.slice(0, 20_000).join('\n')}\n`;
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const turnsBefore = turns;
    const sliced = await loadSetFormSliced(part, schema);
    const turnsDuring = turns - turnsBefore;
    clearInterval(ticker);
    // A load in one go would hold the loop throughout: no timer could fire before it ended.
    expect(turnsDuring).toBeGreaterThan(3);
    expect(toSetForm(sliced.tree, schema)).toBe(toSetForm(loadSetForm(part, schema).tree, schema));
    expect(sliced.report.accepted).toBe(20_000);
  });

  it('TAB after delete lists every member at once', () => {
    const tree = loadSetForm(text, schema).tree;
    const line = `delete ${group.join(' ')} `;
    const started = performance.now();
    const c = completeLine(line, line.length, schema, {
      mode: 'configuration',
      level: [],
      tree,
      runtime: () => [],
    });
    // Each member was looked up among all the others: 10^10 steps.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(c.choices.length).toBe(MEMBERS);
    expect(c.choices[0]).toEqual({ word: member(0), help: 'configured' });
  });

  it('keeps the first place of a member set twice, and deletes members one by one', () => {
    const MEMBERS = 2000;
    const text = `${lines.slice(0, MEMBERS).join('\n')}\n`;
    const twice = loadSetForm(`${text}${text}`, schema).tree;
    const values = twice.children
      .get('firewall')!
      .children.get('group')!
      .children.get('network-group')!
      .children.get('big')!
      .children.get('network')!.values;
    expect(values.length).toBe(MEMBERS);
    expect(values[0]).toBe(member(0));
    expect(values[MEMBERS - 1]).toBe(member(MEMBERS - 1));
    // Delete every other member, then add the first one back: it goes to the end.
    const deletes = lines
      .slice(0, MEMBERS)
      .filter((_, n) => n % 2 === 0)
      .map((l) => l.replace(/^set/, 'delete'));
    const after = loadSetForm(
      `${deletes.join('\n')}\nset ${group.join(' ')} '${member(0)}'\n`,
      schema,
      twice,
    );
    expect(after.report.invalid).toEqual([]);
    const left = after.tree.children
      .get('firewall')!
      .children.get('group')!
      .children.get('network-group')!
      .children.get('big')!
      .children.get('network')!.values;
    expect(left.length).toBe(MEMBERS / 2 + 1);
    expect(left.slice(0, 2)).toEqual([member(1), member(3)]);
    expect(left[left.length - 1]).toBe(member(0));
    // Deleting a member that is not there says so.
    const missing = loadSetForm(`delete ${group.join(' ')} '${member(0)}'\n`, schema, after.tree);
    expect(missing.report.invalid).toEqual([]);
    const gone = loadSetForm(`delete ${group.join(' ')} '${member(0)}'\n`, schema, missing.tree);
    expect(gone.report.invalid.map((i) => i.message)).toEqual([
      expect.stringMatching(/nothing to delete|not configured|is not/i),
    ]);
  });
});
