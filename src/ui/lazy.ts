/**
 * The ink front-end, loaded only by a process that draws with it: ink and
 * react take most of a start-up, and `fos -c`, `fos check`, `fos convert` and
 * the plain shell never need them (test/start-up.test.ts).
 */
import type { InkTerminal } from './ink-terminal.js';

let loaded: typeof InkTerminal | undefined;

/** Load the ink front-end (once); call it before a terminal may be drawn with ink. */
export async function loadInk(): Promise<typeof InkTerminal> {
  loaded ??= (await import('./ink-terminal.js')).InkTerminal;
  return loaded;
}

/** The ink front-end, which `loadInk` has loaded. */
export function inkTerminal(): typeof InkTerminal {
  if (!loaded) throw new Error('the ink front-end is drawn before it was loaded');
  return loaded;
}
