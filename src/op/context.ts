/** What an operational command's handler may use: the running system, the session's shell, the schema. */
import type { Target } from '../apply/target.js';
import type { ConfigNode } from '../config/index.js';
import type { ContainerNode } from '../schema/index.js';
import type { RevisionSummary } from '../store/store.js';

/** The router as operational commands read it (src/op/access.ts wires it from the Router). */
export interface OpSystem {
  /** The namespace the commands read (`ip -n`, `nft`, `conntrack`). */
  readonly target: Target;
  running(): { id: number; tree: ConfigNode };
  /** Revision n back from running (0 is running). */
  back(n: number): { id: number; tree: ConfigNode } | undefined;
  /** Committed revisions, newest first. */
  revisions(): readonly RevisionSummary[];
  /** What differs between the system and the running configuration. */
  drift(): Promise<string[]>;
}

/** What the shell engine does for the commands that change the session itself. */
export interface ShellControl {
  /** Enter configuration mode; the reason when this session may not. */
  configure(exclusive: boolean): string | undefined;
  setTerminal(setting: 'length' | 'width', value: number): void;
  /** End the session after this command. */
  exit(): void;
}

export interface OpContext {
  readonly schema: ContainerNode;
  readonly system: OpSystem;
  readonly shell: ShellControl;
  /** A tree as this command may show it: secrets hidden unless asked for and allowed. */
  visible(tree: ConfigNode): ConfigNode;
}

/** A refusal a handler reports to the user (not an internal error): `firewall group 'X' does not exist`. */
export class OpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpError';
  }
}
