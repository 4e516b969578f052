/**
 * Value types of the schema: each knows how to check a value and how to
 * describe it in `?` help (`<x.x.x.x/x>  IPv4 address and prefix length`).
 */
import { UNSAFE_CHARACTER } from '../../grammar/index.js';

export interface ValueHelp {
  /** What the value looks like: `<x.x.x.x/x>`, `<1-65535>`, `dhcp`. */
  readonly format: string;
  readonly description: string;
}

export interface ValueType {
  readonly name: string;
  readonly help: readonly ValueHelp[];
  /** Fixed words this type accepts (for completion); empty for open types. */
  readonly words: readonly string[];
  /** The numbers a number type takes, both ends included (`u32`); undefined for other types. */
  readonly range?: { readonly min: number; readonly max: number };
  accepts(value: string): boolean;
  /** Values may hold newlines and tabs (a login banner); no other control character. */
  readonly lineBreaks?: boolean;
}

export function simple(
  name: string,
  format: string,
  description: string,
  accepts: (v: string) => boolean,
): ValueType {
  return { name, help: [{ format, description }], words: [], accepts };
}

// ------------------------------------------------------------------ addresses

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4_RE = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

export function isIPv4(value: string): boolean {
  return IPV4_RE.test(value);
}

/** An IPv4 address as an unsigned 32-bit number. */
export function ipv4ToNumber(value: string): number {
  const [a, b, c, d] = value.split('.').map(Number) as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
export function parseIPv6(value: string): number[] | undefined {
  if (value.length < 2 || value.length > 45 || !/^[0-9a-fA-F:.]+$/.test(value)) return undefined;
  let text = value;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // An embedded IPv4 tail (`::ffff:192.0.2.1`) stands for the last two groups.
    const v4 = text.slice(lastColon + 1);
    if (!isIPv4(v4)) return undefined;
    const n = ipv4ToNumber(v4);
    text = `${text.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  if (!head) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const rest = parse(halves[1]!);
  if (!rest) return undefined;
  const known = head.length + rest.length;
  if (known > 7) return undefined;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest];
}

export function isIPv6(value: string): boolean {
  return parseIPv6(value) !== undefined;
}

function splitPrefix(value: string, max: number): [string, number] | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const len = value.slice(slash + 1);
  if (!/^(?:0|[1-9][0-9]{0,2})$/.test(len)) return undefined;
  const n = Number(len);
  return n <= max ? [value.slice(0, slash), n] : undefined;
}

/** An IPv4 address with a prefix length, any host bits: `192.0.2.1/24`. */
export function isIPv4AddressPrefix(value: string): boolean {
  const parts = splitPrefix(value, 32);
  return parts !== undefined && isIPv4(parts[0]);
}

export function isIPv6AddressPrefix(value: string): boolean {
  const parts = splitPrefix(value, 128);
  return parts !== undefined && isIPv6(parts[0]);
}

/** An IPv4 network: host bits must be zero (`192.0.2.0/24`, not `192.0.2.1/24`). */
export function isIPv4Prefix(value: string): boolean {
  const parts = splitPrefix(value, 32);
  if (!parts || !isIPv4(parts[0])) return false;
  const [address, length] = parts;
  const hostMask = length === 0 ? 0xffffffff : length === 32 ? 0 : (0xffffffff >>> length) >>> 0;
  return (ipv4ToNumber(address) & hostMask) >>> 0 === 0;
}

export function isIPv6Prefix(value: string): boolean {
  const parts = splitPrefix(value, 128);
  if (!parts) return false;
  const groups = parseIPv6(parts[0]);
  if (!groups) return false;
  for (let bit = parts[1]; bit < 128; bit++) {
    if ((groups[bit >> 4]! >> (15 - (bit & 15))) & 1) return false;
  }
  return true;
}

export const ipv4 = simple('ipv4', '<x.x.x.x>', 'IPv4 address', isIPv4);
export const ipv6 = simple('ipv6', '<h:h:h:h:h:h:h:h>', 'IPv6 address', isIPv6);
export const ipv4Prefix = simple('ipv4-prefix', '<x.x.x.x/x>', 'IPv4 prefix', isIPv4Prefix);
export const ipv6Prefix = simple('ipv6-prefix', '<h:h:h:h:h:h:h:h/x>', 'IPv6 prefix', isIPv6Prefix);
export const ipv4AddressPrefix = simple(
  'ipv4-address-prefix',
  '<x.x.x.x/x>',
  'IPv4 address and prefix length',
  isIPv4AddressPrefix,
);
export const ipv6AddressPrefix = simple(
  'ipv6-address-prefix',
  '<h:h:h:h:h:h:h:h/x>',
  'IPv6 address and prefix length',
  isIPv6AddressPrefix,
);

const MAC_RE = /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$/;
export const mac = simple('mac', '<xx:xx:xx:xx:xx:xx>', 'MAC address', (v) => MAC_RE.test(v));

// -------------------------------------------------------------------- numbers

const UINT_RE = /^(?:0|[1-9][0-9]{0,9})$/;

function inRange(value: string, min: number, max: number): boolean {
  if (!UINT_RE.test(value)) return false;
  const n = Number(value);
  return n >= min && n <= max;
}

/** An unsigned integer between min and max (both within 0..2^32-1). */
export function u32(min: number, max: number, description = 'Number'): ValueType {
  return {
    ...simple(`u32:${min}-${max}`, `<${min}-${max}>`, description, (v) => inRange(v, min, max)),
    range: { min, max },
  };
}

export const port = simple('port', '<1-65535>', 'Port number', (v) => inRange(v, 1, 65535));

function isPortRange(value: string): boolean {
  const dash = value.indexOf('-');
  if (dash < 0) return false;
  const lo = value.slice(0, dash);
  const hi = value.slice(dash + 1);
  return inRange(lo, 1, 65535) && inRange(hi, 1, 65535) && Number(lo) <= Number(hi);
}

export const portRange = simple('port-range', '<start-end>', 'Port range', isPortRange);

/** `22`, `1000-2000`, or a comma-separated list of those: `22,80,1000-2000`. */
export const portList: ValueType = {
  name: 'port-list',
  help: [
    { format: '<1-65535>', description: 'Port number' },
    { format: '<start-end>', description: 'Port range' },
    { format: '<p,p-p,...>', description: 'Comma-separated list of ports and ranges' },
  ],
  words: [],
  accepts: (v) => v.split(',').every((p) => inRange(p, 1, 65535) || isPortRange(p)),
};

// ----------------------------------------------------------------- names, text

/**
 * A link name: 1-15 characters of letters, digits and `_ . - + * @ =`, not `.` or
 * `..`. The kernel allows more (anything but `/`, `:` and white space), but a name
 * reaches nft strings, ip batches and file names: quotes, backslashes and
 * non-ASCII characters are refused rather than quoted.
 */
export function isInterfaceName(value: string): boolean {
  return /^[A-Za-z0-9_.+*@=-]{1,15}$/.test(value) && value !== '.' && value !== '..';
}

export const interfaceName = simple(
  'interface-name',
  '<interface>',
  'Interface name',
  isInterfaceName,
);

/** An interface name of one family (`eth0`, `br10`): a pattern on top of the kernel's rules. */
export function interfaceNamed(pattern: RegExp, format: string, description: string): ValueType {
  return simple(
    `interface:${pattern.source}`,
    format,
    description,
    (v) => isInterfaceName(v) && pattern.test(v),
  );
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME_RE = new RegExp(`^${LABEL}$`);
const DOMAIN_RE = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);

export const hostname = simple(
  'hostname',
  '<hostname>',
  'Host name (letters, digits, hyphens; up to 63)',
  (v) => HOSTNAME_RE.test(v),
);
export const domainName = simple(
  'domain-name',
  '<domain>',
  'Domain name',
  (v) => v.length <= 253 && DOMAIN_RE.test(v),
);

// Control characters (C0, DEL, C1), the Unicode line and paragraph separators,
// bidirectional controls (text that displays other than it is) and U+FFFD (what
// bytes that were not UTF-8 decoded to).
const CONTROL_RE = UNSAFE_CHARACTER;

/** Free text on one line: no newline or other control character; at most maxLength characters. */
export function text(maxLength = 256, description = 'Text'): ValueType {
  return simple(
    `text:${maxLength}`,
    '<text>',
    description,
    (v) => v.length <= maxLength && !CONTROL_RE.test(v),
  );
}

/**
 * Text of several lines (a login banner): newlines and tabs, which `\n` and `\t` in a
 * quoted value stand for, and no other control character. Its length is bounded by the
 * leaf's constraint, which names the bound in its message.
 */
export function multilineText(description: string): ValueType {
  return {
    ...simple(
      'multiline-text',
      '<text>',
      description,
      (v) => !CONTROL_RE.test(v.replace(/[\n\t]/g, '')),
    ),
    lineBreaks: true,
  };
}

/** Text matching a regular expression (anchored by the caller). */
export function pattern(name: string, re: RegExp, format: string, description: string): ValueType {
  return simple(name, format, description, (v) => !CONTROL_RE.test(v) && re.test(v));
}

export interface EnumValue {
  readonly value: string;
  readonly description: string;
}

/** One of a fixed set of words. */
export function oneOf(name: string, values: readonly EnumValue[]): ValueType {
  const set = new Set(values.map((v) => v.value));
  return {
    name,
    help: values.map((v) => ({ format: v.value, description: v.description })),
    words: values.map((v) => v.value),
    accepts: (v) => set.has(v),
  };
}

/** Any of several types: `address` takes a prefix, `dhcp` or `dhcpv6`. */
export function anyOf(name: string, ...types: ValueType[]): ValueType {
  return {
    name,
    help: types.flatMap((t) => t.help),
    words: types.flatMap((t) => t.words),
    accepts: (v) => types.some((t) => t.accepts(v)),
  };
}

/** Describe what a type accepts, for an error message. */
export function describeType(type: ValueType): string {
  return type.help
    .map((h) => (h.format.startsWith('<') ? `${h.format} (${h.description})` : h.format))
    .join(', ');
}

/** An IPv6 address in RFC 5952 form (lower case, the longest zero run compressed), as the kernel prints it. */
export function canonicalIPv6(value: string): string {
  const groups = parseIPv6(value);
  if (!groups) return value;
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** An address with prefix length in the kernel's spelling (`2001:DB8:0::1/64` -> `2001:db8::1/64`). */
export function canonicalAddressPrefix(value: string): string {
  const slash = value.indexOf('/');
  const address = slash < 0 ? value : value.slice(0, slash);
  const suffix = slash < 0 ? '' : value.slice(slash);
  return address.includes(':') ? `${canonicalIPv6(address)}${suffix}` : value;
}

// ------------------------------------------------------------ password hashes

/**
 * The most SHA-crypt rounds a password hash may ask for. glibc's default is
 * 5,000; passlib (and Ansible's password_hash with it) uses 656,000. Each
 * login computes them, so a hash of 3,000,000 rounds cost 5.9 s of CPU per
 * failed login.
 */
export const MAX_PASSWORD_ROUNDS = 1_000_000;

/** The rounds a `$5$`/`$6$` crypt hash asks for (5,000 when it does not say); undefined for other schemes. */
export function cryptRounds(hash: string): number | undefined {
  const m = /^\$[56]\$(?:rounds=([0-9]+)\$)?/.exec(hash);
  if (!m) return undefined;
  if (m[1] === undefined) return 5000;
  // More digits than any limit: do not let Number() round it to something small.
  return m[1].length > 12 ? Infinity : Number(m[1]);
}
