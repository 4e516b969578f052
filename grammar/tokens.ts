/**
 * Tokens shared by the command-line / set-form lexer and the curly-brace
 * `config.boot` lexer. The grammar knows nothing of the schema: a keyword is
 * just a word, and the consumer decides what it means.
 */
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\f\v]+/,
  group: Lexer.SKIPPED,
});

// ---------------------------------------------------------------- command lines

export const LineComment = createToken({
  name: 'LineComment',
  pattern: /#[^\n]*/,
  group: Lexer.SKIPPED,
});
export const Newline = createToken({ name: 'Newline', pattern: /\n/, line_breaks: true });
export const Pipe = createToken({ name: 'Pipe', pattern: /\|/, label: "'|'" });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, label: "';'" });

/** A double- or single-quoted string on one line, with backslash escapes. */
export const QuotedOneLine = createToken({
  name: 'Quoted',
  pattern: /"(?:[^"\\\n]|\\[^\n])*"|'(?:[^'\\\n]|\\[^\n])*'/,
  label: 'a quoted string',
});
/** A quote that is not closed before the end of the line: reported, never guessed at. */
export const UnterminatedOneLine = createToken({
  name: 'UnterminatedQuote',
  pattern: /"(?:[^"\\\n]|\\[^\n])*\\?|'(?:[^'\\\n]|\\[^\n])*\\?/,
  label: 'an unterminated quoted string',
});
export const CommandWord = createToken({
  name: 'Word',
  pattern: /[^\s"'|;#][^\s"'|;]*/,
  label: 'a word',
});

export const commandTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  Newline,
  Pipe,
  Semicolon,
  QuotedOneLine,
  UnterminatedOneLine,
  CommandWord,
];

// ------------------------------------------------------------- config.boot form

export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  line_breaks: true,
  group: 'comments',
});
export const UnterminatedBlockComment = createToken({
  name: 'UnterminatedComment',
  pattern: /\/\*[\s\S]*/,
  line_breaks: true,
  label: "an unterminated '/*' comment",
});
export const SlashComment = createToken({
  name: 'SlashComment',
  pattern: /\/\/[^\n]*/,
  group: 'comments',
});
export const LCurly = createToken({ name: 'LCurly', pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: /\}/, label: "'}'" });
export const Quoted = createToken({
  name: 'Quoted',
  pattern: /"(?:[^"\\]|\\[\s\S])*"|'(?:[^'\\]|\\[\s\S])*'/,
  line_breaks: true,
  label: 'a quoted string',
});
export const UnterminatedQuoted = createToken({
  name: 'UnterminatedQuote',
  pattern: /"(?:[^"\\]|\\[\s\S])*\\?|'(?:[^'\\]|\\[\s\S])*\\?/,
  line_breaks: true,
  label: 'an unterminated quoted string',
});
export const BootWord = createToken({
  name: 'Word',
  pattern: /(?:[^\s"'{}/]|\/(?![/*]))+/,
  label: 'a word',
});

/**
 * In the curly form a newline ends a statement only after an identifier or a
 * quoted string (`address "x"` / `disable`); anywhere else it is white space.
 */
function significantNewline(
  text: string,
  offset: number,
  matched: IToken[],
): RegExpExecArray | null {
  if (text.charCodeAt(offset) !== 10) return null;
  const last = matched[matched.length - 1];
  if (!last || (last.tokenType !== BootWord && last.tokenType !== Quoted)) return null;
  const match = ['\n'] as unknown as RegExpExecArray;
  match.index = offset;
  match.input = text;
  return match;
}
export const BootNewline = createToken({
  name: 'Newline',
  pattern: { exec: significantNewline },
  line_breaks: true,
  start_chars_hint: ['\n'],
  label: 'end of line',
});
export const BootSkippedNewline = createToken({
  name: 'SkippedNewline',
  pattern: /\n/,
  line_breaks: true,
  group: Lexer.SKIPPED,
});

export const bootTokens: TokenType[] = [
  WhiteSpace,
  BootNewline,
  BootSkippedNewline,
  BlockComment,
  UnterminatedBlockComment,
  SlashComment,
  LCurly,
  RCurly,
  Quoted,
  UnterminatedQuoted,
  BootWord,
];

/** Undo the backslash escapes of a quoted token and drop its quotes. */
export function unquote(image: string): string {
  const body = image.slice(1, -1);
  if (!body.includes('\\')) return body;
  return body.replace(/\\([\s\S])/g, (_, ch: string) => {
    switch (ch) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      default:
        return ch;
    }
  });
}
