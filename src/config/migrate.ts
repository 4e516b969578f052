/**
 * VyOS 1.3 config.boot files use firewall, zone and NAT syntax that VyOS 1.4
 * migrates when it boots; FOS1 does the same when it loads the curly form, so
 * an old config.boot loads as the configuration it stands for. Only shapes
 * that are not valid 1.4 are rewritten, so 1.4 input passes unchanged. New
 * statements keep the position of the one they come from: errors still point
 * at the line the operator wrote. Pure.
 *
 *   firewall all-ping|...|syn-cookies    -> firewall global-options ...
 *   firewall state-policy                -> firewall global-options state-policy
 *   firewall config-trap                 -> (removed in 1.4)
 *   firewall name X / ipv6-name X        -> firewall ipv4 name X / ipv6 name X
 *   rule: state { established enable }   -> state established
 *         log enable | log disable       -> log | (nothing)
 *         icmp(v6) { type NAME }         -> icmp(v6) { type-name NAME }
 *         tcp { flags "SYN,!ACK" }       -> tcp { flags { syn; not { ack } } }
 *         recent { time SECONDS }        -> recent { time second|minute|hour }
 *   chain: enable-default-log            -> default-log
 *   firewall options interface X adjust-mss V -> interfaces TYPE X ip adjust-mss V
 *   zone-policy zone X (intrazone)       -> firewall zone X (intra-zone-filtering)
 *   nat ... outbound-interface|inbound-interface IF -> ... { name IF }
 *   system conntrack modules X disable   -> (module left out)
 *   system conntrack modules sip { ... } -> system conntrack modules sip
 *   system conntrack ignore rule N       -> system conntrack ignore ipv4 rule N
 *
 * The routing areas (protocols, policy, and the routing settings of
 * interfaces) and WireGuard peers migrate in src/config/migrate/, one module
 * per component.
 */
import { migrateRouting } from './migrate/routing.js';
import { migrateWireguard } from './migrate/wireguard.js';
import {
  footerVersions,
  mergeInto,
  statement,
  withChildren,
  word,
  type Statement,
} from './migrate/statements.js';

export { footerVersions } from './migrate/statements.js';

// ------------------------------------------------------------------ firewall rules

const TCP_FLAG_NAMES = new Set(['syn', 'ack', 'fin', 'rst', 'urg', 'psh', 'ecn', 'cwr']);

function recentUnit(seconds: number): string {
  if (seconds <= 1) return 'second';
  if (seconds <= 60) return 'minute';
  return 'hour';
}

function migrateRule(rule: Statement): Statement {
  if (!rule.children) return rule;
  const out: Statement[] = [];
  for (const c of rule.children.map(shortDescription)) {
    const name = c.name.text;
    if (name === 'state' && c.children) {
      for (const s of c.children)
        if (s.value?.text === 'enable') out.push(statement(s, 'state', s.name.text));
    } else if (name === 'log' && c.value) {
      if (c.value.text === 'enable') out.push(statement(c, 'log'));
    } else if ((name === 'icmp' || name === 'icmpv6') && c.children) {
      out.push(
        withChildren(
          c,
          c.children.flatMap((t) => {
            if (t.name.text !== 'type' || !t.value || /^\d+$/.test(t.value.text)) return [t];
            // `type 1/1` is type and code; `type echo-request` a type name.
            const typeCode = /^(\d+)\/(\d+)$/.exec(t.value.text);
            if (typeCode)
              return [statement(t, 'type', typeCode[1]), statement(t, 'code', typeCode[2])];
            return [{ ...t, name: word('type-name', t.name) }];
          }),
        ),
      );
    } else if (name === 'tcp' && c.children) {
      out.push(
        withChildren(
          c,
          c.children.map((f) => {
            if (f.name.text !== 'flags' || !f.value) return f;
            const set: Statement[] = [];
            const not: Statement[] = [];
            for (const part of f.value.text.toLowerCase().split(',')) {
              const bare = part.replace(/^!/, '');
              if (!TCP_FLAG_NAMES.has(bare)) continue;
              (part.startsWith('!') ? not : set).push(statement(f, bare));
            }
            if (not.length) set.push(statement(f, 'not', undefined, not));
            return statement(f, 'flags', undefined, set);
          }),
        ),
      );
    } else if (name === 'recent' && c.children) {
      out.push(
        withChildren(
          c,
          c.children.map((t) =>
            t.name.text === 'time' && t.value && /^\d+$/.test(t.value.text)
              ? statement(t, 'time', recentUnit(Number(t.value.text)))
              : t,
          ),
        ),
      );
    } else out.push(c);
  }
  return withChildren(rule, out);
}

/** VyOS 1.4 keeps descriptions to 255 characters and cuts longer ones when it migrates. */
function shortDescription(s: Statement): Statement {
  if (s.name.text !== 'description' || !s.value || s.value.text.length <= 255) return s;
  return { ...s, value: { ...s.value, text: s.value.text.slice(0, 255) } };
}

function migrateChain(chain: Statement): Statement {
  if (!chain.children) return chain;
  return withChildren(
    chain,
    chain.children.map((c) => {
      if (c.name.text === 'enable-default-log') return statement(c, 'default-log');
      if (c.name.text === 'rule') return migrateRule(c);
      return shortDescription(c);
    }),
  );
}

// ------------------------------------------------------------------ firewall

const GLOBAL_OPTIONS = new Set([
  'all-ping',
  'broadcast-ping',
  'ip-src-route',
  'ipv6-receive-redirects',
  'ipv6-src-route',
  'log-martians',
  'receive-redirects',
  'send-redirects',
  'source-validation',
  'syn-cookies',
  'twa-hazards-protection',
  'state-policy',
]);

/** Interface family words by name prefix, for moving `firewall options interface X adjust-mss`. */
const FAMILIES: [RegExp, string][] = [
  [/^(eth|lan|eno|ens|enp)/, 'ethernet'],
  [/^br/, 'bridge'],
  [/^bond/, 'bonding'],
  [/^pppoe/, 'pppoe'],
  [/^wg/, 'wireguard'],
  [/^vtun/, 'openvpn'],
  [/^tun/, 'tunnel'],
  [/^vti/, 'vti'],
  [/^vxlan/, 'vxlan'],
  [/^dum/, 'dummy'],
  [/^lo$/, 'loopback'],
];

/** `adjust-mss` settings of `firewall options`, as `FAMILY NAME { ip { adjust-mss V } }` statements. */
function mssStatements(options: Statement): Statement[] {
  const out: Statement[] = [];
  for (const iface of options.children ?? []) {
    if (iface.name.text !== 'interface' || !iface.value || !iface.children) continue;
    const [base, vif] = iface.value.text.split('.');
    const family = FAMILIES.find(([re]) => re.test(base!))?.[1];
    if (!family) continue;
    const settings: Statement[] = [];
    for (const s of iface.children) {
      if (s.name.text === 'adjust-mss' && s.value)
        settings.push(statement(s, 'ip', undefined, [statement(s, 'adjust-mss', s.value.text)]));
      if (s.name.text === 'adjust-mss6' && s.value)
        settings.push(statement(s, 'ipv6', undefined, [statement(s, 'adjust-mss', s.value.text)]));
    }
    if (settings.length === 0) continue;
    const inner = vif ? [statement(iface, 'vif', vif, settings)] : settings;
    out.push(statement(iface, family, base, inner));
  }
  return out;
}

function migrateFirewall(fw: Statement, mss: Statement[]): Statement {
  const kept: Statement[] = [];
  const globals: Statement[] = [];
  const v4: Statement[] = [];
  const v6: Statement[] = [];
  for (const c of fw.children ?? []) {
    const name = c.name.text;
    if (name === 'config-trap') continue;
    if (GLOBAL_OPTIONS.has(name)) globals.push(c);
    else if (name === 'name' && c.children) v4.push(migrateChain(c));
    else if (name === 'ipv6-name' && c.children)
      v6.push(migrateChain({ ...c, name: word('name', c.name) }));
    else if (name === 'options' && c.children) for (const m of mssStatements(c)) mss.push(m);
    else if (name === 'group' && c.children)
      kept.push(
        withChildren(
          c,
          c.children.map((kind) => withChildren(kind, (kind.children ?? []).map(shortDescription))),
        ),
      );
    else if ((name === 'ipv4' || name === 'ipv6') && c.children)
      kept.push(
        withChildren(
          c,
          c.children.map((chain) => (chain.children ? migrateChainDeep(chain) : chain)),
        ),
      );
    else kept.push(c);
  }
  mergeInto(kept, 'global-options', globals, fw);
  mergeInto(kept, 'ipv4', v4, fw);
  mergeInto(kept, 'ipv6', v6, fw);
  return withChildren(fw, kept);
}

/** 1.4 chains (`ipv4 name X`, `ipv4 forward filter`) may still hold 1.3 rule shapes. */
function migrateChainDeep(s: Statement): Statement {
  if (s.name.text === 'name') return migrateChain(s);
  return withChildren(
    s,
    (s.children ?? []).map((c) => (c.name.text === 'filter' && c.children ? migrateChain(c) : c)),
  );
}

function migrateZone(zone: Statement): Statement {
  if (!zone.children) return zone;
  return withChildren(
    zone,
    zone.children.map((c) =>
      c.name.text === 'intrazone' ? { ...c, name: word('intra-zone-filtering', c.name) } : c,
    ),
  );
}

// ------------------------------------------------------------------ NAT, conntrack

function migrateNat(nat: Statement): Statement {
  return withChildren(
    nat,
    (nat.children ?? []).map((kind) =>
      withChildren(
        kind,
        (kind.children ?? []).map((rule) =>
          withChildren(
            rule,
            (rule.children ?? []).map((c) =>
              (c.name.text === 'outbound-interface' || c.name.text === 'inbound-interface') &&
              c.value &&
              !c.children
                ? statement(c, c.name.text, undefined, [statement(c, 'name', c.value.text)])
                : c,
            ),
          ),
        ),
      ),
    ),
  );
}

function migrateConntrack(ct: Statement): Statement {
  const out: Statement[] = [];
  for (const c of ct.children ?? []) {
    if (c.name.text === 'modules' && c.children) {
      const modules = c.children
        .filter((m) => !(m.children ?? []).some((x) => x.name.text === 'disable'))
        .filter((m) => m.value?.text !== 'disable')
        .map((m) => (m.children || m.value ? statement(m, m.name.text) : m));
      out.push(withChildren(c, modules));
    } else if (c.name.text === 'ignore' && c.children?.some((r) => r.name.text === 'rule')) {
      const rules = c.children.filter((r) => r.name.text === 'rule');
      const rest = c.children.filter((r) => r.name.text !== 'rule');
      out.push(withChildren(c, [...rest, statement(c, 'ipv4', undefined, rules)]));
    } else out.push(c);
  }
  return withChildren(ct, out);
}

// ------------------------------------------------------------------ entry point

/** Conntrack helpers were all on before conntrack@3; VyOS's migration writes them out. */
const HELPERS_BEFORE_V3 = ['ftp', 'h323', 'nfs', 'pptp', 'sip', 'sqlnet', 'tftp'];

function withAllHelpers(statements: Statement[], at: Statement): void {
  const system = statements.findIndex((s) => s.name.text === 'system' && s.children);
  const sys = system >= 0 ? statements[system]! : statement(at, 'system', undefined, []);
  const children = [...sys.children!];
  const ct = children.findIndex((c) => c.name.text === 'conntrack' && c.children);
  const conntrack = ct >= 0 ? children[ct]! : statement(at, 'conntrack', undefined, []);
  const modules = conntrack.children!.find((c) => c.name.text === 'modules');
  // Listed modules (1.3: `modules X disable` turned one off) were migrated already; add the rest.
  const mentioned = new Set((modules?.children ?? []).map((m) => m.name.text));
  const disabled = new Set(
    (modules?.children ?? [])
      .filter(
        (m) => m.value?.text === 'disable' || m.children?.some((x) => x.name.text === 'disable'),
      )
      .map((m) => m.name.text),
  );
  const added = HELPERS_BEFORE_V3.filter((h) => !mentioned.has(h) && !disabled.has(h)).map((h) =>
    statement(at, h),
  );
  if (added.length === 0) return;
  const updated = [...conntrack.children!];
  mergeInto(updated, 'modules', added, at);
  const newConntrack = withChildren(conntrack, updated);
  if (ct >= 0) children[ct] = newConntrack;
  else children.push(newConntrack);
  const newSystem = withChildren(sys, children);
  if (system >= 0) statements[system] = newSystem;
  else statements.push(newSystem);
}

export function migrateVyos13(
  statements: readonly Statement[],
  footer: readonly string[] = [],
): Statement[] {
  // Before its own migration runs: which helpers 1.3 had switched off.
  const conntrackVersion = footerVersions(footer).get('conntrack');
  const original = [...statements];
  if (conntrackVersion !== undefined && conntrackVersion < 3 && original.length > 0)
    withAllHelpers(original, original[0]!);
  statements = original;
  const out: Statement[] = [];
  const zones: Statement[] = [];
  const mss: Statement[] = [];
  let zonePolicy: Statement | undefined;
  for (const s of statements) {
    const name = s.name.text;
    if (!s.children) out.push(s);
    else if (name === 'firewall') out.push(migrateFirewall(s, mss));
    else if (name === 'zone-policy') {
      zonePolicy = s;
      for (const z of s.children) if (z.name.text === 'zone') zones.push(migrateZone(z));
    } else if (name === 'nat') out.push(migrateNat(s));
    else if (name === 'interfaces') out.push(migrateWireguard(s));
    else if (name === 'system')
      out.push(
        withChildren(
          s,
          s.children.map((c) => (c.name.text === 'conntrack' ? migrateConntrack(c) : c)),
        ),
      );
    else out.push(s);
  }
  if (zonePolicy) {
    mergeInto(out, 'firewall', zones, zonePolicy);
    const fw = out.findIndex((x) => x.name.text === 'firewall' && x.children);
    out[fw] = chainsReturn(out[fw]!);
  }
  if (mss.length) {
    const at = mss[0]!;
    const index = out.findIndex((s) => s.name.text === 'interfaces' && s.children);
    const ifaces = index >= 0 ? out[index]! : statement(at, 'interfaces', undefined, []);
    const children = [...ifaces.children!];
    for (const m of mss) mergeInterface(children, m);
    if (index >= 0) out[index] = withChildren(ifaces, children);
    else out.push(withChildren(ifaces, children));
  }
  return migrateRouting(out, footer, migrateRule);
}

/**
 * In 1.3 a zone's chain accepted; in 1.4 it returns, so the packet goes on to
 * the rest of the firewall. When a configuration has zones, VyOS's migration
 * turns `accept` into `return` in every named chain (rules and default
 * action); so does this one.
 */
function chainsReturn(fw: Statement): Statement {
  const toReturn = (s: Statement): Statement =>
    (s.name.text === 'action' || s.name.text === 'default-action') && s.value?.text === 'accept'
      ? { ...s, value: { ...s.value, text: 'return' } }
      : s;
  const inChain = (chain: Statement): Statement =>
    withChildren(
      chain,
      (chain.children ?? []).map((c) =>
        c.name.text === 'rule' && c.children
          ? withChildren(c, c.children.map(toReturn))
          : toReturn(c),
      ),
    );
  return withChildren(
    fw,
    fw.children!.map((family) =>
      (family.name.text === 'ipv4' || family.name.text === 'ipv6') && family.children
        ? withChildren(
            family,
            family.children.map((chain) =>
              chain.name.text === 'name' && chain.children ? inChain(chain) : chain,
            ),
          )
        : family,
    ),
  );
}

/** Merge `FAMILY NAME { settings }` into the interfaces block, joining an existing entry. */
function mergeInterface(list: Statement[], entry: Statement): void {
  const index = list.findIndex(
    (s) => s.name.text === entry.name.text && s.value?.text === entry.value?.text && s.children,
  );
  if (index < 0) list.push(entry);
  else list[index] = withChildren(list[index]!, [...list[index]!.children!, ...entry.children!]);
}
