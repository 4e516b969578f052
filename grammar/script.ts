/**
 * Command lines, `fos -c` batches and set-form files: commands of words and
 * quoted strings, separated by newlines or `;`, each optionally followed by
 * `| word ...` pipes. `#` starts a comment where a word could start.
 */
import { EmbeddedActionsParser, Lexer, type IToken } from 'chevrotain';
import type { Command, ScriptParse, SyntaxIssue, Word } from './ast.js';
import { errorMessages } from './errors.js';
import {
  CommandWord,
  commandTokens,
  Newline,
  Pipe,
  QuotedOneLine,
  Semicolon,
  UnterminatedOneLine,
  unquote,
} from './tokens.js';

const scriptLexer = new Lexer(commandTokens, {
  positionTracking: 'onlyStart',
  ensureOptimizations: false,
  // Only LF ends a line: a stray CR or U+2028 inside a value must not shift the line numbers.
  lineTerminatorsPattern: /\n/g,
  lineTerminatorCharacters: ['\n'],
});

export function tokenToWord(token: IToken, quoted: boolean): Word {
  return {
    text: quoted ? unquote(token.image) : token.image,
    quoted,
    line: token.startLine ?? 1,
    column: token.startColumn ?? 1,
    offset: token.startOffset,
    length: token.image.length,
  };
}

class CommandParser extends EmbeddedActionsParser {
  constructor() {
    super(commandTokens, { errorMessageProvider: errorMessages, maxLookahead: 1 });
    this.performSelfAnalysis();
  }

  public command = this.RULE('command', (): { words: Word[]; pipes: Word[][] } => {
    const words = this.SUBRULE(this.words);
    const pipes: Word[][] = [];
    this.MANY(() => {
      this.CONSUME(Pipe);
      pipes.push(this.SUBRULE2(this.words));
    });
    return { words, pipes };
  });

  private words = this.RULE('words', (): Word[] => {
    const words: Word[] = [];
    this.AT_LEAST_ONE(() => {
      this.OR([
        { ALT: () => words.push(tokenToWord(this.CONSUME(CommandWord), false)) },
        { ALT: () => words.push(tokenToWord(this.CONSUME(QuotedOneLine), true)) },
      ]);
    });
    return words;
  });
}

const commandParser = new CommandParser();

function lexerIssue(
  error: { line?: number; column?: number; offset: number; length: number },
  text: string,
): SyntaxIssue {
  const ch = text.slice(error.offset, error.offset + 1);
  return {
    line: error.line ?? 1,
    column: error.column ?? 1,
    message: `found unexpected character ${JSON.stringify(ch)}, expected a word`,
  };
}

/**
 * A segment of only words and quoted strings is a command by the grammar's
 * first rule; building it directly skips the parser's per-call set-up, which
 * dominates on 100k-line files. Anything else goes through the parser.
 */
function plainCommand(tokens: IToken[]): Command | undefined {
  const words: Word[] = [];
  for (const token of tokens) {
    if (token.tokenType === CommandWord) words.push(tokenToWord(token, false));
    else if (token.tokenType === QuotedOneLine) words.push(tokenToWord(token, true));
    else return undefined;
  }
  const first = tokens[0]!;
  return { words, pipes: [], line: first.startLine ?? 1, column: first.startColumn ?? 1 };
}

function parseSegment(
  tokens: IToken[],
  endOfLine: IToken | undefined,
  errors: SyntaxIssue[],
  alwaysParse: boolean,
): Command | undefined {
  const plain = alwaysParse ? undefined : plainCommand(tokens);
  if (plain) return plain;
  const first = tokens[0]!;
  const unterminated = tokens.find((t) => t.tokenType === UnterminatedOneLine);
  if (unterminated) {
    errors.push({
      line: unterminated.startLine ?? 1,
      column: unterminated.startColumn ?? 1,
      message: `found an unterminated quoted string, expected a closing ${unterminated.image[0]} before the end of the line`,
    });
    return undefined;
  }
  commandParser.input = tokens;
  const result = commandParser.command();
  if (commandParser.errors.length > 0) {
    const error = commandParser.errors[0]!;
    const at = Number.isFinite(error.token.startLine)
      ? error.token
      : (endOfLine ?? tokens[tokens.length - 1]!);
    const atEnd = !Number.isFinite(error.token.startLine);
    const column =
      atEnd && at === tokens[tokens.length - 1]
        ? (at.startColumn ?? 1) + at.image.length
        : (at.startColumn ?? 1);
    errors.push({
      line: at.startLine ?? 1,
      column,
      message: atEnd ? error.message.replace('end of input', 'end of line') : error.message,
    });
    return undefined;
  }
  return {
    words: result.words,
    pipes: result.pipes,
    line: first.startLine ?? 1,
    column: first.startColumn ?? 1,
  };
}

/**
 * Parse text holding any number of commands; every error is reported with its
 * position. `alwaysParse` sends every command through the parser (tests use it
 * to show the shortcut for plain commands gives the same result).
 */
export function parseScript(text: string, options: { alwaysParse?: boolean } = {}): ScriptParse {
  const lexed = scriptLexer.tokenize(text);
  const errors: SyntaxIssue[] = lexed.errors.map((e) => lexerIssue(e, text));
  const commands: Command[] = [];
  let segment: IToken[] = [];
  const flush = (end: IToken | undefined): void => {
    if (segment.length === 0) return;
    const command = parseSegment(segment, end, errors, options.alwaysParse ?? false);
    if (command) commands.push(command);
    segment = [];
  };
  for (const token of lexed.tokens) {
    if (token.tokenType === Newline || token.tokenType === Semicolon) flush(token);
    else segment.push(token);
  }
  flush(undefined);
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { commands, errors };
}
