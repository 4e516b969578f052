/**
 * WireGuard peers of a VyOS 1.3 config.boot as VyOS 1.4 migrates them
 * (interfaces/7-to-8 and 25-to-26):
 *
 *   peer P { pubkey K }               -> peer P { public-key K }
 *   peer P { endpoint 192.0.2.1:51820 } -> peer P { address 192.0.2.1; port 51820 }
 *   peer P { endpoint [2001:db8::1]:51820 } -> peer P { address 2001:db8::1; port 51820 }
 *
 * 1.3 kept the private key in a file (`private-key default` names it); 1.4
 * keeps the key itself. FOS1 cannot read the old file, so such a value stays
 * and fails the key's type, naming the line.
 */
import { is, mapKids, renamed, statement, type Statement } from './statements.js';

function migratePeer(peer: Statement): Statement {
  return mapKids(peer, (c) => {
    if (is(c, 'pubkey')) return renamed(c, 'public-key');
    if (is(c, 'endpoint') && c.value) {
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(c.value.text);
      if (m) return [statement(c, 'address', m[1]!), statement(c, 'port', m[2]!)];
    }
    return c;
  });
}

export function migrateWireguard(interfaces: Statement): Statement {
  return mapKids(interfaces, (family) =>
    is(family, 'wireguard') && family.children
      ? mapKids(family, (c) => (is(c, 'peer') && c.children ? migratePeer(c) : c))
      : family,
  );
}
