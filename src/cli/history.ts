/**
 * What the command history keeps of a typed line: the line as typed, with the
 * value of every secret leaf (a password) replaced by `'********'`.
 */
import type { Command } from '../../grammar/index.js';
import { REDACTED, secretLeafNames } from '../config/index.js';
import type { SchemaNode } from '../schema/index.js';

const MASK = `'${REDACTED}'`;

/** The span of a command's words from `index` to its last word, in the line's offsets. */
export function wordsSpan(command: Command, index: number): { from: number; to: number } {
  const first = command.words[index]!;
  const last = command.words[command.words.length - 1]!;
  return { from: first.offset, to: last.offset + last.length };
}

/** Replace spans of a line (in order, not overlapping) by the mask. */
export function maskSpans(line: string, spans: readonly { from: number; to: number }[]): string {
  let out = '';
  let at = 0;
  for (const { from, to } of spans) {
    out += `${line.slice(at, from)}${MASK}`;
    at = to;
  }
  return out + line.slice(at);
}

/**
 * For a line that does not parse (or history written before masking): after a
 * word naming a secret leaf, the rest of the line is masked.
 */
export function maskAfterSecretNames(line: string, schema: SchemaNode): string {
  const names = secretLeafNames(schema);
  const word = /[^\s;|]+/g;
  for (let m = word.exec(line); m; m = word.exec(line)) {
    if (!names.has(m[0])) continue;
    const rest = line.slice(m.index + m[0].length);
    const value = /\S/.exec(rest);
    if (!value) return line;
    return `${line.slice(0, m.index + m[0].length + value.index)}${MASK}`;
  }
  return line;
}
