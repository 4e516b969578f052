/** Top-level VyOS areas that FOS1 knows exist but does not implement yet. */
import { unsupported, type SchemaNode } from '../node.js';

const area = (name: string, help: string, reason: string): SchemaNode =>
  unsupported(name, help, reason);

export const knownAreas: SchemaNode[] = [
  area('container', 'Containers', 'containers are not implemented yet'),
  area('firewall', 'Firewall', 'the firewall area arrives with the nftables backend'),
  area(
    'high-availability',
    'High availability settings',
    'high availability (VRRP) is not implemented yet',
  ),
  area('load-balancing', 'Configure load-balancing', 'load balancing is not implemented yet'),
  area(
    'nat',
    'Network Address Translation (NAT) parameters',
    'NAT arrives with the nftables backend',
  ),
  area(
    'nat64',
    'IPv6-to-IPv4 Network Address Translation (NAT64) Settings',
    'NAT64 is not implemented yet',
  ),
  area(
    'nat66',
    'IPv6-to-IPv6 Network Prefix Translation (NAT66 or NPT) Settings',
    'NAT66 arrives with the nftables backend',
  ),
  area('pki', 'Public Key Infrastructure (PKI)', 'PKI is not implemented yet'),
  area('policy', 'Routing policy', 'route policy arrives with the FRR backend'),
  area('protocols', 'Routing protocols', 'routing protocols arrive with the FRR backend'),
  area('qos', 'Quality of Service (QoS)', 'QoS is not implemented yet'),
  area('service', 'System services', 'system services are not implemented yet'),
  area('vpn', 'Virtual Private Network (VPN)', 'VPNs are not implemented yet'),
  area(
    'vrf',
    'Virtual Routing and Forwarding',
    'VRF is not implemented yet (and this kernel lacks it)',
  ),
];
