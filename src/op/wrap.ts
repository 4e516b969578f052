/**
 * Wrapping text views at the width of an interactive terminal (see "Output
 * width" in docs/design-notes.md). The width is set by present() for the
 * synchronous call that draws a text view, so tables and curly text deep in
 * a handler's view read it without every view passing it on; anywhere else
 * (set form, JSON, saved files, scripts) it is undefined and nothing wraps.
 */

let current: number | undefined;

/** The width the text view being drawn wraps at; undefined: do not wrap. */
export function textWidth(): number | undefined {
  return current;
}

/** Draw a text view (synchronous: no other session's view runs meanwhile) at this width. */
export function withTextWidth<T>(width: number | undefined, draw: () => T): T {
  const before = current;
  current = width;
  try {
    return draw();
  } finally {
    current = before;
  }
}

/**
 * Text cut into pieces of at most `width` characters, at spaces where it can
 * (a word longer than the width is cut where it must). The spaces at a cut are
 * dropped; every other character is kept, in order.
 */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > w) {
    const space = rest.lastIndexOf(' ', w);
    const cut = space > 0 ? space : w;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^ +/, '');
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/**
 * A line of curly text (or any indented line) wider than `width`: wrapped, the
 * continuation lines indented four more than the line. For display only: the
 * wrapped form is not meant to be loaded back.
 */
export function wrapIndented(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const indent = line.length - line.trimStart().length;
  const more = ' '.repeat(Math.min(indent + 4, Math.floor(width / 2)));
  const first = wrapText(line.slice(indent), width - indent);
  const head = `${line.slice(0, indent)}${first[0]!}`;
  const tail = first.slice(1).join(' ');
  return [head, ...(tail ? wrapText(tail, width - more.length).map((p) => more + p) : [])];
}
