/**
 * Random but valid configurations drawn from the schema, for property tests
 * and benchmarks. Deterministic for a given seed.
 */
import { TreeEditor, type ConfigNode } from '../../src/config/index.js';
import type { ContainerNode, SchemaNode, ValueType } from '../../src/schema/index.js';

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: () => number, lo: number, hi: number): number =>
  lo + Math.floor(r() * (hi - lo + 1));

const TEXT_CHARS = 'abcdefghijklmnopqrstuvwxyz ABC 0123456789 -_.,:;/\'"\\|#{}()*!?&$';

function candidates(type: ValueType, r: () => number): string[] {
  const v4 = `${int(r, 1, 223)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`;
  const v6 = `2001:db8:${int(r, 0, 0xffff).toString(16)}::${int(r, 1, 0xffff).toString(16)}`;
  const out: string[] = [...type.words];
  for (const h of type.help) {
    const range = /^<(\d+)-(\d+)>$/.exec(h.format);
    if (range)
      out.push(
        String(int(r, Number(range[1]), Math.min(Number(range[2]), Number(range[1]) + 100000))),
      );
  }
  out.push(
    v4,
    v6,
    `${v4}/${int(r, 8, 32)}`,
    `${v6}/${int(r, 48, 128)}`,
    `02:00:5e:${int(r, 16, 255).toString(16)}:${int(r, 16, 255).toString(16)}:${int(r, 16, 255).toString(16)}`,
    `eth${int(r, 0, 40)}`,
    `br${int(r, 0, 40)}`,
    `vxlan${int(r, 0, 40)}`,
    `dum${int(r, 0, 40)}`,
    `eth${int(r, 0, 9)}.${int(r, 1, 4094)}`,
    'lo',
    `user${int(r, 0, 99)}`,
    `host-${int(r, 0, 99)}`,
    `site${int(r, 0, 9)}.example.net`,
    'Europe/Berlin',
    `$6$salt${int(r, 0, 99)}$hashvalue`,
    'AAAAC3NzaC1lZDI1NTE5AAAAIHdG',
    '/home/ops',
    `${int(r, 1, 1000)}-${int(r, 1001, 65535)}`,
    Array.from({ length: int(r, 0, 24) }, () => pick(r, [...TEXT_CHARS])).join(''),
  );
  return out;
}

/** A value the type accepts, or undefined when none of the candidates fits. */
export function sampleValue(type: ValueType, r: () => number): string | undefined {
  const fits = candidates(type, r).filter((v) => type.accepts(v));
  return fits.length ? pick(r, fits) : undefined;
}

function children(node: SchemaNode): SchemaNode[] {
  if (node.kind === 'container' || node.kind === 'entry')
    return [...node.children.values()].filter((c) => !c.unsupported);
  return [];
}

export interface GenerateOptions {
  readonly seed: number;
  /** How many `set` paths to draw. */
  readonly paths: number;
  /** Chance of a comment on a node that is created. */
  readonly commentRate?: number;
}

/** Draw set commands (as word lists) by random walks down the schema. */
export function randomSetWords(schema: ContainerNode, options: GenerateOptions): string[][] {
  const r = rng(options.seed);
  const out: string[][] = [];
  while (out.length < options.paths) {
    const words: string[] = [];
    let node: SchemaNode = schema;
    for (let depth = 0; depth < 12; depth++) {
      if (node.kind === 'tag') {
        const key = sampleValue(node.key, r);
        if (key === undefined || !node.keyConstraints.every((c) => c.test(key))) break;
        words.push(key);
        node = node.entry;
        continue;
      }
      if (node.kind === 'leaf' || node.kind === 'multi') {
        const value = sampleValue(node.type, r);
        if (value !== undefined && node.constraints.every((c) => c.test(value))) words.push(value);
        else words.length = 0;
        break;
      }
      const options_ = children(node);
      if (options_.length === 0 || (words.length > 2 && r() < 0.1)) break;
      node = pick(r, options_);
      words.push(node.name);
    }
    if (words.length > 0 && !(node.kind === 'tag' && words[words.length - 1] === node.name))
      out.push(words);
  }
  return out;
}

/** A random tree: the set paths above, plus comments on some nodes. */
export function randomTree(schema: ContainerNode, options: GenerateOptions): ConfigNode {
  const r = rng(options.seed ^ 0x9e3779b9);
  const editor = new TreeEditor();
  for (const words of randomSetWords(schema, options)) {
    let node: SchemaNode = schema;
    const path: string[] = [];
    for (const word of words) {
      if (node.kind === 'leaf' || node.kind === 'multi') {
        if (node.kind === 'leaf') editor.setValue(path, word);
        else editor.addValue(path, word);
        break;
      }
      path.push(word);
      node = node.kind === 'tag' ? node.entry : (node as ContainerNode).children.get(word)!;
    }
    if (node.kind !== 'leaf' && node.kind !== 'multi') editor.ensure(path);
    if (r() < (options.commentRate ?? 0) && node.kind !== 'tag') {
      editor.setComment(path, `note ${int(r, 0, 999)} "quoted" and 'single'`);
    }
  }
  return editor.finish();
}
