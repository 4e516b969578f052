/** Parse-error sentences: "found X, expected Y", in one place for both grammars. */
import {
  EOF,
  tokenLabel,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from 'chevrotain';
import { excerpt } from './excerpt.js';

/** How a token is named in an error: its text, or what it stands for. */
export function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return 'end of input';
  if (token.tokenType.name === 'Newline') return 'end of line';
  return `'${excerpt(token.image)}'`;
}

function oneOf(types: TokenType[]): string {
  const labels = [...new Set(types.map((t) => tokenLabel(t)))];
  if (labels.length <= 1) return labels[0] ?? 'nothing';
  return `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
}

function firsts(paths: TokenType[][][] | TokenType[][]): TokenType[] {
  const out: TokenType[] = [];
  for (const p of paths as unknown[]) {
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) {
        if (x.length > 0 && !Array.isArray(x[0])) out.push(x[0] as TokenType);
        else x.forEach(walk);
      }
    };
    walk(p);
  }
  return out;
}

export const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `found ${describeToken(actual)}, expected ${tokenLabel(expected)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `found ${describeToken(firstRedundant)}, expected end of input`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual }) {
    return `found ${describeToken(actual[0]!)}, expected ${oneOf(firsts(expectedPathsPerAlt))}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual }) {
    return `found ${describeToken(actual[0]!)}, expected ${oneOf(firsts(expectedIterationPaths))}`;
  },
};
