/**
 * Completion sources: named lists of values TAB offers for an argument of an
 * operational command or a schema leaf (`completion: { kind: 'runtime',
 * provider }`). Each area declares its own; the tree collects them in one
 * registry.
 */
import type { OpSystem } from './context.js';

/** The values of the arguments before the one completed (a VRF's name, for its neighbors). */
export type SourceArgs = Readonly<Record<string, string | undefined>>;

export interface CompletionSourceSpec {
  readonly name: string;
  /** What the values are, for the reference. */
  readonly help: string;
  /**
   * The values now: at once from what FOS1 holds, or a promise for what the
   * system is asked. `args` are the command's arguments before the one completed.
   */
  read(system: OpSystem, args: SourceArgs): readonly string[] | Promise<readonly string[]>;
}

/**
 * What TAB offers, synchronously: a source read from the system answers with
 * what it read last and is read again in the background for the next TAB.
 */
/** At most this many lists read from the system are kept (one per source and arguments). */
const MAX_KEPT = 64;

export class CompletionValues {
  private readonly last = new Map<string, readonly string[]>();
  private readonly reading = new Set<string>();

  constructor(
    private readonly sources: ReadonlyMap<string, CompletionSourceSpec>,
    private readonly system: OpSystem,
  ) {}

  /** Start reading every source that asks the system, so the first TAB has values. */
  prime(): this {
    for (const name of this.sources.keys()) this.get(name);
    return this;
  }

  get(name: string, args: SourceArgs = {}): readonly string[] {
    const source = this.sources.get(name);
    if (!source) return [];
    // What a source read from the system is kept per source and arguments.
    const key = Object.keys(args).length ? `${name} ${JSON.stringify(args)}` : name;
    if (this.reading.has(key)) return this.last.get(key) ?? [];
    let values: readonly string[] | Promise<readonly string[]>;
    try {
      values = source.read(this.system, args);
    } catch {
      return this.last.get(key) ?? [];
    }
    if (!(values instanceof Promise)) return values;
    this.reading.add(key);
    values.then(
      (v) => {
        if (this.last.size >= MAX_KEPT && !this.last.has(key)) this.last.clear();
        this.last.set(key, v);
        this.reading.delete(key);
      },
      () => this.reading.delete(key),
    );
    return this.last.get(key) ?? [];
  }
}
