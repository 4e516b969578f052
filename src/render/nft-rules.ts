/**
 * nft rules as data, their text, and the compiler that folds runs of rules
 * into set lookups. A run is folded when every rule in it has the same
 * verdict and the same fixed matches and differs only in keys that a set (or
 * a concatenation of keys) can hold: then "the first rule that matches"
 * and "any rule matches" mean the same, so the order inside the run does not
 * matter and a set lookup replaces a linear walk. Pure.
 */
import { runToEnd } from '../config/slice.js';
import { ipv4ToNumber, parseIPv6 } from '../schema/index.js';

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

/** A value as an interval of numbers (v4 addresses and ports fit a double; v6 needs bigint), or a name. */
type Interval = [number, number] | [bigint, bigint] | string;

function addr4(value: string): [number, number] {
  const dash = value.indexOf('-');
  if (dash > 0) return [ipv4ToNumber(value.slice(0, dash)), ipv4ToNumber(value.slice(dash + 1))];
  const slash = value.indexOf('/');
  if (slash < 0) {
    const n = ipv4ToNumber(value);
    return [n, n];
  }
  const base = ipv4ToNumber(value.slice(0, slash));
  return [base, base + 2 ** (32 - Number(value.slice(slash + 1))) - 1];
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

/** A set element as an interval: numbers for IPv4 and ports, bigint for IPv6, a name otherwise. */
export function valueInterval(kind: KeyKind, value: string): Interval {
  if (kind === 'addr4') return addr4(value);
  if (kind === 'addr6') return addr6(value);
  if (kind === 'port') {
    const dash = value.indexOf('-');
    return dash < 0
      ? [Number(value), Number(value)]
      : [Number(value.slice(0, dash)), Number(value.slice(dash + 1))];
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

/** A foldable rule with its matches split once: the keys a set can hold, and the rest. */
interface Split {
  readonly rule: Rule;
  readonly keys: readonly Match[];
  readonly fixed: readonly Match[];
}

interface Run {
  readonly rules: Split[];
  readonly signature: string;
}

function split(rule: Rule): Split {
  const keys: Match[] = [];
  const fixed: Match[] = [];
  for (const m of rule.matches) (keyable(m) ? keys : fixed).push(m);
  return { rule, keys, fixed };
}

function signature(s: Split): string {
  return `${s.rule.verdict}\u0000${s.fixed.map(matchText).join('\u0001')}\u0000${s.keys.map((m) => m.key).join('\u0001')}`;
}

const sameValues = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** The netmask of a prefix length, in the family's notation. */
function netmask(length: number, v6: boolean): string {
  if (!v6) {
    const n = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) {
    const bits = Math.max(0, Math.min(16, length - g * 16));
    groups.push(((0xffff << (16 - bits)) & 0xffff).toString(16));
  }
  return groups.join(':');
}

/** Sets this small stay as written, prefixes and all: they read better. */
const MASK_FROM = 16;

/**
 * A set lookup over rows of key values. When every address column holds
 * prefixes of one length and every other column exact values, the prefixes
 * become a mask on the key (`ip saddr & 255.255.255.0 . udp dport`) and the
 * set a hash of exact elements, looked up in constant time, instead of an
 * interval set that is searched.
 */
function hashable(keys: readonly Match[], rows: readonly (readonly string[])[]): Match {
  const plain = (): Match => {
    const values = rows.map((r) => r.join(' . '));
    return keys.length === 1
      ? { ...keys[0]!, values }
      : { key: keys.map((k) => k.key).join(' . '), negate: false, values, kind: 'other' };
  };
  if (rows.length < MASK_FROM) return plain();
  const lengths: (number | undefined)[] = keys.map((k, col) => {
    if (k.kind !== 'addr4' && k.kind !== 'addr6') return undefined;
    const first = rows[0]![col]!;
    const slash = first.indexOf('/');
    if (slash < 0) return undefined;
    const suffix = first.slice(slash);
    return rows.every((r) => r[col]!.endsWith(suffix) && !r[col]!.includes('-'))
      ? Number(suffix.slice(1))
      : undefined;
  });
  const exact = keys.every((k, col) => {
    if (lengths[col] !== undefined) return true;
    return rows.every((r) => {
      const v = r[col]!;
      if (k.kind === 'port') return !v.includes('-');
      if (k.kind === 'ifname') return !v.includes('*');
      return !v.includes('/') && !v.includes('-');
    });
  });
  if (!exact || lengths.every((l) => l === undefined)) return plain();
  const key = keys
    .map((k, col) =>
      lengths[col] === undefined
        ? k.key
        : `${k.key} & ${netmask(lengths[col]!, k.kind === 'addr6')}`,
    )
    .join(' . ');
  const values = [
    ...new Set(
      rows.map((r) =>
        r
          .map((v, col) => (lengths[col] === undefined ? v : v.slice(0, v.indexOf('/'))))
          .join(' . '),
      ),
    ),
  ];
  return { key, negate: false, values, kind: 'other' };
}

/** At most this many elements come from one rule (a product of lists); beyond it the rule stays linear. */
const MAX_ELEMENTS_PER_RULE = 256;

/** Rules split, compared or folded between two yields. */
const RULES_PER_STEP = 256;

function* foldRun(run: Run, checkOverlap = true): Generator<void, Rule[]> {
  const rules = run.rules;
  if (rules.length === 1) return [rules[0]!.rule];
  const first = rules[0]!;
  // Keys with the same values in every rule stay plain matches; the others vary.
  const varying: number[] = [];
  const same: Match[] = [];
  for (let i = 0; i < first.keys.length; i++) {
    const m = first.keys[i]!;
    let all = true;
    for (let j = 0; all && j < rules.length; j++) {
      all = sameValues(rules[j]!.keys[i]!.values, m.values);
      if ((j + 1) % RULES_PER_STEP === 0) yield;
    }
    if (all) same.push(m);
    else varying.push(i);
  }
  const numbers: string[] = [];
  for (let j = 0; j < rules.length; j++) {
    for (const n of rules[j]!.rule.numbers) numbers.push(n);
    if ((j + 1) % RULES_PER_STEP === 0) yield;
  }
  // A folded rule stands for several config rules: no one description fits it.
  const { description: _description, ...firstWithout } = first.rule;
  const base: Rule = { ...firstWithout, matches: [...first.fixed, ...same] };
  if (varying.length === 0) return [{ ...base, numbers }];
  if (varying.length === 1) {
    const i = varying[0]!;
    const distinct = new Set<string>();
    for (let j = 0; j < rules.length; j++) {
      for (const v of rules[j]!.keys[i]!.values) distinct.add(v);
      if ((j + 1) % RULES_PER_STEP === 0) yield;
    }
    const values = [...distinct];
    yield;
    const set = hashable(
      [first.keys[i]!],
      values.map((v) => [v]),
    );
    return [{ ...base, matches: [...base.matches, set], numbers }];
  }
  // A concatenation: every rule contributes the product of its varying keys' values.
  const keys = varying.map((i) => first.keys[i]!);
  const out: Rule[] = [];
  let elements: string[][] = [];
  let intervals: Interval[][] = [];
  let members: string[] = [];
  const flush = (): void => {
    if (members.length === 0) return;
    out.push({ ...base, matches: [...base.matches, hashable(keys, elements)], numbers: members });
    elements = [];
    intervals = [];
    members = [];
  };
  let done = 0;
  for (const r of rules) {
    if (++done % RULES_PER_STEP === 0) yield;
    const mine =
      varying.length === 2 &&
      r.keys[varying[0]!]!.values.length === 1 &&
      r.keys[varying[1]!]!.values.length === 1
        ? [[r.keys[varying[0]!]!.values[0]!, r.keys[varying[1]!]!.values[0]!]]
        : product(varying.map((i) => r.keys[i]!.values));
    if (mine.length > MAX_ELEMENTS_PER_RULE) {
      flush();
      out.push(r.rule);
      continue;
    }
    if (checkOverlap) {
      const mineIntervals = mine.map((e) => e.map((v, j) => valueInterval(keys[j]!.kind, v)));
      if (mineIntervals.some((m) => intervals.some((x) => elementsOverlap(m, x)))) flush();
      for (const x of mineIntervals) intervals.push(x);
    }
    for (const x of mine) elements.push(x);
    for (const x of r.rule.numbers) members.push(x);
  }
  flush();
  return out;
}

/**
 * Overlap checks are quadratic in a run's size; a run with a key whose values
 * never overlap (the usual case: one network per rule) needs none, which a
 * sort shows; one that does overlap is folded greedily in chunks.
 */
function* foldRunFast(run: Run): Generator<void, Rule[]> {
  if (run.rules.length <= 64) return yield* foldRun(run);
  const first = run.rules[0]!;
  if (first.keys.length < 2) return yield* foldRun(run);
  for (let k = 0; k < first.keys.length; k++) {
    const kind = first.keys[k]!.kind;
    if (kind === 'ifname') continue;
    const all: Interval[] = [];
    for (let j = 0; j < run.rules.length; j++) {
      for (const v of run.rules[j]!.keys[k]!.values) all.push(valueInterval(kind, v));
      if ((j + 1) % RULES_PER_STEP === 0) yield;
    }
    const numeric = all as ([number, number] | [bigint, bigint])[];
    numeric.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (numeric.every((iv, i) => i === 0 || numeric[i - 1]![1] < iv[0]))
      return yield* foldRun(run, false);
  }
  const out: Rule[] = [];
  for (let i = 0; i < run.rules.length; i += 64)
    for (const x of yield* foldRun({ ...run, rules: run.rules.slice(i, i + 64) })) out.push(x);
  return out;
}

/** Fold runs of compatible rules into set lookups; everything else stays as it is, in order. */
export function foldRules(rules: readonly Rule[]): Rule[] {
  return runToEnd(foldRulesSteps(rules));
}

/** `foldRules`, a few hundred rules per step (a run is folded in one). */
export function* foldRulesSteps(rules: readonly Rule[]): Generator<void, Rule[]> {
  const out: Rule[] = [];
  let run: Run | undefined;
  function* close(): Generator<void, void> {
    if (run) for (const x of yield* foldRunFast(run)) out.push(x);
    run = undefined;
  }
  let done = 0;
  for (const rule of rules) {
    if (++done % RULES_PER_STEP === 0) yield;
    if (!foldable(rule)) {
      yield* close();
      out.push(rule);
      continue;
    }
    const s = split(rule);
    const sig = signature(s);
    if (run && run.signature === sig) run.rules.push(s);
    else {
      yield* close();
      run = { rules: [s], signature: sig };
    }
  }
  yield* close();
  return out;
}
