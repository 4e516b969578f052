/**
 * The backends, as data. Adding one is its module plus one line here; its
 * `after` says which backends it applies after (a test rejects a cycle and
 * an unknown name). The list is kept in dependency order: apply goes down
 * it, restore comes back up.
 */
import type { AnyBackend, BackendName } from './contract.js';
import { frrBackend } from './frr.js';
import { kernelBackend } from './kernel.js';
import { nftBackend } from './nft.js';
import { pbrBackend } from './pbr.js';
import { sysctlBackend } from './sysctl.js';
import { xdpBackend } from './xdp.js';

/**
 * The backends in an order where each comes after every backend it names in
 * `after`; ties keep the order given. Throws on an unknown name, a duplicate
 * or a cycle, naming them.
 */
export function inDependencyOrder(backends: readonly AnyBackend[]): AnyBackend[] {
  const byName = new Map<BackendName, AnyBackend>();
  for (const b of backends) {
    if (byName.has(b.name)) throw new Error(`backend '${b.name}' is registered twice`);
    byName.set(b.name, b);
  }
  for (const b of backends)
    for (const dep of b.after)
      if (!byName.has(dep))
        throw new Error(`backend '${b.name}' comes after '${dep}', which is not a backend`);
  const ordered: AnyBackend[] = [];
  const state = new Map<BackendName, 'visiting' | 'done'>();
  const visit = (b: AnyBackend, path: BackendName[]): void => {
    const seen = state.get(b.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...path.slice(path.indexOf(b.name)), b.name];
      throw new Error(`backends depend on each other in a cycle: ${cycle.join(' -> ')}`);
    }
    state.set(b.name, 'visiting');
    for (const dep of b.after) visit(byName.get(dep)!, [...path, b.name]);
    state.set(b.name, 'done');
    ordered.push(b);
  };
  for (const b of backends) visit(b, []);
  return ordered;
}

/** Every backend of FOS1, in dependency order. */
export const BACKENDS: readonly AnyBackend[] = inDependencyOrder([
  kernelBackend,
  nftBackend,
  sysctlBackend,
  xdpBackend,
  frrBackend,
  pbrBackend,
]);
