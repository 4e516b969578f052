/**
 * Command lines, `fos -c` batches and set-form files: commands of words and
 * quoted strings, separated by newlines or `;`, each optionally followed by
 * `| word ...` pipes. `#` starts a comment where a word could start.
 */
import { EmbeddedActionsParser, Lexer, type IToken } from 'chevrotain';
import type { Command, ScriptParse, SyntaxIssue, Word } from './ast.js';
import { errorMessages } from './errors.js';
import { escapeUnsafe } from './excerpt.js';
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

/** Where a chunk of a longer text starts, so positions stay those of the whole text. */
interface ChunkStart {
  readonly line: number;
  readonly offset: number;
}

const TOP: ChunkStart = { line: 0, offset: 0 };

export function tokenToWord(token: IToken, quoted: boolean, at: ChunkStart = TOP): Word {
  return {
    text: quoted ? unquote(token.image) : token.image,
    quoted,
    line: (token.startLine ?? 1) + at.line,
    column: token.startColumn ?? 1,
    offset: token.startOffset + at.offset,
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
    message: `found unexpected character '${escapeUnsafe(ch)}', expected a word`,
  };
}

/**
 * A segment of only words and quoted strings is a command by the grammar's
 * first rule; building it directly skips the parser's per-call set-up, which
 * dominates on 100k-line files. Anything else goes through the parser.
 */
function plainCommand(tokens: IToken[], at: ChunkStart): Command | undefined {
  const words: Word[] = [];
  for (const token of tokens) {
    if (token.tokenType === CommandWord) words.push(tokenToWord(token, false, at));
    else if (token.tokenType === QuotedOneLine) words.push(tokenToWord(token, true, at));
    else return undefined;
  }
  const first = tokens[0]!;
  return {
    words,
    pipes: [],
    line: (first.startLine ?? 1) + at.line,
    column: first.startColumn ?? 1,
  };
}

function shift(word: Word, at: ChunkStart): Word {
  return at === TOP
    ? word
    : { ...word, line: word.line + at.line, offset: word.offset + at.offset };
}

function parseSegment(
  tokens: IToken[],
  endOfLine: IToken | undefined,
  errors: SyntaxIssue[],
  alwaysParse: boolean,
  at: ChunkStart,
): Command | undefined {
  const plain = alwaysParse ? undefined : plainCommand(tokens, at);
  if (plain) return plain;
  const first = tokens[0]!;
  const unterminated = tokens.find((t) => t.tokenType === UnterminatedOneLine);
  if (unterminated) {
    errors.push({
      line: (unterminated.startLine ?? 1) + at.line,
      column: unterminated.startColumn ?? 1,
      message: `found an unterminated quoted string, expected a closing ${unterminated.image[0]} before the end of the line`,
    });
    return undefined;
  }
  commandParser.input = tokens;
  const result = commandParser.command();
  if (commandParser.errors.length > 0) {
    const error = commandParser.errors[0]!;
    const token = Number.isFinite(error.token.startLine)
      ? error.token
      : (endOfLine ?? tokens[tokens.length - 1]!);
    const atEnd = !Number.isFinite(error.token.startLine);
    const column =
      atEnd && token === tokens[tokens.length - 1]
        ? (token.startColumn ?? 1) + token.image.length
        : (token.startColumn ?? 1);
    errors.push({
      line: (token.startLine ?? 1) + at.line,
      column,
      message: atEnd ? error.message.replace('end of input', 'end of line') : error.message,
    });
    return undefined;
  }
  return {
    words: result.words.map((w) => shift(w, at)),
    pipes: result.pipes.map((p) => p.map((w) => shift(w, at))),
    line: (first.startLine ?? 1) + at.line,
    column: first.startColumn ?? 1,
  };
}

/**
 * Lines lexed at a time: the lexer's tokens for a chunk die young, which
 * keeps a 100k-line load out of the old heap, and a chunk is short enough
 * (a few milliseconds) for a sliced load to pause between chunks.
 */
const CHUNK_LINES = 512;

/**
 * Scan text holding any number of commands, handing each command and each
 * error (with its position in the whole text) to the callbacks as it goes.
 * `alwaysParse` sends every command through the parser (tests use it to show
 * the shortcut for plain commands gives the same result).
 */
export function scanScript(
  text: string,
  onCommand: (command: Command) => void,
  onError: (error: SyntaxIssue) => void,
  options: { alwaysParse?: boolean } = {},
): void {
  for (const _chunk of scanScriptSteps(text, onCommand, onError, options));
}

/** `scanScript` one chunk per step: a caller may give the event loop a turn between steps. */
export function* scanScriptSteps(
  text: string,
  onCommand: (command: Command) => void,
  onError: (error: SyntaxIssue) => void,
  options: { alwaysParse?: boolean } = {},
): Generator<void, void> {
  let offset = 0;
  let line = 0;
  while (offset < text.length) {
    let end = offset;
    let lines = 0;
    while (lines < CHUNK_LINES) {
      const next = text.indexOf('\n', end);
      if (next < 0) {
        end = text.length;
        break;
      }
      end = next + 1;
      lines++;
    }
    const chunk = text.slice(offset, end);
    const at: ChunkStart = offset === 0 ? TOP : { line, offset };
    scanChunk(chunk, at, onCommand, onError, options.alwaysParse ?? false);
    line += lines;
    offset = end;
    yield;
  }
}

function scanChunk(
  chunk: string,
  at: ChunkStart,
  onCommand: (command: Command) => void,
  onError: (error: SyntaxIssue) => void,
  alwaysParse: boolean,
): void {
  const lexed = scriptLexer.tokenize(chunk);
  for (const e of lexed.errors) {
    const issue = lexerIssue(e, chunk);
    onError({ ...issue, line: issue.line + at.line });
  }
  const errors: SyntaxIssue[] = [];
  let segment: IToken[] = [];
  const flush = (end: IToken | undefined): void => {
    if (segment.length === 0) return;
    const command = parseSegment(segment, end, errors, alwaysParse, at);
    if (command) onCommand(command);
    for (const e of errors.splice(0)) onError(e);
    segment = [];
  };
  for (const token of lexed.tokens) {
    if (token.tokenType === Newline || token.tokenType === Semicolon) flush(token);
    else segment.push(token);
  }
  flush(undefined);
}

/** Parse text holding any number of commands; every error is reported with its position. */
export function parseScript(text: string, options: { alwaysParse?: boolean } = {}): ScriptParse {
  const commands: Command[] = [];
  const errors: SyntaxIssue[] = [];
  scanScript(
    text,
    (c) => commands.push(c),
    (e) => errors.push(e),
    options,
  );
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { commands, errors };
}
