/**
 * The routing protocols' operational commands, answered by FOS1's own FRR
 * daemons for the target (src/op/frr-ask.ts): BGP, OSPF, OSPFv3 and BFD
 * views with FRR's json and VyOS's text, `reset ip bgp`, and `restart` of one
 * routing daemon, which comes back with its configuration.
 */
import { daemonPid, frrSpace, maskSecrets, restartDaemon } from '../apply/frr.js';
import { entriesAt } from '../config/index.js';
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
  type FrrOutput,
} from './frr-ask.js';
import { command, type ArgSpec, type OpArea, type OpCommand } from './tree.js';

const text = (d: FrrOutput): string[] => [...d.text];

/** A BGP neighbor: an IPv4 or IPv6 address (TAB offers the configured ones). */
const neighborArg: ArgSpec = {
  type: anyOf('bgp-neighbor', ipv4, ipv6),
  format: '<address>',
  help: 'BGP neighbor address',
  source: 'bgp-neighbors',
};

/** A show command of one daemon: FRR's words are the command's own (arguments typed). */
function show(
  pattern: string,
  help: string,
  daemon: Daemon,
  frr: (args: Readonly<Record<string, string | undefined>>) => string,
  args?: Readonly<Record<string, ArgSpec>>,
  view: (d: FrrOutput) => string[] = text,
): OpCommand {
  return command(pattern, {
    help,
    ...(args ? { args } : {}),
    run: (ctx, a) => askFrr(ctx, daemon, frr(a)),
    text: view,
  });
}

/**
 * ospf6d's interface text counts down to the next hello (`Hello 10(1.919)`),
 * which its json does not hold: the view shows the interval, as the json does.
 */
const withoutHelloCountdown = (d: FrrOutput): string[] =>
  d.text.map((l) => l.replace(/\b(Hello \d+)\([\d.]+\)/, '$1'));

/**
 * `show ip bgp ...` (IPv4 unicast, FRR's `show ip bgp ...`) and `show ipv6 bgp ...`
 * (IPv6 unicast: FRR's `show bgp ipv6 unicast ...`; its neighbor list is `show bgp
 * ipv6 neighbors`, which takes no SAFI), with the same words and views.
 */
function bgpCommands(family: 4 | 6): OpCommand[] {
  const ip = family === 4 ? 'ip' : 'ipv6';
  const table = family === 4 ? 'show ip bgp' : 'show bgp ipv6 unicast';
  const neighbors = family === 4 ? 'show ip bgp neighbors' : 'show bgp ipv6 neighbors';
  const name = family === 4 ? 'IPv4' : 'IPv6';
  return [
    show(
      `show ${ip} bgp [<prefix>]`,
      `The BGP table (${name} unicast)`,
      'bgpd',
      (a) => (a['prefix'] ? `${table} ${a['prefix']}` : table),
      {
        prefix: {
          type:
            family === 4
              ? anyOf('ipv4-route', ipv4, ipv4Prefix)
              : anyOf('ipv6-route', ipv6, ipv6Prefix),
          help: 'The paths of a prefix, or of the prefix an address falls in',
        },
      },
    ),
    show(
      `show ${ip} bgp summary`,
      `BGP neighbors and their states, in one line each (${name} unicast)`,
      'bgpd',
      () => `${table} summary`,
    ),
    show(
      `show ${ip} bgp neighbors [<address>]`,
      `BGP neighbors in detail (${name})`,
      'bgpd',
      (a) => (a['address'] ? `${neighbors} ${a['address']}` : neighbors),
      { address: neighborArg },
    ),
    show(
      `show ${ip} bgp neighbors <address> advertised-routes`,
      `The ${name} routes sent to the neighbor`,
      'bgpd',
      (a) => `${table} neighbors ${a['address']} advertised-routes`,
      { address: neighborArg },
    ),
    show(
      `show ${ip} bgp neighbors <address> received-routes`,
      `The ${name} routes received from the neighbor before import policy (needs 'soft-reconfiguration inbound')`,
      'bgpd',
      (a) => `${table} neighbors ${a['address']} received-routes`,
      { address: neighborArg },
    ),
  ];
}

function ospfCommands(): OpCommand[] {
  const views: [string, string][] = [
    ['neighbor', 'OSPF neighbors and their states'],
    ['interface', 'Interfaces OSPF runs on'],
    ['database', 'The link-state database'],
    ['route', 'The routes OSPF computed'],
  ];
  return [
    ...views.map(([word, help]) =>
      show(`show ip ospf ${word}`, help, 'ospfd', () => `show ip ospf ${word}`),
    ),
    ...views.map(([word, help]) =>
      show(
        `show ipv6 ospfv3 ${word}`,
        help.replace('OSPF', 'OSPFv3'),
        'ospf6d',
        () => `show ipv6 ospf6 ${word}`,
        undefined,
        word === 'interface' ? withoutHelloCountdown : text,
      ),
    ),
  ];
}

/** What `reset ip bgp` did. */
interface BgpReset {
  readonly neighbor: string;
  readonly soft: 'in' | 'out' | 'both' | undefined;
}

async function resetBgp(
  ctx: OpContext,
  neighbor: string,
  soft?: BgpReset['soft'],
): Promise<BgpReset> {
  if (!daemonRuns(ctx, 'bgpd')) throw notRunning(ctx, 'bgpd');
  const words = `clear ip bgp ${neighbor}${soft === undefined ? '' : soft === 'both' ? ' soft' : ` soft ${soft}`}`;
  const [reply] = await ask(ctx, 'bgpd', [words]);
  refusal(reply!);
  ctx.system.note('reset-bgp', words, 'ok');
  return { neighbor, soft };
}

const resetText = (d: BgpReset): string[] => [
  d.soft === undefined
    ? `The BGP session with ${d.neighbor} was reset.`
    : `The BGP routes ${{ in: 'from', out: 'to', both: 'from and to' }[d.soft]} ${d.neighbor} were refreshed; the session stays.`,
];

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
    'show bfd': 'BFD information',
    'reset ip': 'IPv4 sessions',
  },
  commands: [
    ...bgpCommands(4),
    ...bgpCommands(6),
    ...ospfCommands(),
    show('show bfd peers', 'BFD peers and their states', 'bfdd', () => 'show bfd peers'),
    command('reset ip bgp <address>', {
      help: 'Reset the BGP session with the neighbor',
      args: { address: neighborArg },
      run: (ctx, a) => resetBgp(ctx, a['address']!),
      text: resetText,
    }),
    command('reset ip bgp <address> soft', {
      help: 'Refresh the routes both ways without resetting the session',
      args: { address: neighborArg },
      run: (ctx, a) => resetBgp(ctx, a['address']!, 'both'),
      text: resetText,
    }),
    command('reset ip bgp <address> soft in', {
      help: 'Ask the neighbor to send its routes again (route refresh), and apply the import policy anew',
      args: { address: neighborArg },
      run: (ctx, a) => resetBgp(ctx, a['address']!, 'in'),
      text: resetText,
    }),
    command('reset ip bgp <address> soft out', {
      help: 'Send the neighbor its routes again, through the export policy',
      args: { address: neighborArg },
      run: (ctx, a) => resetBgp(ctx, a['address']!, 'out'),
      text: resetText,
    }),
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
      help: 'The BGP neighbors of the running configuration',
      read: (system) =>
        entriesAt(system.running().tree, 'protocols', 'bgp', 'neighbor').map(
          ([address]) => address,
        ),
    },
  ],
};
