/**
 * The nftables driver: check and load one transaction with `nft -f` in the
 * target namespace, read counters and FOS1's tables back, read and write the
 * sysctls of the firewall, and read the conntrack table.
 */
import type { NftPlan } from '../render/nft-model.js';
import { CommandError, run, runChecked, type RunResult } from './run.js';
import type { Target } from './target.js';

/** A command run inside the target namespace: `ip netns exec NS cmd ...`, or cmd itself for the root. */
function inTarget(target: Target, command: string, args: readonly string[]): [string, string[]] {
  return target.netns === undefined
    ? [command, [...args]]
    : ['ip', ['netns', 'exec', target.netns, command, ...args]];
}

async function runIn(
  target: Target,
  command: string,
  args: readonly string[],
  input?: string,
): Promise<RunResult> {
  const [cmd, argv] = inTarget(target, command, args);
  return run(cmd, argv, input);
}

export class NftError extends Error {
  constructor(
    readonly phase: 'check' | 'load',
    readonly detail: string,
  ) {
    super(`nft ${phase} failed: ${detail}`);
  }
}

/** `nft -c -f -`: would the kernel take this transaction? Nothing changes either way. */
export async function checkNft(target: Target, script: string): Promise<void> {
  if (!script) return;
  const r = await runIn(target, 'nft', ['-c', '-f', '-'], script);
  if (r.code !== 0) throw new NftError('check', r.stderr.trim() || `exit status ${r.code}`);
}

/** `nft -f -`: one atomic transaction; on failure nothing of it is applied. */
export async function loadNft(target: Target, plan: NftPlan): Promise<void> {
  if (!plan.script) return;
  const r = await runIn(target, 'nft', ['-f', '-'], plan.script);
  if (r.code !== 0) throw new NftError('load', r.stderr.trim() || `exit status ${r.code}`);
}

// ------------------------------------------------------------------ reading back

export interface NftJsonRule {
  readonly chain: string;
  readonly comment?: string;
  readonly packets: number;
  readonly bytes: number;
}

export interface NftTableListing {
  readonly chains: Map<string, NftJsonRule[]>;
  readonly sets: Map<string, number>;
}

type JsonItem = Record<string, Record<string, unknown>>;

/** Chains with each rule's comment and counter, and set sizes, of one table; undefined when it does not exist. */
export async function listTable(
  target: Target,
  family: string,
  name: string,
): Promise<NftTableListing | undefined> {
  const r = await runIn(target, 'nft', ['-j', 'list', 'table', family, name]);
  if (r.code !== 0) return undefined;
  const items = (JSON.parse(r.stdout) as { nftables: JsonItem[] }).nftables;
  const chains = new Map<string, NftJsonRule[]>();
  const sets = new Map<string, number>();
  for (const item of items) {
    if (item['chain']) chains.set(String(item['chain']['name']), []);
    if (item['set']) {
      const elem = item['set']['elem'];
      sets.set(String(item['set']['name']), Array.isArray(elem) ? elem.length : 0);
    }
    const rule = item['rule'];
    if (!rule) continue;
    let packets = 0;
    let bytes = 0;
    for (const e of (rule['expr'] as Record<string, { packets?: number; bytes?: number }>[]) ??
      []) {
      if (e['counter']) {
        packets = e['counter'].packets ?? 0;
        bytes = e['counter'].bytes ?? 0;
      }
    }
    const chain = String(rule['chain']);
    const list = chains.get(chain) ?? [];
    list.push({
      chain,
      ...(typeof rule['comment'] === 'string' ? { comment: rule['comment'] } : {}),
      packets,
      bytes,
    });
    chains.set(chain, list);
  }
  return { chains, sets };
}

/** The tables of the target, as `family name`. */
export async function listTables(target: Target): Promise<Set<string>> {
  const out = await runIn(target, 'nft', ['-j', 'list', 'tables']);
  if (out.code !== 0) throw new CommandError('nft', ['-j', 'list', 'tables'], out);
  const items = (JSON.parse(out.stdout) as { nftables: JsonItem[] }).nftables;
  return new Set(
    items.filter((i) => i['table']).map((i) => `${i['table']!['family']} ${i['table']!['name']}`),
  );
}

// ------------------------------------------------------------------ sysctls

export async function readSysctls(
  target: Target,
  keys: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (keys.length === 0) return out;
  const r = await runIn(target, 'sysctl', ['-e', '-n', ...keys]);
  const lines = r.stdout.split('\n');
  keys.forEach((k, i) => {
    const v = lines[i];
    if (v !== undefined && v !== '') out.set(k, v.trim());
  });
  return out;
}

export async function writeSysctls(
  target: Target,
  values: ReadonlyMap<string, string>,
): Promise<void> {
  if (values.size === 0) return;
  const assignments = [...values].map(([k, v]) => `${k}=${v}`);
  await runChecked(...inTarget(target, 'sysctl', ['-q', '-w', ...assignments]));
}

// ------------------------------------------------------------------ conntrack

export interface ConntrackEntry {
  readonly family: string;
  readonly protocol: string;
  readonly state: string;
  readonly timeout: number;
  /** The original direction (as the client sent it) and the reply direction (after NAT). */
  readonly original: { src: string; dst: string; sport?: string; dport?: string };
  readonly reply: { src: string; dst: string; sport?: string; dport?: string };
  readonly status: readonly string[];
}

/** Parse /proc/net/nf_conntrack. */
export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 6) continue;
    const [family, , protocol, , timeout, ...rest] = words as [
      string,
      string,
      string,
      string,
      string,
      ...string[],
    ];
    let state = '';
    const tuples: Record<string, string>[] = [];
    const status: string[] = [];
    let current: Record<string, string> | undefined;
    for (const w of rest) {
      const eq = w.indexOf('=');
      if (eq < 0) {
        if (/^\[.*\]$/.test(w)) status.push(w.slice(1, -1));
        else if (!state && /^[A-Z_]+$/.test(w)) state = w;
        continue;
      }
      const key = w.slice(0, eq);
      const value = w.slice(eq + 1);
      if (key === 'src') {
        current = {};
        tuples.push(current);
      }
      if (
        current &&
        ['src', 'dst', 'sport', 'dport', 'type', 'code', 'id'].includes(key) &&
        !(key in current)
      )
        current[key] = value;
    }
    const tuple = (t: Record<string, string> | undefined): ConntrackEntry['original'] => ({
      src: t?.['src'] ?? '',
      dst: t?.['dst'] ?? '',
      ...(t?.['sport'] ? { sport: t['sport'] } : {}),
      ...(t?.['dport'] ? { dport: t['dport'] } : {}),
    });
    out.push({
      family,
      protocol,
      state,
      timeout: Number(timeout),
      original: tuple(tuples[0]),
      reply: tuple(tuples[1]),
      status,
    });
  }
  return out;
}

export async function readConntrack(target: Target): Promise<ConntrackEntry[]> {
  const r = await runIn(target, 'cat', ['/proc/net/nf_conntrack']);
  return r.code === 0 ? parseConntrack(r.stdout) : [];
}

/**
 * Delete tracked connections in the target with `conntrack`: every one
 * (`all`), or those source or destination NAT translates. Returns how many
 * went; conntrack's exit status 1 with nothing to delete is not an error.
 */
export async function deleteConntrack(
  target: Target,
  which: 'all' | 'src-nat' | 'dst-nat',
): Promise<number> {
  const args = which === 'all' ? ['-F'] : ['-D', `--${which}`];
  const r = await runIn(target, 'conntrack', args);
  const m = /(\d+) flow entries have been deleted/.exec(r.stderr);
  if (m) return Number(m[1]);
  if (which === 'all' && r.code === 0) return 0;
  if (r.code === 1 && /0 flow entries|not found/i.test(r.stderr)) return 0;
  if (r.code !== 0) throw new CommandError('conntrack', args, r);
  return 0;
}
