/**
 * The ink front-end, loaded only by a process that draws with it: ink and
 * react take most of a start-up, and `fos -c`, `fos check`, `fos convert` and
 * the plain shell never need them (test/start-up.test.ts).
 */
import type { InkTerminal } from './ink-terminal.js';

let loaded: typeof InkTerminal | undefined;
let loading: Promise<typeof InkTerminal> | undefined;

/**
 * Variables that make ink, when it is first imported, draw nothing until the
 * app ends (its package is-in-ci): an operator's shell draws every frame,
 * whatever the environment the daemon or `fos` was started from.
 */
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/** Where bin/fos-cached.cjs puts its import of ink-terminal.js. */
const INK_IMPORT = Symbol.for('fos.importInkTerminal');

/** Load the ink front-end (once); call it before a terminal may be drawn with ink. */
export function loadInk(): Promise<typeof InkTerminal> {
  loading ??= importInk();
  return loading;
}

async function importInk(): Promise<typeof InkTerminal> {
  const saved = CI_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const [name] of saved) delete process.env[name];
  try {
    // A script run from a V8 code cache (bin/fos-cached.cjs, the router image) cannot import():
    // Node 20 loses its import callback with the cache. That loader imports ink for it.
    const hostImport = (
      globalThis as { [INK_IMPORT]?: () => Promise<{ InkTerminal: typeof InkTerminal }> }
    )[INK_IMPORT];
    loaded = (await (hostImport ? hostImport() : import('./ink-terminal.js'))).InkTerminal;
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
  return loaded;
}

/** The ink front-end, which `loadInk` has loaded. */
export function inkTerminal(): typeof InkTerminal {
  if (!loaded) throw new Error('the ink front-end is drawn before it was loaded');
  return loaded;
}

/** Whether ink is loaded already (a terminal can be drawn with it at once). */
export function inkLoaded(): boolean {
  return loaded !== undefined;
}
