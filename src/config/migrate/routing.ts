/**
 * The routing areas of a VyOS 1.3 config.boot as VyOS 1.4 migrates them:
 * one module per component (bgp, ospf, static, policy, and the routing
 * settings that lived on interfaces). Shape-driven like the firewall's
 * migration, so 1.4 input passes unchanged; where 1.4 changed a default
 * (BGP's IPv4 unicast), the footer's versions decide.
 *
 *   protocols vrf NAME { ... }             -> vrf name NAME protocols { ... }
 *   vrf name NAME protocols { ... }        -> the same migrations as the default instance's
 *   protocols igmp interface IF { ... }    -> protocols pim interface IF igmp { ... }
 */
import { migrateBgp } from './bgp.js';
import { migrateInterfaceRouting } from './interfaces.js';
import { migrateOspf, migrateOspfv3 } from './ospf.js';
import { migratePolicy } from './policy.js';
import { migrateStatic } from './static.js';
import {
  footerVersions,
  is,
  mapKids,
  putAt,
  statement,
  type Moved,
  type Statement,
} from './statements.js';

export function migrateRouting(
  statements: readonly Statement[],
  footer: readonly string[],
  migrateRule: (rule: Statement) => Statement,
): Statement[] {
  const versions = footerVersions(footer);
  const bgpVersion = versions.get('bgp');
  // A 1.3 footer names quagga but not bgp; 1.4's names both.
  const before2 = bgpVersion !== undefined ? bgpVersion < 2 : versions.has('quagga');
  const quagga = versions.get('quagga');
  const cleanup = quagga !== undefined && quagga < 7;
  const moved: Moved[] = [];
  /** One routing protocol's block, in the default instance or a VRF's. */
  const protocol = (p: Statement, into: Moved[]): Statement => {
    if (is(p, 'bgp')) {
      const r = migrateBgp(p, { before2, cleanup });
      into.push(...r.moved);
      return r.bgp;
    }
    if (is(p, 'ospf')) {
      const r = migrateOspf(p);
      into.push(...r.moved);
      return r.ospf;
    }
    if (is(p, 'ospfv3')) {
      const r = migrateOspfv3(p);
      into.push(...r.moved);
      return r.ospfv3;
    }
    if (is(p, 'static')) {
      const r = migrateStatic(p, statements, {
        routeMapMoves: quagga !== undefined && quagga < 11,
      });
      into.push(...r.moved);
      return r.static;
    }
    return p;
  };
  /** A VRF's `protocols`: what would move to `system ...` moves to `vrf name NAME ...`. */
  const vrfProtocols = (protocols: Statement, vrf: string): Statement =>
    mapKids(protocols, (p) => {
      if (!p.children) return p;
      const local: Moved[] = [];
      const r = protocol(p, local);
      for (const m of local)
        moved.push(
          m.path[0]?.[0] === 'system'
            ? { ...m, path: [['vrf'], ['name', vrf], ...m.path.slice(1)] }
            : m,
        );
      return r;
    });
  const out: Statement[] = statements.map((s) => {
    if (is(s, 'vrf') && s.children)
      return mapKids(s, (n) =>
        is(n, 'name') && n.value && n.children
          ? mapKids(n, (c) =>
              is(c, 'protocols') && c.children ? vrfProtocols(c, n.value!.text) : c,
            )
          : n,
      );
    if (is(s, 'interfaces') && s.children) {
      const r = migrateInterfaceRouting(s);
      moved.push(...r.moved);
      return r.interfaces;
    }
    if (is(s, 'policy') && s.children) return migratePolicy(s, migrateRule);
    if (is(s, 'protocols') && s.children)
      return mapKids(s, (p) => {
        if (!p.children) return p;
        if (is(p, 'vrf') && p.value) {
          // 1.3's `protocols vrf NAME { ... }` is 1.4's `vrf name NAME protocols { ... }`.
          moved.push({
            path: [['vrf'], ['name', p.value.text]],
            item: vrfProtocols(statement(p, 'protocols', undefined, p.children), p.value.text),
          });
          return undefined;
        }
        if (is(p, 'igmp')) {
          // IGMP joined PIM in 1.4: `protocols pim interface IF igmp { ... }`.
          for (const i of p.children)
            if (is(i, 'interface') && i.value)
              moved.push({
                path: [['protocols'], ['pim'], ['interface', i.value.text]],
                item: statement(i, 'igmp', undefined, i.children ?? []),
              });
          return undefined;
        }
        return protocol(p, moved);
      });
    return s;
  });
  if (moved.length === 0) return out;
  // Settings that moved areas join the top-level block they now belong to.
  let result = out;
  for (const m of moved) result = putAt(result, m.path, [m.item], m.item);
  return result;
}
