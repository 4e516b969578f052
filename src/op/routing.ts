/**
 * The routing protocols' operational commands, answered by FOS1's own FRR
 * daemons for the target (src/op/frr-ask.ts): BGP, OSPF, OSPFv3 and BFD
 * views with FRR's json and VyOS's text, `reset ip bgp`, and `restart` of one
 * routing daemon, which comes back with its configuration.
 */
import { daemonPid, frrSpace, maskSecrets, restartDaemon } from '../apply/frr.js';
import { entriesAt, getNode } from '../config/index.js';
import { daemonsFor, renderFrr, type Daemon } from '../render/frr.js';
import { anyOf, ipv4, ipv4Prefix, ipv6, ipv6Prefix } from '../schema/index.js';
import { withDefaults } from '../verify/index.js';
import { OpError, type OpContext } from './context.js';
import {
  ask,
  askFrr,
  DAEMON_AREAS,
  daemonRuns,
  notRunning,
  refusal,
  vrfArg,
  type FrrOutput,
} from './frr-ask.js';
import { command, type ArgSpec, type OpArea, type OpArgs, type OpCommand } from './tree.js';

const text = (d: FrrOutput): string[] => [...d.text];

/** A BGP neighbor: an IPv4 or IPv6 address (TAB offers the configured ones, of the VRF when one is named). */
const neighborArg: ArgSpec = {
  type: anyOf('bgp-neighbor', ipv4, ipv6),
  format: '<address>',
  help: 'BGP neighbor address',
  source: 'bgp-neighbors',
};

/** The protocol of a VRF view, with the daemon that runs it: `vrf name X protocols bgp`. */
const VRF_PROTOCOL: Partial<Record<Daemon, string>> = {
  bgpd: 'bgp',
  ospfd: 'ospf',
  ospf6d: 'ospfv3',
};

/**
 * A VRF view asks a daemon of an instance the VRF has: one it lacks is
 * refused here, naming the path (FRR would say only that it has no instance).
 */
function checkVrfInstance(ctx: OpContext, daemon: Daemon, vrf: string | undefined): void {
  const protocol = VRF_PROTOCOL[daemon];
  if (vrf === undefined || protocol === undefined) return;
  const path = ['vrf', 'name', vrf, 'protocols', protocol];
  if (getNode(ctx.system.applied(), path) === undefined)
    throw new OpError(
      `${DAEMON_AREAS[daemon].name} is not configured in VRF '${vrf}' ('${path.join(' ')}')`,
    );
}

/** A show command of one daemon: FRR's words are the command's own (arguments typed). */
function show(
  pattern: string,
  help: string,
  daemon: Daemon,
  frr: (args: OpArgs) => string,
  args?: Readonly<Record<string, ArgSpec>>,
  view: (d: FrrOutput) => string[] = text,
): OpCommand {
  return command(pattern, {
    help,
    ...(args ? { args } : {}),
    run: (ctx, a) => {
      checkVrfInstance(ctx, daemon, a['vrf']);
      return askFrr(ctx, daemon, frr(a));
    },
    text: view,
  });
}

/** FRR's `vrf NAME` words after a command's first ones, when the command names a VRF. */
const inVrf = (a: OpArgs): string => (a['vrf'] === undefined ? '' : ` vrf ${a['vrf']}`);

/**
 * ospf6d's interface text counts down to the next hello (`Hello 10(1.919)`),
 * which its json does not hold: the view shows the interval, as the json does.
 */
const withoutHelloCountdown = (d: FrrOutput): string[] =>
  d.text.map((l) => l.replace(/\b(Hello \d+)\([\d.]+\)/, '$1'));

/**
 * `show ip bgp ...` (IPv4 unicast, FRR's `show ip bgp ...`) and `show ipv6 bgp ...`
 * (IPv6 unicast: FRR's `show bgp ipv6 unicast ...`; its neighbor list is `show bgp
 * ipv6 neighbors`, which takes no SAFI), with the same words and views; with
 * `vrf`, the same of a VRF's instance (`show ip bgp vrf NAME ...`, FRR's words
 * with `vrf NAME` after `bgp`).
 */
function bgpCommands(family: 4 | 6, vrf: boolean): OpCommand[] {
  const ip = family === 4 ? 'ip' : 'ipv6';
  const head = vrf ? `show ${ip} bgp vrf <vrf>` : `show ${ip} bgp`;
  const table = (a: OpArgs): string =>
    family === 4 ? `show ip bgp${inVrf(a)}` : `show bgp${inVrf(a)} ipv6 unicast`;
  const neighbors = (a: OpArgs): string =>
    family === 4 ? `show ip bgp${inVrf(a)} neighbors` : `show bgp${inVrf(a)} ipv6 neighbors`;
  const name = family === 4 ? 'IPv4' : 'IPv6';
  const of = vrf ? ' of the VRF' : '';
  const withVrf = (args: Readonly<Record<string, ArgSpec>> = {}): Record<string, ArgSpec> =>
    vrf ? { vrf: vrfArg, ...args } : { ...args };
  return [
    show(
      `${head} [<prefix>]`,
      `The BGP table${of} (${name} unicast)`,
      'bgpd',
      (a) => (a['prefix'] ? `${table(a)} ${a['prefix']}` : table(a)),
      withVrf({
        prefix: {
          type:
            family === 4
              ? anyOf('ipv4-route', ipv4, ipv4Prefix)
              : anyOf('ipv6-route', ipv6, ipv6Prefix),
          help: 'The paths of a prefix, or of the prefix an address falls in',
        },
      }),
    ),
    show(
      `${head} summary`,
      `BGP neighbors${of} and their states, in one line each (${name} unicast)`,
      'bgpd',
      (a) => `${table(a)} summary`,
      withVrf(),
    ),
    show(
      `${head} neighbors [<address>]`,
      `BGP neighbors${of} in detail (${name})`,
      'bgpd',
      (a) => (a['address'] ? `${neighbors(a)} ${a['address']}` : neighbors(a)),
      withVrf({ address: neighborArg }),
    ),
    show(
      `${head} neighbors <address> advertised-routes`,
      `The ${name} routes sent to the neighbor`,
      'bgpd',
      (a) => `${table(a)} neighbors ${a['address']} advertised-routes`,
      withVrf({ address: neighborArg }),
    ),
    show(
      `${head} neighbors <address> received-routes`,
      `The ${name} routes received from the neighbor before import policy (needs 'soft-reconfiguration inbound')`,
      'bgpd',
      (a) => `${table(a)} neighbors ${a['address']} received-routes`,
      withVrf({ address: neighborArg }),
    ),
  ];
}

/** `show ip ospf ...` and `show ipv6 ospfv3 ...`; with `vrf`, a VRF's instance (`show ip ospf vrf NAME ...`). */
function ospfCommands(vrf: boolean): OpCommand[] {
  const views: [string, string][] = [
    ['neighbor', 'OSPF neighbors and their states'],
    ['interface', 'Interfaces OSPF runs on'],
    ['database', 'The link-state database'],
    ['route', 'The routes OSPF computed'],
  ];
  const at = vrf ? ' vrf <vrf>' : '';
  const args = vrf ? { vrf: vrfArg } : undefined;
  const of = (help: string): string => (vrf ? `${help} (in the VRF)` : help);
  return [
    ...views.map(([word, help]) =>
      show(
        `show ip ospf${at} ${word}`,
        of(help),
        'ospfd',
        (a) => `show ip ospf${inVrf(a)} ${word}`,
        args,
      ),
    ),
    ...views.map(([word, help]) =>
      show(
        `show ipv6 ospfv3${at} ${word}`,
        of(help.replace('OSPF', 'OSPFv3')),
        'ospf6d',
        (a) => `show ipv6 ospf6${inVrf(a)} ${word}`,
        args,
        word === 'interface' ? withoutHelloCountdown : text,
      ),
    ),
  ];
}

/** What `reset ip bgp` did. */
interface BgpReset {
  readonly neighbor: string;
  readonly vrf?: string;
  readonly soft: 'in' | 'out' | 'both' | undefined;
}

async function resetBgp(
  ctx: OpContext,
  neighbor: string,
  soft: BgpReset['soft'],
  vrf: string | undefined,
): Promise<BgpReset> {
  if (!daemonRuns(ctx, 'bgpd')) throw notRunning(ctx, 'bgpd');
  checkVrfInstance(ctx, 'bgpd', vrf);
  const words = `clear ip bgp ${vrf === undefined ? '' : `vrf ${vrf} `}${neighbor}${soft === undefined ? '' : soft === 'both' ? ' soft' : ` soft ${soft}`}`;
  const [reply] = await ask(ctx, 'bgpd', [words]);
  refusal(reply!);
  ctx.system.note('reset-bgp', words, 'ok');
  return { neighbor, ...(vrf === undefined ? {} : { vrf }), soft };
}

const resetText = (d: BgpReset): string[] => {
  const who = `${d.neighbor}${d.vrf === undefined ? '' : ` in VRF ${d.vrf}`}`;
  return [
    d.soft === undefined
      ? `The BGP session with ${who} was reset.`
      : `The BGP routes ${{ in: 'from', out: 'to', both: 'from and to' }[d.soft]} ${who} were refreshed; the session stays.`,
  ];
};

/** `reset ip bgp [vrf NAME] <address> [soft [in|out]]`. */
function resetCommands(inVrf: boolean): OpCommand[] {
  const at = inVrf ? 'reset ip bgp vrf <vrf> <address>' : 'reset ip bgp <address>';
  const args: Record<string, ArgSpec> = inVrf
    ? { vrf: vrfArg, address: neighborArg }
    : { address: neighborArg };
  const ways: [string, string, BgpReset['soft']][] = [
    [
      '',
      inVrf
        ? "Reset a BGP session of the VRF's own BGP instance"
        : 'Reset the BGP session with the neighbor',
      undefined,
    ],
    [' soft', 'Refresh the routes both ways without resetting the session', 'both'],
    [
      ' soft in',
      'Ask the neighbor to send its routes again (route refresh), and apply the import policy anew',
      'in',
    ],
    [' soft out', 'Send the neighbor its routes again, through the export policy', 'out'],
  ];
  return ways.map(([words, help, soft]) =>
    command(`${at}${words}`, {
      help,
      args,
      run: (ctx, a) => resetBgp(ctx, a['address']!, soft, a['vrf']),
      text: resetText,
    }),
  );
}

/** What `restart bgp` did. */
interface DaemonRestart {
  readonly daemon: Daemon;
  readonly before: number | undefined;
  readonly pid: number | undefined;
  readonly commands: number;
}

/**
 * Stop one routing daemon of FOS1's pathspace and start it again with its
 * part of the running configuration, while no commit runs.
 */
async function restart(ctx: OpContext, daemon: Daemon): Promise<DaemonRestart> {
  return ctx.system.whileNoCommit(async () => {
    const config = renderFrr(withDefaults(ctx.system.running().tree, ctx.schema));
    const area = DAEMON_AREAS[daemon];
    if (!daemonsFor(config).includes(daemon))
      throw new OpError(
        `${area.name} is not configured ('${area.path}'), so ${daemon} does not run`,
      );
    const space = frrSpace(ctx.system.target);
    const before = daemonPid(space, daemon);
    const problems = await restartDaemon(space, daemon, config[daemon]);
    const pid = daemonPid(space, daemon);
    const outcome = problems.length
      ? `refused: ${problems.map((p) => maskSecrets(`${p.line}: ${p.message}`)).join('; ')}`
      : 'ok';
    ctx.system.note('restart', daemon, outcome);
    if (problems.length) throw new OpError(`${daemon} was restarted, but it ${outcome}`);
    return { daemon, before, pid, commands: config[daemon].length };
  });
}

const restartText = (d: DaemonRestart): string[] => [
  `${d.daemon} was restarted${d.before === undefined ? ' (it was not running)' : ''} and given its configuration; its PID is ${d.pid ?? 'unknown'}.`,
];

const RESTARTS: [string, Daemon][] = [
  ['bgp', 'bgpd'],
  ['ospf', 'ospfd'],
  ['ospfv3', 'ospf6d'],
  ['static', 'staticd'],
  ['bfd', 'bfdd'],
];

export const routingCommands: OpArea = {
  name: 'routing',
  words: {
    'show ip ospf': 'OSPF (IPv4) information',
    'show ipv6 ospfv3': 'OSPFv3 (IPv6) information',
    'show ip ospf vrf': 'OSPF (IPv4) of a VRF',
    'show ipv6 ospfv3 vrf': 'OSPFv3 (IPv6) of a VRF',
    'show bfd': 'BFD information',
    'reset ip': 'IPv4 sessions',
  },
  commands: [
    ...bgpCommands(4, false),
    ...bgpCommands(4, true),
    ...bgpCommands(6, false),
    ...bgpCommands(6, true),
    ...ospfCommands(false),
    ...ospfCommands(true),
    show('show bfd peers', 'BFD peers and their states', 'bfdd', () => 'show bfd peers'),
    ...resetCommands(false),
    ...resetCommands(true),
    ...RESTARTS.map(([word, daemon]) =>
      command(`restart ${word}`, {
        help: `Restart ${daemon} (${DAEMON_AREAS[daemon].name}) with its configuration`,
        run: (ctx) => restart(ctx, daemon),
        text: restartText,
      }),
    ),
  ],
  sources: [
    {
      name: 'bgp-neighbors',
      help: "The BGP neighbors of the running configuration (a VRF's own after 'vrf NAME')",
      read: (system, args) => {
        const vrf = args['vrf'];
        const base = vrf === undefined ? [] : ['vrf', 'name', vrf];
        return entriesAt(system.applied(), ...base, 'protocols', 'bgp', 'neighbor').map(
          ([address]) => address,
        );
      },
    },
  ],
};
