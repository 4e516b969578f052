/** "Did you mean" and keyword prefixes: the bounded edit distance and the matching. */
import { describe, expect, it } from 'vitest';
import { boundedDistance, didYouMean, matchKeyword, nearestWords } from '../src/config/index.js';

describe('bounded edit distance', () => {
  it.each([
    ['adress', 'address', 1],
    ['configuraton', 'configuration', 1],
    ['shwo', 'show', 1], // a swap of neighbours is one edit
    ['interfcaes', 'interfaces', 1],
    ['etherent', 'ethernet', 1],
    ['mut', 'mtu', 1],
    ['abc', 'xyz', 3],
    ['a', 'abcdef', 3],
  ])('%s -> %s is %i (bound 2: more is 3)', (a, b, d) => {
    expect(boundedDistance(a, b, 2)).toBe(d);
  });

  it('stays cheap for a long word: the band stops once every cell passes the bound', () => {
    const long = 'x'.repeat(8192);
    const started = performance.now();
    const changed = `${long.slice(0, 4000)}y${long.slice(4001)}`;
    for (let i = 0; i < 100; i++) {
      expect(boundedDistance(long, changed, 2)).toBe(1);
      expect(boundedDistance(long, 'y'.repeat(8192), 2)).toBe(3);
    }
    expect(performance.now() - started).toBeLessThan(2000);
    expect(nearestWords(long, ['address'])).toEqual([]);
  });
});

describe('suggestions and prefixes', () => {
  it('suggests the nearest words, one edit for a short word, two for a longer one', () => {
    expect(nearestWords('adress', ['address', 'description', 'disable'])).toEqual(['address']);
    expect(nearestWords('mtx', ['mtu', 'mac'])).toEqual(['mtu']);
    expect(nearestWords('mx', ['mtu', 'mac'])).toEqual([]);
    expect(nearestWords('zzzzzz', ['address'])).toEqual([]);
    expect(nearestWords('x', ['<N>', 'y'])).toEqual(['y']);
    expect(didYouMean('sett', ['set', 'show', 'save'])).toBe(" (did you mean 'set'?)");
    expect(didYouMean('hsow', ['show', 'shot'])).toBe(" (did you mean 'show'?)");
    expect(didYouMean('qqqq', ['show'])).toBe('');
  });

  it('matches an exact keyword, a unique prefix, or names the candidates', () => {
    expect(matchKeyword('show', ['set', 'show'])).toEqual({ kind: 'exact', word: 'show' });
    expect(matchKeyword('sh', ['set', 'show'])).toEqual({ kind: 'prefix', word: 'show' });
    expect(matchKeyword('s', ['show', 'set'])).toEqual({
      kind: 'ambiguous',
      candidates: ['set', 'show'],
    });
    expect(matchKeyword('ip', ['ip', 'ipv6'])).toEqual({ kind: 'exact', word: 'ip' });
    expect(matchKeyword('x', ['set'])).toEqual({ kind: 'none' });
    expect(matchKeyword('', ['set'])).toEqual({ kind: 'none' });
  });
});
