/**
 * The reference tree: one typed node per configuration path, built with the
 * small builders below. Parsing words into a path, completion, `?` help,
 * verification, rendering and the generated docs all read this one tree.
 */
import type { ValueHelp, ValueType } from './types.js';

/** The backends that realise parts of the configuration. */
export const OWNERS = ['system', 'kernel', 'nft', 'frr', 'bpf', 'pbr'] as const;
export type Owner = (typeof OWNERS)[number];

/** Where the shell finds candidates for TAB completion of a value. */
export type CompletionSource =
  | { readonly kind: 'static'; readonly values: readonly string[] }
  /** Names that exist under another config path, e.g. the configured interfaces. */
  | { readonly kind: 'path'; readonly paths: readonly (readonly string[])[] }
  /** Asked of the running system, e.g. the links in the target namespace. */
  | { readonly kind: 'runtime'; readonly provider: string };

/**
 * What a reference leaf names: an entry of a named list elsewhere in the
 * configuration (a firewall chain, a group, a route-map, a peer-group). The
 * reference drives TAB completion of the value, the existence check at
 * verify, and `rename` of the entry it names.
 */
export interface Reference {
  /** The config paths of the named lists (tag nodes) whose entries it may name. */
  readonly paths: readonly (readonly string[])[];
  /** What it names, in the operator's words: `chain`, `route-map`, `firewall group port-group`. */
  readonly what: string;
  /** A leading `!` (match everything but) is part of the value, not of the name. */
  readonly negatable?: boolean;
  /** Names that always exist without being configured (`default`, the VRF outside every VRF). */
  readonly builtin?: readonly string[];
}

/**
 * The word of a reference path that stands for the tag key of the referencing
 * path at the same place: `['vrf', 'name', ANY_KEY, 'protocols', 'bgp', 'peer-group']`
 * names the peer-groups of the VRF the leaf itself is in.
 */
export const SAME_KEY = '*';

/** A reference's list paths with each SAME_KEY replaced by the referencing path's word there. */
export function referencePaths(reference: Reference, at: readonly string[]): string[][] {
  return reference.paths.map((p) => p.map((w, i) => (w === SAME_KEY ? (at[i] ?? w) : w)));
}

/** The name a reference value stands for (`!LAN` names `LAN` where the reference is negatable). */
export function referencedName(reference: Reference, value: string): string {
  return reference.negatable && value.startsWith('!') ? value.slice(1) : value;
}

/** A reference to the entries of one list: `refersTo('route-map', ['policy', 'route-map'])`. */
export function refersTo(what: string, ...paths: (readonly string[])[]): Reference {
  return { what, paths };
}

/** A check on one value beyond its type, with the message shown when it fails. */
export interface Constraint {
  readonly test: (value: string) => boolean;
  readonly message: string;
}

interface NodeBase {
  readonly name: string;
  readonly help: string;
  /** Set on area roots; inherited by everything below. */
  readonly owner?: Owner;
  /** Apply order within a commit; lower first. Inherited by children. */
  readonly priority?: number;
  /** A valid VyOS path in an area FOS1 does not implement yet: the reason. */
  readonly unsupported?: string;
  /**
   * Accepted and kept in the configuration, but not yet applied by any
   * backend: the reason. A commit that sets it says so.
   */
  readonly inert?: string;
}

export interface ContainerNode extends NodeBase {
  readonly kind: 'container';
  readonly children: ReadonlyMap<string, SchemaNode>;
  /**
   * Being there, even empty, is a setting a backend reads (`authentication md5`
   * is message-digest on): a delete of its last child does not take it away.
   */
  readonly presence?: boolean;
}

/** A named list (`ethernet eth0`, `rule 10`): the tag word, then a key, then the entry's children. */
export interface TagNode extends NodeBase {
  readonly kind: 'tag';
  readonly key: ValueType;
  readonly keyConstraints: readonly Constraint[];
  readonly completion?: CompletionSource;
  /** The key names an entry elsewhere (`zone LAN from WAN`: WAN is a zone). */
  readonly reference?: Reference;
  /** The children of each entry (`ethernet eth0 <these>`). */
  readonly entry: EntryNode;
  /**
   * The entries are evaluated in the order of their numbers (firewall, NAT and
   * policy rules): `insert` may move and renumber them. The key is a number type.
   */
  readonly ordered?: boolean;
  /**
   * Leaves of an entry whose value is the number of another entry of the same
   * list (a route-map's `continue`, `on-match goto`): `insert` rewrites them
   * when it renumbers that entry.
   */
  readonly orderRefs?: readonly (readonly string[])[];
}

/** The body of one tag entry; not written by users, made by `tag()`. */
export interface EntryNode extends NodeBase {
  readonly kind: 'entry';
  readonly tag: TagNode;
  readonly children: ReadonlyMap<string, SchemaNode>;
}

export interface LeafNode extends NodeBase {
  /** `leaf` holds one value, `multi` an ordered list of distinct values. */
  readonly kind: 'leaf' | 'multi';
  readonly type: ValueType;
  readonly constraints: readonly Constraint[];
  readonly default?: string;
  /** Never printed by `show` unless asked for and allowed. */
  readonly secret?: boolean;
  /** Must be present whenever its parent is. */
  readonly required?: boolean;
  readonly completion?: CompletionSource;
  /** The value names an entry elsewhere (a chain, a group, a route-map). */
  readonly reference?: Reference;
}

/** A valueless leaf: present or absent (`disable`). */
export interface FlagNode extends NodeBase {
  readonly kind: 'flag';
}

export type SchemaNode = ContainerNode | TagNode | EntryNode | LeafNode | FlagNode;
/** Nodes whose children are keywords. */
export type BranchNode = ContainerNode | EntryNode;

export interface NodeOptions {
  owner?: Owner;
  priority?: number;
}

export interface LeafOptions {
  default?: string;
  secret?: boolean;
  required?: boolean;
  constraints?: Constraint[];
  completion?: CompletionSource;
  /** The value names an entry of another list (see Reference). */
  reference?: Reference;
  /** Value help that replaces the type's own (for a leaf whose type is generic). */
  valueHelp?: ValueHelp[];
}

function childMap(parent: string, children: readonly SchemaNode[]): Map<string, SchemaNode> {
  const map = new Map<string, SchemaNode>();
  for (const child of children) {
    if (map.has(child.name))
      throw new Error(`schema: '${parent}' has two children named '${child.name}'`);
    map.set(child.name, child);
  }
  return map;
}

export function container(
  name: string,
  help: string,
  children: SchemaNode[],
  options: NodeOptions & { presence?: boolean } = {},
): ContainerNode {
  return { kind: 'container', name, help, ...options, children: childMap(name, children) };
}

export function tag(
  name: string,
  help: string,
  key: ValueType,
  children: SchemaNode[],
  options: NodeOptions & {
    keyConstraints?: Constraint[];
    completion?: CompletionSource;
    reference?: Reference;
    /** Entries evaluated in number order (see TagNode.ordered). */
    ordered?: boolean;
    orderRefs?: readonly (readonly string[])[];
  } = {},
): TagNode {
  const { keyConstraints = [], completion, reference, ordered, orderRefs, ...base } = options;
  const node = {
    kind: 'tag' as const,
    name,
    help,
    key,
    keyConstraints,
    ...(completion ? { completion } : {}),
    ...(reference ? { reference } : {}),
    ...(ordered ? { ordered } : {}),
    ...(orderRefs ? { orderRefs } : {}),
    ...base,
  } as unknown as { -readonly [K in keyof TagNode]: TagNode[K] };
  // The entry points back at its tag, so the two are made together.
  node.entry = { kind: 'entry', name, help, tag: node, children: childMap(name, children) };
  return node;
}

export function leaf(
  name: string,
  help: string,
  type: ValueType,
  options: LeafOptions = {},
): LeafNode {
  return withValueHelp(
    {
      kind: 'leaf',
      name,
      help,
      type,
      constraints: options.constraints ?? [],
      ...leafExtras(options),
    },
    options,
  );
}

export function multi(
  name: string,
  help: string,
  type: ValueType,
  options: LeafOptions = {},
): LeafNode {
  return withValueHelp(
    {
      kind: 'multi',
      name,
      help,
      type,
      constraints: options.constraints ?? [],
      ...leafExtras(options),
    },
    options,
  );
}

export function flag(name: string, help: string): FlagNode {
  return { kind: 'flag', name, help };
}

/** A VyOS path FOS1 knows exists but does not implement yet; everything below it is accepted as unsupported. */
export function unsupported(name: string, help: string, reason: string): ContainerNode {
  return { kind: 'container', name, help, unsupported: reason, children: new Map() };
}

/** Mark an existing node (a leaf such as `vrf`) as referring to an area that is not there yet. */
export function pending<T extends SchemaNode>(node: T, reason: string): T {
  return { ...node, unsupported: reason };
}

/** Mark a node as kept but not applied yet (see `inert`). */
export function inert<T extends SchemaNode>(node: T, reason: string): T {
  return { ...node, inert: reason };
}

function leafExtras(options: LeafOptions): Partial<LeafNode> {
  const extras: {
    default?: string;
    secret?: boolean;
    required?: boolean;
    completion?: CompletionSource;
    reference?: Reference;
  } = {};
  if (options.default !== undefined) extras.default = options.default;
  if (options.secret) extras.secret = true;
  if (options.required) extras.required = true;
  if (options.completion) extras.completion = options.completion;
  if (options.reference) extras.reference = options.reference;
  return extras;
}

function withValueHelp(node: LeafNode, options: LeafOptions): LeafNode {
  if (!options.valueHelp) return node;
  return { ...node, type: { ...node.type, help: options.valueHelp } };
}

/** The children of a node that has keyword children, or undefined. */
export function keywordChildren(node: SchemaNode): ReadonlyMap<string, SchemaNode> | undefined {
  return node.kind === 'container' || node.kind === 'entry' ? node.children : undefined;
}

/** Value help of a node: for its key (tags) or its value (leaves). */
export function valueHelp(node: SchemaNode): readonly ValueHelp[] {
  if (node.kind === 'tag') return node.key.help;
  if (node.kind === 'leaf' || node.kind === 'multi') return node.type.help;
  return [];
}
