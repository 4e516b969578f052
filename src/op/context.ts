/** What an operational command's handler may use: the running system, the session's shell, the schema. */
import type { Target } from '../apply/target.js';
import type { ConfigNode } from '../config/index.js';
import type { ContainerNode } from '../schema/index.js';
import type { AuditEntry, RevisionSummary } from '../store/store.js';

/** One logged-in session, as `show system users` lists it. */
export interface LoginSession {
  readonly user: string;
  /** Where it came from: the SSH client's address, or `local` (fos shell, fos -c). */
  readonly from: string;
  /** ISO time it started. */
  readonly since: string;
  /** `ssh`, `cli`, `batch`. */
  readonly origin: string;
  readonly mode: 'operational' | 'configuration';
  /** The session asking (`show system users` marks it). */
  readonly self?: boolean;
}

/** An entry of FOS1's own log (the audit table of the store). */
export interface LogEntry extends AuditEntry {
  readonly id: number;
}

/** What only the daemon (`fos serve`) can do; absent in a process without one. */
export interface DaemonControl {
  /** Stop the SSH listener and start it again (the key read anew); sessions stay. */
  restartSsh(): Promise<string>;
}

/** The router as operational commands read it (src/op/access.ts wires it from the Router). */
export interface OpSystem {
  /** The namespace the commands read (`ip -n`, `nft`, `conntrack`). */
  readonly target: Target;
  running(): { id: number; tree: ConfigNode };
  /** The running configuration as applied: without its inactive nodes (what views of the system compare with). */
  applied(): ConfigNode;
  /** Revision n back from running (0 is running). */
  back(n: number): { id: number; tree: ConfigNode } | undefined;
  /** Committed revisions, newest first. */
  revisions(): readonly RevisionSummary[];
  /** What differs between the system and the running configuration. */
  drift(): Promise<string[]>;
  /** Where FOS1 keeps its store (`show system storage` reports its file system). */
  readonly stateDirectory: string;
  /** The sessions logged in to this process (the daemon's, or this process's own). */
  sessions(): readonly LoginSession[];
  /** FOS1's own log, oldest first: the newest `limit` entries, or those after id `after`. */
  log(options: { after?: number; limit: number }): readonly LogEntry[];
  /** Small values operational commands keep in the store (the interface counter baseline). */
  readonly state: {
    get(key: string): string | undefined;
    set(key: string, value: string): void;
  };
  /** Run `work` while no commit runs (refused, naming the holder, when another process commits). */
  whileNoCommit<T>(work: () => Promise<T>): Promise<T>;
  /** Write an entry to FOS1's log (an operational action such as `clear interfaces counters`). */
  note(kind: string, text: string, outcome: string): void;
  /** The daemon's own services; undefined when this process is not `fos serve`. */
  readonly daemon?: DaemonControl;
}

/**
 * The output of a live command (ping, traceroute, monitor): lines shown as
 * they come, and the signal that tells it to stop (Ctrl-C or `q`, the
 * session ending).
 */
export interface OpLive {
  /** A line of the text view, shown at once where the front-end can (dropped for `| display json`). */
  line(text: string): void;
  readonly signal: AbortSignal;
}

/** What the shell engine does for the commands that change the session itself. */
export interface ShellControl {
  /** Enter configuration mode; the reason when this session may not. */
  configure(exclusive: boolean): string | undefined;
  setTerminal(setting: 'length' | 'width', value: number): void;
  /** End the session after this command. */
  exit(): void;
  /** What `help` prints in this session's mode: the commands and their help. */
  help(): string[];
}

export interface OpContext {
  readonly schema: ContainerNode;
  readonly system: OpSystem;
  readonly shell: ShellControl;
  /** A tree as this command may show it: secrets hidden unless asked for and allowed. */
  visible(tree: ConfigNode): ConfigNode;
  /** Where a live command writes as it goes, and what stops it. */
  readonly live: OpLive;
}

/** A refusal a handler reports to the user (not an internal error): `firewall group 'X' does not exist`. */
export class OpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpError';
  }
}
