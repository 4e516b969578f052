/**
 * The nftables tables FOS1 owns, as data, and the one transaction that turns
 * what was applied into what is wanted: element adds/deletes for sets whose
 * layout is unchanged, chain reloads for chains whose rules changed, and a
 * whole-table replacement only when the table's layout changed. Pure.
 */

export type NftFamily = 'inet' | 'ip' | 'ip6';

export interface NftSet {
  readonly name: string;
  /** `ipv4_addr`, `inet_service`, `ifname`, ... */
  readonly type: string;
  /** `interval`, `dynamic`, ... */
  readonly flags: readonly string[];
  /** A dynamic set's size limit. */
  readonly size?: number;
  readonly elements: readonly string[];
}

export interface NftChain {
  readonly name: string;
  /** A base chain's header (`type filter hook forward priority filter; policy accept;`). */
  readonly base?: string;
  readonly rules: readonly string[];
  /** For each rule, the config rules it stands for (filter chains only; see firewall-rules.ts). */
  readonly sources?: readonly (readonly { readonly chain: string; readonly rule: string }[])[];
}

export interface NftTable {
  readonly family: NftFamily;
  readonly name: string;
  /** Stateful objects such as `ct helper ftp { type "ftp" protocol tcp; }`, one per line. */
  readonly objects: readonly string[];
  readonly sets: ReadonlyMap<string, NftSet>;
  readonly chains: ReadonlyMap<string, NftChain>;
}

/** Every table FOS1 owns that the configuration asks for, by `family name`. */
export type NftTables = ReadonlyMap<string, NftTable>;

export const tableKey = (t: { family: NftFamily; name: string }): string => `${t.family} ${t.name}`;

/** The tables FOS1 may create; any of them not wanted is deleted. */
export const OWNED_TABLES: readonly { family: NftFamily; name: string }[] = [
  { family: 'inet', name: 'fos_filter' },
  { family: 'ip', name: 'fos_nat' },
  { family: 'ip6', name: 'fos_nat' },
  { family: 'inet', name: 'fos_pbr' },
];

/**
 * A string for nft: in double quotes, which nft strings cannot escape, so a
 * double quote becomes a single one and control characters a space. Nothing
 * in the value can end the string or the statement.
 */
export function nftString(value: string, maxBytes = 127): string {
  // eslint-disable-next-line no-control-regex
  let clean = value.replace(/"/g, "'").replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  while (Buffer.byteLength(clean) > maxBytes) clean = clean.slice(0, -1);
  return `"${clean}"`;
}

function setBody(set: NftSet, withElements: boolean): string {
  const parts = [`type ${set.type};`];
  if (set.flags.length) parts.push(`flags ${set.flags.join(', ')};`);
  if (set.size !== undefined) parts.push(`size ${set.size};`);
  if (withElements && set.elements.length) parts.push(`elements = { ${set.elements.join(', ')} };`);
  return parts.join(' ');
}

function chainText(chain: NftChain, indent: string): string[] {
  return [
    `${indent}chain ${chain.name} {`,
    ...(chain.base ? [`${indent}\t${chain.base}`] : []),
    ...chain.rules.map((r) => `${indent}\t${r}`),
    `${indent}}`,
  ];
}

/** A table as one `table ... { ... }` block (what `nft -f` loads). */
export function tableText(table: NftTable): string[] {
  const lines = [`table ${table.family} ${table.name} {`];
  for (const o of table.objects) lines.push(`\t${o}`);
  for (const set of table.sets.values()) lines.push(`\tset ${set.name} { ${setBody(set, true)} }`);
  // Chains are declared before any rule refers to them: first every chain empty, then the rules.
  for (const chain of table.chains.values()) for (const l of chainText(chain, '\t')) lines.push(l);
  lines.push('}');
  return lines;
}

/** What a table's layout is: a change in any of these reloads the whole table. */
function layout(table: NftTable): string {
  return JSON.stringify([
    table.objects,
    [...table.sets.values()].map((s) => [s.name, s.type, s.flags, s.size]),
    [...table.chains.values()].filter((c) => c.base).map((c) => [c.name, c.base]),
  ]);
}

function sameRules(a: NftChain, b: NftChain): boolean {
  return a.rules.length === b.rules.length && a.rules.every((r, i) => r === b.rules[i]);
}

export interface NftTableChange {
  readonly table: string;
  /** `replace`: the table is deleted and loaded again; `update`: elements and chains only. */
  readonly kind: 'create' | 'replace' | 'update' | 'delete';
  readonly summary: string;
}

export interface NftPlan {
  /** The `nft -f` input: empty when nothing changes. */
  readonly script: string;
  readonly changes: readonly NftTableChange[];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Replace a table whatever is there: create it empty if missing, delete it, load it. */
function replaceTable(table: NftTable): string[] {
  const id = `${table.family} ${table.name}`;
  return [`add table ${id}`, `delete table ${id}`, ...tableText(table)];
}

/**
 * Elements removed and added between two lists. Members are usually added
 * at the end and removed one at a time, so the common head and tail are
 * skipped by comparison before the rest is diffed through sets.
 */
export function elementChanges(
  before: readonly string[],
  after: readonly string[],
): { gone: string[]; fresh: string[] } {
  if (before === after) return { gone: [], fresh: [] };
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (
    tail < before.length - head &&
    tail < after.length - head &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  )
    tail++;
  const oldRest = before.slice(head, before.length - tail);
  const newRest = after.slice(head, after.length - tail);
  const oldSet = new Set(oldRest);
  const newSet = new Set(newRest);
  return {
    gone: oldRest.filter((e) => !newSet.has(e)),
    fresh: newRest.filter((e) => !oldSet.has(e)),
  };
}

function updateTable(
  from: NftTable,
  to: NftTable,
): { lines: string[]; summary: string } | undefined {
  const id = `${to.family} ${to.name}`;
  const head: string[] = [];
  const body: string[] = [];
  const tail: string[] = [];
  let added = 0;
  let removed = 0;
  const chainsReloaded: string[] = [];
  for (const set of to.sets.values()) {
    const before = from.sets.get(set.name);
    if (!before) {
      body.push(`\tset ${set.name} { ${setBody(set, true)} }`);
      continue;
    }
    const { gone, fresh } = elementChanges(before.elements, set.elements);
    if (gone.length) head.push(`delete element ${id} ${set.name} { ${gone.join(', ')} }`);
    if (fresh.length) tail.push(`add element ${id} ${set.name} { ${fresh.join(', ')} }`);
    added += fresh.length;
    removed += gone.length;
  }
  for (const chain of to.chains.values()) {
    const before = from.chains.get(chain.name);
    if (before && sameRules(before, chain)) continue;
    if (before) head.push(`flush chain ${id} ${chain.name}`);
    chainsReloaded.push(chain.name);
    for (const l of chainText(chain, '\t')) body.push(l);
  }
  // Chains and sets that go are deleted last, once no rule refers to them.
  for (const chain of from.chains.values()) {
    if (to.chains.has(chain.name)) continue;
    head.push(`flush chain ${id} ${chain.name}`);
    tail.push(`delete chain ${id} ${chain.name}`);
    chainsReloaded.push(`-${chain.name}`);
  }
  for (const set of from.sets.values())
    if (!to.sets.has(set.name)) tail.push(`delete set ${id} ${set.name}`);
  const lines = [...head, ...(body.length ? [`table ${id} {`, ...body, '}'] : []), ...tail];
  if (lines.length === 0) return undefined;
  const parts: string[] = [];
  if (added || removed) parts.push(`+${added}/-${removed} set elements`);
  if (chainsReloaded.length) parts.push(`${plural(chainsReloaded.length, 'chain')} reloaded`);
  return { lines, summary: parts.join(', ') || 'sets and chains changed' };
}

/**
 * The transaction from `applied` (what FOS1 last loaded, or undefined when
 * unknown) to `desired`. With `applied` unknown every owned table is replaced.
 */
export function planNft(applied: NftTables | undefined, desired: NftTables): NftPlan {
  const lines: string[] = [];
  const changes: NftTableChange[] = [];
  for (const owned of OWNED_TABLES) {
    const key = tableKey(owned);
    const want = desired.get(key);
    const had = applied?.get(key);
    if (!want) {
      if (had || !applied) {
        lines.push(`add table ${key}`, `delete table ${key}`);
        if (had) changes.push({ table: key, kind: 'delete', summary: 'table deleted' });
      }
      continue;
    }
    const counts = `${plural(want.chains.size, 'chain')}, ${plural(want.sets.size, 'set')}`;
    if (!had) {
      for (const l of replaceTable(want)) lines.push(l);
      changes.push({ table: key, kind: applied ? 'create' : 'replace', summary: counts });
      continue;
    }
    if (layout(had) !== layout(want)) {
      for (const l of replaceTable(want)) lines.push(l);
      changes.push({ table: key, kind: 'replace', summary: `layout changed; ${counts}` });
      continue;
    }
    const update = updateTable(had, want);
    if (update) {
      for (const l of update.lines) lines.push(l);
      changes.push({ table: key, kind: 'update', summary: update.summary });
    }
  }
  // Without knowledge of what is applied, the load always runs: it is what makes the tables certain.
  const script = changes.length > 0 || applied === undefined ? `${lines.join('\n')}\n` : '';
  return { script, changes };
}

/** Every owned table replaced by what is desired (start-up, restore, and the fallback of an update). */
export function fullLoad(desired: NftTables): NftPlan {
  return planNft(undefined, desired);
}

/**
 * One transaction that loads every chain of a table again with the same
 * rules: each chain is flushed and refilled, so its rule counters start from
 * zero (nft 1.0.6 has no `reset rules`), while sets, their elements and the
 * table itself stay. Nothing is unfiltered in between: it is one transaction.
 */
export function reloadChains(table: NftTable): string {
  const id = `${table.family} ${table.name}`;
  const lines = [...table.chains.values()].map((c) => `flush chain ${id} ${c.name}`);
  lines.push(`table ${id} {`);
  for (const chain of table.chains.values()) for (const l of chainText(chain, '\t')) lines.push(l);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
