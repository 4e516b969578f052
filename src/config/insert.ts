/**
 * Junos's `insert` for ordered lists (rules), on numbers alone: in VyOS the
 * order of rules is their number, so moving rule A before rule B means giving
 * A a free number between B's predecessor and B, and where there is none,
 * moving B and the rules right after it up. Pure; src/config/edit.ts applies
 * the moves to the tree.
 */

export type InsertWhere = 'before' | 'after';

/** One entry's new number. */
export interface Move {
  readonly from: number;
  readonly to: number;
}

export type InsertPlan =
  /** `moves[0]` is A's move; no moves when A already sits there. */
  | { readonly ok: true; readonly moves: readonly Move[] }
  | { readonly ok: false; readonly reason: string };

export interface NumberRange {
  readonly min: number;
  readonly max: number;
}

/**
 * The step the numbers are written with: the most common gap between
 * neighbours (the larger of a tie), 10 when no gap occurs twice.
 */
export function spacingOf(sorted: readonly number[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best = 1;
  let seen = 0;
  for (const [gap, n] of counts)
    if (n > seen || (n === seen && gap > best)) {
      best = gap;
      seen = n;
    }
  return seen >= 2 ? best : 10;
}

/** Shift `rest[from..]` up by `step` as far as they collide; undefined when the last passes `max`. */
function shiftRun(
  rest: readonly number[],
  from: number,
  step: number,
  max: number,
): Move[] | undefined {
  const moves: Move[] = [];
  for (let k = from; k < rest.length; k++) {
    const to = rest[k]! + step;
    moves.push({ from: rest[k]!, to });
    if (k + 1 >= rest.length || to < rest[k + 1]!) break;
  }
  return moves[moves.length - 1]!.to <= max ? moves : undefined;
}

/**
 * Where A goes when moved before or after B among `numbers` (the configured
 * ones, A and B among them, A !== B), within `range`. A free number between
 * the neighbours is their middle (at either end, one step of the list's
 * spacing beyond B when it fits); without one, B and the rules after it that
 * would collide move up by the spacing, or by one when that renumbers fewer
 * (or the spacing does not fit under the top of the range).
 */
export function planInsert(
  numbers: readonly number[],
  a: number,
  b: number,
  where: InsertWhere,
  range: NumberRange,
): InsertPlan {
  const sorted = [...numbers].sort((x, y) => x - y);
  const spacing = spacingOf(sorted);
  const rest = sorted.filter((n) => n !== a);
  let at = rest.indexOf(b);
  if (at < 0 || a === b || !sorted.includes(a))
    return { ok: false, reason: 'both entries must be configured and differ' };
  // After B is before B's successor; only after the last entry is its own case.
  const last = where === 'after' && at === rest.length - 1;
  if (where === 'after' && !last) at++;
  const lo = last ? rest[at]! : at > 0 ? rest[at - 1]! : range.min - 1;
  const hi = last ? range.max + 1 : rest[at]!;
  if (lo < a && a < hi) return { ok: true, moves: [] };
  if (hi - lo >= 2) {
    const middle = Math.floor((lo + hi) / 2);
    let to = middle;
    if (last && lo + spacing <= range.max) to = lo + spacing;
    else if (!last && at === 0 && hi - spacing >= range.min) to = hi - spacing;
    return { ok: true, moves: [{ from: a, to }] };
  }
  if (last)
    return {
      ok: false,
      reason: `${b} is the highest number there is (${range.min}-${range.max}); insert a lower one after it instead`,
    };
  // No free number: B and the rules right after it move up.
  const byOne = shiftRun(rest, at, 1, range.max);
  const bySpacing = spacing > 1 ? shiftRun(rest, at, spacing, range.max) : undefined;
  const shifted = bySpacing && (!byOne || bySpacing.length <= byOne.length) ? bySpacing : byOne;
  if (!shifted)
    return {
      ok: false,
      reason: `there is no free number before ${rest[at]}, and the entries from ${rest[at]} on cannot move up within ${range.min}-${range.max}`,
    };
  const to = Math.floor((lo + shifted[0]!.to) / 2);
  return { ok: true, moves: [{ from: a, to }, ...shifted] };
}

/** How many renumbered entries are listed one by one before they are summed up. */
const LISTED = 6;

/** What `insert` tells: `rule 20 is now rule 5`, `rules 10, 20 renumbered to 11, 21`. */
export function describeMoves(name: string, moves: readonly Move[]): string[] {
  const [first, ...others] = moves;
  if (!first) return [];
  const lines = [`${name} ${first.from} is now ${name} ${first.to}`];
  if (others.length === 1) lines.push(`${name} ${others[0]!.from} renumbered to ${others[0]!.to}`);
  else if (others.length > 1 && others.length <= LISTED)
    lines.push(
      `${name}s ${others.map((m) => m.from).join(', ')} renumbered to ${others.map((m) => m.to).join(', ')}`,
    );
  else if (others.length > LISTED) {
    const step = others[0]!.to - others[0]!.from;
    lines.push(
      `${others.length} ${name}s renumbered up by ${step}: ${others[0]!.from} to ${others[others.length - 1]!.from} are now ${others[0]!.to} to ${others[others.length - 1]!.to}`,
    );
  }
  return lines;
}
