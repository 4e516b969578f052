/** Building blocks of the config.boot migrations: pure edits of parsed curly statements. */
import type { BootStatement, Word } from '../../../grammar/index.js';

export type Statement = BootStatement;

export function word(text: string, at: Word): Word {
  return { ...at, text, quoted: false };
}

/** A new statement at the position of `from`: errors still point at the line the operator wrote. */
export function statement(
  from: Statement,
  name: string,
  value?: string,
  children?: readonly Statement[],
): Statement {
  return {
    line: from.line,
    column: from.column,
    name: word(name, from.name),
    ...(value !== undefined ? { value: word(value, from.value ?? from.name) } : {}),
    ...(children ? { children } : {}),
    comments: [],
  };
}

export const withChildren = (s: Statement, children: readonly Statement[]): Statement => ({
  ...s,
  children,
});

/** The same statement under another name. */
export const renamed = (s: Statement, name: string): Statement => ({
  ...s,
  name: word(name, s.name),
});

export const kids = (s: Statement | undefined): readonly Statement[] => s?.children ?? [];

export const is = (s: Statement, name: string): boolean => s.name.text === name;

/** The first block (a statement with children) named `name` (and `value`, when given). */
export function block(
  list: readonly Statement[],
  name: string,
  value?: string,
): Statement | undefined {
  return list.find(
    (s) => s.name.text === name && s.children && (value === undefined || s.value?.text === value),
  );
}

/** Put `items` into the block named `name` of `list` (made if missing), keeping the rest in order. */
export function mergeInto(
  list: Statement[],
  name: string,
  items: readonly Statement[],
  at: Statement,
  value?: string,
): void {
  if (items.length === 0) return;
  const index = list.findIndex(
    (s) => s.name.text === name && s.children && (value === undefined || s.value?.text === value),
  );
  if (index < 0) list.push(statement(at, name, value, items));
  else list[index] = withChildren(list[index]!, [...list[index]!.children!, ...items]);
}

/** One step of a path: a keyword, or a tag word and its value (`neighbor 192.0.2.1`). */
export type Step = readonly [name: string, value?: string];

/**
 * `items` put at `path` below `list`: blocks on the way are joined when they
 * exist (same name and value) and made at `at` when not.
 */
export function putAt(
  list: readonly Statement[],
  path: readonly Step[],
  items: readonly Statement[],
  at: Statement,
): Statement[] {
  if (items.length === 0) return [...list];
  if (path.length === 0) return [...list, ...items];
  const [[name, value], ...rest] = path as [Step, ...Step[]];
  const out = [...list];
  const i = out.findIndex((s) => s.name.text === name && s.children && s.value?.text === value);
  if (i < 0) out.push(statement(at, name, value, putAt([], rest, items, at)));
  else out[i] = withChildren(out[i]!, putAt(out[i]!.children!, rest, items, at));
  return out;
}

/** Each child passed through `fn`; returning undefined drops it, an array replaces it by several. */
export function mapKids(
  s: Statement,
  fn: (child: Statement) => Statement | readonly Statement[] | undefined,
): Statement {
  if (!s.children) return s;
  const out: Statement[] = [];
  for (const c of s.children) {
    const r = fn(c);
    if (r === undefined) continue;
    if (Array.isArray(r)) out.push(...(r as readonly Statement[]));
    else out.push(r as Statement);
  }
  return withChildren(s, out);
}

/** The component versions of a config.boot footer: `conntrack@1:firewall@5:...`. */
export function footerVersions(footer: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of footer)
    for (const m of line.matchAll(/([a-z][a-z0-9-]*)@(\d+)/g)) out.set(m[1]!, Number(m[2]));
  return out;
}

/**
 * Settings that VyOS 1.4 moved out of an area into another top-level one
 * (`protocols ospf route-map` -> `system ip protocol ospf route-map`): each
 * migration hands them back with their full path.
 */
export interface Moved {
  readonly path: readonly Step[];
  readonly item: Statement;
}
