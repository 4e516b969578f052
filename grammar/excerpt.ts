/**
 * How text a user typed (or a file held) is echoed back in a message: short,
 * and with every character that could drive a terminal or reorder text shown
 * as an escape. A raw ESC in an error message is terminal escape injection.
 */

/** Control characters (C0, DEL, C1), bidirectional controls, line/paragraph separators, U+FFFD. */
export const UNSAFE_CHARACTER =
  // eslint-disable-next-line no-control-regex -- these are exactly what is escaped
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufffd]/;
const UNSAFE_GLOBAL =
  // eslint-disable-next-line no-control-regex -- the global twin of UNSAFE_CHARACTER
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufffd]/g;

/** Bidirectional formatting characters (Trojan Source): never allowed in a name or description. */
export const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with unsafe characters escaped (`\x1b`, `\u202e`); nothing is shortened. */
export function escapeUnsafe(text: string): string {
  return UNSAFE_CHARACTER.test(text) ? text.replace(UNSAFE_GLOBAL, escapeOne) : text;
}

/** Longest excerpt of a value or line shown in a message, in characters. */
export const EXCERPT_LENGTH = 48;

/**
 * A value or line as a message may quote it: at most `max` characters of it
 * (then `...` and how long it was), unsafe characters escaped.
 */
export function excerpt(text: string, max = EXCERPT_LENGTH): string {
  if (text.length <= max) return escapeUnsafe(text);
  // Cut on a code point boundary so no half surrogate pair is shown.
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${escapeUnsafe(text.slice(0, end))}... (${text.length} characters)`;
}
