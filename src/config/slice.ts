/**
 * Long work in small slices. The daemon serves every session from one event
 * loop, so work that runs for seconds (a 100k-line load) is written as a
 * generator that yields between small steps; `runSliced` gives the loop a
 * turn whenever the work has held it for a slice, and `runToEnd` runs it in
 * one go where nobody waits (a batch, a test).
 */

/** How long work may hold the event loop before other sessions get a turn. */
export const SLICE_MS = 8;

export function runToEnd<T>(steps: Generator<unknown, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export async function runSliced<T>(steps: Generator<unknown, T>, sliceMs = SLICE_MS): Promise<T> {
  let since = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - since >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
}
