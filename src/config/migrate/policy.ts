/**
 * `policy` from VyOS 1.3 to 1.4 (VyOS's policy/0-to-1 .. 7-to-8 and
 * quagga/9-to-10):
 *
 *   policy ipv6-route NAME                 -> policy route6 NAME
 *   route(6) rules: log enable, state { established enable }, tcp flags "SYN,!ACK"
 *                                           -> as firewall rules migrate
 *   route(6) NAME enable-default-log       -> default-log
 *   route-map rule set as-path-prepend|as-path-exclude V -> set as-path prepend|exclude V
 *   route-map rule set extcommunity-rt|extcommunity-soo V -> set extcommunity rt|soo (one per value)
 *   route-map rule set community "A B additive" -> set community add A, add B
 *   route-map rule set community "A B"     -> set community replace A, replace B
 *   route-map rule set community none      -> set community none
 *   route-map rule set comm-list { comm-list X } -> set community delete X (unless replaced)
 *   route-map rule set large-community ... and large-comm-list-delete X: the same
 *   route-map rule match ipv6 nexthop V    -> match ipv6 nexthop address V
 */
import {
  is,
  kids,
  mapKids,
  renamed,
  statement,
  withChildren,
  type Statement,
} from './statements.js';

/** `community "65000:1 65000:2 additive"` as the 1.4 statements, and whether it added. */
function communities(c: Statement): { items: Statement[]; additive: boolean } {
  const list = (c.value?.text ?? '').split(' ').filter(Boolean);
  if (list.includes('none')) return { items: [statement(c, 'none')], additive: false };
  const additive = list.includes('additive');
  const action = additive ? 'add' : 'replace';
  return {
    items: list.filter((x) => x !== 'additive').map((x) => statement(c, action, x)),
    additive,
  };
}

function migrateSet(set: Statement): Statement {
  const out: Statement[] = [];
  const asPath: Statement[] = [];
  const ext: Statement[] = [];
  let community: Statement[] | undefined;
  let large: Statement[] | undefined;
  let additive = true;
  let largeAdditive = false;
  let commList: Statement | undefined;
  let largeDelete: Statement | undefined;
  for (const c of kids(set)) {
    if ((is(c, 'as-path-prepend') || is(c, 'as-path-exclude')) && c.value && !c.children)
      asPath.push(statement(c, c.name.text.slice('as-path-'.length), c.value.text));
    else if ((is(c, 'extcommunity-rt') || is(c, 'extcommunity-soo')) && c.value && !c.children)
      for (const v of c.value.text.split(' ').filter(Boolean))
        ext.push(statement(c, c.name.text.slice('extcommunity-'.length), v));
    else if (is(c, 'extcommunity') && c.children)
      for (const e of c.children)
        if ((is(e, 'rt') || is(e, 'soo')) && e.value && e.value.text.includes(' '))
          for (const v of e.value.text.split(' ').filter(Boolean))
            ext.push(statement(e, e.name.text, v));
        else ext.push(e);
    else if (is(c, 'community') && c.value && !c.children) {
      const r = communities(c);
      community = [...(community ?? []), ...r.items];
      additive = r.additive;
    } else if (is(c, 'large-community') && c.value && !c.children) {
      const r = communities(c);
      large = [...(large ?? []), ...r.items];
      largeAdditive = r.additive;
    } else if (is(c, 'comm-list') && c.children) commList = c;
    else if (is(c, 'large-comm-list-delete') && c.value && !c.children) largeDelete = c;
    else out.push(c);
  }
  const inner = commList ? kids(commList).find((x) => is(x, 'comm-list') && x.value) : undefined;
  if (inner && additive)
    community = [...(community ?? []), statement(inner, 'delete', inner.value!.text)];
  if (largeDelete && largeAdditive)
    large = [...(large ?? []), statement(largeDelete, 'delete', largeDelete.value!.text)];
  const join = (name: string, items: Statement[] | undefined, at: Statement): void => {
    if (!items?.length) return;
    const i = out.findIndex((s) => is(s, name) && s.children);
    if (i < 0) out.push(statement(at, name, undefined, items));
    else out[i] = withChildren(out[i]!, [...out[i]!.children!, ...items]);
  };
  join('as-path', asPath, asPath[0] ?? set);
  if (ext.length) {
    const i = out.findIndex((s) => is(s, 'extcommunity') && s.children);
    if (i >= 0) out.splice(i, 1);
    out.push(statement(ext[0]!, 'extcommunity', undefined, ext));
  }
  join('community', community, community?.[0] ?? set);
  join('large-community', large, large?.[0] ?? set);
  return withChildren(set, out);
}

function migrateMatch(match: Statement): Statement {
  return mapKids(match, (m) =>
    is(m, 'ipv6') && m.children
      ? mapKids(m, (x) =>
          is(x, 'nexthop') && x.value && !x.children
            ? statement(x, 'nexthop', undefined, [statement(x, 'address', x.value.text)])
            : x,
        )
      : m,
  );
}

function migrateRouteMap(map: Statement): Statement {
  return mapKids(map, (rule) =>
    is(rule, 'rule') && rule.children
      ? mapKids(rule, (c) =>
          is(c, 'set') && c.children
            ? migrateSet(c)
            : is(c, 'match') && c.children
              ? migrateMatch(c)
              : c,
        )
      : rule,
  );
}

export function migratePolicy(
  policy: Statement,
  migrateRule: (rule: Statement) => Statement,
): Statement {
  return mapKids(policy, (c) => {
    if (is(c, 'route-map') && c.children) return migrateRouteMap(c);
    if ((is(c, 'route') || is(c, 'route6') || is(c, 'ipv6-route')) && c.children) {
      const named = is(c, 'ipv6-route') ? renamed(c, 'route6') : c;
      return mapKids(named, (r) =>
        is(r, 'rule') && r.children
          ? migrateRule(r)
          : is(r, 'enable-default-log')
            ? renamed(r, 'default-log')
            : r,
      );
    }
    return c;
  });
}
