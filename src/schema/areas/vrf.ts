/**
 * `vrf`: VRF instances (a kernel VRF link bound to a routing table) that interfaces join with
 * `vrf NAME`, and the routing inside each (`protocols static|bgp|ospf|ospfv3`, realised by FRR).
 */
import { description, vrfName } from '../fragments.js';
import { container, flag, leaf, tag, unsupported } from '../node.js';
import { u32 } from '../types.js';
import { bgpInstance } from './bgp.js';
import { ospfInstance, ospfv3Instance } from './ospf.js';
import { vrfStatic } from './protocols.js';

export const vrf = container(
  'vrf',
  'Virtual Routing and Forwarding',
  [
    flag('bind-to-all', 'Enable binding services to all VRFs'),
    tag('name', 'Virtual Routing and Forwarding instance', vrfName, [
      description(),
      unsupported('ip', 'IPv4 routing parameters', 'per-VRF IPv4 settings are not implemented yet'),
      unsupported(
        'ipv6',
        'IPv6 routing parameters',
        'per-VRF IPv6 settings are not implemented yet',
      ),
      // Realised by FRR: `vrf NAME` blocks of staticd, `router bgp ASN vrf NAME`, `router ospf vrf NAME`.
      container(
        'protocols',
        'Routing protocol parameters',
        [
          bgpInstance(true),
          unsupported(
            'eigrp',
            'Enhanced Interior Gateway Routing Protocol (EIGRP)',
            'EIGRP is not implemented yet',
          ),
          unsupported(
            'isis',
            'Intermediate System to Intermediate System (IS-IS)',
            'IS-IS is not implemented yet',
          ),
          ospfInstance(),
          ospfv3Instance(),
          vrfStatic(),
        ],
        { owner: 'frr', priority: 480 },
      ),
      leaf(
        'table',
        'Routing table associated with this instance',
        u32(100, 65535, 'Routing table ID'),
        { required: true },
      ),
      leaf(
        'vni',
        'Virtual Network Identifier',
        u32(0, 16777214, 'VXLAN virtual network identifier'),
      ),
    ]),
  ],
  // Before interfaces (300): a link joins a VRF that exists.
  { owner: 'kernel', priority: 299 },
);
