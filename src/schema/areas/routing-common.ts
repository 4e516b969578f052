/**
 * Value types and references shared by `protocols` and `policy`. Every value
 * here reaches frr.conf as a word or the rest of a line, so each is one line
 * of bounded text and most are plain words: nothing can add a line or a
 * command to what FRR reads.
 */
import { interfaceReference } from '../fragments.js';
import { leaf, refersTo, type LeafNode, type LeafOptions, type Reference } from '../node.js';
import {
  anyOf,
  interfaceName,
  ipv4,
  ipv6,
  isIPv4,
  oneOf,
  pattern,
  simple,
  text,
  u32,
  type ValueType,
} from '../types.js';

// ------------------------------------------------------------------ names

/** A route-map name, as VyOS allows it (`[-_a-zA-Z0-9][\w\-\.\+]*`), up to 64 characters. */
export const routeMapName = pattern(
  'route-map-name',
  /^[-_a-zA-Z0-9][\w.+-]{0,63}$/,
  '<name>',
  'Route-map name (letters, digits, - _ . +; up to 64)',
);

/** Names of prefix-lists, as-path-lists, community lists and IPv6 access-lists. */
export const listName = (what: string): ValueType =>
  pattern(
    `${what}-name`,
    /^[-_a-zA-Z0-9][\w.+-]{0,63}$/,
    '<name>',
    `${what[0]!.toUpperCase()}${what.slice(1)} name (letters, digits, - _ . +; up to 64)`,
  );

/** Names of peer-groups and BFD profiles: `[-_a-zA-Z0-9]+`. */
export const plainName = (what: string, max = 64): ValueType =>
  pattern(
    `${what}-name`,
    new RegExp(`^[-_a-zA-Z0-9]{1,${max}}$`),
    '<name>',
    `${what[0]!.toUpperCase()}${what.slice(1)} name (letters, digits, - _; up to ${max})`,
  );

/** The numbered IPv4 access-lists FRR knows: standard and extended ranges. */
export const accessListNumber: ValueType = {
  name: 'access-list-number',
  help: [
    { format: '<1-99>', description: 'IP standard access list' },
    { format: '<100-199>', description: 'IP extended access list' },
    { format: '<1300-1999>', description: 'IP standard access list (expanded range)' },
    { format: '<2000-2699>', description: 'IP extended access list (expanded range)' },
  ],
  words: [],
  accepts: (v) => {
    if (!/^[1-9][0-9]{0,3}$/.test(v)) return false;
    const n = Number(v);
    return n <= 199 || (n >= 1300 && n <= 2699);
  },
};

// ------------------------------------------------------------------ references

export const ROUTE_MAP = refersTo('route-map', ['policy', 'route-map']);
export const PREFIX_LIST = refersTo('prefix-list', ['policy', 'prefix-list']);
export const PREFIX_LIST6 = refersTo('prefix-list6', ['policy', 'prefix-list6']);
export const ACCESS_LIST = refersTo('access-list', ['policy', 'access-list']);
export const ACCESS_LIST6 = refersTo('access-list6', ['policy', 'access-list6']);
export const AS_PATH_LIST = refersTo('as-path-list', ['policy', 'as-path-list']);
export const COMMUNITY_LIST = refersTo('community-list', ['policy', 'community-list']);
export const EXTCOMMUNITY_LIST = refersTo('extcommunity-list', ['policy', 'extcommunity-list']);
export const LARGE_COMMUNITY_LIST = refersTo('large-community-list', [
  'policy',
  'large-community-list',
]);
export const PEER_GROUP = refersTo('peer-group', ['protocols', 'bgp', 'peer-group']);
export const BFD_PROFILE = refersTo('BFD profile', ['protocols', 'bfd', 'profile']);

const referenceLeaf =
  (type: ValueType, reference: Reference) =>
  (name: string, help: string, options: LeafOptions = {}): LeafNode =>
    leaf(name, help, type, { ...options, reference });

export const routeMapLeaf = referenceLeaf(routeMapName, ROUTE_MAP);
export const prefixListLeaf = referenceLeaf(listName('prefix-list'), PREFIX_LIST);
export const prefixList6Leaf = referenceLeaf(listName('prefix-list'), PREFIX_LIST6);
export const accessListLeaf = referenceLeaf(accessListNumber, ACCESS_LIST);
export const accessList6Leaf = referenceLeaf(listName('access-list'), ACCESS_LIST6);
export const asPathListLeaf = referenceLeaf(listName('as-path-list'), AS_PATH_LIST);
export const peerGroupLeaf = referenceLeaf(plainName('peer-group'), PEER_GROUP);
export const bfdProfileLeaf = referenceLeaf(plainName('BFD profile', 32), BFD_PROFILE);

/** `route-map NAME`: the route-map applied to redistributed or originated routes. */
export const routeMap = (): LeafNode => routeMapLeaf('route-map', 'Specify route-map name to use');

// ------------------------------------------------------------------ values

export const asNumber = u32(1, 4294967294, 'Autonomous System Number (ASN)');

export const remoteAs: ValueType = anyOf(
  'remote-as',
  u32(1, 4294967294, 'Neighbor AS number'),
  oneOf('peer-type', [
    { value: 'external', description: 'Any AS different from the local AS' },
    { value: 'internal', description: 'Neighbor AS is the same as the local AS' },
  ]),
);

export const distance = (): LeafNode =>
  leaf('distance', 'Distance for this route', u32(1, 255, 'Distance for this route'));

export const tagValue = (): LeafNode =>
  leaf('tag', 'Tag value for this route', u32(1, 4294967295, 'Tag value for this route'));

/** An OSPF area: a number or a dotted quad. */
export const areaId: ValueType = anyOf(
  'ospf-area',
  u32(0, 4294967295, 'OSPF area number in decimal notation'),
  simple('ospf-area-dotted', '<x.x.x.x>', 'OSPF area number in dotted decimal notation', isIPv4),
);

/** An address to reach (v4 or v6). */
export const ipAddress: ValueType = anyOf('ip-address', ipv4, ipv6);

/** A link in the target namespace (TAB offers them). */
export const interfaceLeaf = (name: string, help: string): LeafNode =>
  interfaceReference(name, help);

/** An address or an interface: `update-source`. */
export const addressOrInterface: ValueType = anyOf(
  'address-or-interface',
  ipv4,
  ipv6,
  interfaceName,
);

/**
 * A password or key that FRR reads as one word: printable, no white space, no
 * quotes (a quote is part of the word for FRR but not for the operator's eye).
 */
export const secretWord = (max: number, description: string): ValueType =>
  pattern(`secret:${max}`, new RegExp(`^[!#-&(-\\[\\]-~]{1,${max}}$`), '<text>', description);

/** A BGP AS-path or community regular expression: one line of text, as FRR reads the rest of its line. */
export const lineRegex = (description: string): ValueType =>
  simple(
    'regex',
    '<regex>',
    description,
    (v) => v.length > 0 && text(255).accepts(v) && v.trim() === v,
  );

export const permitDeny = oneOf('permit-deny', [
  { value: 'permit', description: 'Permit matching entries' },
  { value: 'deny', description: 'Deny matching entries' },
]);
