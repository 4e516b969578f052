/** Reusable pieces of the reference tree, so areas do not copy-paste leaves. */
import { container, flag, leaf, multi, refersTo, type LeafNode, type SchemaNode } from './node.js';
import {
  anyOf,
  interfaceName,
  ipv4AddressPrefix,
  ipv6AddressPrefix,
  mac,
  oneOf,
  pattern,
  text,
  u32,
} from './types.js';

/**
 * A VRF name: it is also the name of the VRF's link, so a link name that no
 * interface family claims (VyOS's vrf-name rule), not a routing table's name, and not
 * `all` (FRR's word for every VRF in `show ... vrf all`).
 */
export const vrfName = pattern(
  'vrf-name',
  /^(?!(?:bond|br|dum|eth|lan|eno|ens|enp|enx|gnv|ipoe|l2tp|l2tpeth|lo|macsec|peth|ppp|pppoe|pptp|sstp|tun|veth|vti|vtun|vxlan|wg|wlan|wwan)[0-9]*$)(?!(?:default|main|local|all)$)[A-Za-z][A-Za-z0-9_-]{0,14}$/,
  '<text>',
  'VRF instance name (at most 15 characters, starting with a letter, not an interface name)',
);

/** `address`: addresses with prefix length, or `dhcp` / `dhcpv6` where the interface allows them. */
export function addresses(options: { dhcp: boolean }): LeafNode {
  const dynamic = options.dhcp
    ? [
        oneOf('address-dynamic', [
          { value: 'dhcp', description: 'Dynamic Host Configuration Protocol' },
          { value: 'dhcpv6', description: 'Dynamic Host Configuration Protocol for IPv6' },
        ]),
      ]
    : [];
  return multi(
    'address',
    'IP address',
    anyOf('interface-address', ipv4AddressPrefix, ipv6AddressPrefix, ...dynamic),
  );
}

export const description = (): LeafNode =>
  leaf('description', 'Description', text(255, 'Description (at most 255 characters)'));

export const disable = (): SchemaNode => flag('disable', 'Administratively disable interface');

export function mtu(min: number, max: number, defaultValue?: string): LeafNode {
  return leaf(
    'mtu',
    'Maximum Transmission Unit (MTU)',
    u32(min, max, 'Maximum Transmission Unit in byte'),
    {
      ...(defaultValue ? { default: defaultValue } : {}),
    },
  );
}

export const macAddress = (): LeafNode =>
  leaf('mac', 'Media Access Control (MAC) address', mac, {
    constraints: [
      {
        test: (v) => (parseInt(v.slice(0, 2), 16) & 1) === 0,
        message: 'a multicast MAC address cannot be an interface address',
      },
      {
        test: (v) => v !== '00:00:00:00:00:00',
        message: 'the all-zero MAC address cannot be an interface address',
      },
    ],
  });

/** `vrf NAME` on an interface: the VRF it belongs to (`vrf name NAME`). */
export const vrfReference = (): SchemaNode =>
  leaf('vrf', 'VRF instance name', vrfName, { reference: refersTo('vrf', ['vrf', 'name']) });

const adjustMss = (family: 'IPv4' | 'IPv6', min: number): LeafNode =>
  leaf(
    'adjust-mss',
    `Adjust TCP MSS value on ${family} traffic`,
    anyOf(
      'adjust-mss',
      u32(min, 65535, 'TCP Maximum segment size in bytes'),
      oneOf('mss-clamp', [
        {
          value: 'clamp-mss-to-pmtu',
          description: 'Automatically sets the MSS to the proper value',
        },
      ]),
    ),
  );

/** `ip ...` per-interface IPv4 options. */
export const ipOptions = (): SchemaNode =>
  container('ip', 'IPv4 routing parameters', [
    adjustMss('IPv4', 500),
    leaf(
      'arp-cache-timeout',
      'ARP cache entry timeout in seconds',
      u32(1, 86400, 'ARP cache entry timeout in seconds'),
      {
        default: '30',
      },
    ),
    flag('disable-arp-filter', 'Disable ARP filter on this interface'),
    flag('disable-forwarding', 'Disable IP forwarding on this interface'),
    flag('enable-arp-accept', 'Enable ARP accept on this interface'),
    flag('enable-arp-announce', 'Enable ARP announce on this interface'),
    flag('enable-arp-ignore', 'Enable ARP ignore on this interface'),
    flag('enable-proxy-arp', 'Enable proxy-arp on this interface'),
    flag('proxy-arp-pvlan', 'Enable private VLAN proxy ARP on this interface'),
    leaf(
      'source-validation',
      'Source validation by reversed path (RFC 3704)',
      oneOf('source-validation', [
        { value: 'strict', description: 'Enable strict source validation' },
        { value: 'loose', description: 'Enable loose source validation' },
        { value: 'disable', description: 'No source validation' },
      ]),
    ),
  ]);

/** `ipv6 ...` per-interface IPv6 options. */
export const ipv6Options = (): SchemaNode =>
  container('ipv6', 'IPv6 routing parameters', [
    container('address', 'IPv6 address configuration modes', [
      flag('autoconf', 'Enable acquisition of IPv6 address using stateless autoconfig (SLAAC)'),
      multi('eui64', 'Prefix for IPv6 address with MAC-based EUI-64', ipv6AddressPrefix),
      flag('no-default-link-local', 'Remove the default link-local address from the interface'),
    ]),
    adjustMss('IPv6', 1280),
    flag('disable-forwarding', 'Disable IP forwarding on this interface'),
    leaf(
      'dup-addr-detect-transmits',
      'Number of NS messages to send while performing DAD',
      u32(0, 4294967295, 'Number of NS messages to send while performing DAD'),
      { default: '1' },
    ),
  ]);

export const interfaceReference = (name: string, help: string): LeafNode =>
  leaf(name, help, interfaceName, { completion: { kind: 'runtime', provider: 'interfaces' } });
