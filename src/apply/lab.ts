/**
 * The lab: a namespace with stand-in ports eth0..eth3, veth pairs whose peers
 * (wire0..wire3) sit in a companion namespace `<name>-wire`, so tests and
 * people can send real traffic to the router.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { xdpForget } from './bpf.js';
import { frrDownByName } from './frr.js';
import { run, runChecked } from './run.js';

export const LAB_PORTS = 4;
const MARKER = 'fos-lab';

export function companionOf(name: string): string {
  return `${name}-wire`;
}

async function namespaces(): Promise<Set<string>> {
  const out = await runChecked('ip', ['-json', 'netns', 'list']);
  const list = out.trim() ? (JSON.parse(out) as { name: string }[]) : [];
  return new Set(list.map((n) => n.name));
}

/** Where iproute2 keeps the named namespaces (NETNS_RUN_DIR): `ip netns list` lists this directory. */
const NETNS_RUN_DIR = '/var/run/netns';

/** Whether a named namespace exists: a look at iproute2's directory, not an `ip` process (about 20 ms a start). */
export async function namespaceExists(name: string): Promise<boolean> {
  if (name === '' || name.includes('/') || name === '.' || name === '..') return false;
  return existsSync(join(NETNS_RUN_DIR, name));
}

async function isOurs(name: string): Promise<boolean> {
  const r = await run('ip', ['-n', companionOf(name), '-json', 'link', 'show', 'dev', 'wire0']);
  if (r.code !== 0) return false;
  const [link] = JSON.parse(r.stdout) as { ifalias?: string }[];
  return link?.ifalias === `${MARKER}:${name}`;
}

/** Create the lab (idempotent). */
export async function labUp(name: string): Promise<string[]> {
  const existing = await namespaces();
  const wire = companionOf(name);
  if (existing.has(name) || existing.has(wire)) {
    if (await isOurs(name)) return [`lab ${name} is already up`];
    throw new Error(
      `namespace ${existing.has(name) ? name : wire} exists and was not made by 'fos lab up'; not touching it`,
    );
  }
  await runChecked('ip', ['netns', 'add', name]);
  await runChecked('ip', ['netns', 'add', wire]);
  const lines: string[] = [];
  for (let i = 0; i < LAB_PORTS; i++) {
    lines.push(`link add eth${i} type veth peer name wire${i} netns ${wire}`);
    lines.push(`link set dev eth${i} up`);
  }
  lines.push('link set dev lo up');
  await runChecked('ip', ['-n', name, '-batch', '-'], `${lines.join('\n')}\n`);
  const wireLines = ['link set dev lo up', `link set dev wire0 alias ${MARKER}:${name}`];
  for (let i = 0; i < LAB_PORTS; i++) wireLines.push(`link set dev wire${i} up`);
  await runChecked('ip', ['-n', wire, '-batch', '-'], `${wireLines.join('\n')}\n`);
  return [
    `lab ${name} is up: eth0..eth${LAB_PORTS - 1} in namespace ${name}, their peers wire0..wire${LAB_PORTS - 1} in ${wire}`,
  ];
}

/** Remove the lab: both namespaces, and with them every link in them. */
export async function labDown(name: string): Promise<string[]> {
  const existing = await namespaces();
  if (!existing.has(name) && !existing.has(companionOf(name))) return [`lab ${name} is not up`];
  if (!(await isOurs(name)))
    throw new Error(`namespace ${name} was not made by 'fos lab up'; not removing it`);
  // Its FRR daemons first, by their own PIDs, and their files.
  const stopped = await frrDownByName(name);
  await runChecked('ip', ['netns', 'del', name]);
  await runChecked('ip', ['netns', 'del', companionOf(name)]);
  await xdpForget({ netns: name });
  return [
    `lab ${name} removed${stopped.length ? ` (FRR daemons stopped: ${stopped.join(', ')})` : ''}`,
  ];
}
