/** `protocols ospf` and `protocols ospfv3` at VyOS 1.4 paths. */
import { container, flag, leaf, multi, tag, unsupported, type SchemaNode } from '../node.js';
import { interfaceName, ipv4, ipv4Prefix, ipv6Prefix, oneOf, u32 } from '../types.js';
import {
  ACCESS_LIST,
  accessListNumber,
  areaId,
  bfdProfileLeaf,
  listName,
  routeMap,
  secretWord,
} from './routing-common.js';

type Version = 2 | 3;

const notYet = (name: string, help: string, what: string): SchemaNode =>
  unsupported(name, help, `${what} is not implemented yet`);

const number = (name: string, help: string, min: number, max: number): SchemaNode =>
  leaf(name, help, u32(min, max, help));

const metricType = (): SchemaNode =>
  number('metric-type', 'OSPF metric type for default routes', 1, 2);

const intervals = (): SchemaNode[] => [
  number('dead-interval', 'Interval after which a neighbor is declared dead', 1, 65535),
  number('hello-interval', 'Interval between hello packets', 1, 65535),
  number(
    'retransmit-interval',
    'Interval between retransmitting lost link state advertisements',
    1,
    65535,
  ),
  number('transmit-delay', 'Link state transmit delay', 1, 65535),
];

const md5 = (): SchemaNode =>
  container('authentication', 'Authentication', [
    container(
      'md5',
      'MD5 key id',
      [
        tag('key-id', 'MD5 key id', u32(1, 255, 'MD5 key id'), [
          leaf(
            'md5-key',
            'MD5 authentication type',
            secretWord(16, 'MD5 key (up to 16 characters)'),
            {
              secret: true,
            },
          ),
        ]),
      ],
      // An empty md5 is message-digest authentication on (renderOspf reads its presence).
      { presence: true },
    ),
    leaf(
      'plaintext-password',
      'Plain text password',
      secretWord(8, 'Plain text password (up to 8 characters)'),
      { secret: true },
    ),
  ]);

const defaultInformation = (): SchemaNode =>
  container('default-information', 'Default route advertisment settings', [
    container('originate', 'Distribute a default route', [
      flag('always', 'Always advertise a default route'),
      number('metric', 'OSPF default metric', 0, 16777214),
      metricType(),
      routeMap(),
    ]),
  ]);

const redistribute = (version: Version): SchemaNode => {
  const source = (name: string, help: string): SchemaNode =>
    container(name, help, [
      number('metric', 'OSPF default metric', 0, 16777214),
      metricType(),
      routeMap(),
    ]);
  return container('redistribute', 'Redistribute information from another routing protocol', [
    source('babel', 'Redistribute Babel routes'),
    source('bgp', 'Redistribute BGP routes'),
    source('connected', 'Redistribute connected routes'),
    source('isis', 'Redistribute IS-IS routes'),
    source('kernel', 'Redistribute Kernel routes'),
    ...(version === 2
      ? [source('rip', 'Redistribute RIP routes')]
      : [source('ripng', 'Redistribute RIPng routes')]),
    source('static', 'Redistribute statically configured routes'),
    ...(version === 2
      ? [
          tag(
            'table',
            'Redistribute non-main Kernel Routing Table',
            u32(1, 200, 'Policy route table number'),
            [number('metric', 'OSPF default metric', 0, 16777214), metricType(), routeMap()],
          ),
        ]
      : []),
  ]);
};

const logAdjacency = (): SchemaNode =>
  container('log-adjacency-changes', 'Log adjacency state changes', [
    flag('detail', 'Log all state changes'),
  ]);

const autoCost = (): SchemaNode =>
  container('auto-cost', 'Calculate interface cost according to bandwidth', [
    number('reference-bandwidth', 'Reference bandwidth method to assign cost', 1, 4294967),
  ]);

const distance = (version: Version): SchemaNode =>
  container('distance', 'Administrative distance', [
    number('global', 'Administrative distance', 1, 255),
    container(
      version === 2 ? 'ospf' : 'ospfv3',
      `OSPF${version === 3 ? 'v3' : ''} administrative distance`,
      [
        number('external', 'Distance for external routes', 1, 255),
        number('inter-area', 'Distance for inter-area routes', 1, 255),
        number('intra-area', 'Distance for intra-area routes', 1, 255),
      ],
    ),
  ]);

const gracefulRestart = (version: Version): SchemaNode =>
  container('graceful-restart', 'Graceful Restart', [
    number('grace-period', 'Maximum length of the grace period', 5, 1800),
    container('helper', 'OSPF graceful-restart helpers', [
      container('enable', 'Enable helper support', [
        multi('router-id', 'Advertising Router-ID', ipv4),
      ]),
      version === 2
        ? flag('no-strict-lsa-checking', 'Disable strict LSA check')
        : flag('lsa-check-disable', 'Disable strict LSA check'),
      flag('planned-only', 'Supported only planned restart'),
      number('supported-grace-time', 'Supported grace timer', 10, 1800),
    ]),
  ]);

// ------------------------------------------------------------------ OSPFv2

const ospfArea = (): SchemaNode =>
  tag('area', 'OSPF area settings', areaId, [
    container('area-type', 'Area type', [
      flag('normal', 'Normal OSPF area'),
      container('nssa', 'Not-So-Stubby OSPF area', [
        number('default-cost', 'Summary-default cost of an NSSA area', 0, 16777215),
        flag('no-summary', 'Do not inject inter-area routes into stub'),
        leaf(
          'translate',
          'Configure NSSA-ABR',
          oneOf('nssa-translate', [
            { value: 'always', description: 'Always translate LSA types' },
            { value: 'candidate', description: 'Translate for election' },
            { value: 'never', description: 'Never translate LSA types' },
          ]),
        ),
      ]),
      container('stub', 'Stub OSPF area', [
        number('default-cost', 'Summary-default cost', 0, 16777215),
        flag('no-summary', 'Do not inject inter-area routes into the stub'),
      ]),
    ]),
    leaf(
      'authentication',
      'OSPF area authentication type',
      oneOf('ospf-area-authentication', [
        { value: 'plaintext-password', description: 'Use plain-text authentication' },
        { value: 'md5', description: 'Use MD5 authentication' },
      ]),
    ),
    leaf('export-list', 'Set the filter for networks announced to other areas', accessListNumber, {
      reference: ACCESS_LIST,
    }),
    leaf(
      'import-list',
      'Set the filter for networks from other areas announced',
      accessListNumber,
      {
        reference: ACCESS_LIST,
      },
    ),
    multi('network', 'OSPF network', ipv4Prefix),
    tag('range', 'Summarize routes matching a prefix (border routers only)', ipv4Prefix, [
      number('cost', 'Metric for this range', 0, 16777215),
      flag('not-advertise', 'Do not advertise this range'),
      leaf('substitute', 'Advertise area range as another prefix', ipv4Prefix),
    ]),
    leaf(
      'shortcut',
      'Area shortcut mode',
      oneOf('ospf-shortcut', [
        { value: 'default', description: 'Set default' },
        { value: 'disable', description: 'Disable shortcutting through the area' },
        { value: 'enable', description: 'Enable shortcutting through the area' },
      ]),
    ),
    tag('virtual-link', 'Virtual link', ipv4, [md5(), ...intervals()]),
  ]);

const ospfInterface = (): SchemaNode =>
  tag(
    'interface',
    'Interface configuration',
    interfaceName,
    [
      leaf('area', 'Enable OSPF on this interface', areaId),
      md5(),
      number('bandwidth', 'Interface bandwidth (Mbit/s)', 1, 100000),
      container('bfd', 'Enable Bidirectional Forwarding Detection (BFD)', [
        bfdProfileLeaf('profile', 'Use settings from BFD profile'),
      ]),
      number('cost', 'Interface cost', 1, 65535),
      ...intervals(),
      number('hello-multiplier', 'Hello multiplier factor', 1, 10),
      notYet('ldp-sync', 'LDP-IGP synchronization configuration for interface', 'LDP'),
      flag('mtu-ignore', 'Disable Maximum Transmission Unit (MTU) mismatch detection'),
      leaf(
        'network',
        'Network type',
        oneOf('ospf-network', [
          { value: 'broadcast', description: 'Broadcast network type' },
          { value: 'non-broadcast', description: 'Non-broadcast network type' },
          { value: 'point-to-multipoint', description: 'Point-to-multipoint network type' },
          { value: 'point-to-point', description: 'Point-to-point network type' },
        ]),
      ),
      container('passive', 'Suppress routing updates on an interface', [
        flag('disable', 'Disable instance'),
      ]),
      number('priority', 'Router priority', 0, 255),
    ],
    { completion: { kind: 'runtime', provider: 'interfaces' } },
  );

/** An OSPF instance: the default one or a VRF's (`vrf name NAME protocols ospf`). */
export const ospfInstance = (): SchemaNode =>
  container(
    'ospf',
    'Open Shortest Path First (OSPF)',
    [
      tag(
        'access-list',
        'Access list to filter networks in routing updates',
        accessListNumber,
        [
          multi(
            'export',
            'Filter for outgoing routing update',
            oneOf('ospf-export', [
              { value: 'bgp', description: 'Filter BGP routes' },
              { value: 'connected', description: 'Filter connected routes' },
              { value: 'isis', description: 'Filter IS-IS routes' },
              { value: 'kernel', description: 'Filter kernel routes' },
              { value: 'rip', description: 'Filter RIP routes' },
              { value: 'static', description: 'Filter static routes' },
            ]),
          ),
        ],
        { reference: ACCESS_LIST },
      ),
      container('aggregation', 'External route aggregation', [
        number('timer', 'Delay timer', 5, 1800),
      ]),
      ospfArea(),
      autoCost(),
      container('capability', 'Enable specific OSPF features', [flag('opaque', 'Opaque LSA')]),
      defaultInformation(),
      number('default-metric', 'Metric of redistributed routes', 0, 16777214),
      distance(2),
      gracefulRestart(2),
      ospfInterface(),
      notYet('ldp-sync', 'Protocol wide LDP-IGP synchronization configuration', 'LDP'),
      logAdjacency(),
      container('max-metric', 'OSPF maximum and infinite-distance metric', [
        container('router-lsa', 'Advertise own Router-LSA with infinite distance (stub router)', [
          flag('administrative', 'Administratively apply, for an indefinite period'),
          number('on-shutdown', 'Advertise stub-router prior to full shutdown of OSPF', 5, 100),
          number(
            'on-startup',
            'Automatically advertise stub Router-LSA on startup of OSPF',
            5,
            86400,
          ),
        ]),
      ]),
      number('maximum-paths', 'Maximum multiple paths (ECMP)', 1, 64),
      notYet(
        'mpls-te',
        'MultiProtocol Label Switching-Traffic Engineering (MPLS-TE) parameters',
        'MPLS-TE',
      ),
      tag('neighbor', 'Specify neighbor router', ipv4, [
        number('poll-interval', 'Dead neighbor polling interval', 1, 65535),
        number('priority', 'Neighbor priority in seconds', 0, 255),
      ]),
      container('parameters', 'OSPF specific parameters', [
        leaf(
          'abr-type',
          'OSPF ABR type',
          oneOf('abr-type', [
            { value: 'cisco', description: 'Cisco ABR type' },
            { value: 'ibm', description: 'IBM ABR type' },
            { value: 'shortcut', description: 'Shortcut ABR type' },
            { value: 'standard', description: 'Standard ABR type' },
          ]),
        ),
        flag('opaque-lsa', 'Enable the Opaque-LSA capability (rfc2370)'),
        flag('rfc1583-compatibility', 'Enable RFC1583 criteria for handling AS external routes'),
        leaf('router-id', 'Override default router identifier', ipv4),
      ]),
      leaf(
        'passive-interface',
        'Suppress routing updates on an interface',
        oneOf('passive-interface', [
          {
            value: 'default',
            description: 'Default to suppress routing updates on all interfaces',
          },
        ]),
      ),
      redistribute(2),
      container('refresh', 'Adjust refresh parameters', [
        number('timers', 'Refresh timer', 10, 1800),
      ]),
      notYet('segment-routing', 'Segment-Routing (SPRING) settings', 'segment routing'),
      tag('summary-address', 'External summary address', ipv4Prefix, [
        flag('no-advertise', 'Don not advertise summary route'),
        number('tag', 'Router tag', 1, 4294967295),
      ]),
      container('timers', 'Adjust routing timers', [
        container('throttle', 'Throttling adaptive timers', [
          container('spf', 'OSPF SPF timers', [
            number('delay', 'Delay from the first change received to SPF calculation', 0, 600000),
            number(
              'initial-holdtime',
              'Initial hold time between consecutive SPF calculations',
              0,
              600000,
            ),
            number('max-holdtime', 'Maximum hold time', 0, 600000),
          ]),
        ]),
      ]),
    ],
    { priority: 620 },
  );

export const ospf = ospfInstance();

// ------------------------------------------------------------------ OSPFv3

/** An OSPFv3 instance: the default one or a VRF's. */
export const ospfv3Instance = (): SchemaNode =>
  container(
    'ospfv3',
    'Open Shortest Path First (OSPF) for IPv6',
    [
      tag('area', 'OSPFv3 Area', areaId, [
        container('area-type', 'OSPFv3 Area type', [
          container('nssa', 'NSSA OSPFv3 area', [
            flag('default-information-originate', 'Originate Type 7 default into NSSA area'),
            flag('no-summary', 'Do not inject inter-area routes into the stub'),
          ]),
          container('stub', 'Stub OSPFv3 area', [
            flag('no-summary', 'Do not inject inter-area routes into the stub'),
          ]),
        ]),
        leaf('export-list', 'Name of export-list', listName('access-list')),
        leaf('import-list', 'Name of import-list', listName('access-list')),
        tag('range', 'Specify IPv6 prefix (border routers only)', ipv6Prefix, [
          flag('advertise', 'Advertise this range'),
          flag('not-advertise', 'Do not advertise this range'),
        ]),
      ]),
      autoCost(),
      defaultInformation(),
      distance(3),
      gracefulRestart(3),
      tag(
        'interface',
        'Enable routing on an IPv6 interface',
        interfaceName,
        [
          leaf('area', 'Enable OSPF on this interface', areaId),
          container('bfd', 'Enable Bidirectional Forwarding Detection (BFD)', [
            bfdProfileLeaf('profile', 'Use settings from BFD profile'),
          ]),
          number('cost', 'Interface cost', 1, 65535),
          ...intervals(),
          number('ifmtu', 'Interface MTU', 1, 65535),
          number('instance-id', 'Instance ID', 0, 255),
          flag('mtu-ignore', 'Disable Maximum Transmission Unit (MTU) mismatch detection'),
          leaf(
            'network',
            'Network type',
            oneOf('ospfv3-network', [
              { value: 'broadcast', description: 'Broadcast network type' },
              { value: 'point-to-point', description: 'Point-to-point network type' },
            ]),
          ),
          flag('passive', 'Configure passive mode for interface'),
          number('priority', 'Router priority', 0, 255),
        ],
        { completion: { kind: 'runtime', provider: 'interfaces' } },
      ),
      logAdjacency(),
      container('parameters', 'OSPFv3 specific parameters', [
        leaf('router-id', 'Override default router identifier', ipv4),
      ]),
      redistribute(3),
    ],
    { priority: 640 },
  );

export const ospfv3 = ospfv3Instance();
