/**
 * Junos `insert` for ordered rules: the renumbering (pure), the edit and its
 * errors, completion, and the shell through `fos -c` on a real lab, down to
 * the order of the rules nft holds.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeLine } from '../src/cli/complete.js';
import { expandConfiguration } from '../src/cli/expand.js';
import { configurationHelp } from '../src/cli/help.js';
import {
  applyInsert,
  describeEditError,
  describeMoves,
  errorWordIndex,
  loadSetForm,
  planInsert,
  spacingOf,
  toSetForm,
  TreeEditor,
} from '../src/config/index.js';
import { checkSchema, schema } from '../src/schema/index.js';
import { runFos } from './helpers/io.js';
import { makeLab, type Lab } from './helpers/lab.js';

const RANGE = { min: 1, max: 999999 };

describe('planInsert (numbers only)', () => {
  it.each<[string, number[], number, number, 'before' | 'after', [number, number][]]>([
    ['a gap before the first: the middle', [10, 20], 20, 10, 'before', [[20, 5]]],
    ['one step before the first when it fits', [100, 110, 120], 120, 100, 'before', [[120, 90]]],
    ['a gap between two: the middle', [10, 20, 30], 30, 20, 'before', [[30, 15]]],
    ['after is before the successor', [10, 20, 30], 10, 20, 'after', [[10, 25]]],
    ['after the last: one step on', [10, 20, 30], 10, 30, 'after', [[10, 40]]],
    [
      'no gap: B and the run after it move up by one',
      [10, 11, 12, 20],
      20,
      11,
      'before',
      [
        [20, 11],
        [11, 12],
        [12, 13],
      ],
    ],
    [
      'no gap, dense numbers: by one',
      [1, 2, 3],
      3,
      2,
      'before',
      [
        [3, 2],
        [2, 3],
      ],
    ],
    [
      'no gap at the bottom of the range: up by 10, no spacing being common',
      [1, 2, 10],
      10,
      1,
      'before',
      [
        [10, 5],
        [1, 11],
        [2, 12],
      ],
    ],
  ])('%s', (_, numbers, a, b, where, moves) => {
    const plan = planInsert(numbers, a, b, where, RANGE);
    expect(plan).toEqual({ ok: true, moves: moves.map(([from, to]) => ({ from, to })) });
    // The result is in the order asked, with no number twice.
    const after = numbers.map((n) => moves.find(([f]) => f === n)?.[1] ?? n);
    expect(new Set(after).size).toBe(numbers.length);
    const sorted = [...after].sort((x, y) => x - y);
    const ai = sorted.indexOf(moves[0]![1]);
    const bNow = moves.find(([f]) => f === b)?.[1] ?? b;
    expect(sorted[where === 'before' ? ai + 1 : ai - 1]).toBe(bNow);
  });

  it('keeps the spacing when shifting by it renumbers no more', () => {
    // Gaps 10, 10, 1: spacing 10; 31 must move, and by 10 it moves alone.
    expect(spacingOf([10, 20, 30, 31])).toBe(10);
    expect(planInsert([10, 20, 30, 31], 10, 31, 'before', RANGE)).toEqual({
      ok: true,
      moves: [
        { from: 10, to: 35 },
        { from: 31, to: 41 },
      ],
    });
  });

  it('changes nothing when A is already there', () => {
    expect(planInsert([10, 20, 30], 10, 20, 'before', RANGE)).toEqual({ ok: true, moves: [] });
    expect(planInsert([10, 20, 30], 30, 20, 'after', RANGE)).toEqual({ ok: true, moves: [] });
  });

  it('never passes the top of the range', () => {
    const top = { min: 1, max: 65535 };
    // After the last, one step would pass the top: the middle of what is left.
    expect(planInsert([1, 65530], 1, 65530, 'after', top)).toEqual({
      ok: true,
      moves: [{ from: 1, to: 65533 }],
    });
    // The run shifted by the spacing would pass the top; by one it fits.
    expect(planInsert([65520, 65530, 65531, 65534], 65520, 65531, 'before', top)).toEqual({
      ok: true,
      moves: [
        { from: 65520, to: 65531 },
        { from: 65531, to: 65532 },
      ],
    });
    // Nothing can move up: refused, saying why.
    const full = planInsert([1, 65534, 65535], 1, 65535, 'before', top);
    expect(full.ok).toBe(false);
    expect(!full.ok && full.reason).toContain('cannot move up within 1-65535');
    const last = planInsert([1, 65535], 1, 65535, 'after', top);
    expect(!last.ok && last.reason).toContain('65535 is the highest number');
  });

  it('tells what moved', () => {
    expect(describeMoves('rule', [{ from: 20, to: 5 }])).toEqual(['rule 20 is now rule 5']);
    expect(
      describeMoves('rule', [
        { from: 30, to: 10 },
        { from: 10, to: 11 },
        { from: 20, to: 21 },
      ]),
    ).toEqual(['rule 30 is now rule 10', 'rules 10, 20 renumbered to 11, 21']);
    const many = Array.from({ length: 9 }, (_, i) => ({ from: i + 1, to: i + 2 }));
    expect(describeMoves('rule', [{ from: 50, to: 1 }, ...many])[1]).toBe(
      '9 rules renumbered up by 1: 1 to 9 are now 2 to 10',
    );
  });
});

const WAN = 'set firewall ipv4 name WAN';
const base = loadSetForm(
  [
    `${WAN} default-action drop`,
    `${WAN} rule 10 action accept`,
    `${WAN} rule 10 description 'first'`,
    `${WAN} rule 20 action drop`,
    `set interfaces ethernet eth0 address '192.0.2.1/24'`,
    `set policy route-map RM rule 10 action permit`,
    `set policy route-map RM rule 10 continue 11`,
    `set policy route-map RM rule 11 action permit`,
    `set policy route-map RM rule 12 action deny`,
  ].join('\n'),
  schema,
).tree;

function insert(line: string, level: string[] = []) {
  const editor = new TreeEditor(base);
  const words = line === '' ? [] : line.split(' ');
  const r = applyInsert(editor, schema, words, level);
  return r.ok
    ? { told: r.told, set: toSetForm(editor.finish(), schema) }
    : { error: describeEditError(r.error), index: errorWordIndex(r.error, words.length) };
}

describe('applyInsert', () => {
  it('moves the whole entry, from the top or from the edit level', () => {
    const top = insert('firewall ipv4 name WAN rule 20 before rule 10');
    expect(top.told).toEqual(['rule 20 is now rule 5']);
    expect(top.set).toContain(`${WAN} rule 5 action 'drop'`);
    expect(top.set).not.toContain('rule 20');
    expect(top.set).toContain(`${WAN} rule 10 description 'first'`);
    const level = insert('rule 20 before rule 10', ['firewall', 'ipv4', 'name', 'WAN']);
    expect(level).toEqual(top);
  });

  it("rewrites a route-map's continue to the rule's new number", () => {
    const r = insert('policy route-map RM rule 12 before rule 11');
    expect(r.told).toEqual(['rule 12 is now rule 11', 'rule 11 renumbered to 12']);
    expect(r.set).toContain("set policy route-map RM rule 10 continue '12'");
    expect(r.set).toContain("set policy route-map RM rule 11 action 'deny'");
  });

  const routeMap = (lines: string[]) =>
    new TreeEditor(
      loadSetForm(lines.map((l) => `set policy route-map J rule ${l}`).join('\n'), schema).tree,
    );
  const insertJ = (editor: TreeEditor, line: string) => {
    const r = applyInsert(editor, schema, `policy route-map J ${line}`.split(' '));
    return r.ok ? toSetForm(editor.finish(), schema) : describeEditError(r.error);
  };

  it('refuses a move that would turn a continue or goto backwards, changing nothing', () => {
    const lines = ['10 action permit', '10 continue 20', '20 action permit', '20 on-match goto 30'];
    lines.push('30 action permit');
    // 30 before 10: rule 20's goto 30 would name rule 5, behind it.
    const editor = routeMap(lines);
    const before = editor.tree;
    expect(insertJ(editor, 'rule 30 before rule 10')).toMatch(
      /^cannot insert in 'policy route-map J': rule 20's on-match goto 30 would jump back to rule 5/,
    );
    expect(editor.tree).toBe(before);
    // 10 after 20: rule 10 (now 25) would continue back to rule 20.
    expect(insertJ(routeMap(lines), 'rule 10 after rule 20')).toContain(
      "rule 10's continue 20 would jump back to rule 20",
    );
    // A jump that stays forward follows its rule.
    expect(insertJ(routeMap([...lines, '40 action deny']), 'rule 30 after rule 40')).toContain(
      "set policy route-map J rule 20 on-match goto '50'",
    );
  });

  it('keeps a jump to an unconfigured number reaching the rule it reached', () => {
    // goto 13 reaches the first rule from 13 on: 20, which moves to 11.
    const shifted = insertJ(
      routeMap(
        ['10 action permit', '10 on-match goto 13', '11 action permit'].concat([
          '12 action permit',
          '20 action deny',
        ]),
      ),
      'rule 20 before rule 11',
    );
    expect(shifted).toContain("set policy route-map J rule 10 on-match goto '11'");
    expect(shifted).toContain("set policy route-map J rule 11 action 'deny'");
    // continue 15 reaches 20; 30 moved to 15 must not take the jump.
    const landed = insertJ(
      routeMap(['10 action permit', '10 continue 15', '20 action permit', '30 action deny']),
      'rule 30 before rule 20',
    );
    expect(landed).toContain("set policy route-map J rule 15 action 'deny'");
    expect(landed).toContain("set policy route-map J rule 10 continue '20'");
    // A jump past the last rule that a moved rule would now catch: refused.
    expect(
      insertJ(
        routeMap(['10 action permit', '10 continue 35', '20 action permit', '30 action deny']),
        'rule 20 after rule 30',
      ),
    ).toContain("rule 10's continue 35 would reach rule 40");
  });

  it.each<[string, string, number]>([
    ['firewall ipv4 name WAN rule 30 before rule 10', 'rule 30 is not configured', 5],
    ['firewall ipv4 name WAN rule 20 before rule 40', 'rule 40 is not configured', 8],
    ['firewall ipv4 name WAN rule 20 before rule 20', 'cannot be inserted before itself', 8],
    ['firewall ipv4 name WAN rule 20 rule 10', "expected 'before' or 'after'", 6],
    ['firewall ipv4 name WAN rule 20', 'say where rule 20 goes', 6],
    ['firewall ipv4 name WAN rule 20 before 10', "expected 'rule' after 'before'", 7],
    ['firewall ipv4 name WAN rule x before rule 10', "'x' is not a valid value", 5],
    ['firewall ipv4 name WAN rule 20 before rule 10 now', "unexpected 'now'", 9],
    ['interfaces ethernet eth0 before ethernet eth1', 'is not an ordered list', 1],
    ['firewall ipv4 name WAN', 'name the entries: rule A before|after rule B', 4],
    ['firewall ipv4 nme WAN rule 20 before rule 10', "unknown word 'nme'", 2],
  ])('%s: %s', (line, message, index) => {
    const r = insert(line);
    expect(r.error).toContain(message);
    expect(r.index).toBe(index);
  });

  it('says where to start: at no path, or from inside a rule', () => {
    expect(insert('').error).toBe(
      'cannot insert: name a list of rules: insert PATH rule A before|after rule B',
    );
    const inside = insert('rule 20 before rule 10', [
      'firewall',
      'ipv4',
      'name',
      'WAN',
      'rule',
      '10',
    ]);
    expect(inside.error).toBe(
      "cannot insert in 'firewall ipv4 name WAN': the edit level is inside rule 10; 'up' to the list first",
    );
  });

  it('names the path where nothing can move', () => {
    const editor = new TreeEditor(
      loadSetForm(
        [1, 65534, 65535].map((n) => `set policy route-map T rule ${n} action permit`).join('\n'),
        schema,
      ).tree,
    );
    const r = applyInsert(editor, schema, 'policy route-map T rule 1 before rule 65535'.split(' '));
    expect(!r.ok && describeEditError(r.error)).toMatch(
      /^cannot insert in 'policy route-map T': there is no free number before 65535/,
    );
  });
});

describe('the schema marks ordered lists', () => {
  it('rules of firewall, NAT, conntrack and policy; keys are number ranges', () => {
    expect(checkSchema(schema)).toEqual([]);
    const help = configurationHelp(schema, [], ['insert']);
    expect(help.ok && help.lines).toEqual(
      expect.arrayContaining([
        'insert PATH rule A before|after rule B',
        '    firewall ipv4 forward filter rule',
        '    firewall ipv4 name <name> rule',
        '    nat source rule',
        '    nat destination rule',
        '    policy route <route> rule',
        '    policy route-map <route-map> rule',
        '    system conntrack ignore ipv4 rule',
      ]),
    );
    const lines = help.ok ? help.lines.join('\n') : '';
    expect(lines).not.toContain('vif');
    // A whole insert line asks for the same entry, its place included.
    for (const line of [
      'insert firewall ipv4 name T rule 15 before rule 20',
      'insert firewall ipv4 name T rule 15 after 20',
    ]) {
      const whole = configurationHelp(schema, [], line.split(' '));
      expect(whole.ok && whole.lines[0], line).toBe('insert PATH rule A before|after rule B');
    }
  });
});

describe('completion and prefixes of insert', () => {
  const ctx = {
    mode: 'configuration' as const,
    level: [] as string[],
    tree: base,
    runtime: () => [],
  };
  const words = (line: string, level: string[] = []) =>
    completeLine(line, line.length, schema, { ...ctx, level }).choices.map((c) => c.word);

  it('offers the paths that hold rules, then the configured numbers', () => {
    expect(words('insert ')).toEqual(['firewall', 'policy']);
    expect(words('insert firewall ipv4 name ')).toEqual(['WAN']);
    expect(words('insert firewall ipv4 name WAN ')).toEqual(['rule']);
    expect(words('insert firewall ipv4 name WAN rule ')).toEqual(['10', '20']);
    expect(words('insert firewall ipv4 name WAN rule 20 ')).toEqual(['after', 'before']);
    expect(words('insert firewall ipv4 name WAN rule 20 before ')).toEqual(['rule']);
    expect(words('insert firewall ipv4 name WAN rule 20 before rule ')).toEqual(['10']);
    expect(words('insert rule 10 a', ['firewall', 'ipv4', 'name', 'WAN'])).toEqual(['after']);
    const done = completeLine('insert rule 20 before rule 10 ', 30, schema, {
      ...ctx,
      level: ['firewall', 'ipv4', 'name', 'WAN'],
    });
    expect(done.complete).toBe(true);
  });

  it('expands keywords, but not into the rule (a is after, not action)', () => {
    const r = expandConfiguration(schema, [], 'ins fi ipv4 na WAN ru 20 a ru 10'.split(' '));
    expect(r).toEqual({
      ok: true,
      words: 'insert firewall ipv4 name WAN rule 20 after rule 10'.split(' '),
    });
  });
});

describe('insert in the shell, committed to nft', () => {
  let lab: Lab;
  const fos = (script: string) => runFos([...lab.flags, '-c', script]);
  const F = 'set firewall ipv4 forward filter';
  beforeAll(async () => {
    lab = await makeLab();
  });
  afterAll(async () => lab?.down());

  /** The forward chain's ports, in the order nft holds its rules. */
  const forwardPorts = (): string[] => {
    const listed = spawnSync('ip', ['netns', 'exec', lab.netns, 'nft', '-s', 'list', 'ruleset'], {
      encoding: 'utf8',
    }).stdout;
    return [...listed.matchAll(/tcp dport (\d+)/g)].map((m) => m[1]!);
  };

  it('moves a rule, shows it in compare, and commit reorders the chain', async () => {
    const setUp = await fos(
      [
        'configure',
        `${F} rule 10 action accept`,
        `${F} rule 10 protocol tcp`,
        `${F} rule 10 destination port 80`,
        `${F} rule 20 action drop`,
        `${F} rule 20 protocol tcp`,
        `${F} rule 20 destination port 81`,
        'commit',
      ].join('; '),
    );
    expect(setUp.err).toBe('');
    expect(forwardPorts()).toEqual(['80', '81']);
    const bad = await fos('configure; insert firewall ipv4 forward filter rule 20 before rule 30');
    expect(bad.code).not.toBe(0);
    expect(bad.out + bad.err).toContain(
      "cannot insert in 'firewall ipv4 forward filter': rule 30 is not configured",
    );
    const r = await fos(
      'configure; edit firewall ipv4 forward filter; insert rule 20 before rule 10; top; show | compare; commit',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('rule 20 is now rule 5');
    expect(r.out).toMatch(/^- +rule 20 \{/m);
    expect(r.out).toMatch(/^\+ +rule 5 \{/m);
    expect(forwardPorts()).toEqual(['81', '80']);
  });
});
