/**
 * `protocols bgp` at VyOS 1.4 paths (one instance: `system-as`, no ASN in the
 * path), and the same instance inside a VRF (`vrf name NAME protocols bgp`),
 * whose peer-groups are its own.
 */
import { description } from '../fragments.js';
import {
  container,
  flag,
  leaf,
  multi,
  refersTo,
  SAME_KEY,
  tag,
  unsupported,
  type LeafNode,
  type SchemaNode,
} from '../node.js';
import {
  anyOf,
  interfaceName,
  ipv4,
  ipv4Prefix,
  ipv6Prefix,
  oneOf,
  pattern,
  u32,
  type ValueType,
} from '../types.js';
import {
  accessList6Leaf,
  accessListLeaf,
  addressOrInterface,
  asNumber,
  asPathListLeaf,
  bfdProfileLeaf,
  interfaceLeaf,
  ipAddress,
  peerGroupLeaf as defaultPeerGroupLeaf,
  plainName,
  prefixList6Leaf,
  prefixListLeaf,
  remoteAs,
  routeMap,
  routeMapLeaf,
  secretWord,
} from './routing-common.js';

type Family = 4 | 6;

const notYet = (name: string, help: string, what: string): SchemaNode =>
  unsupported(name, help, `${what} is not implemented yet`);

const number = (name: string, help: string, min: number, max: number): SchemaNode =>
  leaf(name, help, u32(min, max, help));

/** `rd` and route targets: `ASN:NN` or `IP:NN`. */
const rdRt: ValueType = pattern(
  'bgp-rd-rt',
  /^(?:[0-9]{1,10}|(?:[0-9]{1,3}\.){3}[0-9]{1,3}):[0-9]{1,10}$/,
  '<ASN:NN|IP:NN>',
  'Route distinguisher or route target',
);

// ------------------------------------------------------------------ address families

const redistributeFrom = (family: Family): SchemaNode => {
  const source = (name: string, help: string): SchemaNode =>
    container(name, help, [
      leaf(
        'metric',
        'Metric for redistributed routes',
        u32(1, 4294967295, 'Metric for redistributed routes'),
      ),
      routeMap(),
    ]);
  return container('redistribute', 'Redistribute routes from other protocols into BGP', [
    source('babel', 'Redistribute Babel routes into BGP'),
    source('connected', 'Redistribute connected routes into BGP'),
    ...(family === 4 ? [source('isis', 'Redistribute IS-IS routes into BGP')] : []),
    source('kernel', 'Redistribute kernel routes into BGP'),
    family === 4
      ? source('ospf', 'Redistribute OSPF routes into BGP')
      : source('ospfv3', 'Redistribute OSPFv3 routes into BGP'),
    family === 4
      ? source('rip', 'Redistribute RIP routes into BGP')
      : source('ripng', 'Redistribute RIPng routes into BGP'),
    source('static', 'Redistribute static routes into BGP'),
    leaf(
      'table',
      'Redistribute non-main Kernel Routing Table',
      u32(1, 200, 'Policy route table number'),
    ),
  ]);
};

const unicastFamily = (family: Family): SchemaNode => {
  const prefix = family === 4 ? ipv4Prefix : ipv6Prefix;
  return container(family === 4 ? 'ipv4-unicast' : 'ipv6-unicast', `IPv${family} BGP settings`, [
    tag('aggregate-address', 'BGP aggregate network', prefix, [
      flag('as-set', 'Generate AS-set path information for this aggregate address'),
      routeMap(),
      flag('summary-only', 'Announce the aggregate summary network only'),
    ]),
    container('distance', 'Administrative distances for BGP routes', [
      number('external', 'eBGP routes administrative distance', 1, 255),
      number('internal', 'iBGP routes administrative distance', 1, 255),
      number('local', 'Locally originated BGP routes administrative distance', 1, 255),
      tag('prefix', 'Administrative distance for a specific BGP prefix', prefix, [
        number('distance', 'Administrative distance for prefix', 1, 255),
      ]),
    ]),
    notYet('export', 'Export routes from this address-family', 'VRF route leaking'),
    notYet('import', 'Import routes to this address-family', 'VRF route leaking'),
    notYet('label', 'Label value for VRF', 'MPLS labels'),
    container('maximum-paths', 'Forward packets over multiple paths', [
      number('ebgp', 'eBGP maximum paths', 1, 256),
      number('ibgp', 'iBGP maximum paths', 1, 256),
    ]),
    tag('network', 'BGP network', prefix, [
      ...(family === 4 ? [flag('backdoor', 'Network as a backdoor route')] : []),
      ...(family === 6 ? [number('path-limit', 'AS-path hopcount limit', 0, 255)] : []),
      routeMap(),
    ]),
    notYet('nexthop', 'Specify next hop to use for VRF advertised prefixes', 'VRF route leaking'),
    notYet('rd', 'Specify route distinguisher', 'VRF route leaking'),
    redistributeFrom(family),
    notYet('route-map', 'Route-map to filter route updates to/from this peer', 'VRF route leaking'),
    notYet('route-target', 'Specify route target list', 'VRF route leaking'),
    notYet('sid', 'SID value for VRF', 'SRv6'),
  ]);
};

const l2vpnEvpn = (): SchemaNode =>
  container('l2vpn-evpn', 'L2VPN EVPN BGP settings', [
    container('advertise', 'Advertise prefix routes', [
      container('ipv4', 'IPv4 address family', [
        container('unicast', 'IPv4 address family', [routeMap()]),
      ]),
      container('ipv6', 'IPv6 address family', [
        container('unicast', 'IPv6 address family', [routeMap()]),
      ]),
    ]),
    flag('advertise-all-vni', 'Advertise All local VNIs'),
    flag('advertise-default-gw', 'Advertise All default g/w mac-ip routes in EVPN'),
    flag('advertise-svi-ip', 'Advertise svi mac-ip routes in EVPN'),
    leaf('rd', 'Route Distinguisher', rdRt),
    container('route-target', 'Route Target', [
      multi('both', 'Route Target both import and export', rdRt),
      multi('export', 'Route Target export', rdRt),
      multi('import', 'Route Target import', rdRt),
    ]),
    notYet('vni', 'VXLAN Network Identifier', 'per-VNI EVPN settings'),
  ]);

const bgpAddressFamilies = (): SchemaNode =>
  container('address-family', 'BGP address-family parameters', [
    notYet('ipv4-flowspec', 'Flowspec IPv4 BGP settings', 'BGP flowspec'),
    notYet('ipv4-labeled-unicast', 'Labeled Unicast IPv4 BGP settings', 'labeled unicast'),
    notYet('ipv4-multicast', 'Multicast IPv4 BGP settings', 'BGP multicast'),
    unicastFamily(4),
    notYet('ipv4-vpn', 'Unicast VPN IPv4 BGP settings', 'BGP VPNs'),
    notYet('ipv6-flowspec', 'Flowspec IPv6 BGP settings', 'BGP flowspec'),
    notYet('ipv6-labeled-unicast', 'Labeled Unicast IPv6 BGP settings', 'labeled unicast'),
    notYet('ipv6-multicast', 'Multicast IPv6 BGP settings', 'BGP multicast'),
    unicastFamily(6),
    notYet('ipv6-vpn', 'Unicast VPN IPv6 BGP settings', 'BGP VPNs'),
    l2vpnEvpn(),
  ]);

// ------------------------------------------------------------------ neighbors and peer-groups

const exportImport = (
  name: string,
  help: string,
  make: (name: string, help: string) => SchemaNode,
): SchemaNode =>
  container(name, help, [
    make('export', 'Filter outgoing route updates to this peer'),
    make('import', 'Filter incoming route updates from this peer'),
  ]);

const neighborUnicast = (family: Family): SchemaNode =>
  container(
    family === 4 ? 'ipv4-unicast' : 'ipv6-unicast',
    `IPv${family} BGP neighbor parameters`,
    [
      flag('addpath-tx-all', 'Use addpath to advertise all paths to a neighbor'),
      flag('addpath-tx-per-as', 'Use addpath to advertise the bestpath per each neighboring AS'),
      container('allowas-in', 'Accept route that contains the local-as in the as-path', [
        number('number', 'Number of occurrences of AS number', 1, 10),
      ]),
      flag('as-override', 'Override ASN in outbound updates to configured neighbor local-as'),
      container('attribute-unchanged', 'BGP attributes are sent unchanged', [
        flag('as-path', 'Send AS path unchanged'),
        flag('med', 'Send multi-exit discriminator unchanged'),
        flag('next-hop', 'Send nexthop unchanged'),
      ]),
      container('capability', `Advertise capabilities to this neighbor (IPv${family})`, [
        container('orf', 'Advertise ORF capability to this peer', [
          container('prefix-list', 'Advertise prefix-list ORF capability to this peer', [
            flag('receive', 'Capability to receive the ORF'),
            flag('send', 'Capability to send the ORF'),
          ]),
        ]),
      ]),
      container('conditionally-advertise', 'Use route-map to conditionally advertise routes', [
        routeMapLeaf('advertise-map', 'Route-map to conditionally advertise routes'),
        routeMapLeaf(
          'exist-map',
          'Advertise routes only if prefixes in exist-map are installed in BGP table',
        ),
        routeMapLeaf(
          'non-exist-map',
          'Advertise routes only if prefixes in non-exist-map are not installed in BGP table',
        ),
      ]),
      container('default-originate', 'Originate default route to this peer', [routeMap()]),
      container('disable-send-community', 'Disable sending community attributes to this peer', [
        flag('extended', 'Disable sending extended community attributes to this peer'),
        flag('standard', 'Disable sending standard community attributes to this peer'),
      ]),
      exportImport(
        'distribute-list',
        'Access-list to filter route updates to/from this peer',
        family === 4 ? accessListLeaf : accessList6Leaf,
      ),
      exportImport(
        'filter-list',
        'as-path-list to filter route updates to/from this peer',
        asPathListLeaf,
      ),
      number(
        'maximum-prefix',
        'Maximum number of prefixes to accept from this peer',
        1,
        4294967295,
      ),
      number(
        'maximum-prefix-out',
        'Maximum number of prefixes to be sent to this peer',
        1,
        4294967295,
      ),
      ...(family === 6
        ? [
            container('nexthop-local', 'Nexthop attributes', [
              flag('unchanged', 'Leave link-local nexthop unchanged for this peer'),
            ]),
          ]
        : []),
      container('nexthop-self', 'Disable the next hop calculation for this peer', [
        flag('force', 'Set the next hop to self for reflected routes'),
      ]),
      exportImport(
        'prefix-list',
        `IPv${family} prefix-list to filter route updates to/from this peer`,
        family === 4 ? prefixListLeaf : prefixList6Leaf,
      ),
      container(
        'remove-private-as',
        'Remove private AS numbers from AS path in outbound route updates',
        [flag('all', 'Remove private AS numbers to all AS numbers in outbound route updates')],
      ),
      exportImport(
        'route-map',
        'Route-map to filter route updates to/from this peer',
        routeMapLeaf,
      ),
      flag('route-reflector-client', 'Peer is a route reflector client'),
      flag('route-server-client', 'Peer is a route server client'),
      container('soft-reconfiguration', 'Soft reconfiguration for peer', [
        flag('inbound', 'Enable inbound soft reconfiguration'),
      ]),
      routeMapLeaf('unsuppress-map', 'Route-map to selectively unsuppress suppressed routes'),
      number('weight', 'Default weight for routes from this peer', 1, 65535),
    ],
  );

const neighborEvpn = (): SchemaNode =>
  container('l2vpn-evpn', 'L2VPN EVPN BGP settings', [
    container('allowas-in', 'Accept route that contains the local-as in the as-path', [
      number('number', 'Number of occurrences of AS number', 1, 10),
    ]),
    container('attribute-unchanged', 'BGP attributes are sent unchanged', [
      flag('as-path', 'Send AS path unchanged'),
      flag('med', 'Send multi-exit discriminator unchanged'),
      flag('next-hop', 'Send nexthop unchanged'),
    ]),
    container('nexthop-self', 'Disable the next hop calculation for this peer', [
      flag('force', 'Set the next hop to self for reflected routes'),
    ]),
    exportImport('route-map', 'Route-map to filter route updates to/from this peer', routeMapLeaf),
    flag('route-reflector-client', 'Peer is a route reflector client'),
    flag('route-server-client', 'Peer is a route server client'),
    container('soft-reconfiguration', 'Soft reconfiguration for peer', [
      flag('inbound', 'Enable inbound soft reconfiguration'),
    ]),
  ]);

const neighborAddressFamilies = (): SchemaNode =>
  container('address-family', 'Address-family parameters', [
    notYet('ipv4-flowspec', 'IPv4 Flow Specification BGP neighbor parameters', 'BGP flowspec'),
    notYet(
      'ipv4-labeled-unicast',
      'IPv4 Labeled Unicast BGP neighbor parameters',
      'labeled unicast',
    ),
    notYet('ipv4-multicast', 'IPv4 multicast BGP neighbor parameters', 'BGP multicast'),
    neighborUnicast(4),
    notYet('ipv4-vpn', 'IPv4 VPN BGP neighbor parameters', 'BGP VPNs'),
    notYet('ipv6-flowspec', 'IPv6 Flow Specification BGP neighbor parameters', 'BGP flowspec'),
    notYet(
      'ipv6-labeled-unicast',
      'IPv6 Labeled Unicast BGP neighbor parameters',
      'labeled unicast',
    ),
    notYet('ipv6-multicast', 'IPv6 multicast BGP neighbor parameters', 'BGP multicast'),
    neighborUnicast(6),
    notYet('ipv6-vpn', 'IPv6 VPN BGP neighbor parameters', 'BGP VPNs'),
    neighborEvpn(),
  ]);

/** What a neighbor and a peer-group both have. */
const peerCommon = (): SchemaNode[] => [
  neighborAddressFamilies(),
  container('bfd', 'Enable Bidirectional Forwarding Detection (BFD) support', [
    flag(
      'check-control-plane-failure',
      'Allow to write CBIT independence in BFD outgoing packets and read both C-BIT value of BFD and lookup BGP peer status',
    ),
    bfdProfileLeaf('profile', 'Use settings from BFD profile'),
  ]),
  container('capability', 'Advertise capabilities to this peer', [
    flag('dynamic', 'Advertise dynamic capability to this neighbor'),
    flag('extended-nexthop', 'Advertise extended-nexthop capability to this neighbor'),
  ]),
  description(),
  flag('disable-capability-negotiation', 'Disable capability negotiation with this neighbor'),
  flag('disable-connected-check', 'Allow peerings between eBGP peer using loopback/dummy address'),
  number(
    'ebgp-multihop',
    'Allow this EBGP neighbor to not be on a directly connected network',
    1,
    255,
  ),
  leaf(
    'graceful-restart',
    'BGP graceful restart functionality',
    oneOf('graceful-restart', [
      { value: 'enable', description: 'Enable BGP graceful restart at peer level' },
      { value: 'disable', description: 'Disable BGP graceful restart at peer level' },
      { value: 'restart-helper', description: 'Enable BGP graceful restart helper only' },
    ]),
  ),
  tag('local-as', 'Specify alternate ASN for this BGP process', asNumber, [
    container('no-prepend', 'Disable prepending local-as from/to updates for eBGP peers', [
      flag('replace-as', 'Prepend only local-as from/to updates for eBGP peers'),
    ]),
  ]),
  notYet('local-role', 'Local role for BGP neighbor (RFC9234)', 'BGP roles'),
  flag('override-capability', 'Ignore capability negotiation with specified neighbor'),
  flag('passive', 'Do not initiate a session with this neighbor'),
  leaf(
    'password',
    'BGP MD5 password',
    secretWord(80, 'BGP MD5 password (no white space or quotes; up to 80)'),
    {
      secret: true,
    },
  ),
  notYet(
    'path-attribute',
    'Manipulate path attributes from incoming UPDATE messages',
    'path attribute handling',
  ),
  leaf('port', 'Port number used by connection', u32(1, 65535, 'Port number')),
  leaf('remote-as', 'Neighbor BGP AS number', remoteAs),
  flag('shutdown', 'Administratively shutdown this neighbor'),
  notYet('ttl-security', 'Ttl security mechanism', 'TTL security'),
  leaf('update-source', 'Source IP of routing updates', addressOrInterface, {
    completion: { kind: 'runtime', provider: 'interfaces' },
  }),
];

/** A neighbor: an address, or an interface for unnumbered BGP. */
const neighborKey: ValueType = anyOf('bgp-neighbor', ipAddress, interfaceName);

type GroupLeaf = (name: string, help: string) => LeafNode;

/** A peer-group of a VRF's instance is named among that VRF's own. */
const VRF_PEER_GROUP = refersTo('peer-group', [
  'vrf',
  'name',
  SAME_KEY,
  'protocols',
  'bgp',
  'peer-group',
]);
const vrfPeerGroupLeaf: GroupLeaf = (name, help) =>
  leaf(name, help, plainName('peer-group'), { reference: VRF_PEER_GROUP });

const neighbor = (peerGroupLeaf: GroupLeaf): SchemaNode =>
  tag('neighbor', 'BGP neighbor', neighborKey, [
    ...peerCommon(),
    number('advertisement-interval', 'Minimum interval for sending routing updates', 0, 600),
    flag('enforce-first-as', 'Ensure the first AS in the AS path matches the peer AS'),
    container('interface', 'Interface parameters', [
      peerGroupLeaf('peer-group', 'Peer group for this peer'),
      leaf('remote-as', 'Neighbor BGP AS number', remoteAs),
      interfaceLeaf('source-interface', 'Interface used to establish connection'),
      container('v6only', 'Enable BGP with v6 link-local only', [
        peerGroupLeaf('peer-group', 'Peer group for this peer'),
        leaf('remote-as', 'Neighbor BGP AS number', remoteAs),
      ]),
    ]),
    peerGroupLeaf('peer-group', 'Peer group for this peer'),
    flag('solo', 'Do not send back prefixes learned from the neighbor'),
    flag('strict-capability-match', 'Enable strict capability negotiation'),
    container('timers', 'Neighbor timers', [
      number('connect', 'BGP connect timer for this neighbor', 0, 65535),
      number('holdtime', 'Hold timer', 0, 65535),
      number('keepalive', 'BGP keepalive interval for this neighbor', 1, 65535),
    ]),
  ]);

const peerGroup = (): SchemaNode =>
  tag('peer-group', 'Name of peer-group', plainName('peer-group'), peerCommon());

// ------------------------------------------------------------------ parameters

const parameters = (): SchemaNode =>
  container('parameters', 'BGP parameters', [
    flag('allow-martian-nexthop', 'Allow Martian nexthops to be received in the NLRI from a peer'),
    flag('always-compare-med', 'Always compare MEDs from different neighbors'),
    container('bestpath', 'Default bestpath selection mechanism', [
      container('as-path', 'AS-path attribute comparison parameters', [
        flag('confed', 'Compare AS-path lengths including confederation sets and sequences'),
        flag('ignore', 'Ignore AS-path length in selecting a route'),
        flag(
          'multipath-relax',
          'Allow load sharing across routes that have different AS paths (but same length)',
        ),
      ]),
      leaf(
        'bandwidth',
        'Link Bandwidth attribute',
        oneOf('bestpath-bandwidth', [
          { value: 'default-weight-for-missing', description: 'Assign low default weight' },
          { value: 'ignore', description: 'Ignore link bandwidth' },
          { value: 'skip-missing', description: 'Ignore paths without link bandwidth' },
        ]),
      ),
      flag('compare-routerid', 'Compare the router-id for identical EBGP paths'),
      multi(
        'med',
        'MED attribute comparison parameters',
        oneOf('bestpath-med', [
          { value: 'confed', description: 'Compare MEDs among confederation paths' },
          {
            value: 'missing-as-worst',
            description: 'Treat missing route as a MED as the least preferred one',
          },
        ]),
      ),
      container('peer-type', 'Peer type', [
        flag(
          'multipath-relax',
          'Allow load sharing across routes learned from different peer types',
        ),
      ]),
    ]),
    leaf('cluster-id', 'Route-reflector cluster-id', ipv4),
    container('confederation', 'AS confederation parameters', [
      leaf('identifier', 'Confederation AS identifier', asNumber),
      multi('peers', 'Peer ASs in the BGP confederation', asNumber),
    ]),
    container('dampening', 'Enable route-flap dampening', [
      number('half-life', 'Half-life time for dampening', 1, 45),
      number('max-suppress-time', 'Maximum duration to suppress a stable route', 1, 255),
      number('re-use', 'Threshold to start reusing a route', 1, 20000),
      number('start-suppress-time', 'When to start suppressing a route', 1, 20000),
    ]),
    container('default', 'BGP defaults', [
      number('local-pref', 'Default local preference', 0, 4294967295),
    ]),
    flag('deterministic-med', 'Compare MEDs between different peers in the same AS'),
    flag(
      'disable-ebgp-connected-route-check',
      'Disable checking if nexthop is connected on eBGP session',
    ),
    container('distance', 'Administratives distances for BGP routes', [
      container('global', 'Global administratives distances for BGP routes', [
        number('external', 'Administrative distance for external BGP routes', 1, 255),
        number('internal', 'Administrative distance for internal BGP routes', 1, 255),
        number('local', 'Administrative distance for local BGP routes', 1, 255),
      ]),
      tag('prefix', 'Administrative distance for a specific BGP prefix', ipv4Prefix, [
        number('distance', 'Administrative distance for prefix', 1, 255),
      ]),
    ]),
    flag('ebgp-requires-policy', 'Require in and out policy for eBGP peers (RFC8212)'),
    flag('fast-convergence', 'Teardown sessions immediately whenever peer becomes unreachable'),
    container('graceful-restart', 'Graceful restart capability parameters', [
      number(
        'stalepath-time',
        'Maximum time to hold onto restarting neighbors stale paths',
        1,
        3600,
      ),
    ]),
    flag('graceful-shutdown', 'Graceful shutdown'),
    flag('log-neighbor-changes', 'Log neighbor up/down changes and reset reason'),
    number('minimum-holdtime', 'BGP minimum holdtime', 1, 65535),
    flag('network-import-check', 'Enable IGP route check for network statements'),
    flag('no-client-to-client-reflection', 'Disable client to client route reflection'),
    flag('no-fast-external-failover', 'Disable immediate session reset on peer link down event'),
    flag('reject-as-sets', 'Reject routes with AS_SET or AS_CONFED_SET flag'),
    leaf('router-id', 'Override default router identifier', ipv4),
    flag('shutdown', 'Administrative shutdown of the BGP instance'),
    flag('suppress-fib-pending', 'Advertise only routes that are programmed in kernel to peers'),
  ]);

/** A BGP instance: the default one (`protocols bgp`) or a VRF's (`vrf name NAME protocols bgp`). */
export const bgpInstance = (inVrf: boolean): SchemaNode => {
  const peerGroupLeaf = inVrf ? vrfPeerGroupLeaf : defaultPeerGroupLeaf;
  return container(
    'bgp',
    'Border Gateway Protocol (BGP)',
    [
      bgpAddressFamilies(),
      notYet('bmp', 'BGP Monitoring Protocol (BMP)', 'BMP'),
      notYet(
        'interface',
        'Configure interface related parameters, e.g. MPLS',
        'BGP MPLS interfaces',
      ),
      container('listen', 'Listen for and accept BGP dynamic neighbors from range', [
        number('limit', 'Maximum number of dynamic neighbors that can be created', 1, 5000),
        tag(
          'range',
          'BGP dynamic neighbors listen range',
          anyOf('listen-range', ipv4Prefix, ipv6Prefix),
          [peerGroupLeaf('peer-group', 'Peer group for this peer')],
        ),
      ]),
      neighbor(peerGroupLeaf),
      parameters(),
      peerGroup(),
      notYet('sid', 'SID value for VRF', 'SRv6'),
      notYet('srv6', 'Segment-Routing SRv6 configuration', 'SRv6'),
      leaf('system-as', 'Autonomous System Number (ASN)', asNumber),
      container('timers', 'BGP protocol timers', [
        number('holdtime', 'Hold timer', 0, 65535),
        number('keepalive', 'BGP keepalive interval for this neighbor', 1, 65535),
      ]),
    ],
    { priority: inVrf ? 821 : 820 },
  );
};

export const bgp = bgpInstance(false);
