/**
 * Configuration bench: a generated 100k-line set-form file, parsed, resolved
 * against the schema into a tree, and verified; and a stale candidate rebased
 * onto a newer running configuration (three trees loaded apart, so nothing is
 * shared). The raw baseline is the least any reader must do: split the text
 * into lines and words.
 */
import { parseScript } from '../grammar/index.js';
import { loadSetForm, toSetForm } from '../src/config/index.js';
import { schema } from '../src/schema/index.js';
import { rebase } from '../src/session/index.js';
import { verify } from '../src/verify/index.js';
import { machine, median, ms, record, table } from './record.js';

/** Lines shaped like a large real router: many VLAN sub-interfaces, addresses and descriptions. */
export function generateSetLines(count: number): string {
  const lines: string[] = ["set system host-name 'bench'", "set system name-server '192.0.2.53'"];
  let eth = 0;
  let vif = 1;
  while (lines.length < count) {
    const base = `set interfaces ethernet eth${eth} vif ${vif}`;
    const a = (vif >> 8) & 255;
    const b = vif & 255;
    lines.push(`${base} address '10.${eth}.${a}.${b}/31'`);
    lines.push(`${base} address '2001:db8:${eth.toString(16)}:${vif.toString(16)}::1/64'`);
    lines.push(`${base} description 'customer ${eth}-${vif} "gold"'`);
    lines.push(`${base} mtu '1500'`);
    if (++vif > 4094) {
      vif = 1;
      eth++;
    }
  }
  return `${lines.slice(0, count).join('\n')}\n`;
}

function time<T>(fn: () => T): [T, number] {
  const started = performance.now();
  const result = fn();
  return [result, performance.now() - started];
}

export function runConfigBench(options: { lines: number; rounds: number; record: boolean }): void {
  const text = generateSetLines(options.lines);
  const raw: number[] = [];
  const parse: number[] = [];
  const load: number[] = [];
  const check: number[] = [];
  let peak = process.memoryUsage().rss;
  for (let round = 0; round < options.rounds; round++) {
    raw.push(time(() => text.split('\n').map((l) => l.split(' ')))[1]);
    parse.push(time(() => parseScript(text))[1]);
    const [loaded, loadMs] = time(() => loadSetForm(text, schema));
    if (loaded.report.invalid.length > 0)
      throw new Error(`bench input invalid: ${loaded.report.invalid[0]!.message}`);
    load.push(loadMs);
    const [issues, verifyMs] = time(() => verify(loaded.tree, schema));
    if (issues.length > 0) throw new Error(`bench input fails verify: ${issues[0]!.message}`);
    check.push(verifyMs);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (round === 0 && toSetForm(loaded.tree, schema).split('\n').length - 1 !== options.lines) {
      throw new Error('bench round trip lost lines');
    }
  }
  // A change on each side to different sub-interfaces of the same large tree.
  const base = loadSetForm(text, schema).tree;
  const mine = loadSetForm(`${text}set interfaces ethernet eth0 vif 1 mtu '1400'\n`, schema).tree;
  const theirs = loadSetForm(`${text}set interfaces ethernet eth0 vif 2 mtu '1400'\n`, schema).tree;
  const merge: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const [rebased, mergeMs] = time(() => rebase(base, mine, theirs, schema));
    if (!rebased.ok) throw new Error('bench rebase conflicts');
    merge.push(mergeMs);
  }
  const p = median(parse);
  const l = median(load);
  const v = median(check);
  const r = median(raw);
  const total = l + v;
  const rows = [
    {
      step: 'raw split into lines and words',
      time: ms(r),
      'lines/s': Math.round(options.lines / (r / 1000)).toLocaleString('en'),
      'vs raw': '1.0x',
    },
    {
      step: 'parse (chevrotain lexer + parser)',
      time: ms(p),
      'lines/s': Math.round(options.lines / (p / 1000)).toLocaleString('en'),
      'vs raw': `${(p / r).toFixed(1)}x`,
    },
    {
      step: 'parse + resolve into the tree',
      time: ms(l),
      'lines/s': Math.round(options.lines / (l / 1000)).toLocaleString('en'),
      'vs raw': `${(l / r).toFixed(1)}x`,
    },
    {
      step: 'verify (defaults + checks)',
      time: ms(v),
      'lines/s': Math.round(options.lines / (v / 1000)).toLocaleString('en'),
      'vs raw': `${(v / r).toFixed(1)}x`,
    },
    {
      step: 'rebase a stale candidate (3-way, trees loaded apart)',
      time: ms(median(merge)),
      'lines/s': Math.round(options.lines / (median(merge) / 1000)).toLocaleString('en'),
      'vs raw': `${(median(merge) / r).toFixed(1)}x`,
    },
    {
      step: '**parse + resolve + verify**',
      time: `**${ms(total)}**`,
      'lines/s': Math.round(options.lines / (total / 1000)).toLocaleString('en'),
      'vs raw': `${(total / r).toFixed(1)}x`,
    },
  ];
  const markdown = [
    `${options.lines.toLocaleString('en')} generated set-form lines (${(text.length / 1e6).toFixed(1)} MB), median of ${options.rounds} rounds; peak RSS ${(peak / 1e6).toFixed(0)} MB. Target: parse + resolve + verify under 1 s.`,
    '',
    table(rows),
    '',
    `Machine: ${machine()}.`,
  ].join('\n');
  process.stdout.write(`\n## config: parse, resolve, verify\n\n${markdown}\n`);
  if (options.record) record('config', markdown);
}
