/** Configuration mode's command words: TAB, `?`, prefixes and `help` read them. */
import type { ValueHelp } from '../schema/index.js';

/** The command words of configuration mode; a nested table is the words that may follow. */
export interface CommandWord {
  readonly help: string;
  readonly next?: Readonly<Record<string, CommandWord>>;
  /** After this word comes a configuration path. */
  readonly path?: boolean;
  /** After this word comes a free value (a file, a number). */
  readonly value?: ValueHelp;
  /** Complete as typed: Enter is a choice here. */
  readonly done?: boolean;
  /** After this word comes an operational command (`run`). */
  readonly op?: boolean;
}

const revision: ValueHelp = { format: '<N>', description: 'Revision number (0 is running)' };

/** The words of configuration mode's commands (TAB, `?`, prefixes and `help` read them). */
export const CONFIGURATION: Readonly<Record<string, CommandWord>> = {
  annotate: { help: 'Attach a comment to a node', path: true },
  comment: { help: 'Attach a comment to a node', path: true },
  commit: {
    help: 'Apply the candidate configuration',
    done: true,
    next: {
      'and-quit': { help: 'Commit, then leave configuration mode', done: true },
      check: { help: 'Verify and show what would change; change nothing', done: true },
      comment: {
        help: 'Record a comment with the revision',
        value: { format: '<text>', description: 'Comment' },
      },
      confirmed: {
        help: 'Roll back unless confirmed in N minutes',
        done: true,
        value: { format: '<1-65535>', description: 'Minutes (default 10)' },
      },
    },
  },
  compare: {
    help: 'Show changes against running or a revision',
    done: true,
    next: { rollback: { help: 'Against revision N', value: revision } },
    value: revision,
  },
  confirm: { help: 'Confirm a commit confirmed', done: true },
  activate: { help: 'Apply an inactive node again', path: true },
  copy: { help: 'Copy a tag entry', path: true },
  deactivate: { help: 'Keep a node in the configuration without applying it', path: true },
  delete: { help: 'Delete a value or a subtree', path: true },
  discard: { help: 'Discard the changes of this session', done: true },
  edit: { help: 'Move to a level of the configuration', path: true },
  exit: {
    help: 'Leave this level, or configuration mode',
    done: true,
    next: { discard: { help: 'Leave, discarding changes', done: true } },
  },
  help: {
    help: 'Show the reference entry of a command or path',
    done: true,
  },
  insert: {
    help: 'Move a rule before or after another, renumbering as needed',
    path: true,
  },
  load: {
    help: 'Replace the candidate with a file',
    value: { format: '<file>', description: 'File in set or curly form' },
  },
  merge: {
    help: 'Merge a file into the candidate',
    value: { format: '<file>', description: 'File in set or curly form' },
  },
  rename: { help: 'Rename a tag entry', path: true },
  rollback: { help: 'Load revision N into the candidate', value: revision },
  run: { help: 'Run an operational command', op: true },
  save: {
    help: 'Save the candidate to a file',
    value: { format: '<file>', description: 'File (.set for set form)' },
  },
  set: { help: 'Set a value or create a node', path: true },
  show: { help: 'Show the candidate configuration', done: true, path: true },
  top: { help: 'Move to the top level', done: true },
  up: { help: 'Move up one level', done: true },
  update: { help: 'Rebase the candidate on the newest running configuration', done: true },
};
