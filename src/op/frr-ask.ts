/**
 * What the routing commands ask FRR: one daemon of FOS1's own pathspace for
 * the target, over its vty socket (src/apply/frr.ts), never a shell. The
 * words sent are the command's own keywords and arguments its value type
 * accepted (an address is an address), so nothing else reaches the daemon.
 */
import { askDaemon, daemonPid, FrrRefusal, frrSpace } from '../apply/frr.js';
import { entriesAt, getNode, type ConfigNode } from '../config/index.js';
import type { Daemon } from '../render/frr.js';
import { vrfName } from '../schema/fragments.js';
import { OpError, type OpContext } from './context.js';
import type { ArgSpec } from './tree.js';

/**
 * A VRF of the running configuration (`vrf name NAME`): the schema's name
 * pattern, so nothing else reaches FRR; TAB offers the configured ones, and
 * one that is not configured is refused, naming it, before FRR is asked.
 */
export const vrfArg: ArgSpec = {
  type: vrfName,
  format: '<name>',
  help: 'A VRF of the running configuration',
  reference: { what: 'VRF', path: ['vrf', 'name'] },
  instead: {
    default: "the default VRF is the command without 'vrf NAME'",
    main: "the main table is the command without 'vrf NAME'",
    all: 'name one VRF (TAB lists those configured)',
  },
};

/**
 * FRR's answer to a show command: its json, which `| display json` prints,
 * and its text, which is what VyOS 1.4 prints for the command (VyOS's op mode
 * runs vtysh for these). Both are read in one vty session.
 */
export class FrrOutput {
  constructor(
    readonly json: unknown,
    readonly text: readonly string[],
  ) {}

  toJSON(): unknown {
    return this.json;
  }
}

/** The configuration area and name of each daemon, for messages. */
export const DAEMON_AREAS: Record<Daemon, { readonly path: string; readonly name: string }> = {
  zebra: { path: 'protocols', name: 'zebra' },
  staticd: { path: 'protocols static', name: 'static routing' },
  bgpd: { path: 'protocols bgp', name: 'BGP' },
  ospfd: { path: 'protocols ospf', name: 'OSPF' },
  ospf6d: { path: 'protocols ospfv3', name: 'OSPFv3' },
  bfdd: { path: 'protocols bfd', name: 'BFD' },
};

/** Why a daemon does not answer: not configured, or not running (FOS1 starts it again). */
export function notRunning(ctx: OpContext, daemon: Daemon): OpError {
  const area = DAEMON_AREAS[daemon];
  const words = area.path.split(' ');
  const configuredIn = (tree: ConfigNode): boolean =>
    daemon === 'zebra' ||
    daemon === 'staticd' ||
    getNode(tree, words) !== undefined ||
    // A VRF's instance runs on the same daemon.
    entriesAt(tree, 'vrf', 'name').some(
      ([name]) => getNode(tree, ['vrf', 'name', name, ...words]) !== undefined,
    );
  if (configuredIn(ctx.system.applied()))
    return new OpError(
      `${daemon} is not running in this namespace (see show system drift; fos serve starts it again)`,
    );
  return new OpError(
    configuredIn(ctx.system.running().tree)
      ? `${area.name} is configured but inactive (deactivated, or under a deactivated node), so ${daemon} does not run`
      : `${area.name} is not configured ('${area.path}'), so ${daemon} does not run`,
  );
}

/** Whether a daemon of FOS1's pathspace runs for the target. */
export function daemonRuns(ctx: OpContext, daemon: Daemon): boolean {
  return daemonPid(frrSpace(ctx.system.target), daemon) !== undefined;
}

/** The lines of a vty reply, without the empty lines FRR leaves at its end. */
export const replyLines = (text: string): string[] => text.replace(/\s+$/, '').split('\n');

/**
 * Commands to a daemon in its enable node (bfdd has its show commands there
 * only, `clear ip bgp` is there): their replies; a refusal is FRR's words.
 */
export async function ask(
  ctx: OpContext,
  daemon: Daemon,
  commands: readonly string[],
): Promise<string[]> {
  return askDaemon(frrSpace(ctx.system.target), daemon, commands, { enable: true }).catch(
    (e: unknown) => {
      throw e instanceof FrrRefusal ? new OpError(`${daemon}: ${e.reason}`) : e;
    },
  );
}

/**
 * Ask a daemon a show command, as text and as json. A reply that starts with
 * `% ` is FRR's refusal or "not found" (`% Network not in table`): an error
 * in FRR's words.
 */
export async function askFrr(ctx: OpContext, daemon: Daemon, command: string): Promise<FrrOutput> {
  if (!daemonRuns(ctx, daemon)) throw notRunning(ctx, daemon);
  const [text, json] = await ask(ctx, daemon, [command, `${command} json`]);
  refusal(text!);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json!);
  } catch {
    throw new Error(`${daemon} answered '${command} json' with something that is not JSON`);
  }
  return new FrrOutput(parsed, replyLines(text!));
}

/** Throw FRR's own words when its reply is a refusal (`% BGP: Unknown neighbor - "192.0.2.9"`). */
export function refusal(text: string): void {
  const first = text.trimStart();
  if (first.startsWith('% ')) throw new OpError(first.slice(2).split('\n')[0]!.trim());
}
