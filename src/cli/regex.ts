/**
 * Regular expressions for `| match` and `| except` (later `| grep`), matched
 * in time linear in the text: a pattern is compiled to a Thompson NFA and run
 * as a DFA built lazily from it (each state a set of NFA positions, cached),
 * so no input can make matching backtrack. Nothing here needs JavaScript's
 * RegExp, whose backtracking lets `(a+)+$` take seconds on 30 characters.
 *
 * Syntax: POSIX extended (what `| match` and `grep -E` take) or basic
 * (`grep` without -E: `\( \) \{ \} \| \+ \?`), both with the escapes operators
 * type: `\d \w \s \D \W \S \b \B \< \>`, `\t \n \xHH \uHHHH`. Bracket classes take
 * ranges, negation, POSIX classes (`[[:digit:]]`) and escapes. Backreferences
 * and lookaround need backtracking and are refused.
 */

export type RegexSyntax = 'extended' | 'basic' | 'fixed';

export interface RegexOptions {
  /** `extended` (default): `| match`, `grep -E`; `basic`: plain `grep`; `fixed`: `grep -F`. */
  readonly syntax?: RegexSyntax;
  /** `grep -i`: letters match either case. */
  readonly ignoreCase?: boolean;
  /** `grep -x`: the pattern matches the whole line; `grep -w`: a whole word. */
  readonly whole?: 'line' | 'word';
}

export interface Regex {
  /** True when the pattern matches somewhere in the text. */
  test(text: string): boolean;
}

export type RegexResult =
  { readonly ok: true; readonly regex: Regex } | { readonly ok: false; readonly error: string };

/** The longest pattern accepted, in characters. */
export const MAX_PATTERN_LENGTH = 1000;
/** The largest count in `{m,n}`. */
export const MAX_REPEAT = 1000;
/** The largest compiled program (bounded repetition is expanded), in instructions. */
export const MAX_PROGRAM = 5000;
/** DFA states (and NFA positions in them) kept before the cache starts over; only speed depends on it. */
const MAX_DFA_STATES = 2000;
const MAX_DFA_POSITIONS = 500_000;

/**
 * Compile one pattern, or several that match when any of them does (`grep
 * -e A -e B`). The error names what is wrong and where.
 */
export function compileRegex(
  patterns: string | readonly string[],
  options: RegexOptions = {},
): RegexResult {
  const list = typeof patterns === 'string' ? [patterns] : patterns;
  const length = list.reduce((n, p) => n + p.length, 0);
  if (length > MAX_PATTERN_LENGTH)
    return {
      ok: false,
      error: `the pattern is ${length} characters long; the limit is ${MAX_PATTERN_LENGTH}`,
    };
  try {
    const syntax = options.syntax ?? 'extended';
    const trees = list.map((p) =>
      syntax === 'fixed'
        ? ({ t: 'cat', items: Array.from(p, (ch) => literal(ch.codePointAt(0)!)) } as Node)
        : new Parser(p, syntax).parse(),
    );
    const tree = wholly(trees.length === 1 ? trees[0]! : { t: 'alt', items: trees }, options.whole);
    const size = programSize(tree);
    if (size > MAX_PROGRAM)
      throw new RegexError(
        `the pattern compiles to ${size > 1e9 ? 'over a billion' : size} instructions; the limit is ${MAX_PROGRAM} (use smaller {m,n} counts)`,
      );
    const program = compile(tree);
    return { ok: true, regex: new LazyDfa(program, options.ignoreCase ?? false) };
  } catch (e) {
    if (e instanceof RegexError) return { ok: false, error: e.message };
    throw e;
  }
}

class RegexError extends Error {}

/**
 * `-x`: anchored at both ends. `-w`: preceded by the start or a non-word
 * character and followed by one or the end; since a line matches when any
 * match exists, that is exactly grep's rule.
 */
function wholly(tree: Node, whole: RegexOptions['whole']): Node {
  if (whole === undefined) return tree;
  if (whole === 'line')
    return {
      t: 'cat',
      items: [{ t: 'assert', what: 'start' }, tree, { t: 'assert', what: 'end' }],
    };
  const nonWord = classNode(WORD, true);
  return {
    t: 'cat',
    items: [
      { t: 'alt', items: [{ t: 'assert', what: 'start' }, nonWord] },
      tree,
      { t: 'alt', items: [nonWord, { t: 'assert', what: 'end' }] },
    ],
  };
}

// ------------------------------------------------------------------ characters

/** A set of code points: sorted, disjoint, inclusive [from, to] pairs; `negated` applies after case folding. */
interface CharSet {
  readonly ranges: readonly number[];
  readonly negated: boolean;
}

const MAX_CODE_POINT = 0x10ffff;
const DIGIT = [0x30, 0x39];
const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
// JavaScript's \s: WhiteSpace and LineTerminator.
const SPACE = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f,
  0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
];
const LINE_TERMINATORS = [0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029];

function normalise(ranges: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [from, to] of pairs) {
    const last = out.length - 1;
    if (last > 0 && from <= out[last]! + 1) out[last] = Math.max(out[last]!, to);
    else out.push(from, to);
  }
  return out;
}

function complement(ranges: readonly number[]): number[] {
  const sorted = normalise(ranges);
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < sorted.length; i += 2) {
    if (sorted[i]! > next) out.push(next, sorted[i]! - 1);
    next = sorted[i + 1]! + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

function inRanges(ranges: readonly number[], c: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (c < ranges[2 * mid]!) hi = mid - 1;
    else if (c > ranges[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The other-case forms of a code point that are single code points themselves. */
function caseVariants(c: number): number[] {
  const s = String.fromCodePoint(c);
  const out: number[] = [];
  for (const v of [s.toLowerCase(), s.toUpperCase()]) {
    const cp = v.codePointAt(0)!;
    if (cp !== c && v.length === String.fromCodePoint(cp).length) out.push(cp);
  }
  return out;
}

function setMatches(set: CharSet, c: number, ignoreCase: boolean): boolean {
  let hit = inRanges(set.ranges, c);
  if (!hit && ignoreCase) hit = caseVariants(c).some((v) => inRanges(set.ranges, v));
  return hit !== set.negated;
}

const isWordChar = (c: number): boolean => inRanges(WORD, c);

const POSIX_CLASSES: Readonly<Record<string, readonly number[]>> = {
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  digit: DIGIT,
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  upper: [0x41, 0x5a],
  lower: [0x61, 0x7a],
  space: [0x09, 0x0d, 0x20, 0x20],
  blank: [0x09, 0x09, 0x20, 0x20],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  print: [0x20, 0x7e],
  graph: [0x21, 0x7e],
  word: WORD,
};

// ------------------------------------------------------------------ syntax tree

type Assertion =
  'start' | 'end' | 'word-boundary' | 'not-word-boundary' | 'word-start' | 'word-end';

type Node =
  | { readonly t: 'empty' }
  | { readonly t: 'set'; readonly set: CharSet }
  | { readonly t: 'assert'; readonly what: Assertion }
  | { readonly t: 'cat'; readonly items: readonly Node[] }
  | { readonly t: 'alt'; readonly items: readonly Node[] }
  | { readonly t: 'repeat'; readonly item: Node; readonly min: number; readonly max: number };

const EMPTY: Node = { t: 'empty' };
const literal = (c: number): Node => ({ t: 'set', set: { ranges: [c, c], negated: false } });
const classNode = (ranges: readonly number[], negated = false): Node => ({
  t: 'set',
  set: { ranges: normalise(ranges), negated },
});

const ESCAPED_CLASSES: Readonly<Record<string, readonly number[]>> = {
  d: DIGIT,
  D: complement(DIGIT),
  w: WORD,
  W: complement(WORD),
  s: SPACE,
  S: complement(SPACE),
};
const ESCAPED_CHARS: Readonly<Record<string, number>> = {
  t: 0x09,
  n: 0x0a,
  r: 0x0d,
  f: 0x0c,
  v: 0x0b,
};
const ESCAPED_ASSERTIONS: Readonly<Record<string, Assertion>> = {
  b: 'word-boundary',
  B: 'not-word-boundary',
  '<': 'word-start',
  '>': 'word-end',
};

/**
 * A recursive-descent parser over code points. The two syntaxes differ only
 * in which characters are operators; `operator()` tells them apart.
 */
class Parser {
  private readonly chars: number[];
  private i = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly syntax: 'extended' | 'basic',
  ) {
    this.chars = Array.from(source, (ch) => ch.codePointAt(0)!);
  }

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.chars.length) throw this.error(`unmatched ')'`);
    return node;
  }

  private error(message: string, at = this.i): RegexError {
    return new RegexError(`${message} at character ${at + 1}`);
  }

  private peek(offset = 0): string | undefined {
    const c = this.chars[this.i + offset];
    return c === undefined ? undefined : String.fromCodePoint(c);
  }

  /**
   * The operator at the cursor, if there is one, and how many characters it
   * takes: `(`, `)`, `|`, `*`, `+`, `?`, `{`, `^`, `$`.
   */
  private operator(): { op: string; width: number } | undefined {
    const c = this.peek();
    if (c === undefined) return undefined;
    if (this.syntax === 'extended')
      return '()|*+?{^$'.includes(c) ? { op: c, width: 1 } : undefined;
    if (c === '\\') {
      const n = this.peek(1);
      return n !== undefined && '()|{+?'.includes(n) ? { op: n, width: 2 } : undefined;
    }
    if (c === '*') return { op: c, width: 1 };
    if (c === '^' || c === '$') return { op: c, width: 1 };
    return undefined;
  }

  private alternation(): Node {
    const items = [this.concatenation()];
    while (this.operator()?.op === '|') {
      this.i += this.operator()!.width;
      items.push(this.concatenation());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private concatenation(): Node {
    const items: Node[] = [];
    const begin = this.i;
    for (;;) {
      const op = this.operator();
      if (this.i >= this.chars.length || op?.op === '|' || op?.op === ')') break;
      // Basic syntax: `*` first in an expression, and `^`/`$` away from its ends, are literals.
      if (this.syntax === 'basic' && op) {
        if (op.op === '*' && (this.i === begin || this.isBasicCaretBefore(begin))) {
          this.i++;
          items.push(literal(0x2a));
          continue;
        }
        if (op.op === '^' && this.i !== begin) {
          this.i++;
          items.push(this.quantified(literal(0x5e)));
          continue;
        }
        if (op.op === '$' && !this.atBasicEnd()) {
          this.i++;
          items.push(this.quantified(literal(0x24)));
          continue;
        }
      }
      items.push(this.quantified(this.atom()));
    }
    return items.length === 0 ? EMPTY : items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  /** In basic syntax `^*` is an anchor and a literal star. */
  private isBasicCaretBefore(begin: number): boolean {
    return this.i === begin + 1 && this.chars[begin] === 0x5e;
  }

  private atBasicEnd(): boolean {
    if (this.i + 1 >= this.chars.length) return true;
    return this.peek(1) === '\\' && (this.peek(2) === ')' || this.peek(2) === '|');
  }

  private quantified(atom: Node): Node {
    const start = this.i;
    const q = this.quantifier();
    if (!q) return atom;
    // Basic syntax: `^*` is an anchor and then a literal star.
    if (this.syntax === 'basic' && atom.t === 'assert' && atom.what === 'start') {
      this.i = start;
      return atom;
    }
    if (atom.t === 'assert' || atom.t === 'empty')
      throw this.error('nothing to repeat before the quantifier', start);
    // `*?` `+?` `??`: lazy quantifiers match the same lines as greedy ones.
    if (this.syntax === 'extended' && this.peek() === '?') this.i++;
    if (this.quantifier(true)) throw this.error('nothing to repeat before the quantifier');
    return { t: 'repeat', item: atom, min: q.min, max: q.max };
  }

  /** `* + ? {m} {m,} {m,n} {,n}` at the cursor (consumed unless only peeking). */
  private quantifier(peek = false): { min: number; max: number } | undefined {
    const op = this.operator();
    if (!op) return undefined;
    const simple: Record<string, [number, number]> = {
      '*': [0, Infinity],
      '+': [1, Infinity],
      '?': [0, 1],
    };
    const s = simple[op.op];
    if (s) {
      if (!peek) this.i += op.width;
      return { min: s[0], max: s[1] };
    }
    if (op.op !== '{') return undefined;
    const start = this.i;
    let j = this.i + op.width;
    const number = (): string => {
      let digits = '';
      while (j < this.chars.length && this.chars[j]! >= 0x30 && this.chars[j]! <= 0x39)
        digits += String.fromCodePoint(this.chars[j++]!);
      return digits;
    };
    const lo = number();
    let hi = lo;
    if (this.chars[j] === 0x2c) {
      j++;
      hi = number();
      if (hi === '') hi = 'inf';
    }
    const closing = this.syntax === 'basic' ? [0x5c, 0x7d] : [0x7d];
    const closes = closing.every((c, k) => this.chars[j + k] === c);
    if (!closes || (lo === '' && (hi === '' || hi === 'inf'))) {
      // Extended syntax, as grep -E and JavaScript: a `{` that starts no count is a literal.
      if (this.syntax === 'extended') return undefined;
      throw this.error(`'\\{' needs a count: \\{m\\}, \\{m,\\} or \\{m,n\\}`, start);
    }
    if (peek) return { min: 0, max: 0 };
    this.i = j + closing.length;
    const min = lo === '' ? 0 : Number(lo);
    const max = hi === 'inf' ? Infinity : Number(hi);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT))
      throw this.error(`a repetition count above ${MAX_REPEAT}`, start);
    if (min > max) throw this.error(`the repetition {${lo},${hi}} counts down`, start);
    return { min, max };
  }

  private atom(): Node {
    const start = this.i;
    const op = this.operator();
    if (op) {
      switch (op.op) {
        case '(':
          return this.group(op.width);
        case '^':
          this.i += op.width;
          return { t: 'assert', what: 'start' };
        case '$':
          this.i += op.width;
          return { t: 'assert', what: 'end' };
        case '{':
          // Not a count (quantifier() said so): a literal brace.
          this.i += op.width;
          return literal(0x7b);
        default:
          throw this.error(`nothing to repeat before '${op.op}'`, start);
      }
    }
    const c = this.peek()!;
    if (c === '[') return this.bracket();
    if (c === '.') {
      this.i++;
      return classNode(LINE_TERMINATORS, true);
    }
    if (c === '\\') return this.escape(false) as Node;
    this.i++;
    return literal(this.chars[start]!);
  }

  private group(width: number): Node {
    const start = this.i;
    this.i += width;
    if (this.syntax === 'extended' && this.peek() === '?') {
      const marker = this.peek(1);
      const lookbehind = marker === '<' && (this.peek(2) === '=' || this.peek(2) === '!');
      if (marker === '=' || marker === '!' || lookbehind)
        throw this.error(
          `${lookbehind ? 'lookbehind' : 'lookahead'} '(?${lookbehind ? '<' + this.peek(2) : marker}' is not supported`,
          start,
        );
      if (marker === ':') this.i += 2;
      else if (marker === '<') {
        // A named group `(?<name>...)` is a plain group here.
        const close = this.chars.indexOf(0x3e, this.i);
        if (close < 0) throw this.error(`unfinished group name`, start);
        this.i = close + 1;
      } else throw this.error(`'(?${marker ?? ''}' is not supported`, start);
    }
    if (++this.depth > 200) throw this.error('groups nested deeper than 200');
    const inner = this.alternation();
    this.depth--;
    if (this.operator()?.op !== ')') throw this.error(`unmatched '('`, start);
    this.i += this.operator()!.width;
    // A group may be repeated even when it holds only an assertion or nothing: `(^)*`, `()+`.
    return inner.t === 'assert' || inner.t === 'empty' ? { t: 'cat', items: [inner] } : inner;
  }

  /**
   * `\X` at the cursor: a class, an assertion (outside brackets) or one
   * character. Inside brackets it returns ranges.
   */
  private escape(inBracket: boolean): Node | number[] {
    const start = this.i;
    this.i++;
    const c = this.peek();
    if (c === undefined) throw this.error(`a pattern cannot end with '\\'`, start);
    this.i++;
    const set = ESCAPED_CLASSES[c];
    if (set) return inBracket ? [...set] : classNode(set);
    if (!inBracket && ESCAPED_ASSERTIONS[c]) return { t: 'assert', what: ESCAPED_ASSERTIONS[c] };
    const single = (cp: number): Node | number[] => (inBracket ? [cp, cp] : literal(cp));
    // As in JavaScript, `[\b]` is a backspace.
    if (inBracket && c === 'b') return single(0x08);
    if (ESCAPED_CHARS[c] !== undefined) return single(ESCAPED_CHARS[c]);
    if (c >= '1' && c <= '9')
      throw this.error(`backreferences ('\\${c}') are not supported`, start);
    if (c === 'k' && this.peek() === '<')
      throw this.error(`backreferences ('\\k<name>') are not supported`, start);
    if (c === '0') {
      if (this.peek() !== undefined && /[0-9]/.test(this.peek()!))
        throw this.error(`octal escapes ('\\0${this.peek()}') are not supported`, start);
      return single(0);
    }
    if (c === 'x' || c === 'u') {
      const digits = c === 'x' ? 2 : 4;
      const hex = this.source.slice(this.offsetOf(this.i), this.offsetOf(this.i) + digits);
      if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex))
        throw this.error(`'\\${c}' needs ${digits} hexadecimal digits`, start);
      this.i += digits;
      return single(parseInt(hex, 16));
    }
    if (/[A-Za-z]/.test(c)) throw this.error(`unknown escape '\\${c}'`, start);
    // Any other escaped character stands for itself: `\.`, `\*`, `\\`, `\/`.
    return single(this.chars[start + 1]!);
  }

  /** The UTF-16 offset in the source of a code point index. */
  private offsetOf(index: number): number {
    let offset = 0;
    for (let k = 0; k < index; k++) offset += this.chars[k]! > 0xffff ? 2 : 1;
    return offset;
  }

  /** `[...]`: ranges, negation, POSIX classes, escapes; `]` first is a literal (POSIX). */
  private bracket(): Node {
    const start = this.i;
    this.i++;
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.i++;
    }
    const ranges: number[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw this.error(`unmatched '['`, start);
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      if (c === '[' && this.peek(1) === ':') {
        const rest = this.source.slice(this.offsetOf(this.i));
        const m = /^\[:([a-z]*):\]/.exec(rest);
        if (!m) throw this.error(`unfinished POSIX class '[:'`);
        const cls = POSIX_CLASSES[m[1]!];
        if (!cls)
          throw this.error(
            `unknown class '[:${m[1]}:]'; known: ${Object.keys(POSIX_CLASSES).join(', ')}`,
          );
        ranges.push(...cls);
        this.i += m[0].length;
        continue;
      }
      if (c === '[' && (this.peek(1) === '=' || this.peek(1) === '.'))
        throw this.error(`'[${this.peek(1)}' (collating elements) is not supported`);
      const from = this.bracketChar();
      if (from.length > 2 || this.peek() !== '-' || this.peek(1) === ']' || !this.peek(1)) {
        ranges.push(...from);
        continue;
      }
      const dash = this.i;
      this.i++;
      const to = this.bracketChar();
      if (to.length > 2 || from.length > 2)
        throw this.error(`a range cannot start or end with a class`, dash);
      if (to[0]! < from[0]!)
        throw this.error(
          `the range '${String.fromCodePoint(from[0]!)}-${String.fromCodePoint(to[0]!)}' is out of order`,
          dash,
        );
      ranges.push(from[0]!, to[0]!);
    }
    return classNode(ranges, negated);
  }

  /** One member of a bracket: a character as [c, c], or a class escape's ranges. */
  private bracketChar(): number[] {
    if (this.peek() === '\\') {
      const r = this.escape(true) as number[];
      return r;
    }
    const c = this.chars[this.i++]!;
    return [c, c];
  }
}

// ------------------------------------------------------------------ program

/** Instruction kinds. `next` of a consuming or asserting instruction is always pc + 1. */
const CHAR = 0;
const SPLIT = 1;
const JUMP = 2;
const ASSERT = 3;
const MATCH = 4;

interface Program {
  readonly op: Int32Array;
  /** SPLIT/JUMP: targets; CHAR: the set's index; ASSERT: the assertion's index. */
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly sets: readonly CharSet[];
  readonly assertions: readonly Assertion[];
}

function programSize(n: Node): number {
  switch (n.t) {
    case 'empty':
      return 0;
    case 'set':
    case 'assert':
      return 1;
    case 'cat':
      return n.items.reduce((s, i) => s + programSize(i), 0);
    case 'alt':
      return n.items.reduce((s, i) => s + programSize(i) + 2, 0);
    case 'repeat': {
      const item = programSize(n.item);
      const copies = n.max === Infinity ? Math.max(n.min, 1) : n.max;
      return (item + 2) * copies;
    }
  }
}

function compile(tree: Node): Program {
  const op: number[] = [];
  const x: number[] = [];
  const y: number[] = [];
  const sets: CharSet[] = [];
  const assertions: Assertion[] = [];
  const emit = (o: number, a = 0, b = 0): number => {
    op.push(o);
    x.push(a);
    y.push(b);
    return op.length - 1;
  };
  const walk = (n: Node): void => {
    switch (n.t) {
      case 'empty':
        return;
      case 'set':
        sets.push(n.set);
        emit(CHAR, sets.length - 1);
        return;
      case 'assert':
        assertions.push(n.what);
        emit(ASSERT, assertions.length - 1);
        return;
      case 'cat':
        for (const item of n.items) walk(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        n.items.forEach((item, k) => {
          if (k === n.items.length - 1) return walk(item);
          const split = emit(SPLIT);
          x[split] = op.length;
          walk(item);
          jumps.push(emit(JUMP));
          y[split] = op.length;
        });
        for (const j of jumps) x[j] = op.length;
        return;
      }
      case 'repeat': {
        for (let k = 0; k < n.min; k++) walk(n.item);
        if (n.max === Infinity) {
          // e*: L: split body, out; body; jump L
          const split = emit(SPLIT);
          x[split] = op.length;
          walk(n.item);
          emit(JUMP, split);
          y[split] = op.length;
          return;
        }
        // e? nested (n - m) times: each split skips to the end.
        const splits: number[] = [];
        for (let k = n.min; k < n.max; k++) {
          const split = emit(SPLIT);
          x[split] = op.length;
          splits.push(split);
          walk(n.item);
        }
        for (const s of splits) y[s] = op.length;
        return;
      }
    }
  };
  walk(tree);
  emit(MATCH);
  return {
    op: Int32Array.from(op),
    x: Int32Array.from(x),
    y: Int32Array.from(y),
    sets,
    assertions,
  };
}

// ------------------------------------------------------------------ matching

/** What the character before the cursor was: none (start of text), a word character, another. */
const AT_START = 0;
const AFTER_WORD = 1;
const AFTER_OTHER = 2;

interface DfaState {
  /** NFA positions before their epsilon closure, sorted; the start position is always there. */
  readonly kernel: Int32Array;
  readonly before: number;
  /** Next states by code point (ASCII in an array; the rest in a map). */
  readonly ascii: (DfaState | undefined)[];
  readonly other: Map<number, DfaState>;
  /** Whether the pattern matches when the text ends here (computed once). */
  matchesAtEnd: boolean | undefined;
}

/** Stands for "matched": the search stops. */
const MATCHED: DfaState = {
  kernel: new Int32Array(0),
  before: AT_START,
  ascii: [],
  other: new Map(),
  matchesAtEnd: true,
};

/**
 * Subset construction on demand. A step costs one array or map lookup once
 * its transition is known, and at most the program's size when it is new.
 */
class LazyDfa implements Regex {
  private states = new Map<string, DfaState>();
  private positions = 0;
  private start: DfaState;
  /** Without assertions the character before the cursor does not matter: fewer states. */
  private readonly seesBefore: boolean;
  // Scratch space for closures, reused: a generation mark per NFA position.
  private readonly mark: Int32Array;
  private generation = 0;
  private readonly stack: Int32Array;

  constructor(
    private readonly program: Program,
    private readonly ignoreCase: boolean,
  ) {
    this.mark = new Int32Array(program.op.length);
    // A position is pushed once from the kernel and at most twice by the position before it.
    this.stack = new Int32Array(program.op.length * 3 + 2);
    this.seesBefore = program.assertions.length > 0;
    this.start = this.state(Int32Array.of(0), AT_START);
  }

  test(text: string): boolean {
    let state = this.start;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          c = (c - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
          i++;
        }
      }
      const known = c < 128 ? state.ascii[c] : state.other.get(c);
      state = known ?? this.step(state, c);
      if (state === MATCHED) return true;
    }
    if (state.matchesAtEnd === undefined) state.matchesAtEnd = this.closure(state, -1).matched;
    return state.matchesAtEnd;
  }

  private state(kernel: Int32Array, before: number): DfaState {
    const key = `${before}:${kernel.join(',')}`;
    const known = this.states.get(key);
    if (known) return known;
    if (this.states.size >= MAX_DFA_STATES || this.positions >= MAX_DFA_POSITIONS) {
      // Start over; the old states become garbage once no search walks them any more.
      this.states.clear();
      this.positions = 0;
      this.start = this.state(Int32Array.of(0), AT_START);
      return this.state(kernel, before);
    }
    const s: DfaState = {
      kernel,
      before,
      ascii: new Array<DfaState | undefined>(128).fill(undefined),
      other: new Map(),
      matchesAtEnd: undefined,
    };
    this.states.set(key, s);
    this.positions += kernel.length;
    return s;
  }

  /** The transition of a state on code point c, computed and remembered. */
  private step(from: DfaState, c: number): DfaState {
    const { matched, consuming } = this.closure(from, c);
    let next: DfaState;
    if (matched) next = MATCHED;
    else {
      const { op, x, sets } = this.program;
      const targets = [0];
      for (const pc of consuming)
        if (op[pc] === CHAR && setMatches(sets[x[pc]!]!, c, this.ignoreCase)) targets.push(pc + 1);
      targets.sort((a, b) => a - b);
      const kernel = Int32Array.from(targets.filter((t, k) => k === 0 || t !== targets[k - 1]));
      const before = !this.seesBefore ? AT_START : isWordChar(c) ? AFTER_WORD : AFTER_OTHER;
      next = this.state(kernel, before);
    }
    if (c < 128) from.ascii[c] = next;
    else from.other.set(c, next);
    return next;
  }

  /**
   * Follow splits, jumps and assertions from a state's kernel, with c the
   * next code point (-1 at the end of the text). Returns the consuming
   * positions reached, and whether MATCH was.
   */
  private closure(from: DfaState, c: number): { matched: boolean; consuming: number[] } {
    const { op, x, y, assertions } = this.program;
    const generation = ++this.generation;
    const stack = this.stack;
    const consuming: number[] = [];
    let top = 0;
    for (let k = from.kernel.length - 1; k >= 0; k--) stack[top++] = from.kernel[k]!;
    const prevWord = from.before === AFTER_WORD;
    const nextWord = c >= 0 && isWordChar(c);
    let matched = false;
    while (top > 0) {
      const pc = stack[--top]!;
      if (this.mark[pc] === generation) continue;
      this.mark[pc] = generation;
      switch (op[pc]) {
        case CHAR:
          consuming.push(pc);
          break;
        case MATCH:
          matched = true;
          break;
        case JUMP:
          stack[top++] = x[pc]!;
          break;
        case SPLIT:
          stack[top++] = y[pc]!;
          stack[top++] = x[pc]!;
          break;
        case ASSERT: {
          const what = assertions[x[pc]!]!;
          const holds =
            what === 'start'
              ? from.before === AT_START
              : what === 'end'
                ? c < 0
                : what === 'word-boundary'
                  ? prevWord !== nextWord
                  : what === 'not-word-boundary'
                    ? prevWord === nextWord
                    : what === 'word-start'
                      ? !prevWord && nextWord
                      : prevWord && !nextWord;
          if (holds) stack[top++] = pc + 1;
          break;
        }
      }
    }
    return { matched, consuming };
  }
}
