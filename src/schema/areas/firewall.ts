/**
 * `firewall`, `nat` and `nat66`: VyOS 1.4 paths, rendered to FOS1's own
 * nftables tables by src/render/nft.ts.
 */
import { description } from '../fragments.js';
import {
  container,
  flag,
  leaf,
  multi,
  tag,
  unsupported,
  refersTo,
  type CompletionSource,
  type Reference,
  type SchemaNode,
} from '../node.js';
import { parsePortList, PROTOCOL_NUMBERS } from '../services.js';
import {
  anyOf,
  interfaceName,
  ipv4,
  ipv4Prefix,
  ipv4ToNumber,
  ipv6,
  ipv6Prefix,
  isIPv4,
  isIPv6,
  mac,
  oneOf,
  parseIPv6,
  pattern,
  simple,
  u32,
  type ValueType,
} from '../types.js';

export type Family = 4 | 6;

const notYet = (name: string, help: string, what: string): SchemaNode =>
  unsupported(name, help, `${what} is not implemented yet`);

// ------------------------------------------------------------------ value types

function v6Compare(a: string, b: string): number {
  const x = parseIPv6(a)!;
  const y = parseIPv6(b)!;
  for (let i = 0; i < 8; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** `a-b` with a <= b, both addresses of one family. */
export function isAddressRange(value: string, family: Family): boolean {
  const dash = value.indexOf('-');
  if (dash < 0) return false;
  const lo = value.slice(0, dash);
  const hi = value.slice(dash + 1);
  if (family === 4) return isIPv4(lo) && isIPv4(hi) && ipv4ToNumber(lo) <= ipv4ToNumber(hi);
  return isIPv6(lo) && isIPv6(hi) && v6Compare(lo, hi) <= 0;
}

/** A type that also takes its values with a leading `!` (not). */
function negatable(type: ValueType): ValueType {
  return {
    ...type,
    name: `!${type.name}`,
    help: [...type.help, { format: '!<value>', description: 'Match everything but this' }],
    accepts: (v) => type.accepts(v.startsWith('!') ? v.slice(1) : v),
  };
}

export const hostAddress = (family: Family): ValueType => (family === 4 ? ipv4 : ipv6);

export const network = (family: Family): ValueType => (family === 4 ? ipv4Prefix : ipv6Prefix);

export const addressRange = (family: Family): ValueType =>
  simple(
    `ipv${family}-range`,
    family === 4 ? '<x.x.x.x>-<x.x.x.x>' : '<h:h:h:h:h:h:h:h>-<h:h:h:h:h:h:h:h>',
    `IPv${family} address range`,
    (v) => isAddressRange(v, family),
  );

/** What a rule's `source|destination address` takes: an address, a prefix or a range, maybe negated. */
const ruleAddress = (family: Family): ValueType =>
  negatable(
    anyOf(`ipv${family}-match`, hostAddress(family), network(family), addressRange(family)),
  );

export const portValue: ValueType = {
  name: 'port-match',
  help: [
    { format: '<1-65535>', description: 'Port number' },
    { format: '<start-end>', description: 'Port range' },
    { format: '<name>', description: 'Named service (ssh, http, bgp, ...)' },
    { format: '<p,p-p,...>', description: 'Comma-separated list of ports, ranges and names' },
    { format: '!<ports>', description: 'Match everything but these ports' },
  ],
  words: [],
  accepts: (v) => parsePortList(v) !== undefined,
};

const portGroupMember: ValueType = {
  ...portValue,
  name: 'port-group-member',
  help: portValue.help.filter((h) => !h.format.startsWith('!') && !h.format.includes(',')),
  accepts: (v) => !v.startsWith('!') && !v.includes(',') && parsePortList(v) !== undefined,
};

export const protocolValue: ValueType = negatable({
  name: 'protocol',
  help: [
    { format: 'all', description: 'All IP protocols' },
    { format: 'tcp_udp', description: 'Both TCP and UDP' },
    ...Object.keys(PROTOCOL_NUMBERS).map((p) => ({ format: p, description: `${p} protocol` })),
    { format: '<0-255>', description: 'IP protocol number' },
  ],
  words: ['all', 'tcp_udp', ...Object.keys(PROTOCOL_NUMBERS)],
  accepts: (v) =>
    v === 'all' ||
    v === 'tcp_udp' ||
    v in PROTOCOL_NUMBERS ||
    (/^(?:0|[1-9][0-9]{0,2})$/.test(v) && Number(v) <= 255),
});

/** Chain, group and zone names: they become parts of nft names and log prefixes, so they stay plain. */
export const objectName = (what: string, max = 28): ValueType =>
  pattern(
    `${what}-name`,
    new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,${max - 1}}$`),
    `<${what}>`,
    `${what[0]!.toUpperCase()}${what.slice(1)} name (letters, digits, _ . -; up to ${max})`,
  );

/** An interface name, or a wildcard such as `eth*` (nft matches the prefix). */
const interfaceMatch: ValueType = negatable({
  ...interfaceName,
  name: 'interface-match',
  help: [
    { format: '<interface>', description: 'Interface name' },
    { format: '<prefix*>', description: 'Interface name wildcard, such as eth*' },
  ],
  accepts: (v) => interfaceName.accepts(v) && !v.slice(0, -1).includes('*') && v !== '*',
});

/**
 * The group kind a rule's `group WORD` names: in IPv6 rules `address-group` and
 * `network-group` mean the ipv6- kinds; ports, interfaces and MACs have one kind.
 */
export function groupKindOf(word: string, family: Family): string {
  return family === 6 && (word === 'address-group' || word === 'network-group')
    ? `ipv6-${word}`
    : word;
}

// ------------------------------------------------------------------ shared pieces

/** A reference to a firewall group of one kind; `!NAME` matches everything but its members. */
const groupOf = (kind: string, negated = true): Reference => ({
  ...refersTo(`firewall group ${kind}`, ['firewall', 'group', kind]),
  ...(negated ? { negatable: true } : {}),
});
/** A reference to a named chain of one family. */
export const chainOf = (family: Family): Reference =>
  refersTo('chain', ['firewall', family === 4 ? 'ipv4' : 'ipv6', 'name']);

const groupReference = (name: string, help: string, kind: string): SchemaNode =>
  leaf(name, help, negatable(objectName('group')), { reference: groupOf(kind) });

/** `source`/`destination` of a firewall or NAT rule. */
export function endpoint(name: 'source' | 'destination', family: Family): SchemaNode {
  const v6 = family === 6 ? 'ipv6-' : '';
  return container(name, name === 'source' ? 'Source parameters' : 'Destination parameters', [
    leaf('address', 'IP address, subnet, or range', ruleAddress(family)),
    notYet('address-mask', 'IP mask', 'address masks'),
    notYet('fqdn', 'Fully qualified domain name', 'FQDN matching'),
    notYet('geoip', 'GeoIP options', 'GeoIP matching'),
    container('group', 'Group', [
      groupReference('address-group', 'Group of addresses', `${v6}address-group`),
      notYet('domain-group', 'Group of domains', 'domain groups'),
      groupReference('mac-group', 'Group of MAC addresses', 'mac-group'),
      groupReference('network-group', 'Group of networks', `${v6}network-group`),
      groupReference('port-group', 'Group of ports', 'port-group'),
    ]),
    leaf('mac-address', 'MAC address', negatable(mac)),
    leaf('port', 'Port', portValue),
  ]);
}

const interfaceSelector = (name: string, help: string): SchemaNode =>
  container(name, help, [
    leaf('group', 'Match interface-group', negatable(objectName('group')), {
      reference: groupOf('interface-group'),
    }),
    leaf('name', 'Match interface name', interfaceMatch, {
      completion: { kind: 'runtime', provider: 'interfaces' },
    }),
  ]);

const ACTIONS = {
  accept: 'Accept matching entries',
  continue: 'Continue parsing next rule',
  drop: 'Drop matching entries',
  jump: 'Jump to another chain',
  reject: 'Reject matching entries',
  return: 'Return from the current chain',
} as const;

const actionType = (names: (keyof typeof ACTIONS)[]): ValueType =>
  oneOf(
    'action',
    names.map((value) => ({ value, description: ACTIONS[value] })),
  );

const icmpTypeNames = [
  'echo-reply',
  'destination-unreachable',
  'source-quench',
  'redirect',
  'echo-request',
  'router-advertisement',
  'router-solicitation',
  'time-exceeded',
  'parameter-problem',
  'timestamp-request',
  'timestamp-reply',
  'info-request',
  'info-reply',
  'address-mask-request',
  'address-mask-reply',
];
const icmpv6TypeNames = [
  'destination-unreachable',
  'packet-too-big',
  'time-exceeded',
  'parameter-problem',
  'echo-request',
  'echo-reply',
  'mld-listener-query',
  'mld-listener-report',
  'mld-listener-done',
  'nd-router-solicit',
  'nd-router-advert',
  'nd-neighbor-solicit',
  'nd-neighbor-advert',
  'nd-redirect',
  'router-renumbering',
  'ind-neighbor-solicit',
  'ind-neighbor-advert',
  'mld2-listener-report',
];

const icmp = (family: Family): SchemaNode => {
  const names = family === 4 ? icmpTypeNames : icmpv6TypeNames;
  return container(
    family === 4 ? 'icmp' : 'icmpv6',
    family === 4 ? 'ICMP type and code information' : 'ICMPv6 type and code information',
    [
      leaf('code', 'ICMP code', u32(0, 255, 'ICMP code')),
      leaf('type', 'ICMP type', u32(0, 255, 'ICMP type')),
      leaf(
        'type-name',
        'ICMP type-name',
        oneOf(
          'icmp-type-name',
          names.map((value) => ({ value, description: `ICMP ${value}` })),
        ),
      ),
    ],
  );
};

export const TCP_FLAGS = ['syn', 'ack', 'fin', 'rst', 'urg', 'psh', 'ecn', 'cwr'] as const;

const tcpFlags = (): SchemaNode =>
  container('tcp', 'TCP options to match', [
    container('flags', 'TCP flags to match', [
      ...TCP_FLAGS.map((f) => flag(f, `${f.toUpperCase()} flag set`)),
      container(
        'not',
        'Match flags not set',
        TCP_FLAGS.map((f) => flag(f, `${f.toUpperCase()} flag not set`)),
      ),
    ]),
    notYet('mss', 'Maximum segment size (MSS)', 'TCP MSS matching'),
  ]);

const rateUnit = /^[1-9][0-9]{0,8}\/(?:second|minute|hour|day)$/;

/** What a firewall rule can match (and its description, disable, log); policy routing rules share it. */
export const commonRuleChildren = (family: Family): SchemaNode[] => [
  container('connection-status', 'Connection status', [
    leaf(
      'nat',
      'NAT connection status',
      oneOf('nat-status', [
        { value: 'destination', description: 'Match connections that are subject to DNAT' },
        { value: 'source', description: 'Match connections that are subject to SNAT' },
      ]),
    ),
  ]),
  description(),
  endpoint('destination', family),
  flag('disable', 'Option to disable firewall rule'),
  icmp(family),
  interfaceSelector('inbound-interface', 'Match inbound-interface'),
  container('limit', 'Rate limit using a token bucket filter', [
    leaf('burst', 'Maximum number of packets to allow in excess of rate', u32(0, 4294967295)),
    leaf(
      'rate',
      'Maximum average matching rate',
      pattern(
        'rate',
        rateUnit,
        '<number>/<unit>',
        'Rate, such as 10/minute (second|minute|hour|day)',
      ),
    ),
  ]),
  flag('log', 'Log packets hitting this rule'),
  container('log-options', 'Log options', [
    leaf(
      'level',
      'Set log-level',
      oneOf(
        'log-level',
        ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'].map((value) => ({
          value,
          description: `Log at ${value} level`,
        })),
      ),
    ),
  ]),
  interfaceSelector('outbound-interface', 'Match outbound-interface'),
  multi(
    'packet-length',
    'Payload size in bytes, including header and data to match',
    anyOf(
      'packet-length',
      u32(1, 65535, 'Packet length'),
      simple('length-range', '<start-end>', 'Packet length range', (v) => {
        const m = /^([1-9][0-9]{0,4})-([1-9][0-9]{0,4})$/.exec(v);
        return !!m && Number(m[1]) <= Number(m[2]) && Number(m[2]) <= 65535;
      }),
    ),
  ),
  leaf('protocol', 'Protocol to match (protocol name, number, or "all")', protocolValue),
  container('recent', 'Parameters for matching recently seen sources', [
    leaf(
      'count',
      'Source addresses seen more than N times',
      u32(1, 255, 'Source addresses seen more than N times'),
    ),
    leaf(
      'time',
      'Source addresses seen in the last second/minute/hour',
      oneOf('recent-time', [
        { value: 'second', description: 'Source addresses seen COUNT times in the last second' },
        { value: 'minute', description: 'Source addresses seen COUNT times in the last minute' },
        { value: 'hour', description: 'Source addresses seen COUNT times in the last hour' },
      ]),
    ),
  ]),
  endpoint('source', family),
  multi(
    'state',
    'Session state',
    oneOf('state', [
      { value: 'established', description: 'Established state' },
      { value: 'invalid', description: 'Invalid state' },
      { value: 'new', description: 'New state' },
      { value: 'related', description: 'Related state' },
    ]),
  ),
  tcpFlags(),
];

const ruleNumber = u32(1, 999999, 'Firewall rule number');

const filterRule = (family: Family): SchemaNode =>
  tag(
    'rule',
    'Firewall rule',
    ruleNumber,
    [
      leaf(
        'action',
        'Rule action',
        actionType(['accept', 'continue', 'drop', 'jump', 'reject', 'return']),
        {
          required: true,
        },
      ),
      ...commonRuleChildren(family),
      leaf(
        'jump-target',
        'Set jump target. Action jump must be defined to use this setting',
        objectName('chain'),
        {
          reference: chainOf(family),
        },
      ),
    ],
    { ordered: true },
  );

/** A base chain: `forward filter`, `input filter`, `output filter`. */
const baseChain = (hook: string, family: Family): SchemaNode =>
  container(hook, `IPv${family} ${hook} firewall`, [
    container('filter', `IPv${family} ${hook} filter`, [
      leaf('default-action', 'Default-action for rule-set', actionType(['accept', 'drop']), {
        default: 'accept',
      }),
      flag('default-log', 'Log packets hitting default-action'),
      description(),
      filterRule(family),
    ]),
  ]);

const namedChain = (family: Family): SchemaNode =>
  tag('name', `IPv${family} firewall rule-set name`, objectName('chain'), [
    leaf(
      'default-action',
      'Default-action for rule-set',
      actionType(['accept', 'drop', 'jump', 'reject', 'return']),
      { default: 'drop' },
    ),
    leaf(
      'default-jump-target',
      'Set jump target. Action jump must be defined in default-action to use this setting',
      objectName('chain'),
      {
        reference: chainOf(family),
      },
    ),
    flag('default-log', 'Log packets hitting default-action'),
    description(),
    filterRule(family),
  ]);

const familyArea = (family: Family): SchemaNode =>
  container(family === 4 ? 'ipv4' : 'ipv6', `IPv${family} firewall`, [
    baseChain('forward', family),
    baseChain('input', family),
    namedChain(family),
    baseChain('output', family),
    notYet('prerouting', `IPv${family} prerouting firewall`, 'the prerouting (raw) firewall'),
  ]);

// ------------------------------------------------------------------ groups

const groupKinds = (): SchemaNode[] => {
  const group = (name: string, help: string, member: string, type: ValueType): SchemaNode =>
    tag(name, help, objectName('group'), [
      description(),
      multi(member, help.replace(/^Firewall /, ''), type),
      multi('include', 'Include another group of the same kind', objectName('group'), {
        reference: groupOf(name, false),
      }),
    ]);
  return [
    group(
      'address-group',
      'Firewall address-group',
      'address',
      anyOf('address-group-member', hostAddress(4), addressRange(4)),
    ),
    notYet('domain-group', 'Firewall domain-group', 'domain groups'),
    group('interface-group', 'Firewall interface-group', 'interface', interfaceMatch),
    group(
      'ipv6-address-group',
      'Firewall ipv6-address-group',
      'address',
      anyOf('ipv6-address-group-member', hostAddress(6), addressRange(6)),
    ),
    group('ipv6-network-group', 'Firewall ipv6-network-group', 'network', network(6)),
    group('mac-group', 'Firewall mac-group', 'mac-address', mac),
    group('network-group', 'Firewall network-group', 'network', network(4)),
    group('port-group', 'Firewall port-group', 'port', portGroupMember),
  ];
};

// ------------------------------------------------------------------ global options

const enableDisable = (
  name: string,
  help: string,
  defaultValue: 'enable' | 'disable',
): SchemaNode =>
  leaf(
    name,
    help,
    oneOf('enable-disable', [
      { value: 'enable', description: 'Enable' },
      { value: 'disable', description: 'Disable' },
    ]),
    { default: defaultValue },
  );

const seconds = (name: string, help: string, defaultValue: string): SchemaNode =>
  leaf(name, help, u32(1, 21474836, 'Timeout in seconds'), { default: defaultValue });

/** Conntrack timeouts: the same leaves under `firewall global-options` (VyOS 1.3) and `system conntrack`. */
export const conntrackTimeouts = (withDefaults: boolean): SchemaNode => {
  const t = (name: string, help: string, defaultValue: string): SchemaNode =>
    withDefaults
      ? seconds(name, help, defaultValue)
      : leaf(name, help, u32(1, 21474836, 'Timeout in seconds'));
  return container('timeout', 'Connection timeout options', [
    t('icmp', 'ICMP timeout in seconds', '30'),
    t('other', 'Generic connection timeout in seconds', '600'),
    container('tcp', 'TCP connection timeout options', [
      t('close', 'TCP close timeout in seconds', '10'),
      t('close-wait', 'TCP close-wait timeout in seconds', '60'),
      t('established', 'TCP established timeout in seconds', '432000'),
      t('fin-wait', 'TCP fin-wait timeout in seconds', '120'),
      t('last-ack', 'TCP last-ack timeout in seconds', '30'),
      t('syn-recv', 'TCP syn-recv timeout in seconds', '60'),
      t('syn-sent', 'TCP syn-sent timeout in seconds', '120'),
      t('time-wait', 'TCP time-wait timeout in seconds', '120'),
    ]),
    container('udp', 'UDP timeout options', [
      t('other', 'UDP generic timeout in seconds', '30'),
      t('stream', 'UDP stream timeout in seconds', '180'),
    ]),
  ]);
};

const statePolicy = (): SchemaNode => {
  const state = (name: string): SchemaNode =>
    container(name, `Global firewall policy for packets part of ${name} connections`, [
      leaf(
        'action',
        'Action for packets part of this state',
        actionType(['accept', 'drop', 'reject']),
        {
          required: true,
        },
      ),
      flag('log', 'Log packets in this state'),
    ]);
  return container('state-policy', 'Global firewall state-policy', [
    state('established'),
    state('invalid'),
    state('related'),
  ]);
};

const globalOptions = (): SchemaNode =>
  container('global-options', 'Global options', [
    enableDisable('all-ping', 'Policy for handling of all IPv4 ICMP echo requests', 'enable'),
    enableDisable(
      'broadcast-ping',
      'Policy for handling broadcast IPv4 ICMP echo and timestamp requests',
      'disable',
    ),
    enableDisable(
      'ip-src-route',
      'Policy for handling IPv4 packets with source route option',
      'disable',
    ),
    enableDisable(
      'ipv6-receive-redirects',
      'Policy for handling received ICMPv6 redirect messages',
      'disable',
    ),
    enableDisable(
      'ipv6-src-route',
      'Policy for handling IPv6 packets with routing extension header',
      'disable',
    ),
    enableDisable(
      'log-martians',
      'Policy for logging IPv4 packets with invalid addresses',
      'enable',
    ),
    enableDisable(
      'receive-redirects',
      'Policy for handling received IPv4 ICMP redirect messages',
      'disable',
    ),
    enableDisable('send-redirects', 'Policy for sending IPv4 ICMP redirect messages', 'enable'),
    leaf(
      'source-validation',
      'Policy for source validation by reversed path, as specified in RFC3704',
      oneOf('source-validation', [
        {
          value: 'strict',
          description: 'Enable Strict Reverse Path Forwarding as defined in RFC3704',
        },
        {
          value: 'loose',
          description: 'Enable Loose Reverse Path Forwarding as defined in RFC3704',
        },
        { value: 'disable', description: 'No source validation' },
      ]),
      { default: 'disable' },
    ),
    statePolicy(),
    enableDisable('syn-cookies', 'Policy for using TCP SYN cookies with IPv4', 'enable'),
    conntrackTimeouts(false),
    enableDisable(
      'twa-hazards-protection',
      'RFC1337 TCP TIME-WAIT assasination hazards protection',
      'disable',
    ),
  ]);

// ------------------------------------------------------------------ zones

const zone = (): SchemaNode =>
  tag('zone', 'Zone-policy', objectName('zone', 18), [
    leaf(
      'default-action',
      'Default-action for traffic coming into this zone',
      actionType(['drop', 'reject']),
      { default: 'drop' },
    ),
    flag('default-log', 'Log packets hitting default-action'),
    description(),
    tag(
      'from',
      'Zone from which to filter traffic',
      objectName('zone', 18),
      [
        container('firewall', 'Firewall options', [
          leaf('ipv6-name', 'IPv6 firewall ruleset', objectName('chain'), {
            reference: chainOf(6),
          }),
          leaf('name', 'IPv4 firewall ruleset', objectName('chain'), { reference: chainOf(4) }),
        ]),
      ],
      { reference: refersTo('zone', ['firewall', 'zone']) },
    ),
    multi('interface', 'Interface associated with zone', interfaceMatch, {
      completion: { kind: 'runtime', provider: 'interfaces' },
    }),
    container('intra-zone-filtering', 'Intra-zone filtering', [
      leaf('action', 'Action for intra-zone traffic', actionType(['accept', 'drop'])),
      container('firewall', 'Use the specified firewall chain', [
        leaf('ipv6-name', 'IPv6 firewall ruleset', objectName('chain'), {
          reference: chainOf(6),
        }),
        leaf('name', 'IPv4 firewall ruleset', objectName('chain'), { reference: chainOf(4) }),
      ]),
    ]),
    flag('local-zone', 'Zone to be local-zone'),
    container('member', 'Zone members', [
      multi('interface', 'Interface associated with zone', interfaceMatch, {
        completion: { kind: 'runtime', provider: 'interfaces' },
      }),
    ]),
  ]);

// ------------------------------------------------------------------ XDP

/** What `drop source address` and `exclude source address` take: IPv4 or IPv6, a host or a network. */
export const xdpSourceAddress: ValueType = anyOf(
  'xdp-source-address',
  ipv4,
  ipv4Prefix,
  ipv6,
  ipv6Prefix,
);

/** The group kinds an XDP source match can name: addresses and networks of either family. */
export const XDP_GROUP_KINDS = [
  'address-group',
  'ipv6-address-group',
  'ipv6-network-group',
  'network-group',
] as const;

/** The per-source limit protocols (bpf/fos_xdp.h, enum fos_class). */
export const XDP_PROTOCOLS = [
  { value: 'all', description: 'Every IPv4 and IPv6 packet' },
  { value: 'tcp-syn', description: 'New TCP connections: SYN without ACK' },
  { value: 'udp', description: 'UDP datagrams' },
] as const;

/** Most packets per second a limit may allow (the program's interval is whole nanoseconds). */
export const XDP_MAX_RATE = 100_000_000;
export const XDP_MAX_BURST = 1_000_000;
/** Groups one interface may name: each counts under its own rule number (src/render/xdp.ts). */
export const XDP_MAX_GROUPS = 1016;

/**
 * Group names TAB offers under `firewall xdp` (a completion source, not a
 * reference: the xdp checks name a group of the wrong kind themselves).
 */
const groupPath = (kind: string): CompletionSource => ({
  kind: 'path',
  paths: [['firewall', 'group', kind]],
});

const xdpSource = (help: string): SchemaNode =>
  container('source', help, [
    multi('address', 'Source address or network (IPv4 or IPv6)', xdpSourceAddress),
    container(
      'group',
      'Source groups (the firewall groups nft uses)',
      XDP_GROUP_KINDS.map((kind) =>
        multi(kind, `Firewall ${kind}`, objectName('group'), { completion: groupPath(kind) }),
      ),
    ),
  ]);

/**
 * `firewall xdp interface IFACE`: an eBPF program at the interface's
 * driver (XDP) that drops blocked sources and limits each source's packet
 * rate before the kernel builds a packet buffer, ahead of every nft hook.
 */
const xdp = (): SchemaNode =>
  container(
    'xdp',
    'eBPF/XDP filtering at the driver, before the firewall',
    [
      tag(
        'interface',
        'Interface to filter with XDP',
        interfaceName,
        [
          description(),
          flag('disable', 'Keep the program attached but pass every packet'),
          container('drop', 'Drop packets', [xdpSource('Drop packets from these sources')]),
          container('exclude', 'Never rate-limit', [
            xdpSource('Sources never rate-limited (management networks)'),
          ]),
          container('rate-limit', 'Per-source packet rate limits', [
            container('source', 'Limit each source address on its own', [
              tag('protocol', 'Packets the limit counts', oneOf('xdp-protocol', XDP_PROTOCOLS), [
                leaf(
                  'rate',
                  'Packets per second from one source, on average',
                  u32(1, XDP_MAX_RATE, 'Packets per second'),
                  { required: true },
                ),
                leaf(
                  'burst',
                  'Packets one source may send back to back above the rate',
                  u32(1, XDP_MAX_BURST, 'Packets'),
                  { required: true },
                ),
              ]),
            ]),
          ]),
        ],
        {
          completion: {
            kind: 'path',
            paths: ['bridge', 'ethernet', 'vxlan'].map((f) => ['interfaces', f]),
          },
        },
      ),
    ],
    { owner: 'bpf', priority: 330 },
  );

export const firewall = container(
  'firewall',
  'Firewall',
  [
    notYet('bridge', 'Bridge firewall', 'the bridge firewall'),
    notYet('flowtable', 'Flowtable', 'flowtables'),
    globalOptions(),
    container('group', 'Firewall group', groupKinds()),
    familyArea(4),
    familyArea(6),
    zone(),
    xdp(),
  ],
  { owner: 'nft', priority: 300 },
);

// ------------------------------------------------------------------ NAT

const translationAddress = (family: Family, kind: 'source' | 'destination'): ValueType =>
  anyOf(
    `nat${family}-translation`,
    hostAddress(family),
    network(family),
    addressRange(family),
    ...(kind === 'source'
      ? [
          oneOf('masquerade', [
            {
              value: 'masquerade',
              description: 'NAT to the primary address of the outbound interface',
            },
          ]),
        ]
      : []),
  );

const natRule = (kind: 'source' | 'destination', family: Family): SchemaNode =>
  tag(
    'rule',
    'Rule number for NAT',
    u32(1, 999999, 'Number of NAT rule'),
    [
      description(),
      endpoint('destination', family),
      flag('disable', 'Disable NAT rule'),
      flag('exclude', 'Exclude packets matching this rule from NAT'),
      kind === 'destination'
        ? interfaceSelector('inbound-interface', 'Inbound interface of NAT traffic')
        : interfaceSelector('outbound-interface', 'Outbound interface of NAT traffic'),
      flag('log', 'NAT rule logging'),
      leaf('protocol', 'Protocol to match (protocol name, number, or "all")', protocolValue),
      endpoint('source', family),
      container('translation', 'Translation parameters', [
        leaf('address', 'IP address, subnet, or range', translationAddress(family, kind)),
        container('options', 'Translation options', [
          leaf(
            'address-mapping',
            'Address mapping options',
            oneOf('address-mapping', [
              {
                value: 'persistent',
                description:
                  'Gives a client the same source or destination address for each connection',
              },
              {
                value: 'random',
                description: 'Random source or destination address allocation for each connection',
              },
            ]),
          ),
          leaf(
            'port-mapping',
            'Port mapping options',
            oneOf('port-mapping', [
              { value: 'random', description: 'Randomize source port mapping' },
              { value: 'fully-random', description: 'Full port randomization' },
              { value: 'none', description: 'Do not apply port randomization' },
            ]),
          ),
        ]),
        leaf('port', 'Port number', portValue),
        ...(kind === 'destination'
          ? [
              flag(
                'redirect',
                'Redirect to the router itself (the address of the inbound interface)',
              ),
            ]
          : []),
      ]),
    ],
    { ordered: true },
  );

export const nat = container(
  'nat',
  'Network Address Translation (NAT) parameters',
  [
    container('destination', 'Destination NAT settings', [natRule('destination', 4)]),
    container('source', 'Source NAT settings', [natRule('source', 4)]),
    notYet('static', 'Static NAT (one-to-one)', 'static NAT'),
  ],
  { owner: 'nft', priority: 310 },
);

export const nat66 = container(
  'nat66',
  'IPv6-to-IPv6 Network Prefix Translation (NAT66 or NPT) Settings',
  [
    container('destination', 'Destination NAT66 settings', [natRule('destination', 6)]),
    container('source', 'Source NAT66 settings', [natRule('source', 6)]),
  ],
  { owner: 'nft', priority: 320 },
);
