/**
 * The operational command tree of FOS1: one area module per part of the
 * system, each declaring its commands and completion sources. Adding a
 * command is one declaration in its area; adding an area is one module and
 * one line here.
 */
import { configurationCommands } from './configuration.js';
import { diagnosticCommands } from './diagnostics.js';
import { firewallCommands } from './firewall.js';
import { interfaceCommands } from './interfaces.js';
import { logCommands } from './log.js';
import { natCommands } from './nat.js';
import { neighborCommands } from './neighbors.js';
import { policyCommands } from './policy.js';
import { routeCommands } from './routes.js';
import { routingCommands } from './routing.js';
import { shellCommands } from './shell.js';
import { systemCommands } from './system.js';
import { wireguardCommands } from './wireguard.js';
import { xdpCommands } from './xdp.js';
import type { ContainerNode, SchemaNode, SchemaProblem } from '../schema/index.js';
import { buildOpTree, type OpArea, type OpTree } from './tree.js';

export const OP_AREAS: readonly OpArea[] = [
  shellCommands,
  configurationCommands,
  systemCommands,
  interfaceCommands,
  wireguardCommands,
  neighborCommands,
  routeCommands,
  routingCommands,
  policyCommands,
  firewallCommands,
  xdpCommands,
  natCommands,
  logCommands,
  diagnosticCommands,
];

/** The tree every part of the shell reads. */
export const opTree: OpTree = buildOpTree(OP_AREAS);

/**
 * The start-up self-check of the tree (also a unit test): the declarations
 * agree, every word has help, and every completion source that a command or
 * the schema names is in the registry.
 */
export function checkOpTree(tree: OpTree, schema: ContainerNode): SchemaProblem[] {
  const problems: SchemaProblem[] = tree.problems.map((message) => ({ path: 'op', message }));
  const visit = (node: SchemaNode, path: string): void => {
    if (
      (node.kind === 'tag' || node.kind === 'leaf' || node.kind === 'multi') &&
      node.completion?.kind === 'runtime' &&
      !tree.sources.has(node.completion.provider)
    )
      problems.push({
        path,
        message: `completion source '${node.completion.provider}' is not in the registry`,
      });
    const children =
      node.kind === 'tag'
        ? [node.entry]
        : node.kind === 'container' || node.kind === 'entry'
          ? node.children.values()
          : [];
    for (const child of children)
      visit(child, child.kind === 'entry' ? path : `${path} ${child.name}`.trim());
  };
  visit(schema, '');
  return problems;
}

export * from './context.js';
export { opSystem, type OpSystemOptions } from './access.js';
export { LoginSessions, loginSessions } from './sessions.js';
export * from './sources.js';
export * from './tree.js';
export { present, presentCommand, type Views } from './present.js';
export { ConfigurationView } from './configuration.js';
export { VERSION } from './system.js';
export { opEntry, opEntryText, type OpEntry } from './reference.js';
