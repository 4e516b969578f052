/**
 * Names of ports and IP protocols that firewall and NAT rules may use, and
 * their numbers. FOS1 renders numbers, so nothing depends on the
 * /etc/services or /etc/protocols of the machine nft runs on.
 */

export const SERVICE_PORTS: Readonly<Record<string, number>> = {
  ftp: 21,
  'ftp-data': 20,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  dns: 53,
  bootps: 67,
  bootpc: 68,
  tftp: 69,
  http: 80,
  kerberos: 88,
  pop3: 110,
  sunrpc: 111,
  ntp: 123,
  'netbios-ns': 137,
  'netbios-dgm': 138,
  'netbios-ssn': 139,
  imap: 143,
  snmp: 161,
  'snmp-trap': 162,
  bgp: 179,
  ldap: 389,
  https: 443,
  'microsoft-ds': 445,
  isakmp: 500,
  syslog: 514,
  submission: 587,
  ldaps: 636,
  imaps: 993,
  pop3s: 995,
  openvpn: 1194,
  l2tp: 1701,
  pptp: 1723,
  radius: 1812,
  'radius-acct': 1813,
  nfs: 2049,
  'ipsec-nat-t': 4500,
  sip: 5060,
  'sip-tls': 5061,
  bfd: 3784,
  'bfd-echo': 3785,
  vxlan: 4789,
  wireguard: 51820,
};

export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  icmp: 1,
  igmp: 2,
  ipip: 4,
  tcp: 6,
  egp: 8,
  udp: 17,
  ipv6: 41,
  gre: 47,
  esp: 50,
  ah: 51,
  'ipv6-icmp': 58,
  icmpv6: 58,
  eigrp: 88,
  ospf: 89,
  pim: 103,
  vrrp: 112,
  l2tp: 115,
  sctp: 132,
  udplite: 136,
};

/** Protocols whose packets carry ports. */
export const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'tcp_udp', '6', '17', 'sctp', '132']);

const UINT = /^(?:0|[1-9][0-9]{0,4})$/;

/** A port word (`22`, `ssh`) as a number, or undefined. */
export function portNumber(word: string): number | undefined {
  if (UINT.test(word)) {
    const n = Number(word);
    return n >= 1 && n <= 65535 ? n : undefined;
  }
  return SERVICE_PORTS[word];
}

/** One element of a port list: a port or a `lo-hi` range, as numbers. */
export function parsePortItem(item: string): [number, number] | undefined {
  const dash = item.indexOf('-', 1);
  if (dash > 0 && UINT.test(item.slice(0, dash))) {
    const lo = portNumber(item.slice(0, dash));
    const hi = portNumber(item.slice(dash + 1));
    return lo !== undefined && hi !== undefined && lo <= hi ? [lo, hi] : undefined;
  }
  const n = portNumber(item);
  return n === undefined ? undefined : [n, n];
}

/** `22,80,1000-2000,ssh` (optionally `!`-prefixed) as its ranges, or undefined when any item is wrong. */
export function parsePortList(value: string): [number, number][] | undefined {
  const body = value.startsWith('!') ? value.slice(1) : value;
  const items = body.split(',').map(parsePortItem);
  return items.every((i) => i !== undefined) ? (items as [number, number][]) : undefined;
}

/** The protocol of a rule as nft writes it: a keyword nft knows, or a number. */
export function protocolWord(name: string): string {
  if (['tcp', 'udp', 'icmp', 'icmpv6', 'esp', 'ah', 'sctp', 'udplite', 'gre'].includes(name))
    return name;
  if (name === 'ipv6-icmp') return 'icmpv6';
  return String(PROTOCOL_NUMBERS[name] ?? name);
}
