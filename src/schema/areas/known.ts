/** Top-level VyOS areas that FOS1 knows exist but does not implement yet. */
import { unsupported, type SchemaNode } from '../node.js';

const area = (name: string, help: string, reason: string): SchemaNode =>
  unsupported(name, help, reason);

export const knownAreas: SchemaNode[] = [
  area('container', 'Containers', 'containers are not implemented yet'),
  area(
    'high-availability',
    'High availability settings',
    'high availability (VRRP) is not implemented yet',
  ),
  area('load-balancing', 'Configure load-balancing', 'load balancing is not implemented yet'),
  area(
    'nat64',
    'IPv6-to-IPv4 Network Address Translation (NAT64) Settings',
    'NAT64 is not implemented yet',
  ),
  area('pki', 'Public Key Infrastructure (PKI)', 'PKI is not implemented yet'),
  area('qos', 'Quality of Service (QoS)', 'QoS is not implemented yet'),
  area('service', 'System services', 'system services are not implemented yet'),
  area('vpn', 'Virtual Private Network (VPN)', 'VPNs are not implemented yet'),
];
