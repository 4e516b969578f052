/**
 * `protocols`: static routes, BGP, OSPF, OSPFv3 and BFD at VyOS 1.4 paths,
 * realised by FRR (src/render/frr.ts). The other routing protocols of VyOS
 * are known and reported as not implemented.
 */
import { description, vrfName } from '../fragments.js';
import { container, flag, leaf, tag, unsupported, type SchemaNode } from '../node.js';
import {
  anyOf,
  interfaceName,
  ipv4,
  ipv4Prefix,
  ipv6,
  ipv6Prefix,
  mac,
  oneOf,
  u32,
  type ValueType,
} from '../types.js';
import { bgp } from './bgp.js';
import { ospf, ospfv3 } from './ospf.js';
import {
  bfdProfileLeaf,
  distance,
  interfaceLeaf,
  ipAddress,
  plainName,
  routeMap,
  tagValue,
} from './routing-common.js';

const notYet = (name: string, help: string, what: string): SchemaNode =>
  unsupported(name, help, `${what} is not implemented yet`);

/**
 * `vrf NAME` of a next-hop or interface: the gateway is looked up in another
 * VRF (`default`: outside every VRF), FRR's `nexthop-vrf`.
 */
const nexthopVrf = (): SchemaNode =>
  leaf(
    'vrf',
    'VRF to leak route',
    anyOf(
      'nexthop-vrf',
      oneOf('default-vrf', [{ value: 'default', description: 'The default VRF (no VRF)' }]),
      vrfName,
    ),
    { reference: { what: 'vrf', paths: [['vrf', 'name']], builtin: ['default'] } },
  );

// ------------------------------------------------------------------ static

const bfdMonitoring = (): SchemaNode =>
  container('bfd', 'BFD monitoring', [
    bfdProfileLeaf('profile', 'Use settings from BFD profile'),
    container('multi-hop', 'Use BFD multi hop session', [
      tag('source', 'Use source for BFD session', ipAddress, [
        bfdProfileLeaf('profile', 'Use settings from BFD profile'),
      ]),
    ]),
  ]);

const discard = (name: 'blackhole' | 'reject', help: string): SchemaNode =>
  container(name, help, [distance(), tagValue()]);

const staticRoute = (family: 4 | 6): SchemaNode => {
  const v6 = family === 6;
  return tag(
    v6 ? 'route6' : 'route',
    v6 ? 'Static IPv6 route' : 'Static IPv4 route',
    v6 ? ipv6Prefix : ipv4Prefix,
    [
      discard('blackhole', 'Silently discard pkts when matched'),
      ...(v6
        ? []
        : [
            notYet(
              'dhcp-interface',
              'DHCP interface supplying next-hop IP address',
              'a next-hop from a DHCP client',
            ),
          ]),
      description(),
      tag(
        'interface',
        v6 ? 'IPv6 gateway interface name' : 'Next-hop IPv4 router interface',
        interfaceName,
        [
          flag('disable', 'Disable instance'),
          distance(),
          ...(v6 ? [notYet('segments', 'SRv6 segments', 'SRv6')] : []),
          nexthopVrf(),
        ],
        { completion: { kind: 'runtime', provider: 'interfaces' } },
      ),
      tag(
        'next-hop',
        v6 ? 'IPv6 gateway address' : 'Next-hop IPv4 router address',
        v6 ? ipv6 : ipv4,
        [
          bfdMonitoring(),
          flag('disable', 'Disable instance'),
          distance(),
          interfaceLeaf('interface', 'Gateway interface name'),
          ...(v6 ? [notYet('segments', 'SRv6 segments', 'SRv6')] : []),
          nexthopVrf(),
        ],
      ),
      discard('reject', 'Emit an ICMP unreachable when matched'),
    ],
  );
};

/** `vrf name NAME protocols static`: the routes of a VRF's table (no extra tables, ARP or route-map there). */
export const vrfStatic = (): SchemaNode =>
  container('static', 'Static Routing', [staticRoute(4), staticRoute(6)], { priority: 481 });

const staticArp = (): SchemaNode =>
  container('arp', 'Static ARP translation', [
    tag(
      'interface',
      'Interface configuration',
      interfaceName,
      [
        tag('address', 'IP address for static ARP entry', ipv4, [
          description(),
          leaf('mac', 'Media Access Control (MAC) address', mac),
        ]),
      ],
      { completion: { kind: 'runtime', provider: 'interfaces' } },
    ),
  ]);

/** Extra routing tables (`table N`) for policy routing. */
export const routingTable: ValueType = u32(1, 200, 'Policy route table number');

const staticArea = (): SchemaNode =>
  container(
    'static',
    'Static Routing',
    [
      staticArp(),
      notYet('multicast', 'Multicast static route', 'static multicast routes'),
      notYet('neighbor-proxy', 'Neighbor proxy parameters', 'neighbour proxies'),
      staticRoute(4),
      staticRoute(6),
      routeMap(),
      tag('table', 'Policy route table number', routingTable, [
        description(),
        staticRoute(4),
        staticRoute(6),
      ]),
    ],
    { priority: 480 },
  );

// ------------------------------------------------------------------ BFD

const interval = (name: string, help: string, min: number, max: number): SchemaNode =>
  leaf(name, help, u32(min, max, help));

const bfdTimers = (): SchemaNode[] => [
  flag('echo-mode', 'Enables the echo transmission mode'),
  container('interval', 'Configure timer intervals', [
    interval('echo-interval', 'Echo receive transmission interval', 10, 60000),
    interval('multiplier', 'Multiplier to determine packet loss', 2, 255),
    interval('receive', 'Minimum interval of receiving control packets', 10, 60000),
    interval('transmit', 'Minimum interval of transmitting control packets', 10, 60000),
  ]),
  leaf('minimum-ttl', 'Expect packets with at least this TTL', u32(1, 254, 'TTL')),
  flag('passive', 'Do not attempt to start sessions'),
  flag('shutdown', 'Disable this peer'),
];

const bfd = (): SchemaNode =>
  container(
    'bfd',
    'Bidirectional Forwarding Detection (BFD)',
    [
      tag('peer', 'Configures BFD peer to listen and talk to', ipAddress, [
        ...bfdTimers(),
        flag('multihop', 'Allow this BFD peer to not be directly connected'),
        bfdProfileLeaf('profile', 'Use settings from BFD profile'),
        container('source', 'Bind listener to specified interface/address, mandatory for IPv6', [
          leaf('address', 'Local address to bind our peer listener to', ipAddress),
          interfaceLeaf('interface', 'Interface to use'),
        ]),
        unsupported('vrf', 'VRF instance name', 'VRF is not implemented yet'),
      ]),
      tag(
        'profile',
        'Configure BFD profile used by individual peer',
        plainName('BFD profile', 32),
        bfdTimers(),
      ),
    ],
    { priority: 820 },
  );

export const protocols = container(
  'protocols',
  'Routing protocols',
  [
    notYet('babel', 'Babel Routing Protocol', 'Babel'),
    bfd(),
    bgp,
    notYet('eigrp', 'Enhanced Interior Gateway Routing Protocol (EIGRP)', 'EIGRP'),
    notYet('failover', 'Failover Routing', 'failover routes'),
    notYet(
      'igmp-proxy',
      'Internet Group Management Protocol (IGMP) proxy parameters',
      'IGMP proxy',
    ),
    notYet('isis', 'Intermediate System to Intermediate System (IS-IS)', 'IS-IS'),
    notYet('mpls', 'Multiprotocol Label Switching (MPLS)', 'MPLS'),
    notYet('nhrp', 'Next Hop Resolution Protocol (NHRP) parameters', 'NHRP'),
    notYet('openfabric', 'OpenFabric routing protocol', 'OpenFabric'),
    ospf,
    ospfv3,
    notYet('pim', 'Protocol Independent Multicast (PIM) and IGMP', 'PIM'),
    notYet('pim6', 'Protocol Independent Multicast for IPv6 (PIMv6) and MLD', 'PIMv6'),
    notYet('rip', 'Routing Information Protocol (RIP) parameters', 'RIP'),
    notYet('ripng', 'Routing Information Protocol (RIPng) parameters', 'RIPng'),
    notYet('rpki', 'BGP prefix origin validation', 'RPKI'),
    notYet('segment-routing', 'Segment Routing', 'segment routing'),
    staticArea(),
  ],
  { owner: 'frr', priority: 480 },
);
