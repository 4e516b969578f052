/**
 * A configure session as a value: the private candidate, the revision it is
 * based on, and the edit level (`edit interfaces ethernet eth0`).
 */
import type { ConfigNode } from '../config/index.js';

export interface Session {
  readonly candidate: ConfigNode;
  /** Revision id the candidate was taken from (0: the empty config). */
  readonly baseId: number;
  readonly baseTree: ConfigNode;
  /** Words of the current edit level, for `[edit ...]`. */
  readonly level: readonly string[];
  readonly exclusive: boolean;
}

export function startSession(running: ConfigNode, runningId: number, exclusive = false): Session {
  return { candidate: running, baseId: runningId, baseTree: running, level: [], exclusive };
}
