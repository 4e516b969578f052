/** Wrapping text views at a terminal's width (src/op/wrap.ts, src/op/table.ts). */
import { describe, expect, it } from 'vitest';
import { table } from '../src/op/table.js';
import { textWidth, withTextWidth, wrapIndented, wrapText } from '../src/op/wrap.js';

const squash = (s: string): string => s.replace(/\s+/g, '');

const header = ['Name', 'Type', 'Members', 'References', 'Description'];
const rows = [
  [
    'LAN-NETS',
    'network',
    '192.0.2.0/24 198.51.100.0/24 203.0.113.0/24',
    'firewall ipv4 name IN rule 10',
    'the networks behind the office routers, all three of them',
  ],
  ['X', 'port', '22', '-', ''],
  ['A-VERY-LONG-GROUP-NAME-WITHOUT-ANY-SPACES-IN-IT', 'address', '192.0.2.1', '-', 'short'],
];

/**
 * A wrapped table read back column by column, by the rule line's dashes: each
 * column's text from top to bottom, the header's apart from the rows'.
 */
function columnsOf(lines: string[]): { head: string[]; body: string[] } {
  const ruleAt = lines.findIndex((l) => /^-+( +-+)*$/.test(l));
  const spans = [...lines[ruleAt]!.matchAll(/-+/g)].map((m) => [m.index, m.index + m[0].length]);
  const read = (block: string[]): string[] =>
    spans.map(([a, b]) => squash(block.map((l) => l.slice(a, b)).join('')));
  return { head: read(lines.slice(0, ruleAt)), body: read(lines.slice(ruleAt + 1)) };
}

describe('tables at a width', () => {
  for (const width of [80, 60, 40, 30]) {
    it(`no line is wider than ${width}, and every cell keeps its text in order`, () => {
      const out = table(header, rows, width);
      for (const l of out) expect(l.length, l).toBeLessThanOrEqual(width);
      // Each column holds its cells' text, whole and in row order, and nothing else.
      const { head, body } = columnsOf(out);
      expect(head).toEqual(header.map(squash));
      expect(body).toEqual(header.map((_, i) => squash(rows.map((r) => r[i]).join(''))));
      // A row starts on its own line: each row's first line holds the start of its name.
      for (const r of rows) expect(out.some((l) => l.startsWith(r[0]!.slice(0, 3)))).toBe(true);
    });
  }

  it('is unchanged without a width, or when it fits', () => {
    const natural = table(header, rows);
    expect(natural).toHaveLength(2 + rows.length);
    expect(table(header, rows, 1000)).toEqual(natural);
    expect(Math.max(...natural.map((l) => l.length))).toBeGreaterThan(80);
  });

  it('shrinks the widest column first: narrow columns stay whole, the wide ones even out', () => {
    const out = table(header, rows, 80);
    const widths = out
      .find((l) => l.startsWith('-'))!
      .split(/ +/)
      .map((d) => d.length);
    expect(widths[1]).toBe('network'.length);
    const shrunk = [widths[0]!, widths[2]!, widths[3]!, widths[4]!];
    expect(Math.max(...shrunk) - Math.min(...shrunk)).toBeLessThanOrEqual(1);
    expect(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1)).toBe(80);
  });

  it('reads the width present() sets, only while it draws', () => {
    expect(textWidth()).toBeUndefined();
    const out = withTextWidth(40, () => table(header, rows));
    expect(Math.max(...out.map((l) => l.length))).toBeLessThanOrEqual(40);
    expect(textWidth()).toBeUndefined();
  });
});

describe('curly lines at a width', () => {
  it('wrap with an indented continuation, keeping the text', () => {
    const line = `        description "${'word '.repeat(30).trim()}"`;
    const out = wrapIndented(line, 50);
    expect(out.length).toBeGreaterThan(1);
    for (const l of out) expect(l.length).toBeLessThanOrEqual(50);
    expect(out[0]!.startsWith('        description')).toBe(true);
    for (const l of out.slice(1)) expect(l.startsWith(' '.repeat(12))).toBe(true);
    expect(squash(out.join(' '))).toBe(squash(line));
  });

  it('leave a line that fits alone; cut a word longer than the width', () => {
    expect(wrapIndented('    mtu 1400', 80)).toEqual(['    mtu 1400']);
    const long = 'x'.repeat(100);
    const out = wrapText(long, 30);
    expect(out.every((p) => p.length <= 30)).toBe(true);
    expect(out.join('')).toBe(long);
  });
});
