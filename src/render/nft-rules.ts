/**
 * nft rules as data, their text, and the compiler that folds runs of rules
 * into set lookups. A run is folded when every rule in it has the same
 * verdict and the same fixed matches and differs only in keys that a set (or
 * a concatenation of keys) can hold: then "the first rule that matches"
 * and "any rule matches" mean the same, so the order inside the run does not
 * matter and a set lookup replaces a linear walk. Pure.
 */
import { isIPv4, parseIPv6 } from '../schema/index.js';

/** What the values of a key are, for overlap checks in concatenations. */
export type KeyKind = 'addr4' | 'addr6' | 'port' | 'ifname' | 'other';

export interface Match {
  /** `ip saddr`, `tcp dport`, `iifname`, `ct state`, ... */
  readonly key: string;
  readonly negate: boolean;
  /** One value or several (an anonymous set); a named set is `@NAME`. */
  readonly values: readonly string[];
  readonly kind: KeyKind;
}

export interface Rule {
  readonly matches: readonly Match[];
  /** Statements that match or act before the counter (`limit rate ...`, `add @RECENT ...`). */
  readonly gates: readonly string[];
  /** Statements after the counter (`log prefix ...`). */
  readonly actions: readonly string[];
  readonly verdict: string;
  /** The config rule numbers this rule stands for. */
  readonly numbers: readonly string[];
  /** A rule with gates or actions keeps its own line. */
  readonly description?: string;
}

export function matchText(m: Match): string {
  const value = m.values.length === 1 ? m.values[0]! : `{ ${m.values.join(', ')} }`;
  return `${m.key} ${m.negate ? '!= ' : ''}${value}`;
}

/** The comment that ties an nft rule back to its config rules (`rule 10`, `rules 10,20`, `rules 10-990 (99)`). */
export function ruleComment(numbers: readonly string[], description?: string): string {
  if (numbers.length === 0) return '';
  let head = numbers.length === 1 ? `rule ${numbers[0]}` : `rules ${numbers.join(',')}`;
  if (head.length > 60)
    head = `rules ${numbers[0]}-${numbers[numbers.length - 1]} (${numbers.length})`;
  return description ? `${head}: ${description}` : head;
}

/** Parse a rule comment back into the config rule numbers it covers (`show firewall`). */
export function commentNumbers(comment: string): { list?: string[]; range?: [number, number] } {
  const range = /^rules (\d+)-(\d+) \(\d+\)/.exec(comment);
  if (range) return { range: [Number(range[1]), Number(range[2])] };
  const list = /^rules? ([\d,]+)/.exec(comment);
  return list ? { list: list[1]!.split(',') } : {};
}

export function ruleText(rule: Rule, quote: (s: string) => string): string {
  const parts = [...rule.matches.map(matchText), ...rule.gates, 'counter', ...rule.actions];
  if (rule.verdict) parts.push(rule.verdict);
  const comment = ruleComment(rule.numbers, rule.description);
  if (comment) parts.push(`comment ${quote(comment)}`);
  return parts.join(' ');
}

// ------------------------------------------------------------------ folding

const KEYABLE: ReadonlySet<KeyKind> = new Set(['addr4', 'addr6', 'port', 'ifname']);

function keyable(m: Match): boolean {
  return !m.negate && KEYABLE.has(m.kind) && !m.values.some((v) => v.startsWith('@'));
}

function foldable(rule: Rule): boolean {
  return rule.gates.length === 0 && rule.actions.length === 0 && rule.verdict !== '';
}

type Interval = [bigint, bigint] | string;

function addr4(value: string): [bigint, bigint] {
  const toN = (a: string): bigint => BigInt(a.split('.').reduce((n, o) => n * 256 + Number(o), 0));
  const dash = value.indexOf('-');
  if (dash > 0) return [toN(value.slice(0, dash)), toN(value.slice(dash + 1))];
  const [a, len] = value.split('/');
  const base = toN(a!);
  const bits = BigInt(32 - (len === undefined ? 32 : Number(len)));
  return [base, base + (1n << bits) - 1n];
}

function addr6(value: string): [bigint, bigint] {
  const toN = (a: string): bigint => parseIPv6(a)!.reduce((n, g) => (n << 16n) | BigInt(g), 0n);
  const dash = value.indexOf('-');
  if (dash > 0) return [toN(value.slice(0, dash)), toN(value.slice(dash + 1))];
  const [a, len] = value.split('/');
  const base = toN(a!);
  const bits = BigInt(128 - (len === undefined ? 128 : Number(len)));
  return [base, base + (1n << bits) - 1n];
}

function interval(kind: KeyKind, value: string): Interval {
  if (kind === 'addr4' && (isIPv4(value.split(/[/-]/)[0]!) || value.includes('-')))
    return addr4(value);
  if (kind === 'addr6') return addr6(value);
  if (kind === 'port') {
    const [lo, hi] = value.split('-');
    return [BigInt(lo!), BigInt(hi ?? lo!)];
  }
  return value.replace(/^"|"$/g, '');
}

function overlap(a: Interval, b: Interval): boolean {
  if (typeof a === 'string' || typeof b === 'string') {
    const x = String(a);
    const y = String(b);
    if (x === y) return true;
    const wild = (w: string, s: string): boolean => w.endsWith('*') && s.startsWith(w.slice(0, -1));
    return wild(x, y) || wild(y, x);
  }
  return a[0] <= b[1] && b[0] <= a[1];
}

/** Concatenation elements cannot overlap in every key at once: nft refuses such a set. */
function elementsOverlap(a: readonly Interval[], b: readonly Interval[]): boolean {
  return a.every((x, i) => overlap(x, b[i]!));
}

/** Cartesian product of the values of each key. */
function product(lists: readonly (readonly string[])[]): string[][] {
  let out: string[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((v) => [...prefix, v]));
  return out;
}

interface Run {
  readonly rules: Rule[];
  readonly signature: string;
}

function signature(rule: Rule): string {
  const fixed = rule.matches.filter((m) => !keyable(m)).map(matchText);
  const keys = rule.matches.filter(keyable).map((m) => m.key);
  return JSON.stringify([rule.verdict, fixed, keys]);
}

/** At most this many elements come from one rule (a product of lists); beyond it the rule stays linear. */
const MAX_ELEMENTS_PER_RULE = 256;

function foldRun(run: Run, checkOverlap = true): Rule[] {
  const rules = run.rules;
  if (rules.length === 1) return rules;
  const first = rules[0]!;
  const keyMatches = first.matches.filter(keyable);
  const fixed = first.matches.filter((m) => !keyable(m));
  // Keys with the same values in every rule stay plain matches; the others vary.
  const varying: number[] = [];
  const same: Match[] = [];
  keyMatches.forEach((m, i) => {
    const text = matchText(m);
    if (rules.every((r) => matchText(r.matches.filter(keyable)[i]!) === text)) same.push(m);
    else varying.push(i);
  });
  const numbers = rules.flatMap((r) => r.numbers);
  // A folded rule stands for several config rules: no one description fits it.
  const { description: _unused, ...firstWithout } = first;
  void _unused;
  const base: Rule = { ...firstWithout, matches: [...fixed, ...same] };
  if (varying.length === 0) return [{ ...base, numbers }];
  if (varying.length === 1) {
    const i = varying[0]!;
    const values = [...new Set(rules.flatMap((r) => r.matches.filter(keyable)[i]!.values))];
    const key = keyMatches[i]!;
    return [{ ...base, matches: [...base.matches, { ...key, values }], numbers }];
  }
  // A concatenation: every rule contributes the product of its varying keys' values.
  const keys = varying.map((i) => keyMatches[i]!);
  const out: Rule[] = [];
  let elements: string[][] = [];
  let intervals: Interval[][] = [];
  let members: string[] = [];
  const flush = (): void => {
    if (members.length === 0) return;
    const key = keys.map((k) => k.key).join(' . ');
    const values = elements.map((e) => e.join(' . '));
    const concat: Match = { key, negate: false, values, kind: 'other' };
    out.push({ ...base, matches: [...base.matches, concat], numbers: members });
    elements = [];
    intervals = [];
    members = [];
  };
  for (const rule of rules) {
    const ms = rule.matches.filter(keyable);
    const mine = product(varying.map((i) => ms[i]!.values));
    if (mine.length > MAX_ELEMENTS_PER_RULE) {
      flush();
      out.push(rule);
      continue;
    }
    const mineIntervals = mine.map((e) => e.map((v, j) => interval(keys[j]!.kind, v)));
    const clash =
      checkOverlap && mineIntervals.some((m) => intervals.some((x) => elementsOverlap(m, x)));
    if (clash) flush();
    elements.push(...mine);
    intervals.push(...mineIntervals);
    members.push(...rule.numbers);
  }
  flush();
  return out;
}

/**
 * Overlap checks are quadratic in a run's size; a run whose first varying
 * key never overlaps (the usual case: one network per rule) is checked by
 * sorting instead, and one that does is folded greedily in chunks.
 */
function foldRunFast(run: Run): Rule[] {
  if (run.rules.length <= 64) return foldRun(run);
  const first = run.rules[0]!;
  const keyMatches = first.matches.filter(keyable);
  if (keyMatches.length < 2) return foldRun(run);
  // Find a key whose values are all disjoint across the run: then no two elements overlap.
  for (let k = 0; k < keyMatches.length; k++) {
    const all: [bigint, bigint][] = [];
    let plain = true;
    for (const r of run.rules) {
      for (const v of r.matches.filter(keyable)[k]!.values) {
        const iv = interval(keyMatches[k]!.kind, v);
        if (typeof iv === 'string') {
          plain = false;
          break;
        }
        all.push(iv);
      }
      if (!plain) break;
    }
    if (!plain) continue;
    all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    // Disjoint in one key: no two elements can overlap in every key.
    if (all.every((iv, i) => i === 0 || all[i - 1]![1] < iv[0])) return foldRun(run, false);
  }
  const out: Rule[] = [];
  for (let i = 0; i < run.rules.length; i += 64)
    out.push(...foldRun({ ...run, rules: run.rules.slice(i, i + 64) }));
  return out;
}

/** Fold runs of compatible rules into set lookups; everything else stays as it is, in order. */
export function foldRules(rules: readonly Rule[]): Rule[] {
  const out: Rule[] = [];
  let run: Run | undefined;
  const close = (): void => {
    if (run) out.push(...foldRunFast(run));
    run = undefined;
  };
  for (const rule of rules) {
    if (!foldable(rule)) {
      close();
      out.push(rule);
      continue;
    }
    const sig = signature(rule);
    if (run && run.signature === sig) run.rules.push(rule);
    else {
      close();
      run = { rules: [rule], signature: sig };
    }
  }
  close();
  return out;
}
