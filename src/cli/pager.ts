/**
 * The pager both front-ends share: `--More--` after a page of long output, as
 * VyOS and Junos page at an interactive terminal. Pure state, no I/O: a
 * front-end draws what it returns. `set terminal length N` gives the page
 * (0 turns paging off); without it a page is the screen less the prompt line.
 */

/** What the `--More--` line says. */
export const MORE_PROMPT = '--More-- (space: page, enter: line, G: all, q: quit)';

export interface PagerState {
  readonly lines: readonly string[];
  /** The first line of the page on the screen; every line before offset + page has been shown. */
  readonly offset: number;
  readonly page: number;
}

/** What a key at `--More--` does. */
export type PagerKey = 'page' | 'line' | 'all' | 'quit' | 'ignore';

export function pagerKey(key: string): PagerKey {
  if (key === ' ') return 'page';
  if (key === '\r' || key === '\n' || key === 'j') return 'line';
  if (key === 'G') return 'all';
  if (key === 'q' || key === 'Q' || key === '\x03') return 'quit';
  return 'ignore';
}

/**
 * Lines per page: `set terminal length N`, else the screen less the `--More--`
 * line; undefined (no paging) for a screen of unknown height (a client that
 * says 0 rows, as `ssh -tt` without a local terminal does).
 */
export function pageSize(length: number | undefined, rows: number): number | undefined {
  if (length !== undefined && length > 0) return length;
  return rows > 1 ? rows - 1 : undefined;
}

/**
 * The pager for this output, or undefined when it is shown whole: paging off
 * (`set terminal length 0`, `| no-more`), an error, or output that fits a page.
 */
export function startPager(
  lines: readonly string[],
  options: {
    readonly ok: boolean;
    readonly noMore: boolean;
    length: number | undefined;
    rows: number;
  },
): PagerState | undefined {
  if (options.noMore || options.length === 0 || !options.ok) return undefined;
  const page = pageSize(options.length, options.rows);
  return page !== undefined && lines.length > page ? { lines, offset: 0, page } : undefined;
}

/** How many lines of the output are on the screen (shown) in this state. */
export function shownCount(state: PagerState): number {
  return Math.min(state.lines.length, state.offset + state.page);
}

export interface PagerStep {
  /** The pager after the key; undefined when it ended (quit, or every line shown). */
  readonly state: PagerState | undefined;
  /** Lines shown now that were not before: `lines.slice(from, to)`. */
  readonly from: number;
  readonly to: number;
}

/** One key at `--More--`. */
export function pagerStep(state: PagerState, key: PagerKey): PagerStep {
  const from = shownCount(state);
  if (key === 'quit') return { state: undefined, from, to: from };
  if (key === 'ignore') return { state, from, to: from };
  const offset =
    key === 'all'
      ? state.lines.length
      : Math.min(state.lines.length, state.offset + (key === 'page' ? state.page : 1));
  const next = { ...state, offset };
  const to = shownCount(next);
  return { state: to >= state.lines.length ? undefined : next, from, to };
}

/** More output (a later command of the same line) while the pager waits: it joins the pages. */
export function appendToPager(state: PagerState, lines: readonly string[]): PagerState {
  return { ...state, lines: [...state.lines, ...lines] };
}
