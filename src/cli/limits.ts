/** Input limits of the shell (docs/guide.md, "Limits"). */

/** A command line, typed or in a script: characters (UTF-16 code units). */
export const MAX_LINE = 65_536;

/** A whole script without a terminal (exec request, piped stdin, `fos -c`): bytes. */
export const MAX_SCRIPT_BYTES = 16 * 1024 * 1024;

/** The history kept per user: entries, and characters in all. */
export const HISTORY_ENTRIES = 1000;
export const HISTORY_CHARS = 1024 * 1024;

export const SCRIPT_TOO_LARGE = `the script is larger than ${MAX_SCRIPT_BYTES} bytes; nothing was run`;

/**
 * Why a script may not run, or undefined: too large, or a line over the limit
 * (named by its number). Checked before anything runs.
 */
export function scriptTooLarge(text: string): string | undefined {
  if (Buffer.byteLength(text, 'utf8') > MAX_SCRIPT_BYTES) return SCRIPT_TOO_LARGE;
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    if (stop - start > MAX_LINE)
      return `line ${line}: longer than ${MAX_LINE} characters (${stop - start}); nothing was run`;
    if (end < 0) break;
    start = end + 1;
  }
  return undefined;
}
