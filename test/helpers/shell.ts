/** An engine on a lab's router and a terminal host that records what a front-end writes. */
import { completeLine } from '../../src/cli/complete.js';
import { ShellEngine } from '../../src/cli/engine.js';
import type { TerminalHost } from '../../src/cli/terminal.js';
import { routerAccess } from '../../src/main.js';
import { schema } from '../../src/schema/index.js';
import type { Lab } from './lab.js';

export interface TestShell {
  readonly engine: ShellEngine;
  readonly host: TerminalHost;
  output(): string;
  closed(): number | undefined;
}

export function testShell(
  lab: Lab,
  session: string,
  saveHistory: (entries: readonly string[]) => void = () => undefined,
): TestShell {
  const engine = new ShellEngine(
    schema,
    routerAccess(lab.router(), 'ops', session),
    { read: () => '', write: () => undefined },
    { user: 'ops', session, origin: 'cli', allowSecrets: false },
  );
  let out = '';
  let closed: number | undefined;
  const host: TerminalHost = {
    write: (t) => void (out += t),
    close: (c) => void (closed = c),
    user: 'ops',
    history: [],
    saveHistory,
    hostname: () => 'r1',
    complete: (line, cursor) =>
      completeLine(line, cursor, schema, {
        mode: engine.mode,
        level: engine.editLevel,
        tree: engine.completionTree,
        runtime: () => ['eth0'],
      }),
  };
  return { engine, host, output: () => out, closed: () => closed };
}
