/**
 * `interfaces`: ethernet and bonding (with 802.1Q/802.1ad sub-interfaces),
 * loopback, bridge, vxlan, dummy and WireGuard links.
 */
import {
  addresses,
  description,
  disable,
  interfaceReference,
  ipOptions,
  ipv6Options,
  macAddress,
  mtu,
  vrfReference,
} from '../fragments.js';
import {
  container,
  flag,
  leaf,
  multi,
  pending,
  tag,
  unsupported,
  type SchemaNode,
} from '../node.js';
import {
  anyOf,
  interfaceName,
  interfaceNamed,
  ipv4,
  ipv4Prefix,
  ipv6,
  ipv6Prefix,
  mac,
  oneOf,
  pattern,
  port,
  u32,
} from '../types.js';

const notYet = (name: string, help: string, what: string): SchemaNode =>
  unsupported(name, help, `${what} is not implemented yet`);

const vlanId = u32(0, 4094, 'Virtual Local Area Network (VLAN) ID');

/** What every sub-interface (vif, vif-s, vif-c) has. */
const subInterfaceCommon = (): SchemaNode[] => [
  addresses({ dhcp: true }),
  description(),
  notYet('dhcp-options', 'DHCP client settings', 'the DHCP client'),
  notYet('dhcpv6-options', 'DHCPv6 client settings', 'the DHCPv6 client'),
  disable(),
  ipOptions(),
  ipv6Options(),
  macAddress(),
  mtu(68, 16000),
  notYet('traffic-policy', 'Traffic policy', 'QoS'),
  vrfReference(),
];

const vif = (): SchemaNode =>
  tag('vif', 'Virtual Local Area Network (VLAN) ID', vlanId, [
    ...subInterfaceCommon(),
    notYet('egress-qos', 'VLAN egress QoS mapping', 'VLAN QoS mapping'),
    notYet('ingress-qos', 'VLAN ingress QoS mapping', 'VLAN QoS mapping'),
  ]);

const vifS = (): SchemaNode =>
  tag('vif-s', 'QinQ TAG-S Virtual Local Area Network (VLAN) ID', vlanId, [
    ...subInterfaceCommon(),
    leaf(
      'protocol',
      'Protocol used for service VLAN',
      oneOf('vlan-protocol', [
        { value: '802.1ad', description: 'Provider Bridging (IEEE 802.1ad, Q-in-Q)' },
        { value: '802.1q', description: 'VLAN-tagged frame (IEEE 802.1q)' },
      ]),
      { default: '802.1ad' },
    ),
    tag('vif-c', 'QinQ TAG-C Virtual Local Area Network (VLAN) ID', vlanId, subInterfaceCommon()),
  ]);

const speeds = [
  'auto',
  '10',
  '100',
  '1000',
  '2500',
  '5000',
  '10000',
  '25000',
  '40000',
  '50000',
  '100000',
].map((value) => ({
  value,
  description: value === 'auto' ? 'Auto negotiation' : `${value} Mbit/sec`,
}));

const ethernet = tag(
  'ethernet',
  'Ethernet Interface',
  interfaceNamed(
    /^(?:eth|lan)[0-9]+$|^(?:eno|ens|enp|enx).+$/,
    '<ethN>',
    'Ethernet interface name',
  ),
  [
    addresses({ dhcp: true }),
    description(),
    notYet('dhcp-options', 'DHCP client settings', 'the DHCP client'),
    notYet('dhcpv6-options', 'DHCPv6 client settings', 'the DHCPv6 client'),
    disable(),
    flag('disable-flow-control', 'Disable Ethernet flow control (pause frames)'),
    flag('disable-link-detect', 'Ignore link state changes'),
    leaf(
      'duplex',
      'Duplex mode',
      oneOf('duplex', [
        { value: 'auto', description: 'Auto negotiation' },
        { value: 'half', description: 'Half duplex' },
        { value: 'full', description: 'Full duplex' },
      ]),
      { default: 'auto' },
    ),
    notYet('eapol', 'Extensible Authentication Protocol over Local Area Network', 'EAPoL'),
    notYet('evpn', 'EVPN Multihoming', 'EVPN multihoming'),
    leaf(
      'hw-id',
      'Associate Ethernet Interface with given Media Access Control (MAC) address',
      mac,
    ),
    ipOptions(),
    ipv6Options(),
    macAddress(),
    notYet('mirror', 'Mirror ingress/egress packets', 'port mirroring'),
    mtu(68, 16000, '1500'),
    container('offload', 'Configurable offload options', [
      flag('gro', 'Enable Generic Receive Offload'),
      flag('gso', 'Enable Generic Segmentation Offload'),
      flag('hw-tc-offload', 'Enable Hardware Flow Offload'),
      flag('lro', 'Enable Large Receive Offload'),
      flag('rfs', 'Enable Receive Flow Steering'),
      flag('rps', 'Enable Receive Packet Steering'),
      flag('sg', 'Enable Scatter-Gather'),
      flag('tso', 'Enable TCP Segmentation Offloading'),
    ]),
    notYet('redirect', 'Redirect incoming packets to destination', 'traffic redirection'),
    container('ring-buffer', 'Shared buffer between the device driver and NIC', [
      leaf('rx', 'RX ring buffer', u32(80, 16384, 'ring buffer size')),
      leaf('tx', 'TX ring buffer', u32(80, 16384, 'ring buffer size')),
    ]),
    leaf('speed', 'Link speed', oneOf('speed', speeds), { default: 'auto' }),
    notYet('traffic-policy', 'Traffic policy', 'QoS'),
    vif(),
    vifS(),
    vrfReference(),
    notYet('xdp', 'Enable eXpress Data Path', 'XDP on interfaces'),
  ],
  // Physical ports come from the target namespace.
  { priority: 310, completion: { kind: 'runtime', provider: 'interfaces' } },
);

const bondModes = [
  { value: '802.3ad', description: 'IEEE 802.3ad Dynamic link aggregation' },
  { value: 'active-backup', description: 'Fault tolerant: only one member is active' },
  { value: 'broadcast', description: 'Fault tolerant: every packet on every member' },
  { value: 'round-robin', description: 'Load balance: members in turn' },
  {
    value: 'transmit-load-balance',
    description: 'Load balance: outgoing traffic spread by the load of each member',
  },
  {
    value: 'adaptive-load-balance',
    description: 'Load balance: both directions, by ARP negotiation',
  },
  { value: 'xor-hash', description: 'Distribute by the hash policy' },
];

const bonding = tag(
  'bonding',
  'Bonding Interface/Link Aggregation',
  interfaceNamed(/^bond[0-9]+$/, '<bondN>', 'Bonding interface name'),
  [
    addresses({ dhcp: true }),
    container('arp-monitor', 'ARP link monitoring parameters', [
      leaf(
        'interval',
        'ARP link monitoring interval',
        u32(0, 4294967295, 'Specifies the ARP link monitoring frequency in milliseconds'),
      ),
      multi('target', 'IP address used for ARP monitoring', ipv4),
    ]),
    description(),
    notYet('dhcp-options', 'DHCP client settings', 'the DHCP client'),
    notYet('dhcpv6-options', 'DHCPv6 client settings', 'the DHCPv6 client'),
    flag('disable-link-detect', 'Ignore link state changes'),
    disable(),
    notYet('evpn', 'EVPN Multihoming', 'EVPN multihoming'),
    leaf(
      'hash-policy',
      'Bonding transmit hash policy',
      oneOf('hash-policy', [
        { value: 'layer2', description: 'Use MAC addresses to generate the hash' },
        { value: 'layer2+3', description: 'Combine MAC address and IP address to make hash' },
        { value: 'layer3+4', description: 'Combine IP address and port to make hash' },
        {
          value: 'encap2+3',
          description: 'Combine encapsulated MAC address and IP address to make hash',
        },
        { value: 'encap3+4', description: 'Combine encapsulated IP address and port to make hash' },
      ]),
      { default: 'layer2' },
    ),
    ipOptions(),
    ipv6Options(),
    leaf(
      'lacp-rate',
      'Rate in which we will ask our link partner to transmit LACPDU packets',
      oneOf('lacp-rate', [
        { value: 'slow', description: 'Request partner to transmit LACPDUs every 30 seconds' },
        { value: 'fast', description: 'Request partner to transmit LACPDUs every 1 second' },
      ]),
      { default: 'slow' },
    ),
    macAddress(),
    container('member', 'Bond member interfaces', [
      multi('interface', 'Member interface name', interfaceName, {
        completion: { kind: 'runtime', provider: 'interfaces' },
      }),
    ]),
    leaf(
      'mii-mon-interval',
      'Specifies the MII link monitoring frequency in milliseconds',
      u32(0, 1000, 'Milliseconds: 0 disables MII monitoring, else 50-1000'),
      {
        default: '100',
        constraints: [
          { test: (v) => v === '0' || Number(v) >= 50, message: 'the interval is 0 or 50-1000' },
        ],
      },
    ),
    leaf(
      'min-links',
      'Minimum number of member interfaces required up before enabling bond',
      u32(0, 16, 'Minimum number of member interfaces'),
      { default: '0' },
    ),
    notYet('mirror', 'Mirror ingress/egress packets', 'port mirroring'),
    leaf('mode', 'Bonding mode', oneOf('bond-mode', bondModes), { default: '802.3ad' }),
    mtu(68, 16000, '1500'),
    leaf('primary', 'Primary device interface', interfaceName, {
      completion: { kind: 'runtime', provider: 'interfaces' },
    }),
    notYet('redirect', 'Redirect incoming packets to destination', 'traffic redirection'),
    leaf('system-mac', 'System MAC address for 802.3ad', mac),
    notYet('traffic-policy', 'Traffic policy', 'QoS'),
    vif(),
    vifS(),
    vrfReference(),
    notYet('xdp', 'Enable eXpress Data Path', 'XDP on interfaces'),
  ],
  // After the ethernet ports it takes as members.
  { priority: 315 },
);

/** A WireGuard key: 32 bytes in base64 (44 characters, the last `=`). */
const wireguardKey = pattern(
  'wireguard-key',
  /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/,
  '<base64>',
  'WireGuard key (32 bytes in base64, as wg genkey prints it)',
);

const wireguard = tag(
  'wireguard',
  'WireGuard Interface',
  interfaceNamed(/^wg[0-9]+$/, '<wgN>', 'WireGuard interface name'),
  [
    addresses({ dhcp: false }),
    description(),
    disable(),
    leaf(
      'fwmark',
      'A 32-bit fwmark value set on all outgoing packets',
      u32(0, 4294967295, 'Mark (0 disables)'),
      { default: '0' },
    ),
    ipOptions(),
    ipv6Options(),
    notYet('mirror', 'Mirror ingress/egress packets', 'port mirroring'),
    mtu(68, 16000, '1420'),
    tag(
      'peer',
      'peer alias',
      pattern('peer-name', /^[^ ]{1,100}$/, '<text>', 'Peer alias (at most 100 characters)'),
      [
        multi(
          'allowed-ips',
          'IP addresses allowed to traverse the peer',
          anyOf('allowed-ips', ipv4Prefix, ipv6Prefix),
        ),
        leaf('address', 'IP address of tunnel endpoint', anyOf('endpoint', ipv4, ipv6)),
        description(),
        flag('disable', 'Disable instance'),
        leaf(
          'persistent-keepalive',
          'Interval to send keepalive messages',
          u32(1, 65535, 'Interval in seconds'),
        ),
        leaf('port', 'Port number used for connection', port),
        leaf('preshared-key', 'Peer pre-shared key', wireguardKey, { secret: true }),
        leaf('public-key', 'Base64 encoded public key', wireguardKey),
      ],
    ),
    flag('per-client-thread', 'Process traffic from each client in a dedicated thread'),
    leaf('port', 'Port number used for connection', port),
    leaf('private-key', 'Base64 encoded private key', wireguardKey, { secret: true }),
    notYet('redirect', 'Redirect incoming packets to destination', 'traffic redirection'),
    vrfReference(),
  ],
  { priority: 460 },
);

const loopback = tag(
  'loopback',
  'Loopback Interface',
  interfaceNamed(/^lo$/, 'lo', 'Loopback interface'),
  [
    addresses({ dhcp: false }),
    description(),
    notYet('mirror', 'Mirror ingress/egress packets', 'port mirroring'),
  ],
  { priority: 301 },
);

const dummy = tag(
  'dummy',
  'Dummy Interface',
  interfaceNamed(/^dum[0-9]+$/, '<dumN>', 'Dummy interface name'),
  [
    addresses({ dhcp: false }),
    description(),
    disable(),
    ipOptions(),
    ipv6Options(),
    mtu(68, 16000, '1500'),
    vrfReference(),
  ],
  { priority: 302 },
);

const vxlan = tag(
  'vxlan',
  'Virtual Extensible LAN (VXLAN) Interface',
  interfaceNamed(/^vxlan[0-9]+$/, '<vxlanN>', 'VXLAN interface name'),
  [
    addresses({ dhcp: true }),
    description(),
    disable(),
    leaf('group', 'Multicast group address for VXLAN interface', anyOf('multicast', ipv4, ipv6), {
      constraints: [
        {
          test: (v) =>
            v.includes(':')
              ? /^ff/i.test(v)
              : Number(v.split('.')[0]) >= 224 && Number(v.split('.')[0]) <= 239,
          message: 'the group must be a multicast address (224.0.0.0/4 or ff00::/8)',
        },
      ],
    }),
    ipOptions(),
    ipv6Options(),
    macAddress(),
    mtu(1200, 16000, '1450'),
    container('parameters', 'VXLAN tunnel parameters', [
      flag('external', 'Use external control plane'),
      container('ip', 'IPv4 specific tunnel parameters', [
        leaf(
          'df',
          'Usage of the DF (do not fragment) bit',
          oneOf('df', [
            { value: 'set', description: 'Always set DF bit' },
            { value: 'unset', description: 'Never set DF bit' },
            { value: 'inherit', description: 'Copy DF bit from encapsulated packet' },
          ]),
          { default: 'unset' },
        ),
        leaf('tos', 'Type of Service (TOS)', u32(0, 255, 'Type of Service (TOS)'), {
          default: '0',
        }),
        leaf('ttl', 'Time to live field', u32(0, 255, 'Time to live (default: 0, inherit)'), {
          default: '16',
        }),
      ]),
      container('ipv6', 'IPv6 specific tunnel parameters', [
        leaf('flowlabel', 'Tunnel flowlabel', u32(0, 1048575, 'Flowlabel')),
      ]),
      flag('neighbor-suppress', 'Enable neighbor discovery (ARP and ND) suppression'),
      flag('nolearning', 'Do not add unknown addresses into forwarding database'),
    ]),
    leaf('port', 'Destination port of VXLAN tunnel', port, { default: '8472' }),
    multi('remote', 'Tunnel remote address', anyOf('remote', ipv4, ipv6)),
    leaf(
      'source-address',
      'Source IP address used to initiate connection',
      anyOf('source-address', ipv4, ipv6),
    ),
    interfaceReference('source-interface', 'Interface used to establish connection'),
    notYet('vlan-to-vni', 'Configuring VLAN-to-VNI mappings for EVPN-VXLAN', 'VLAN-to-VNI mapping'),
    leaf('vni', 'Virtual Network Identifier', u32(0, 16777214, 'VXLAN virtual network identifier')),
    vrfReference(),
  ],
  { priority: 320 },
);

const bridge = tag(
  'bridge',
  'Bridge Interface',
  interfaceNamed(/^br[0-9]+$/, '<brN>', 'Bridge interface name'),
  [
    addresses({ dhcp: true }),
    leaf(
      'aging',
      'MAC address aging interval',
      u32(0, 1000000, 'Aging time in seconds (0 disables ageing)'),
      { default: '300' },
    ),
    description(),
    notYet('dhcp-options', 'DHCP client settings', 'the DHCP client'),
    notYet('dhcpv6-options', 'DHCPv6 client settings', 'the DHCPv6 client'),
    disable(),
    pending(
      flag('enable-vlan', 'Enable VLAN aware bridge'),
      'VLAN-aware bridges need 802.1Q, which this kernel lacks',
    ),
    leaf(
      'forwarding-delay',
      'Forwarding delay',
      u32(0, 200, 'Spanning Tree Protocol forwarding delay in seconds'),
      { default: '14' },
    ),
    leaf(
      'hello-time',
      'Hello packet advertisement interval',
      u32(1, 10, 'Spanning Tree Protocol hello advertisement interval in seconds'),
      {
        default: '2',
      },
    ),
    notYet('igmp', 'Internet Group Management Protocol (IGMP) settings', 'IGMP snooping'),
    ipOptions(),
    ipv6Options(),
    macAddress(),
    leaf(
      'max-age',
      'Interval at which neighbor bridges are removed',
      u32(1, 40, 'Bridge maximum aging time in seconds'),
      {
        default: '20',
      },
    ),
    container('member', 'Bridge member interfaces', [
      tag(
        'interface',
        'Member interface name',
        interfaceNamed(
          /^[^.]+(?:\.[0-9]+){0,2}$/,
          '<interface>',
          'Interface name (eth0, eth0.10, vxlan100)',
        ),
        [
          pending(
            multi('allowed-vlan', 'Allowed VLAN IDs', vlanId),
            'VLAN filtering needs 802.1Q, which this kernel lacks',
          ),
          leaf(
            'cost',
            'Bridge port cost',
            u32(1, 65535, 'Path cost value for Spanning Tree Protocol'),
          ),
          flag('isolated', 'Port is isolated (can only talk to non-isolated ports)'),
          pending(
            leaf('native-vlan', 'Native VLAN ID', vlanId),
            'VLAN filtering needs 802.1Q, which this kernel lacks',
          ),
          leaf('priority', 'Bridge port priority', u32(0, 63, 'Bridge port priority')),
        ],
        { completion: { kind: 'runtime', provider: 'interfaces' } },
      ),
    ]),
    mtu(68, 16000, '1500'),
    leaf('priority', 'Priority for this bridge', u32(0, 65535, 'Bridge priority'), {
      default: '32768',
    }),
    flag('stp', 'Enable spanning tree protocol'),
    vif(),
    vrfReference(),
  ],
  { priority: 330 },
);

export const interfaces = container(
  'interfaces',
  'Network interfaces',
  [
    bonding,
    bridge,
    dummy,
    ethernet,
    notYet('geneve', 'Generic Network Virtualization Encapsulation (GENEVE) Interface', 'GENEVE'),
    notYet('input', 'Input Functional Block (IFB) Interface', 'IFB'),
    notYet('l2tpv3', 'Layer 2 Tunnel Protocol Version 3 (L2TPv3) Interface', 'L2TPv3'),
    loopback,
    notYet('macsec', 'MACsec Interface (802.1ae)', 'MACsec'),
    notYet('openvpn', 'OpenVPN Tunnel Interface', 'OpenVPN'),
    notYet('pppoe', 'Point-to-Point Protocol over Ethernet (PPPoE) Interface', 'the PPPoE client'),
    notYet('pseudo-ethernet', 'Pseudo Ethernet Interface (macvlan)', 'pseudo-ethernet'),
    notYet('sstpc', 'Secure Socket Tunneling Protocol (SSTP) client Interface', 'the SSTP client'),
    notYet('tunnel', 'Tunnel interface', 'GRE/IPIP tunnels (and this kernel lacks them)'),
    notYet('virtual-ethernet', 'Virtual Ethernet (veth) Interface', 'virtual-ethernet'),
    notYet('vti', 'Virtual Tunnel Interface (XFRM)', 'VTI'),
    vxlan,
    wireguard,
    notYet('wireless', 'Wireless (WiFi/WLAN) Network Interface', 'wireless'),
    notYet('wwan', 'Wireless Modem (WWAN) Interface', 'WWAN'),
  ],
  { owner: 'kernel', priority: 300 },
);
