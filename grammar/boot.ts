/**
 * The curly-brace `config.boot` form:
 *
 *   interfaces {
 *       /* uplink *\/
 *       ethernet eth0 {
 *           address "192.0.2.1/24"
 *           disable
 *       }
 *   }
 *   // vyos-config-version: "..."
 *
 * A statement is a name, an optional value, then a `{ ... }` block or the end
 * of the line; `inactive:` before it marks it inactive (Junos). Comments stay
 * attached to the statement that follows them.
 */
import { EmbeddedActionsParser, EOF, Lexer, type ILexerConfig, type IToken } from 'chevrotain';
import type { BootParse, BootStatement, SyntaxIssue, Word } from './ast.js';
import { describeToken, errorMessages } from './errors.js';
import { escapeUnsafe } from './excerpt.js';
import { tokenToWord } from './script.js';
import {
  BootNewline,
  BootWord,
  bootTokens,
  LCurly,
  Quoted,
  RCurly,
  UnterminatedBlockComment,
  UnterminatedQuoted,
} from './tokens.js';

/** The word before an inactive statement. */
export const INACTIVE_MARK = 'inactive:';

/** Blocks nested deeper than this are refused (the deepest real config is about 12). */
export const MAX_NESTING = 64;

export const BOOT_LEXER_OPTIONS: ILexerConfig = {
  positionTracking: 'full',
  ensureOptimizations: false,
  // Only LF ends a line: a stray CR or U+2028 inside a value must not shift the line numbers.
  lineTerminatorsPattern: /\n/g,
  lineTerminatorCharacters: ['\n'],
  // As the script lexer's: test/start-up.test.ts builds it with the definition's checks.
  skipValidations: true,
};

/** The lexer and the parser are built on first use: most starts of `fos` read no config.boot. */
let bootLexer: Lexer | undefined;
function lexer(): Lexer {
  bootLexer ??= new Lexer(bootTokens, BOOT_LEXER_OPTIONS);
  return bootLexer;
}

interface MutableStatement {
  name: Word;
  value?: Word;
  children?: MutableStatement[];
  comments: string[];
  inactive?: boolean;
  line: number;
  column: number;
}

/** The grammar's checks run only when `validate` (in a test): they cost every start. */
export class BootParser extends EmbeddedActionsParser {
  /** Leaves that ran into the next statement on the same line. */
  public misplaced: IToken | undefined;

  constructor(validate = false) {
    super(bootTokens, {
      errorMessageProvider: errorMessages,
      maxLookahead: 2,
      skipValidations: !validate,
    });
    this.performSelfAnalysis();
  }

  public config = this.RULE('config', (): MutableStatement[] => this.SUBRULE(this.statements));

  private statements = this.RULE('statements', (): MutableStatement[] => {
    const list: MutableStatement[] = [];
    this.MANY(() => list.push(this.SUBRULE(this.statement)));
    return list;
  });

  private statement = this.RULE('statement', (): MutableStatement => {
    // Junos's mark of an inactive statement: `inactive: ethernet eth1 { ... }`.
    let inactive = false;
    this.OPTION3({
      GATE: () => this.LA(1).image === INACTIVE_MARK && this.LA(2).tokenType === BootWord,
      DEF: () => {
        this.CONSUME3(BootWord);
        inactive = true;
      },
    });
    const nameToken = this.CONSUME(BootWord);
    let value: Word | undefined;
    let children: MutableStatement[] | undefined;
    this.OPTION(() => {
      value = this.OR([
        { ALT: () => tokenToWord(this.CONSUME2(BootWord), false) },
        { ALT: () => tokenToWord(this.CONSUME(Quoted), true) },
      ]);
    });
    this.OR2([
      {
        ALT: () => {
          this.CONSUME(LCurly);
          children = this.SUBRULE(this.statements);
          this.CONSUME(RCurly);
        },
      },
      { ALT: () => this.CONSUME(BootNewline) },
      {
        // A last leaf may sit right before `}` or the end of the file.
        GATE: () => this.LA(1).tokenType === RCurly || this.LA(1).tokenType === EOF,
        ALT: () => undefined,
      },
    ]);
    const name = tokenToWord(nameToken, false);
    return this.ACTION(() => {
      const statement: MutableStatement = {
        name,
        comments: [],
        line: name.line,
        column: name.column,
      };
      if (value) statement.value = value;
      if (children) statement.children = children;
      if (inactive) statement.inactive = true;
      return statement;
    });
  });
}

let bootParser: BootParser | undefined;

function positionOf(token: IToken, text: string): { line: number; column: number } {
  if (Number.isFinite(token.startLine))
    return { line: token.startLine!, column: token.startColumn! };
  const lines = text.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

function commentText(image: string): string {
  return (image.startsWith('//') ? image.slice(2) : image.slice(2, -2)).trim();
}

/** Reject unbalanced or over-deep braces before the recursive parser sees them. */
function checkBraces(tokens: IToken[], text: string): SyntaxIssue | undefined {
  const open: IToken[] = [];
  for (const token of tokens) {
    if (token.tokenType === LCurly) {
      open.push(token);
      if (open.length > MAX_NESTING) {
        return {
          ...positionOf(token, text),
          message: `found '{' nested deeper than ${MAX_NESTING} levels`,
        };
      }
    } else if (token.tokenType === RCurly) {
      if (!open.pop())
        return { ...positionOf(token, text), message: "found '}' with no '{' to close" };
    }
  }
  const unclosed = open.pop();
  if (unclosed) {
    const end = positionOf({ startLine: NaN } as IToken, text);
    return {
      ...end,
      message: `found end of input, expected '}' to close the '{' of line ${unclosed.startLine}`,
    };
  }
  return undefined;
}

function attachComments(statements: MutableStatement[], comments: IToken[]): string[] {
  let next = 0;
  const visit = (list: MutableStatement[]): void => {
    for (const statement of list) {
      while (next < comments.length && comments[next]!.startOffset < statement.name.offset) {
        statement.comments.push(commentText(comments[next]!.image));
        next++;
      }
      if (statement.children) visit(statement.children);
    }
  };
  visit(statements);
  return comments.slice(next).map((c) => commentText(c.image));
}

/** Parse a config.boot text. The first syntax error stops the parse. */
export function parseBoot(text: string): BootParse {
  const lexed = lexer().tokenize(text);
  const fail = (error: SyntaxIssue): BootParse => ({ statements: [], footer: [], errors: [error] });
  if (lexed.errors.length > 0) {
    const e = lexed.errors[0]!;
    return fail({
      line: e.line ?? 1,
      column: e.column ?? 1,
      message: `found unexpected character '${escapeUnsafe(text.slice(e.offset, e.offset + 1))}'`,
    });
  }
  const broken = lexed.tokens.find(
    (t) => t.tokenType === UnterminatedQuoted || t.tokenType === UnterminatedBlockComment,
  );
  if (broken) {
    const what =
      broken.tokenType === UnterminatedQuoted ? `closing ${broken.image[0]}` : "closing '*/'";
    return fail({
      ...positionOf(broken, text),
      message: `found ${describeToken(broken)} with no ${what}`,
    });
  }
  const braceError = checkBraces(lexed.tokens, text);
  if (braceError) return fail(braceError);

  const parser = (bootParser ??= new BootParser());
  parser.input = lexed.tokens;
  const statements = parser.config();
  if (parser.errors.length > 0) {
    const error = parser.errors[0]!;
    return fail({ ...positionOf(error.token, text), message: error.message });
  }
  const footer = attachComments(statements, (lexed.groups['comments'] ?? []) as IToken[]);
  return { statements: statements as BootStatement[], footer, errors: [] };
}
