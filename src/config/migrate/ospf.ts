/**
 * `protocols ospf` and `ospfv3` from VyOS 1.3 to 1.4 (VyOS's ospf/0-to-1 and
 * 1-to-2):
 *
 *   ospf passive-interface IF            -> ospf interface IF passive
 *   ospf passive-interface default       -> (kept)
 *   ospf passive-interface-exclude IF    -> ospf interface IF passive disable
 *   ospf route-map X                     -> system ip protocol ospf route-map X
 *   ospfv3 area A interface IF           -> ospfv3 interface IF area A
 *   ospfv3 route-map X                   -> system ipv6 protocol ospfv3 route-map X
 */
import {
  is,
  kids,
  putAt,
  statement,
  withChildren,
  type Moved,
  type Statement,
} from './statements.js';

export function migrateOspf(ospf: Statement): { ospf: Statement; moved: Moved[] } {
  const moved: Moved[] = [];
  let children: Statement[] = [];
  const later: [string, Statement][] = [];
  for (const c of kids(ospf)) {
    if (is(c, 'passive-interface') && c.value && c.value.text !== 'default' && !c.children)
      later.push([c.value.text, statement(c, 'passive', undefined, [])]);
    else if (is(c, 'passive-interface-exclude') && c.value && !c.children)
      later.push([c.value.text, statement(c, 'passive', undefined, [statement(c, 'disable')])]);
    else if (is(c, 'route-map') && c.value && !c.children)
      moved.push({ path: [['system'], ['ip'], ['protocol', 'ospf']], item: c });
    else children.push(c);
  }
  for (const [name, item] of later) children = putAt(children, [['interface', name]], [item], item);
  return { ospf: withChildren(ospf, children), moved };
}

export function migrateOspfv3(ospfv3: Statement): { ospfv3: Statement; moved: Moved[] } {
  const moved: Moved[] = [];
  let children: Statement[] = [];
  const later: [string, Statement][] = [];
  for (const c of kids(ospfv3)) {
    if (is(c, 'route-map') && c.value && !c.children) {
      moved.push({ path: [['system'], ['ipv6'], ['protocol', 'ospfv3']], item: c });
      continue;
    }
    if (is(c, 'area') && c.value && c.children) {
      const area = c.value.text;
      const interfaces = c.children.filter((x) => is(x, 'interface') && x.value && !x.children);
      for (const i of interfaces) later.push([i.value!.text, statement(i, 'area', area)]);
      children.push(
        withChildren(
          c,
          c.children.filter((x) => !interfaces.includes(x)),
        ),
      );
      continue;
    }
    children.push(c);
  }
  for (const [name, item] of later) children = putAt(children, [['interface', name]], [item], item);
  return { ospfv3: withChildren(ospfv3, children), moved };
}
