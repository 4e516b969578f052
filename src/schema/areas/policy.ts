/**
 * `policy`: prefix-lists, access-lists, community and AS-path lists and
 * route-maps (realised by FRR), and `policy route`/`route6`, policy-based
 * routing (nftables marks and `ip rule`).
 */
import { description } from '../fragments.js';
import { container, flag, leaf, multi, tag, unsupported, type SchemaNode } from '../node.js';
import {
  anyOf,
  interfaceName,
  ipv4,
  ipv4Prefix,
  ipv6,
  ipv6Prefix,
  oneOf,
  pattern,
  simple,
  u32,
  type ValueType,
} from '../types.js';
import { commonRuleChildren } from './firewall.js';
import {
  accessList6Leaf,
  accessListLeaf,
  accessListNumber,
  asPathListLeaf,
  COMMUNITY_LIST,
  EXTCOMMUNITY_LIST,
  interfaceLeaf,
  ipAddress,
  LARGE_COMMUNITY_LIST,
  lineRegex,
  listName,
  permitDeny,
  prefixList6Leaf,
  prefixListLeaf,
  routeMapLeaf,
  routeMapName,
} from './routing-common.js';

const notYet = (name: string, help: string, what: string): SchemaNode =>
  unsupported(name, help, `${what} is not implemented yet`);

const number = (name: string, help: string, min: number, max: number): SchemaNode =>
  leaf(name, help, u32(min, max, help));

const ruleNumber = u32(1, 65535, 'Rule number');

const action = (): SchemaNode =>
  leaf('action', 'Action to take on entries matching this rule', permitDeny, { required: true });

// ------------------------------------------------------------------ community values

const inRange = (v: string, max: number): boolean =>
  /^(?:0|[1-9][0-9]{0,9})$/.test(v) && Number(v) <= max;

const WELL_KNOWN = [
  'local-as',
  'no-advertise',
  'no-export',
  'internet',
  'graceful-shutdown',
  'accept-own',
  'route-filter-translated-v4',
  'route-filter-v4',
  'route-filter-translated-v6',
  'route-filter-v6',
  'llgr-stale',
  'no-llgr',
  'accept-own-nexthop',
  'blackhole',
  'no-peer',
];

const community: ValueType = anyOf(
  'community',
  simple('community-aa-nn', '<AA:NN>', 'Community number in AA:NN format', (v) => {
    const [a, b, ...rest] = v.split(':');
    return rest.length === 0 && b !== undefined && inRange(a!, 65535) && inRange(b, 65535);
  }),
  oneOf(
    'well-known-community',
    WELL_KNOWN.map((value) => ({ value, description: `Well-known community ${value}` })),
  ),
);

const largeCommunity = simple(
  'large-community',
  '<GA:LDP1:LDP2>',
  'Large community (three numbers of up to 4294967295)',
  (v) => {
    const parts = v.split(':');
    return parts.length === 3 && parts.every((p) => inRange(p, 4294967295));
  },
);

const extCommunity = simple('ext-community', '<ASN:NN|IP:NN>', 'Extended community', (v) => {
  const colon = v.lastIndexOf(':');
  if (colon < 0) return false;
  const head = v.slice(0, colon);
  const tail = v.slice(colon + 1);
  return (inRange(head, 4294967295) || ipv4.accepts(head)) && inRange(tail, 4294967295);
});

/** `64512 64512` or `64512`: AS numbers separated by single spaces. */
const asList = simple(
  'as-number-list',
  '<ASN ASN ...>',
  'AS numbers separated by spaces',
  (v) => v.length <= 255 && v.split(' ').every((a) => inRange(a, 4294967295) && a !== '0'),
);

/** FRR takes AS-path regular expressions of digits, spaces and regex punctuation only. */
const asPathRegex = pattern(
  'as-path-regex',
  /^[0-9 _^$.*+?()[\]{}|,\\-]{1,255}$/,
  '<regex>',
  'Regular expression to match against an AS path (digits, spaces, _ ^ $ . * + ? ( ) [ ] { } | , - \\)',
);

const metric = simple(
  'route-map-metric',
  '<[+-]0-4294967295|[+-]rtt>',
  'Metric, a change of it (+N, -N) or the round-trip time (rtt, +rtt, -rtt)',
  (v) =>
    /^[+-]?rtt$/.test(v) ||
    (/^[+-]?[0-9]{1,10}$/.test(v) && Number(v.replace(/^[+-]/, '')) <= 4294967295),
);

// ------------------------------------------------------------------ lists

const prefixListArea = (family: 4 | 6): SchemaNode => {
  const max = family === 4 ? 32 : 128;
  return tag(
    family === 4 ? 'prefix-list' : 'prefix-list6',
    family === 4 ? 'IP prefix-list filter' : 'IPv6 prefix-list filter',
    listName('prefix-list'),
    [
      description(),
      tag(
        'rule',
        `Rule for this prefix-list${family === 6 ? '6' : ''}`,
        ruleNumber,
        [
          action(),
          description(),
          number('ge', 'Prefix length to match a netmask greater than or equal to it', 0, max),
          number('le', 'Prefix length to match a netmask less than or equal to it', 0, max),
          leaf('prefix', 'Prefix to match', family === 4 ? ipv4Prefix : ipv6Prefix, {
            required: true,
          }),
        ],
        { ordered: true },
      ),
    ],
  );
};

const accessListEndpoint = (name: 'source' | 'destination'): SchemaNode =>
  container(
    name,
    name === 'source' ? 'Source network or address to match' : 'Destination network or address',
    [
      flag('any', 'Any IP address to match'),
      leaf('host', 'Single host IP address to match', ipv4),
      leaf('inverse-mask', 'Network/netmask to match (requires network be defined)', ipv4),
      leaf('network', 'Network/netmask to match (requires inverse-mask be defined)', ipv4),
    ],
  );

const accessList = (): SchemaNode =>
  tag('access-list', 'IP access-list filter', accessListNumber, [
    description(),
    tag(
      'rule',
      'Rule for this access-list',
      ruleNumber,
      [action(), description(), accessListEndpoint('destination'), accessListEndpoint('source')],
      { ordered: true },
    ),
  ]);

const accessList6 = (): SchemaNode =>
  tag('access-list6', 'IPv6 access-list filter', listName('access-list'), [
    description(),
    tag(
      'rule',
      'Rule for this access-list6',
      ruleNumber,
      [
        action(),
        description(),
        container('source', 'Source IPv6 network to match', [
          flag('any', 'Any IP address to match'),
          flag('exact-match', 'Exact match of the network prefixes'),
          leaf('network', 'Network/netmask to match', ipv6Prefix),
        ]),
      ],
      { ordered: true },
    ),
  ]);

const regexList = (name: string, help: string, ruleHelp: string, regex: ValueType): SchemaNode =>
  tag(name, help, listName(name), [
    description(),
    tag(
      'rule',
      ruleHelp,
      ruleNumber,
      [
        action(),
        description(),
        leaf('regex', 'Regular expression to match', regex, { required: true }),
      ],
      { ordered: true },
    ),
  ]);

// ------------------------------------------------------------------ route-map

const match = (): SchemaNode =>
  container('match', 'Route parameters to match', [
    asPathListLeaf('as-path', 'BGP as-path-list to match'),
    container('community', 'BGP community-list to match', [
      leaf('community-list', 'BGP community-list to match', listName('community-list'), {
        reference: COMMUNITY_LIST,
      }),
      flag('exact-match', 'Community-list to exactly match'),
    ]),
    notYet('evpn', 'Ethernet Virtual Private Network', 'EVPN route matching'),
    leaf('extcommunity', 'BGP extended community to match', listName('extcommunity-list'), {
      reference: EXTCOMMUNITY_LIST,
    }),
    interfaceLeaf('interface', 'Interface to use'),
    container('ip', 'IP prefix parameters to match', [
      container('address', 'IP address of route to match', [
        accessListLeaf('access-list', 'IP access-list to match'),
        prefixListLeaf('prefix-list', 'IP prefix-list to match'),
        number(
          'prefix-len',
          'IP prefix-length to match (can be used for kernel routes only)',
          0,
          32,
        ),
      ]),
      container('nexthop', 'IP next-hop of route to match', [
        accessListLeaf('access-list', 'IP access-list to match'),
        leaf('address', 'IP address to match', ipv4),
        number('prefix-len', 'IP prefix-length to match', 0, 32),
        prefixListLeaf('prefix-list', 'IP prefix-list to match'),
        leaf(
          'type',
          'Match type',
          oneOf('nexthop-type', [{ value: 'blackhole', description: 'Blackhole' }]),
        ),
      ]),
      container('route-source', 'Match advertising source address of route', [
        accessListLeaf('access-list', 'IP access-list to match'),
        prefixListLeaf('prefix-list', 'IP prefix-list to match'),
      ]),
    ]),
    container('ipv6', 'IPv6 prefix parameters to match', [
      container('address', 'IPv6 address of route to match', [
        accessList6Leaf('access-list', 'IPv6 access-list to match'),
        prefixList6Leaf('prefix-list', 'IPv6 prefix-list to match'),
        number(
          'prefix-len',
          'IPv6 prefix-length to match (can be used for kernel routes only)',
          0,
          128,
        ),
      ]),
      container('nexthop', 'IPv6 next-hop of route to match', [
        accessList6Leaf('access-list', 'IPv6 access-list to match'),
        leaf('address', 'IPv6 address of next-hop', ipv6),
        prefixList6Leaf('prefix-list', 'IPv6 prefix-list to match'),
        leaf(
          'type',
          'Match type',
          oneOf('nexthop-type', [{ value: 'blackhole', description: 'Blackhole' }]),
        ),
      ]),
    ]),
    container('large-community', 'Match BGP large communities', [
      leaf(
        'large-community-list',
        'BGP large-community-list to match',
        listName('large-community-list'),
        {
          reference: LARGE_COMMUNITY_LIST,
        },
      ),
    ]),
    number('local-preference', 'Local Preference', 0, 4294967295),
    number('metric', 'Metric of route to match', 1, 65535),
    leaf(
      'origin',
      'BGP origin code to match',
      oneOf('origin', [
        { value: 'egp', description: 'Exterior gateway protocol origin' },
        { value: 'igp', description: 'Interior gateway protocol origin' },
        { value: 'incomplete', description: 'Incomplete origin' },
      ]),
    ),
    leaf('peer', 'Peer address to match', ipAddress),
    leaf(
      'protocol',
      'Match protocol via which the route was learnt',
      oneOf(
        'route-protocol',
        [
          'babel',
          'bgp',
          'connected',
          'isis',
          'kernel',
          'ospf',
          'ospfv3',
          'rip',
          'ripng',
          'static',
          'table',
          'vnc',
        ].map((value) => ({ value, description: `Routes learnt by ${value}` })),
      ),
    ),
    leaf(
      'rpki',
      'Match RPKI validation result',
      oneOf('rpki', [
        { value: 'invalid', description: 'Match invalid entries' },
        { value: 'notfound', description: 'Match notfound entries' },
        { value: 'valid', description: 'Match valid entries' },
      ]),
    ),
    number('tag', 'Route tag value', 1, 65535),
  ]);

const set = (): SchemaNode =>
  container('set', 'Route parameters', [
    container('aggregator', 'BGP aggregator attribute', [
      number('as', 'AS number of an aggregation', 1, 4294967295),
      leaf('ip', 'IP address of an aggregation', ipv4),
    ]),
    container('as-path', 'Transform BGP AS_PATH attribute', [
      leaf(
        'exclude',
        'Remove/exclude from the as-path attribute',
        anyOf(
          'as-path-exclude',
          asList,
          oneOf('all', [{ value: 'all', description: 'Exclude all AS numbers' }]),
        ),
      ),
      leaf('prepend', 'Prepend to the as-path', asList),
      number('prepend-last-as', 'Use the last AS-number in the as-path', 1, 10),
    ]),
    flag('atomic-aggregate', 'BGP atomic aggregate attribute'),
    container('community', 'BGP community attribute', [
      multi('add', 'Add communities to a prefix', community),
      leaf(
        'delete',
        'Remove communities defined in a list from a prefix',
        listName('community-list'),
        {
          reference: COMMUNITY_LIST,
        },
      ),
      flag('none', 'Completely remove communities attribute from a prefix'),
      multi('replace', 'Set communities for a prefix', community),
    ]),
    number('distance', 'Locally significant administrative distance', 0, 255),
    notYet('evpn', 'Ethernet Virtual Private Network', 'EVPN gateways'),
    container('extcommunity', 'BGP extended community attribute', [
      leaf(
        'bandwidth',
        'Bandwidth value in Mbps',
        anyOf(
          'extcommunity-bandwidth',
          u32(1, 25600, 'Bandwidth value in Mbps'),
          oneOf('bandwidth-words', [
            { value: 'cumulative', description: 'Bandwidth is the sum of the multipaths' },
            { value: 'num-multipaths', description: 'Bandwidth is the number of multipaths' },
          ]),
        ),
      ),
      flag(
        'bandwidth-non-transitive',
        'The link bandwidth extended community is encoded as non-transitive',
      ),
      flag('none', 'Completely remove communities attribute from a prefix'),
      multi('rt', 'Set route target value', extCommunity),
      multi('soo', 'Set Site of Origin value', extCommunity),
    ]),
    leaf(
      'ip-next-hop',
      'Nexthop IP address',
      anyOf(
        'ip-next-hop',
        ipv4,
        oneOf('next-hop-words', [
          { value: 'unchanged', description: 'Set the BGP nexthop address as unchanged' },
          {
            value: 'peer-address',
            description: 'Set the BGP nexthop address to the address of the peer',
          },
        ]),
      ),
    ),
    container('ipv6-next-hop', 'Nexthop IPv6 address', [
      leaf('global', 'Nexthop IPv6 global address', ipv6),
      leaf('local', 'Nexthop IPv6 local address', ipv6),
      flag('peer-address', 'Use peer address (for BGP only)'),
      flag('prefer-global', 'Prefer global address as the nexthop'),
    ]),
    notYet('l3vpn-nexthop', 'Next hop Information', 'L3VPN next hops'),
    container('large-community', 'BGP large community attribute', [
      multi('add', 'Add large communities to a prefix', largeCommunity),
      leaf(
        'delete',
        'Remove communities defined in a list from a prefix',
        listName('large-community-list'),
        {
          reference: LARGE_COMMUNITY_LIST,
        },
      ),
      flag('none', 'Completely remove communities attribute from a prefix'),
      multi('replace', 'Set large communities for a prefix', largeCommunity),
    ]),
    number('local-preference', 'BGP local preference attribute', 0, 4294967295),
    leaf('metric', 'Destination routing protocol metric', metric),
    leaf(
      'metric-type',
      'Open Shortest Path First (OSPF) external metric-type',
      oneOf('metric-type', [
        { value: 'type-1', description: 'OSPF external type 1 metric' },
        { value: 'type-2', description: 'OSPF external type 2 metric' },
      ]),
    ),
    leaf(
      'origin',
      'Border Gateway Protocl (BGP) origin code',
      oneOf('origin', [
        { value: 'igp', description: 'Local IGP' },
        { value: 'egp', description: 'Remote EGP' },
        { value: 'incomplete', description: 'Unknown heritage' },
      ]),
    ),
    leaf('originator-id', 'BGP originator ID attribute', ipv4),
    leaf('src', 'Source address for route', ipAddress),
    number('table', 'Set prefixes to table', 1, 4294967295),
    number('tag', 'Route tag value', 1, 65535),
    number('weight', 'BGP weight attribute', 0, 4294967295),
  ]);

const routeMap = (): SchemaNode =>
  tag('route-map', 'IP route-map', routeMapName, [
    description(),
    tag(
      'rule',
      'Rule for this route-map',
      ruleNumber,
      [
        action(),
        routeMapLeaf('call', 'Call another route-map on match'),
        number('continue', 'Jump to a different rule in this route-map on a match', 1, 65535),
        description(),
        match(),
        container('on-match', 'Exit policy on matches', [
          number('goto', 'Rule number to goto on match', 1, 65535),
          flag('next', 'Next sequence number to goto on match'),
        ]),
        set(),
      ],
      { ordered: true, orderRefs: [['continue'], ['on-match', 'goto']] },
    ),
  ]);

// ------------------------------------------------------------------ policy routing

/** VyOS's constraint (`[a-zA-Z0-9][\w\-\.]*`): the name is part of an nft chain name. */
export const policyRouteName = pattern(
  'policy-route-name',
  /^[a-zA-Z0-9][\w.-]{0,63}$/,
  '<name>',
  'Policy name (letters, digits, - _ .; up to 64)',
);

const policyRoute = (family: 4 | 6): SchemaNode =>
  tag(
    family === 4 ? 'route' : 'route6',
    family === 4 ? 'Policy route rule set name for IPv4' : 'Policy route rule set name for IPv6',
    policyRouteName,
    [
      description(),
      multi('interface', 'Apply policy to an interface', interfaceName, {
        completion: { kind: 'runtime', provider: 'interfaces' },
      }),
      tag(
        'rule',
        'Policy rule number',
        u32(1, 999999, 'Policy rule number'),
        [
          leaf(
            'action',
            'Rule action',
            oneOf('pbr-action', [{ value: 'drop', description: 'Drop matching entries' }]),
          ),
          ...commonRuleChildren(family).filter(
            (n) => n.name !== 'inbound-interface' && n.name !== 'outbound-interface',
          ),
          container('set', 'Packet modifications', [
            number('connection-mark', 'Connection marking', 0, 2147483647),
            number('dscp', 'Packet Differentiated Services Codepoint (DSCP)', 0, 63),
            number('mark', 'Packet marking', 1, 2147483647),
            leaf(
              'table',
              'Routing table to forward packet with',
              anyOf(
                'pbr-table',
                u32(1, 200, 'Table number'),
                oneOf('main-table', [{ value: 'main', description: 'Main table' }]),
              ),
            ),
            notYet('tcp-mss', 'TCP Maximum Segment Size', 'MSS clamping in policy routes'),
            unsupported('vrf', 'VRF to forward packet with', 'VRF is not implemented yet'),
          ]),
        ],
        { ordered: true },
      ),
    ],
    // Marks in nft's table fos_pbr (the nft backend reads it) and ip rules (the pbr backend).
    { owner: 'pbr' },
  );

export const policy = container(
  'policy',
  'Routing policy',
  [
    accessList(),
    accessList6(),
    regexList(
      'as-path-list',
      'Add a BGP autonomous system path filter',
      'Rule for this as-path-list',
      asPathRegex,
    ),
    regexList(
      'community-list',
      'Add a BGP community list entry',
      'Rule for this BGP community list',
      lineRegex('Regular expression to match against a community-list'),
    ),
    regexList(
      'extcommunity-list',
      'Add a BGP extended community list entry',
      'Rule for this BGP extended community list',
      lineRegex('Regular expression to match against an extended community list'),
    ),
    regexList(
      'large-community-list',
      'Add a BGP large community list entry',
      'Rule for this BGP large community list',
      lineRegex('Regular expression to match against a large community list'),
    ),
    notYet('local-route', 'IPv4 policy route of local traffic', 'local policy routes'),
    notYet('local-route6', 'IPv6 policy route of local traffic', 'local policy routes'),
    prefixListArea(4),
    prefixListArea(6),
    policyRoute(4),
    policyRoute(6),
    routeMap(),
  ],
  { owner: 'frr', priority: 470 },
);
