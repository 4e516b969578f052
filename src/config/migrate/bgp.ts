/**
 * `protocols bgp` from VyOS 1.3 to 1.4, as VyOS's bgp/0-to-1 .. 2-to-3 and
 * quagga/3-to-4 .. 7-to-8 migrate it:
 *
 *   bgp ASN { ... }                      -> bgp { system-as ASN; ... }
 *   bgp { local-as ASN }                 -> bgp { system-as ASN }
 *   bgp maximum-paths ebgp|ibgp N        -> address-family ipv4-unicast maximum-paths ...
 *   bgp route-map X                      -> system ip protocol bgp route-map X
 *   parameters scan-time | disable-network-import-check -> (removed)
 *   parameters enforce-first-as          -> neighbor * enforce-first-as
 *   neighbor disable-send-community      -> neighbor address-family ipv4-unicast disable-send-community
 *   neighbor address-family * capability dynamic -> neighbor capability dynamic
 *   neighbor address-family * peer-group -> neighbor peer-group
 *   parameters default no-ipv4-unicast   -> (removed; it is 1.4's default)
 *   otherwise, before bgp@2: every neighbor without an IPv4 address family
 *   (and whose peer-group has none) gets `address-family ipv4-unicast`, which
 *   1.3 gave it implicitly.
 */
import { isIPv4, isIPv6 } from '../../schema/index.js';
import {
  block,
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

/** 6-to-7: per-family capability dynamic and peer-group move to the neighbor. */
function neighborSettings(peer: Statement, cleanup: boolean): Statement {
  const address = peer.value?.text ?? '';
  let dynamic = false;
  let peerGroup: Statement | undefined;
  let children = [...kids(peer)];
  const sendCommunity = children.find((c) => is(c, 'disable-send-community'));
  if (sendCommunity) {
    children = children.filter((c) => c !== sendCommunity);
    children = putAt(
      children,
      [['address-family'], ['ipv4-unicast']],
      [sendCommunity],
      sendCommunity,
    );
  }
  children = children.map((c) =>
    !is(c, 'address-family') || !c.children
      ? c
      : mapKids(c, (afi) => {
          if (!afi.children) return afi;
          const family = afi.name.text;
          const kept = afi.children.flatMap((o): Statement[] => {
            if (is(o, 'capability') && o.children) {
              const rest = o.children.filter((x) => !is(x, 'dynamic'));
              if (rest.length !== o.children.length) dynamic = true;
              return rest.length ? [withChildren(o, rest)] : [];
            }
            if (is(o, 'peer-group') && o.value) {
              if (
                (isIPv4(address) && family === 'ipv4-unicast') ||
                (isIPv6(address) && family === 'ipv6-unicast')
              )
                peerGroup = o;
              return [];
            }
            return [o];
          });
          // quagga/6-to-7 (before quagga@7) cleans up an address family the move emptied;
          // bgp/1-to-2 (after it) leaves it.
          return kept.length === 0 && afi.children.length > 0 && cleanup
            ? undefined
            : withChildren(afi, kept);
        }),
  );
  if (cleanup)
    children = children.filter(
      (c) => !(is(c, 'address-family') && c.children?.length === 0) || kids(peer).includes(c),
    );
  if (dynamic) children = putAt(children, [['capability']], [statement(peer, 'dynamic')], peer);
  if (peerGroup && !children.some((c) => is(c, 'peer-group'))) children.push(peerGroup);
  return withChildren(peer, children);
}

function hasIPv4Family(s: Statement | undefined): boolean {
  return block(kids(block(kids(s), 'address-family')), 'ipv4-unicast') !== undefined;
}

export function migrateBgp(
  bgp: Statement,
  options: { readonly before2: boolean; readonly cleanup: boolean },
): { bgp: Statement; moved: Moved[] } {
  const moved: Moved[] = [];
  let children: Statement[] = [...kids(bgp)];
  let wasTag = false;
  if (bgp.value) {
    // One BGP instance in 1.4: its ASN becomes `system-as`.
    wasTag = true;
    children = [statement(bgp, 'system-as', bgp.value.text), ...children];
    const { value: _asn, ...rest } = bgp;
    void _asn;
    bgp = rest;
  }
  children = children.map((c) => (is(c, 'local-as') && !c.children ? renamed(c, 'system-as') : c));
  const maxPaths = children.find((c) => is(c, 'maximum-paths') && c.children);
  if (maxPaths) {
    children = children.filter((c) => c !== maxPaths);
    children = putAt(
      children,
      [['address-family'], ['ipv4-unicast'], ['maximum-paths']],
      kids(maxPaths).filter((m) => is(m, 'ebgp') || is(m, 'ibgp')),
      maxPaths,
    );
  }
  const routeMap = children.find((c) => is(c, 'route-map') && !c.children);
  if (routeMap) {
    children = children.filter((c) => c !== routeMap);
    moved.push({ path: [['system'], ['ip'], ['protocol', 'bgp']], item: routeMap });
  }
  let enforceFirstAs = false;
  let noIPv4Unicast = false;
  children = children.flatMap((c): Statement[] => {
    if (!is(c, 'parameters') || !c.children) return [c];
    const kept = c.children.flatMap((p): Statement[] => {
      if (is(p, 'scan-time') || is(p, 'disable-network-import-check')) return [];
      if (is(p, 'enforce-first-as')) {
        enforceFirstAs = true;
        return [];
      }
      if (is(p, 'default') && p.children?.some((d) => is(d, 'no-ipv4-unicast'))) {
        noIPv4Unicast = true;
        const rest = p.children.filter((d) => !is(d, 'no-ipv4-unicast'));
        return rest.length ? [withChildren(p, rest)] : [];
      }
      return [p];
    });
    return kept.length || c.children.length === 0 ? [withChildren(c, kept)] : [];
  });
  children = children.map((c) =>
    (is(c, 'neighbor') || is(c, 'peer-group')) && c.children
      ? neighborSettings(c, options.cleanup)
      : c,
  );
  if (enforceFirstAs)
    children = children.map((c) =>
      is(c, 'neighbor') && c.children
        ? withChildren(c, [...c.children, statement(c, 'enforce-first-as')])
        : c,
    );
  if ((options.before2 || wasTag) && !noIPv4Unicast) {
    const groups = new Map(
      children.filter((c) => is(c, 'peer-group') && c.value).map((g) => [g.value!.text, g]),
    );
    children = children.map((c) => {
      if (!is(c, 'neighbor') || !c.children || hasIPv4Family(c)) return c;
      const group = c.children.find((x) => is(x, 'peer-group') && x.value)?.value?.text;
      if (group !== undefined && hasIPv4Family(groups.get(group))) return c;
      return withChildren(c, withIPv4Family(c));
    });
  }
  return { bgp: withChildren(bgp, children), moved };
}

/** A neighbor's children with an (empty) `address-family ipv4-unicast` added. */
function withIPv4Family(neighbor: Statement): Statement[] {
  const children = [...kids(neighbor)];
  const i = children.findIndex((c) => is(c, 'address-family') && c.children);
  const family = statement(neighbor, 'ipv4-unicast', undefined, []);
  if (i < 0) children.push(statement(neighbor, 'address-family', undefined, [family]));
  else children[i] = withChildren(children[i]!, [...children[i]!.children!, family]);
  return children;
}
