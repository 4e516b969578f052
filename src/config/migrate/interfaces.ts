/**
 * Routing settings that VyOS 1.3 kept on interfaces and 1.4 keeps in their
 * protocol (VyOS's interfaces/23-to-24, policy/1-to-2 and 4-to-5):
 *
 *   interfaces T IF ip ospf { ... }        -> protocols ospf interface IF { ... }
 *   interfaces T IF ipv6 ospfv3 { ... }    -> protocols ospfv3 interface IF { ... }
 *   interfaces T IF ip rip / ipv6 ripng    -> protocols rip / ripng interface IF
 *   (a vif as IF.VIF, a vif-s as IF.S, a vif-c as IF.S.C)
 *   interfaces T IF policy route|route6|ipv6-route NAME -> policy route|route6 NAME interface IF
 */
import { is, kids, statement, withChildren, type Moved, type Statement } from './statements.js';

const MOVES: readonly [family: string, protocol: string][] = [
  ['ip', 'ospf'],
  ['ipv6', 'ospfv3'],
  ['ip', 'rip'],
  ['ipv6', 'ripng'],
];

function moveOut(entry: Statement, name: string, moved: Moved[]): Statement {
  const children: Statement[] = [];
  for (const c of kids(entry)) {
    if (c.children && (is(c, 'ip') || is(c, 'ipv6'))) {
      const rest: Statement[] = [];
      for (const x of c.children) {
        const move = MOVES.find(([f, p]) => f === c.name.text && p === x.name.text);
        if (move && x.children) {
          moved.push({
            path: [['protocols'], [move[1]]],
            item: statement(x, 'interface', name, x.children),
          });
        } else rest.push(x);
      }
      // An `ip` block that held only the protocol goes with it.
      if (rest.length || c.children.length === 0) children.push(withChildren(c, rest));
      continue;
    }
    if (is(c, 'policy') && c.children) {
      for (const p of c.children) {
        const family = is(p, 'route')
          ? 'route'
          : is(p, 'route6') || is(p, 'ipv6-route')
            ? 'route6'
            : '';
        if (family && p.value)
          moved.push({
            path: [['policy'], [family, p.value.text]],
            item: statement(p, 'interface', name),
          });
      }
      continue;
    }
    if ((is(c, 'vif') || is(c, 'vif-s')) && c.value && c.children) {
      const sub = `${name}.${c.value.text}`;
      let updated = moveOut(c, sub, moved);
      updated = withChildren(
        updated,
        kids(updated).map((v) =>
          is(v, 'vif-c') && v.value && v.children ? moveOut(v, `${sub}.${v.value.text}`, moved) : v,
        ),
      );
      children.push(updated);
      continue;
    }
    children.push(c);
  }
  return withChildren(entry, children);
}

export function migrateInterfaceRouting(interfaces: Statement): {
  interfaces: Statement;
  moved: Moved[];
} {
  const moved: Moved[] = [];
  const out = withChildren(
    interfaces,
    kids(interfaces).map((i) => (i.value && i.children ? moveOut(i, i.value.text, moved) : i)),
  );
  return { interfaces: out, moved };
}
