/**
 * Which link kinds this kernel can make, found once per process. A kind whose
 * module the kernel has built in or installed (its modules.builtin and
 * modules.dep, or /sys/module) is taken as there: no process is started, which
 * under emulation saved 1.5 s of the first commit after a start. Any other kind
 * is found by trying: it is created in a throwaway namespace (on a veth pair,
 * which every kernel FOS1 runs on has) and the namespace is deleted. A kernel
 * without 802.1Q, bonding, VRF, WireGuard or dummy links then refuses a commit
 * at its check step, naming the config path, instead of failing half-way
 * through apply.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { basename, join } from 'node:path';
import type { FeatureNeed, KernelFeature } from '../render/kernel-plan.js';
import { run } from './run.js';

export const FEATURE_NAMES: Readonly<Record<KernelFeature, string>> = {
  '802.1q': '802.1Q VLAN support',
  '802.1ad': '802.1ad (QinQ) VLAN support',
  bonding: 'bonding support',
  vrf: 'VRF support',
  wireguard: 'WireGuard support',
  dummy: 'dummy interface support',
};

const PROBES: Readonly<Record<KernelFeature, readonly string[]>> = {
  '802.1q': ['link', 'add', 'link', 'p0', 'name', 'p0.1', 'type', 'vlan', 'id', '1'],
  '802.1ad': [
    'link',
    'add',
    'link',
    'p0',
    'name',
    'p0.2',
    'type',
    'vlan',
    'protocol',
    '802.1ad',
    'id',
    '2',
  ],
  bonding: ['link', 'add', 'name', 'b0', 'type', 'bond'],
  vrf: ['link', 'add', 'name', 'v0', 'type', 'vrf', 'table', '1000'],
  wireguard: ['link', 'add', 'name', 'w0', 'type', 'wireguard'],
  dummy: ['link', 'add', 'name', 'd0', 'type', 'dummy'],
};

/** The module that makes each link kind (802.1ad is in 8021q). */
const MODULES: Readonly<Record<KernelFeature, string>> = {
  '802.1q': '8021q',
  '802.1ad': '8021q',
  bonding: 'bonding',
  vrf: 'vrf',
  wireguard: 'wireguard',
  dummy: 'dummy',
};

/** A module path of modules.builtin or modules.dep (`kernel/net/8021q/8021q.ko.xz:`) as its name. */
export function moduleName(line: string): string | undefined {
  const file = basename(line.split(':', 1)[0]!.trim());
  const at = file.indexOf('.ko');
  return at > 0 ? file.slice(0, at).replaceAll('-', '_') : undefined;
}

/** The modules this kernel has built in or can load, by its own lists (none where they cannot be read). */
function installedModules(): Set<string> {
  const modulesDir = join('/lib/modules', release());
  const names = new Set<string>();
  for (const list of ['modules.builtin', 'modules.dep']) {
    let text: string;
    try {
      text = readFileSync(join(modulesDir, list), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const name = moduleName(line);
      if (name) names.add(name);
    }
  }
  return names;
}

let cached: Promise<ReadonlyMap<KernelFeature, boolean>> | undefined;

async function probe(): Promise<ReadonlyMap<KernelFeature, boolean>> {
  const installed = installedModules();
  const found = new Map<KernelFeature, boolean>();
  for (const [feature, module] of Object.entries(MODULES) as [KernelFeature, string][])
    if (installed.has(module) || existsSync(join('/sys/module', module))) found.set(feature, true);
  if (found.size === Object.keys(MODULES).length) return found;
  return tryLinkKinds(found);
}

/** Find the kinds not yet in `found` by creating each in a throwaway namespace. */
async function tryLinkKinds(
  found: Map<KernelFeature, boolean>,
): Promise<ReadonlyMap<KernelFeature, boolean>> {
  const ns = `fos-probe-${process.pid}-${randomBytes(3).toString('hex')}`;
  const added = await run('ip', ['netns', 'add', ns]);
  if (added.code !== 0)
    throw new Error(`cannot probe the kernel's link kinds: ${added.stderr.trim()}`);
  try {
    const veth = await run('ip', [
      '-n',
      ns,
      'link',
      'add',
      'p0',
      'type',
      'veth',
      'peer',
      'name',
      'p1',
    ]);
    for (const [feature, argv] of Object.entries(PROBES) as [KernelFeature, readonly string[]][]) {
      if (found.has(feature)) continue;
      if (feature.startsWith('802.1') && veth.code !== 0) {
        found.set(feature, false);
        continue;
      }
      found.set(feature, (await run('ip', ['-n', ns, ...argv])).code === 0);
    }
    return found;
  } finally {
    await run('ip', ['netns', 'del', ns]);
  }
}

/** The link kinds this kernel has (probed on first use, then remembered). */
export function kernelFeatures(): Promise<ReadonlyMap<KernelFeature, boolean>> {
  cached ??= probe().catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

let wgTool: Promise<boolean> | undefined;

/** Whether `wg` (wireguard-tools) is installed. */
export function hasWireguardTool(): Promise<boolean> {
  wgTool ??= run('wg', ['--version'])
    .then((r) => r.code === 0)
    .catch(() => false);
  return wgTool;
}

/** Each need this kernel cannot meet: `interfaces ethernet eth1 vif 10: this kernel has no 802.1Q VLAN support`. */
export async function missingFeatures(needs: readonly FeatureNeed[]): Promise<string[]> {
  if (needs.length === 0) return [];
  const features = await kernelFeatures();
  const problems = needs
    .filter((n) => features.get(n.feature) !== true)
    .map((n) => `${n.path}: this kernel has no ${FEATURE_NAMES[n.feature]}`);
  const wireguard = needs.find((n) => n.feature === 'wireguard');
  if (wireguard && features.get('wireguard') === true && !(await hasWireguardTool()))
    problems.push(`${wireguard.path}: the wg tool (wireguard-tools) is not installed`);
  return problems;
}
