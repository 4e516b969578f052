/** `system conntrack`: the connection tracking table, its timeouts, helpers and exceptions. */
import { container, flag, inert, leaf, tag, type SchemaNode } from '../node.js';
import { u32 } from '../types.js';
import { conntrackTimeouts, endpoint, protocolValue } from './firewall.js';
import { description } from '../fragments.js';
import { interfaceName } from '../types.js';

/** Helper modules: what the kernel has a conntrack helper for. */
export const CONNTRACK_HELPERS: Readonly<
  Record<
    string,
    { help: string; ports: { protocol: 'tcp' | 'udp'; port: number; helper: string }[] }
  >
> = {
  ftp: { help: 'FTP connection tracking', ports: [{ protocol: 'tcp', port: 21, helper: 'ftp' }] },
  h323: {
    help: 'H.323 connection tracking',
    ports: [
      { protocol: 'udp', port: 1719, helper: 'RAS' },
      { protocol: 'tcp', port: 1720, helper: 'Q.931' },
    ],
  },
  pptp: {
    help: 'PPTP connection tracking',
    ports: [{ protocol: 'tcp', port: 1723, helper: 'pptp' }],
  },
  sip: {
    help: 'SIP connection tracking',
    ports: [
      { protocol: 'udp', port: 5060, helper: 'sip' },
      { protocol: 'tcp', port: 5060, helper: 'sip' },
    ],
  },
  tftp: {
    help: 'TFTP connection tracking',
    ports: [{ protocol: 'udp', port: 69, helper: 'tftp' }],
  },
};

/** Modules VyOS offers that the mainline kernel has no conntrack helper for. */
export const HELPERLESS_MODULES: Readonly<Record<string, string>> = {
  nfs: 'NFS (RPC) connection tracking',
  sqlnet: 'Oracle SQLnet connection tracking',
};

const ignoreRule = (family: 4 | 6): SchemaNode =>
  container(family === 4 ? 'ipv4' : 'ipv6', `IPv${family} rules`, [
    tag(
      'rule',
      'Rule number',
      u32(1, 999999, 'Number of conntrack ignore rule'),
      [
        description(),
        endpoint('destination', family),
        leaf('inbound-interface', 'Interface to ignore connections tracking on', interfaceName, {
          completion: { kind: 'runtime', provider: 'interfaces' },
        }),
        leaf('protocol', 'Protocol to match (protocol name, number, or "all")', protocolValue),
        endpoint('source', family),
      ],
      { ordered: true },
    ),
  ]);

export const conntrack = container(
  'conntrack',
  'Connection tracking engine options',
  [
    leaf(
      'expect-table-size',
      'Size of connection tracking expect table',
      u32(1, 50000000, 'Number of entries allowed in connection tracking expect table'),
      { default: '2048' },
    ),
    leaf(
      'hash-size',
      'Hash size for connection tracking table',
      u32(1, 50000000, 'Size of hash to use for connection tracking table'),
      { default: '32768' },
    ),
    container('ignore', 'Customized rules to ignore selective connections', [
      ignoreRule(4),
      ignoreRule(6),
    ]),
    container('modules', 'Connection tracking modules', [
      ...Object.entries(CONNTRACK_HELPERS).map(([name, h]) => flag(name, h.help)),
      ...Object.entries(HELPERLESS_MODULES).map(([name, help]) =>
        inert(flag(name, help), `the kernel has no conntrack helper for ${name}`),
      ),
    ]),
    leaf(
      'table-size',
      'Size of connection tracking table',
      u32(1, 50000000, 'Number of entries allowed in connection tracking table'),
      { default: '262144' },
    ),
    conntrackTimeouts(true),
  ],
  { owner: 'nft', priority: 290 },
);
