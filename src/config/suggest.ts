/**
 * "Did you mean": the valid words one or two edits from a wrong one. The
 * distance is bounded (a band of the Damerau-Levenshtein table, stopped once
 * every cell passes the bound), so a long word or a long list costs little.
 */

/** Words longer than this are not typos of a keyword: no suggestion is looked for. */
const MAX_WORD = 64;

/** The edit distance of a and b (insert, delete, substitute, swap two neighbours), or bound+1 when above it. */
export function boundedDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  const far = bound + 1;
  const width = b.length + 1;
  // Three rows, reused: only the band around the diagonal is written and read.
  let before = new Array<number>(width).fill(far);
  let previous = Array.from({ length: width }, (_, j) => j);
  let current = new Array<number>(width).fill(far);
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - bound);
    const hi = Math.min(b.length, i + bound);
    current[lo - 1] = lo === 1 ? i : far;
    if (hi + 1 < width) current[hi + 1] = far;
    let smallest = far;
    for (let j = lo; j <= hi; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, before[j - 2]! + 1);
      current[j] = d;
      smallest = Math.min(smallest, d);
    }
    if (smallest > bound) return far;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[b.length]!, far);
}

/**
 * The valid words nearest a wrong one: one edit away for a short word, up to
 * two for a longer one; at most three, nearest first. Formats (`<N>`) are not words.
 */
export function nearestWords(word: string, valid: readonly string[]): string[] {
  if (word.length === 0 || word.length > MAX_WORD) return [];
  const bound = word.length <= 4 ? 1 : 2;
  const scored: { word: string; d: number }[] = [];
  for (const candidate of new Set(valid)) {
    if (candidate.startsWith('<') || candidate === word) continue;
    const d = boundedDistance(word, candidate, bound);
    if (d <= bound) scored.push({ word: candidate, d });
  }
  scored.sort((x, y) => x.d - y.d || x.word.localeCompare(y.word));
  const best = scored[0]?.d;
  return scored
    .filter((s) => s.d === best)
    .slice(0, 3)
    .map((s) => s.word);
}

/** ` (did you mean 'address'?)` for an error message, or '' when no word is near. */
export function didYouMean(word: string, valid: readonly string[]): string {
  const near = nearestWords(word, valid);
  if (near.length === 0) return '';
  const quoted = near.map((w) => `'${w}'`);
  const list =
    quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
  return ` (did you mean ${list}?)`;
}

/** A keyword as typed: the keyword itself, the one it is a prefix of, or the several it could be. */
export type KeywordMatch =
  | { readonly kind: 'exact' | 'prefix'; readonly word: string }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly string[] }
  | { readonly kind: 'none' };

/**
 * Match a typed word against the keywords that may come here, as Junos and
 * the VyOS op mode do: an exact keyword, else the one keyword it begins.
 */
export function matchKeyword(word: string, keywords: Iterable<string>): KeywordMatch {
  const candidates: string[] = [];
  for (const k of keywords) {
    if (k === word) return { kind: 'exact', word };
    if (word.length > 0 && k.startsWith(word)) candidates.push(k);
  }
  if (candidates.length === 1) return { kind: 'prefix', word: candidates[0]! };
  if (candidates.length > 1) return { kind: 'ambiguous', candidates: candidates.sort() };
  return { kind: 'none' };
}
