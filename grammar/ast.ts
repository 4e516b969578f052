/** What the parsers produce. Positions are 1-based lines and columns. */

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** One word of a command line: a bare word or the unquoted text of a quoted string. */
export interface Word extends Position {
  readonly text: string;
  readonly quoted: boolean;
  /** Offset of the word's first character in the source text. */
  readonly offset: number;
  /** Length of the word as written, quotes and escapes included. */
  readonly length: number;
}

/** A command and the `| word ...` pipes that follow it. */
export interface Command extends Position {
  readonly words: readonly Word[];
  readonly pipes: readonly (readonly Word[])[];
}

export interface SyntaxIssue extends Position {
  /** A sentence naming what was found and what was expected. */
  readonly message: string;
}

export interface ScriptParse {
  readonly commands: readonly Command[];
  readonly errors: readonly SyntaxIssue[];
}

/** A statement of the curly-brace form: `name [value] { children }` or `name [value]`. */
export interface BootStatement extends Position {
  readonly name: Word;
  readonly value?: Word;
  /** Present for `{ ... }` blocks, absent for leaves. */
  readonly children?: readonly BootStatement[];
  /** Comments written just before the statement, without their delimiters. */
  readonly comments: readonly string[];
  /** Written with Junos's `inactive:` mark before it. */
  readonly inactive?: boolean;
}

export interface BootParse {
  readonly statements: readonly BootStatement[];
  /** Comments after the last statement: the version footer of a config.boot file. */
  readonly footer: readonly string[];
  readonly errors: readonly SyntaxIssue[];
}
