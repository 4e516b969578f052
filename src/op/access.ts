/** The router as operational commands read it. */
import type { Router } from '../commit/router.js';
import type { OpSystem } from './context.js';

export function opSystem(router: Router): OpSystem {
  return {
    target: router.target,
    running: () => router.running(),
    back: (n) => router.back(n),
    revisions: () => router.store.list(),
    drift: () => router.drift(),
  };
}
