/**
 * `protocols static` from VyOS 1.3 to 1.4 (VyOS's quagga/8-to-9, 10-to-11
 * and system/23-to-24):
 *
 *   interface-route(6) P next-hop-interface IF { ... } -> route(6) P interface IF { ... }
 *   route(6) P next-hop G next-hop-interface IF       -> route(6) P next-hop G interface IF
 *   ... next-hop-vrf V                                 -> ... vrf V
 *   (the same inside `table N`)
 *   static route-map X (before quagga@11) -> system ip protocol static route-map X
 *   (valid 1.4 again later, so only a footer that says so moves it)
 *   static arp HOST hwaddr MAC             -> static arp interface IF address HOST mac MAC,
 *                                             IF being the interface whose subnet holds HOST
 */
import { ipv4ToNumber, isIPv4, isIPv4AddressPrefix } from '../../schema/index.js';
import {
  is,
  kids,
  mapKids,
  putAt,
  renamed,
  statement,
  withChildren,
  type Moved,
  type Statement,
} from './statements.js';

const gatewayWords = (s: Statement): Statement =>
  mapKids(s, (c) =>
    is(c, 'next-hop-interface')
      ? renamed(c, 'interface')
      : is(c, 'next-hop-vrf')
        ? renamed(c, 'vrf')
        : c,
  );

function routes(list: readonly Statement[]): Statement[] {
  let out: Statement[] = [];
  const fromInterfaceRoutes: [string, string, Statement][] = [];
  for (const c of list) {
    if ((is(c, 'interface-route') || is(c, 'interface-route6')) && c.value && c.children) {
      const family = is(c, 'interface-route') ? 'route' : 'route6';
      for (const nh of c.children)
        if (is(nh, 'next-hop-interface') && nh.value)
          fromInterfaceRoutes.push([family, c.value.text, renamed(nh, 'interface')]);
      continue;
    }
    if ((is(c, 'route') || is(c, 'route6')) && c.children)
      out.push(
        mapKids(c, (g) =>
          (is(g, 'next-hop') || is(g, 'interface')) && g.children ? gatewayWords(g) : g,
        ),
      );
    else out.push(c);
  }
  for (const [family, prefix, item] of fromInterfaceRoutes)
    out = putAt(out, [[family, prefix]], [gatewayWords(item)], item);
  return out;
}

/** The interfaces of the configuration with their IPv4 addresses (`eth0.10` for a vif). */
function interfaceAddresses(top: readonly Statement[]): [string, string][] {
  const out: [string, string][] = [];
  const addresses = (s: Statement, name: string): void => {
    for (const c of kids(s)) {
      if (is(c, 'address') && c.value && isIPv4AddressPrefix(c.value.text))
        out.push([name, c.value.text]);
      if ((is(c, 'vif') || is(c, 'vif-s') || is(c, 'vif-c')) && c.value)
        addresses(c, `${name}.${c.value.text}`);
    }
  };
  for (const t of top)
    if (is(t, 'interfaces')) for (const i of kids(t)) if (i.value) addresses(i, i.value.text);
  return out;
}

function inSubnet(host: string, prefix: string): boolean {
  const [address, length] = prefix.split('/') as [string, string];
  const bits = Number(length);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (ipv4ToNumber(host) & mask) >>> 0 === (ipv4ToNumber(address) & mask) >>> 0;
}

function staticArp(arp: readonly Statement[], top: readonly Statement[]): Statement[] {
  const owners = interfaceAddresses(top);
  let out: Statement[] = [];
  for (const entry of arp) {
    const host = entry.value!.text;
    const mac = kids(entry).find((c) => is(c, 'hwaddr') && c.value);
    if (!mac || !isIPv4(host)) continue;
    for (const [name, prefix] of owners)
      if (inSubnet(host, prefix))
        out = putAt(
          out,
          [
            ['interface', name],
            ['address', host],
          ],
          [statement(mac, 'mac', mac.value!.text)],
          entry,
        );
  }
  return out;
}

export function migrateStatic(
  s: Statement,
  top: readonly Statement[],
  options: { readonly routeMapMoves: boolean },
): { static: Statement; moved: Moved[] } {
  const moved: Moved[] = [];
  const oldArp = kids(s).filter((c) => is(c, 'arp') && c.value && c.children);
  let children = routes(kids(s).filter((c) => !oldArp.includes(c)));
  children = children.flatMap((c): Statement[] => {
    if (options.routeMapMoves && is(c, 'route-map') && c.value && !c.children) {
      moved.push({ path: [['system'], ['ip'], ['protocol', 'static']], item: c });
      return [];
    }
    if (is(c, 'table') && c.children) return [withChildren(c, routes(c.children))];
    return [c];
  });
  if (oldArp.length) children = putAt(children, [['arp']], staticArp(oldArp, top), oldArp[0]!);
  return { static: withChildren(s, children), moved };
}
