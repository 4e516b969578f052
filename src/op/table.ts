/** Plain text tables for operational output. */
import { textWidth, wrapText } from './wrap.js';

/** Columns are never shrunk below this (unless their text is narrower). */
const MIN_COLUMN = 4;
const GAP = 2;

/**
 * A table: a header, a rule, a line per row. At a width (an interactive
 * terminal's, see src/op/wrap.ts) a table wider than it shrinks its widest
 * column, one character at a time, and the cells of a shrunk column wrap
 * inside it, so a row may take several lines.
 */
export function table(header: string[], rows: string[][], width = textWidth()): string[] {
  const widths = header.map((h, i) =>
    rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), h.length),
  );
  if (width !== undefined) fitColumns(widths, width);
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join(' '.repeat(GAP))
      .trimEnd();
  const lines = (cells: string[]): string[] => {
    const wrapped = widths.map((w, i) => wrapText(cells[i] ?? '', w));
    const height = Math.max(...wrapped.map((p) => p.length));
    return Array.from({ length: height }, (_, k) => line(wrapped.map((p) => p[k] ?? '')));
  };
  return [...lines(header), line(widths.map((w) => '-'.repeat(w))), ...rows.flatMap(lines)];
}

/** Shrink the widest column until the table fits `width` or no column can give more. */
function fitColumns(widths: number[], width: number): void {
  const total = (): number => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  const floor = (i: number): number => Math.min(MIN_COLUMN, widths[i]!);
  let over = total() - width;
  while (over > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++)
      if (widths[i]! > floor(i) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    if (widest < 0) {
      // Every column is at its floor: below it, down to one character.
      for (let i = 0; i < widths.length; i++)
        if (widths[i]! > 1 && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
      if (widest < 0) return;
    }
    widths[widest] = widths[widest]! - 1;
    over--;
  }
}
