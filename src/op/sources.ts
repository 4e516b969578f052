/**
 * Completion sources: named lists of values TAB offers for an argument of an
 * operational command or a schema leaf (`completion: { kind: 'runtime',
 * provider }`). Each area declares its own; the tree collects them in one
 * registry.
 */
import type { OpSystem } from './context.js';

export interface CompletionSourceSpec {
  readonly name: string;
  /** What the values are, for the reference. */
  readonly help: string;
  /** The values now: at once from what FOS1 holds, or a promise for what the system is asked. */
  read(system: OpSystem): readonly string[] | Promise<readonly string[]>;
}

/**
 * What TAB offers, synchronously: a source read from the system answers with
 * what it read last and is read again in the background for the next TAB.
 */
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

  get(name: string): readonly string[] {
    const source = this.sources.get(name);
    if (!source) return [];
    if (this.reading.has(name)) return this.last.get(name) ?? [];
    let values: readonly string[] | Promise<readonly string[]>;
    try {
      values = source.read(this.system);
    } catch {
      return this.last.get(name) ?? [];
    }
    if (!(values instanceof Promise)) return values;
    this.reading.add(name);
    values.then(
      (v) => {
        this.last.set(name, v);
        this.reading.delete(name);
      },
      () => this.reading.delete(name),
    );
    return this.last.get(name) ?? [];
  }
}
