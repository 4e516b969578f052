/** The pager both front-ends share (src/cli/pager.ts), and the plain front-end paging with it. */
import { describe, expect, it } from 'vitest';
import {
  appendToPager,
  MORE_PROMPT,
  pagerKey,
  pagerStep,
  pageSize,
  shownCount,
  startPager,
  type PagerState,
} from '../src/cli/pager.js';

const lines = Array.from({ length: 25 }, (_, i) => `line ${i}`);
const start = (n = 10): PagerState =>
  startPager(lines, { ok: true, noMore: false, length: n, rows: 24 })!;

describe('the pager state machine', () => {
  it('pages at set terminal length N, else the screen less one line; unknown height does not page', () => {
    expect(pageSize(10, 24)).toBe(10);
    expect(pageSize(undefined, 24)).toBe(23);
    expect(pageSize(undefined, 0)).toBeUndefined();
    expect(startPager(lines, { ok: true, noMore: false, length: undefined, rows: 0 })).toBe(
      undefined,
    );
  });

  it('does not page output that fits, errors, | no-more or terminal length 0', () => {
    const opts = { ok: true, noMore: false, length: 10, rows: 24 };
    expect(startPager(lines.slice(0, 10), opts)).toBeUndefined();
    expect(startPager(lines.slice(0, 11), opts)).toBeDefined();
    expect(startPager(lines, { ...opts, ok: false })).toBeUndefined();
    expect(startPager(lines, { ...opts, noMore: true })).toBeUndefined();
    expect(startPager(lines, { ...opts, length: 0 })).toBeUndefined();
  });

  it('space shows the next page, enter one line, and the end ends it', () => {
    let s = start();
    expect(shownCount(s)).toBe(10);
    let step = pagerStep(s, pagerKey(' '));
    expect([step.from, step.to]).toEqual([10, 20]);
    s = step.state!;
    step = pagerStep(s, pagerKey('\r'));
    expect([step.from, step.to]).toEqual([20, 21]);
    s = step.state!;
    step = pagerStep(s, pagerKey(' '));
    expect([step.from, step.to]).toEqual([21, 25]);
    expect(step.state).toBeUndefined();
  });

  it('q and Ctrl-C quit showing nothing more; G shows the rest; other keys do nothing', () => {
    for (const key of ['q', 'Q', '\x03']) {
      const step = pagerStep(start(), pagerKey(key));
      expect(step.state).toBeUndefined();
      expect(step.to).toBe(step.from);
    }
    const all = pagerStep(start(), pagerKey('G'));
    expect([all.from, all.to, all.state]).toEqual([10, 25, undefined]);
    const s = start();
    const ignored = pagerStep(s, pagerKey('x'));
    expect(ignored.state).toBe(s);
    expect(ignored.to).toBe(ignored.from);
  });

  it('output of a later command joins the pages', () => {
    const s = appendToPager(start(), ['more']);
    expect(s.lines).toHaveLength(26);
    expect(pagerStep(s, 'all').to).toBe(26);
  });

  it('every line is shown once, in order, whatever keys come', () => {
    const keys = [' ', '\r', '\n', 'x', ' ', '\r', ' ', ' '];
    let s: PagerState | undefined = start(7);
    const seen = [...lines.slice(0, shownCount(s))];
    for (const k of keys) {
      if (!s) break;
      const step = pagerStep(s, pagerKey(k));
      seen.push(...lines.slice(step.from, step.to));
      s = step.state;
    }
    expect(s).toBeUndefined();
    expect(seen).toEqual(lines);
  });

  it('says --More--', () => {
    expect(MORE_PROMPT).toMatch(/^--More--/);
  });
});
