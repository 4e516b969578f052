/**
 * Large configurations: every written form, diff and compare of a 200,000-rule
 * tree (no "Maximum call stack size exceeded" from arrays spread into calls),
 * and a 100,000-member network group loads, verifies and renders in time
 * linear in its size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShellEngine } from '../src/cli/engine.js';
import { runScript } from '../src/cli/terminal.js';
import { routerAccess } from '../src/main.js';
import { verify } from '../src/verify/index.js';
import { makeLab, type Lab } from './helpers/lab.js';
import {
  diffCommands,
  diffCurly,
  EMPTY_TREE,
  editTree,
  setCommands,
  toCurly,
  toJson,
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
        '-                     action "accept"',
        '+                     action "drop"',
        '                  }',
        '-                 rule 9 {',
        '-                     action "accept"',
        '-                     destination {',
        '-                         port "10"',
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
    expect(verify(tree, schema).length).toBe(RULES);
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
