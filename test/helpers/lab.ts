/** Throwaway labs for live tests: unique names, removed after the test file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { companionOf, labDown, labUp } from '../../src/apply/lab.js';
import { Router } from '../../src/commit/router.js';
import { schema } from '../../src/schema/index.js';
import { Store } from '../../src/store/store.js';

let counter = 0;

export interface Lab {
  readonly netns: string;
  readonly wire: string;
  readonly state: string;
  /** `fos --netns NS --state DIR` arguments for runFos. */
  readonly flags: string[];
  router(): Router;
  /** `ip -n NS -json -details address show`, normalised for comparing states. */
  snapshot(): unknown;
  ip(...args: string[]): string;
  down(): Promise<void>;
}

/** Link fields that stay the same when a link is deleted and made again. */
function normalise(json: string): unknown {
  const links = JSON.parse(json) as Record<string, unknown>[];
  return links
    .map((l) => {
      const info = (l['linkinfo'] ?? {}) as {
        info_kind?: string;
        info_data?: Record<string, unknown>;
      };
      const data = info.info_data ?? {};
      const keep = [
        'id',
        'remote',
        'local',
        'port',
        'learning',
        'ttl',
        'stp_state',
        'priority',
        'forward_delay',
        'hello_time',
        'max_age',
        'ageing_time',
      ];
      return {
        name: l['ifname'],
        up: ((l['flags'] ?? []) as string[]).includes('UP'),
        mtu: l['mtu'],
        alias: l['ifalias'],
        master: l['master'],
        kind: info.info_kind,
        data: Object.fromEntries(Object.entries(data).filter(([k]) => keep.includes(k))),
        addresses: ((l['addr_info'] ?? []) as { local: string; prefixlen: number; scope: string }[])
          .filter((a) => a.scope !== 'link')
          .map((a) => `${a.local}/${a.prefixlen}`)
          .sort(),
      };
    })
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

export async function makeLab(): Promise<Lab> {
  const netns = `fost${process.pid}x${counter++}`;
  await labUp(netns);
  const state = mkdtempSync(join(tmpdir(), 'fos-state-'));
  const stores: Store[] = [];
  return {
    netns,
    wire: companionOf(netns),
    state,
    flags: ['--netns', netns, '--state', state],
    router() {
      const store = new Store(state);
      stores.push(store);
      return new Router(store, { netns }, schema);
    },
    snapshot: () =>
      normalise(
        execFileSync('ip', ['-n', netns, '-json', '-details', 'address', 'show'], {
          encoding: 'utf8',
        }),
      ),
    ip: (...args) => execFileSync('ip', ['-n', netns, ...args], { encoding: 'utf8' }),
    async down() {
      for (const s of stores) {
        try {
          s.close();
        } catch {
          // closed already
        }
      }
      await labDown(netns);
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** Whether this kernel can make a link of a kind (these machines lack vlan and dummy). */
/** A veth pair between two labs: `a`'s port and `b`'s, named as given (a wire between two routers). */
export function wireLabs(a: Lab, aPort: string, b: Lab, bPort: string): void {
  execFileSync('ip', [
    'link',
    'add',
    aPort,
    'netns',
    a.netns,
    'type',
    'veth',
    'peer',
    'name',
    bPort,
    'netns',
    b.netns,
  ]);
}

export function kernelSupports(kind: 'vlan' | 'dummy'): boolean {
  const ns = `fosprobe${process.pid}`;
  spawnSync('ip', ['netns', 'add', ns]);
  try {
    const args =
      kind === 'vlan'
        ? ['link', 'add', 'link', 'lo', 'name', 'probe', 'type', 'vlan', 'id', '10']
        : ['link', 'add', 'probe', 'type', 'dummy'];
    return spawnSync('ip', ['-n', ns, ...args]).status === 0;
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}
