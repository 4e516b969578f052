/**
 * The eBPF data plane, as the bpf backend drives it: one XDP program per
 * interface (bpf/fos_xdp.bpf.c), its maps and link pinned under
 * /sys/fs/bpf/fos/NS/IFACE, changed through the loader (xdp-loader.ts).
 *
 * - xdpAttach: a load with fresh maps holding `contents` whole; it attaches
 *   the program, or, when one of FOS1's is attached already, swaps it in
 *   atomically (bpf_link update): the way to change map capacities.
 * - xdpSwap: a new program on the same maps (bpf_link update), with an
 *   optional delta applied before the swap; undone if the swap fails.
 * - xdpUpdate: a delta to the maps only; the program and link stay.
 * - xdpCheck: the verifier's verdict on a program, with nothing attached.
 * - xdpList: what FOS1 has pinned in the namespace, for start-up convergence;
 *   xdpDump: every blocklist and exclude element of one interface, with its rule.
 * - xdpStats / xdpClearCounters, xdpDetach / xdpDetachAll.
 * Every change is all or nothing; a failure is an XdpError whose `code`
 * says what to do about it ('verifier', 'incompatible' or 'full' call for a
 * fresh load or a refusal, 'inconsistent' for a loud report).
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Target } from './target.js';
import { askLoader, stopLoader, XDP_OBJECT, type LoaderAnswer } from './xdp-loader.js';

export const XDP_LIMIT_PROTOCOLS = ['all', 'tcp-syn', 'udp'] as const;
export type XdpLimitProtocol = (typeof XDP_LIMIT_PROTOCOLS)[number];
export type XdpMode = 'auto' | 'native' | 'generic';
export type XdpMapName =
  | 'settings'
  | 'counters'
  | 'block4'
  | 'block6'
  | 'blocknet4'
  | 'blocknet6'
  | 'exclude4'
  | 'exclude6'
  | 'sources';

/** Rule numbers feed per-rule counters: 1..XDP_MAX_RULE (0 counts what no rule decided). */
export const XDP_MAX_RULE = 1023;

/** A source prefix (canonical: no host bits) and the rule whose counters its matches feed. */
export interface XdpEntry {
  readonly prefix: string;
  readonly rule: number;
}

/** A per-source limit: `rate` packets/s on average, `burst` back to back. */
export interface XdpLimit {
  readonly protocol: XdpLimitProtocol;
  readonly rate: number;
  readonly burst: number;
  readonly rule: number;
}

/** Everything one interface's program holds. */
export interface XdpContents {
  readonly enabled: boolean;
  readonly block: readonly XdpEntry[];
  readonly exclude: readonly XdpEntry[];
  readonly limits: readonly XdpLimit[];
}

/** A change: only what is named changes. An entry given again with another rule is replaced. */
export interface XdpDelta {
  readonly enabled?: boolean;
  readonly block?: readonly XdpEntry[];
  readonly unblock?: readonly string[];
  readonly exclude?: readonly XdpEntry[];
  readonly unexclude?: readonly string[];
  /** Set, replacing the limit of the same protocol. */
  readonly limits?: readonly XdpLimit[];
  readonly unlimit?: readonly XdpLimitProtocol[];
}

/** Map capacities of a fresh load (elements per family); the loader's defaults when absent. */
export interface XdpCapacity {
  readonly hosts?: number;
  readonly nets?: number;
  readonly excludes?: number;
  readonly sources?: number;
}

export interface XdpMapState {
  readonly id: number;
  readonly capacity: number;
  /** Elements held (element maps only). */
  readonly elements?: number;
}

/** One interface as pinned: what the kernel says of its link, program and maps. */
export interface XdpState {
  readonly interface: string;
  /** The interface exists in the namespace. */
  readonly exists: boolean;
  /** The pinned link holds the program on this interface. */
  readonly attached: boolean;
  readonly mode: 'native' | 'generic' | 'offload' | 'none';
  readonly link?: { readonly id: number; readonly program: number; readonly ifindex: number };
  readonly program?: { readonly id: number; readonly name: string; readonly tag: string };
  readonly maps: Partial<Record<XdpMapName, XdpMapState>>;
  /** Attached, and the program uses exactly the pinned maps of this layout. */
  readonly consistent: boolean;
  /** Which build of the object the program came from (a hash of the file). */
  readonly object?: string;
  /** The program came from the object xdpList was asked about. */
  readonly current?: boolean;
  readonly enabled?: boolean;
  readonly limits?: readonly XdpLimit[];
}

export interface XdpLoad extends XdpState {
  /** A new link, or the program swapped on the existing one. */
  readonly attach: 'created' | 'updated';
  /** Why native XDP was not used, when generic was. */
  readonly nativeError?: string;
  readonly timingMs: Readonly<Record<string, number>>;
}

export interface XdpCounters {
  readonly passedPackets: number;
  readonly passedBytes: number;
  readonly droppedPackets: number;
  readonly droppedBytes: number;
}

export interface XdpRuleCounters extends XdpCounters {
  readonly rule: number;
}

/** A source dropped over a limit: packets per limit protocol. */
export interface XdpLimitedSource {
  readonly source: string;
  readonly dropped: number;
  readonly all: number;
  readonly 'tcp-syn': number;
  readonly udp: number;
}

export interface XdpStats extends XdpState {
  /** Rule 0 (no rule decided: passed untouched) and every rule that counted something. */
  readonly rules: readonly XdpRuleCounters[];
  readonly total: XdpCounters;
  readonly topSources: readonly XdpLimitedSource[];
}

export type XdpErrorCode =
  'input' | 'verifier' | 'incompatible' | 'busy' | 'missing' | 'full' | 'inconsistent' | 'system';

export class XdpError extends Error {
  constructor(
    readonly code: XdpErrorCode,
    message: string,
    /** The kernel verifier's log when it rejected a program. */
    readonly verifier?: string,
  ) {
    super(message);
  }
}

/**
 * The program object commits load: the one built in bpf/build, or, in tests,
 * FOS_TEST_XDP_OBJECT (a program the verifier rejects, to see a commit refused).
 */
export function xdpProgramObject(): string {
  return process.env['FOS_TEST_XDP_OBJECT'] || XDP_OBJECT;
}

// ------------------------------------------------------------------ change lines

const PREFIX = /^[0-9A-Fa-f:.]{2,45}(\/\d{1,3})?$/;

function entryLine(verb: string, prefix: string, rule?: number): string {
  if (!PREFIX.test(prefix)) throw new XdpError('input', `'${prefix}' is not an address or prefix`);
  if (rule === undefined) return `${verb} ${prefix}`;
  if (!Number.isInteger(rule) || rule < 1 || rule > XDP_MAX_RULE)
    throw new XdpError('input', `rule ${rule} is not a number from 1 to ${XDP_MAX_RULE}`);
  return `${verb} ${prefix} ${rule}`;
}

function limitLine(l: XdpLimit): string {
  if (!XDP_LIMIT_PROTOCOLS.includes(l.protocol))
    throw new XdpError('input', `'${l.protocol}' is not all, tcp-syn or udp`);
  for (const n of [l.rate, l.burst, l.rule])
    if (!Number.isInteger(n) || n < 1) throw new XdpError('input', `${n} is not a positive number`);
  return `limit ${l.protocol} ${l.rate} ${l.burst} ${l.rule}`;
}

/** The loader's change lines for a delta (bpf/loader/payload.h). */
export function deltaLines(delta: XdpDelta): string[] {
  const lines: string[] = [];
  if (delta.enabled !== undefined) lines.push(delta.enabled ? 'enable' : 'disable');
  for (const p of delta.unblock ?? []) lines.push(entryLine('unblock', p));
  for (const e of delta.block ?? []) lines.push(entryLine('block', e.prefix, e.rule));
  for (const p of delta.unexclude ?? []) lines.push(entryLine('unexclude', p));
  for (const e of delta.exclude ?? []) lines.push(entryLine('exclude', e.prefix, e.rule));
  for (const p of delta.unlimit ?? []) {
    if (!XDP_LIMIT_PROTOCOLS.includes(p))
      throw new XdpError('input', `'${p}' is not all, tcp-syn or udp`);
    lines.push(`unlimit ${p}`);
  }
  for (const l of delta.limits ?? []) lines.push(limitLine(l));
  return lines;
}

export function contentsLines(contents: XdpContents): string[] {
  return deltaLines({
    enabled: contents.enabled,
    block: contents.block,
    exclude: contents.exclude,
    limits: contents.limits,
  });
}

// ------------------------------------------------------------------ answers

function checked(answer: LoaderAnswer): LoaderAnswer {
  if (!answer.ok)
    throw new XdpError(
      (answer.code as XdpErrorCode | undefined) ?? 'system',
      answer.error ?? 'the XDP loader failed',
      answer.verifier,
    );
  return answer;
}

type Raw = Record<string, unknown>;

function state(raw: Raw): XdpState {
  const limits = raw['limits'] as Raw[] | undefined;
  return {
    interface: raw['interface'] as string,
    exists: raw['exists'] as boolean,
    attached: raw['attached'] as boolean,
    mode: raw['mode'] as XdpState['mode'],
    ...(raw['link'] ? { link: raw['link'] as XdpState['link'] } : {}),
    ...(raw['program'] ? { program: raw['program'] as XdpState['program'] } : {}),
    maps: (raw['maps'] ?? {}) as XdpState['maps'],
    consistent: raw['consistent'] as boolean,
    ...(raw['object'] !== undefined ? { object: raw['object'] as string } : {}),
    ...(raw['current'] !== undefined ? { current: raw['current'] as boolean } : {}),
    ...(raw['enabled'] !== undefined ? { enabled: raw['enabled'] as boolean } : {}),
    ...(limits
      ? {
          limits: limits.map((l) => ({
            protocol: l['protocol'] as XdpLimitProtocol,
            rate: l['rate'] as number,
            burst: l['burst'] as number,
            rule: l['rule'] as number,
          })),
        }
      : {}),
  };
}

function counters(raw: Raw): XdpCounters {
  return {
    passedPackets: raw['passed_packets'] as number,
    passedBytes: raw['passed_bytes'] as number,
    droppedPackets: raw['dropped_packets'] as number,
    droppedBytes: raw['dropped_bytes'] as number,
  };
}

function loaded(raw: Raw): XdpLoad {
  return {
    ...state(raw),
    attach: raw['attach'] as XdpLoad['attach'],
    ...(raw['native_error'] ? { nativeError: raw['native_error'] as string } : {}),
    timingMs: raw['timing_ms'] as Record<string, number>,
  };
}

// ------------------------------------------------------------------ operations

export interface XdpAttachOptions {
  readonly mode?: XdpMode;
  readonly capacity?: XdpCapacity;
  /** The program object (default: the one built in bpf/build). */
  readonly object?: string;
}

function capacityWords(c: XdpCapacity | undefined): string[] {
  const words: string[] = [];
  for (const [flag, n] of [
    ['--hosts', c?.hosts],
    ['--nets', c?.nets],
    ['--excludes', c?.excludes],
    ['--sources', c?.sources],
  ] as const)
    if (n !== undefined) words.push(flag, String(n));
  return words;
}

/** Loads the program with fresh maps holding `contents`, attaching it or swapping it in. */
export async function xdpAttach(
  target: Target,
  iface: string,
  contents: XdpContents,
  options: XdpAttachOptions = {},
): Promise<XdpLoad> {
  const words = [
    'load',
    iface,
    '--object',
    options.object ?? XDP_OBJECT,
    '--mode',
    options.mode ?? 'auto',
    ...capacityWords(options.capacity),
  ];
  return loaded(checked(await askLoader(target, words, contentsLines(contents))));
}

/** A new program on the pinned maps, swapped in atomically; `delta` goes in with it. */
export async function xdpSwap(
  target: Target,
  iface: string,
  options: { readonly object?: string; readonly delta?: XdpDelta } = {},
): Promise<XdpLoad> {
  const words = ['load', iface, '--object', options.object ?? XDP_OBJECT, '--keep-maps'];
  const lines = options.delta ? deltaLines(options.delta) : [];
  return loaded(checked(await askLoader(target, words, lines)));
}

/** Changes the maps of an attached program: only the named elements and settings. */
export async function xdpUpdate(
  target: Target,
  iface: string,
  delta: XdpDelta,
): Promise<{ readonly changed: number }> {
  const answer = checked(await askLoader(target, ['update', iface], deltaLines(delta)));
  return { changed: answer['changed'] as number };
}

/**
 * Loads the program once and lets it go, so the verifier judges it with
 * nothing attached or pinned: a commit's check. Returns the object's id (as
 * XdpState.object reports it).
 */
export async function xdpCheck(target: Target, object: string = XDP_OBJECT): Promise<string> {
  return checked(await askLoader(target, ['check', '--object', object]))['object'] as string;
}

/** Everything FOS1 has pinned in the target namespace, one entry per interface. */
export async function xdpList(target: Target, object: string = XDP_OBJECT): Promise<XdpState[]> {
  const answer = checked(await askLoader(target, ['list', '--object', object]));
  return (answer['interfaces'] as Raw[]).map(state);
}

/** Every element of an interface's blocklist and exclude maps: prefix (as the kernel spells it) and rule. */
export interface XdpDump {
  readonly block: readonly XdpEntry[];
  readonly exclude: readonly XdpEntry[];
}

export async function xdpDump(target: Target, iface: string): Promise<XdpDump> {
  const answer = checked(await askLoader(target, ['dump', iface]));
  const elements = answer['elements'] as Record<string, string[]>;
  const entries = (maps: string[]): XdpEntry[] =>
    maps.flatMap((m) =>
      (elements[m] ?? []).map((word) => {
        const [prefix = '', rule = '0'] = word.split(' ');
        return { prefix, rule: Number(rule) };
      }),
    );
  return {
    block: entries(['block4', 'block6', 'blocknet4', 'blocknet6']),
    exclude: entries(['exclude4', 'exclude6']),
  };
}

/** Whether FOS1 has pinned anything in the target namespace (no loader is asked). */
export function xdpAnyPinned(target: Target): boolean {
  return existsSync(xdpPinDirectory(target));
}

export async function xdpStats(target: Target, iface: string, top = 10): Promise<XdpStats> {
  const raw = checked(await askLoader(target, ['stats', iface, '--top', String(top)])) as Raw;
  return {
    ...state(raw),
    rules: (raw['rules'] as Raw[]).map((r) => ({ rule: r['rule'] as number, ...counters(r) })),
    total: counters(raw['total'] as Raw),
    topSources: (raw['top_sources'] as XdpLimitedSource[]) ?? [],
  };
}

export async function xdpClearCounters(target: Target, iface: string): Promise<void> {
  checked(await askLoader(target, ['clear', iface]));
}

/** Detaches the program and removes the interface's pins; false when nothing was attached. */
export async function xdpDetach(target: Target, iface: string): Promise<boolean> {
  return checked(await askLoader(target, ['detach', iface]))['detached'] as boolean;
}

/** Detaches every interface FOS1 pinned in the namespace and removes its pin directory. */
export async function xdpDetachAll(target: Target): Promise<string[]> {
  return checked(await askLoader(target, ['detach', '--all']))['detached'] as string[];
}

/** Where a namespace's pins live (bpffs refuses dots in names: the loader keeps a dot as a colon). */
export function xdpPinDirectory(target: Target): string {
  return `/sys/fs/bpf/fos/${(target.netns ?? 'root').replaceAll('.', ':')}`;
}

/**
 * For a namespace that is being deleted: its loader stops and its pins go
 * (its interfaces, and with them the attachments, go with the namespace).
 */
export async function xdpForget(target: Target): Promise<void> {
  stopLoader(target);
  await rm(xdpPinDirectory(target), { recursive: true, force: true });
}
