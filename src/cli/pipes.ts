/**
 * Output pipes: `| match RE`, `| except RE`, `| grep [-e RE] [-viEFwxc] [RE]`,
 * `| strip-private`, `| count`, `| no-more` (`| display` is the commands').
 *
 * `| grep` means what it means on VyOS, whose op mode is a shell: GNU grep,
 * here with the bounded, linear-time matcher of src/cli/regex.ts (basic
 * syntax unless -E, as grep). Automation depends on it: Ansible's vyos
 * collection reads its facts with `show configuration commands | grep ...`.
 */
import { excerpt } from '../../grammar/excerpt.js';
import { didYouMean } from '../config/index.js';
import { isIPv4, isIPv6 } from '../schema/types.js';
import { compileRegex, type Regex } from './regex.js';

export type PipeResult =
  { readonly ok: true; readonly lines: string[] } | { readonly ok: false; readonly error: string };

const PIPES = ['match', 'except', 'grep', 'strip-private', 'count', 'no-more', 'display'];

/** Every pipe in turn; the first that is refused ends it with its error. */
export function runPipes(lines: string[], pipes: readonly (readonly string[])[]): PipeResult {
  let out = lines;
  for (const [name, ...args] of pipes) {
    switch (name) {
      case 'match':
      case 'except': {
        const pattern = args.join(' ');
        const compiled = compileRegex(pattern);
        if (!compiled.ok) return { ok: false, error: invalidPattern(pattern, compiled.error) };
        out = out.filter((l) => compiled.regex.test(l) === (name === 'match'));
        break;
      }
      case 'grep': {
        const grep = parseGrep(args);
        if (!grep.ok) return grep;
        out = grep.run(out);
        break;
      }
      case 'strip-private':
        if (args.length > 0)
          return { ok: false, error: `'strip-private' takes no words; got '${excerpt(args[0]!)}'` };
        out = out.map(stripPrivate);
        break;
      case 'count':
        out = [`Count: ${out.length} lines`];
        break;
      case 'no-more':
      case 'display':
        break;
      default:
        return {
          ok: false,
          error: `unknown pipe '${excerpt(name ?? '')}'${didYouMean(name ?? '', PIPES)}; expected ${PIPES.join(', ')}`,
        };
    }
  }
  return { ok: true, lines: out };
}

/** The pipes' output, or their error as the only line. */
export function applyPipes(lines: string[], pipes: readonly (readonly string[])[]): string[] {
  const r = runPipes(lines, pipes);
  return r.ok ? r.lines : [r.error];
}

function invalidPattern(pattern: string, error: string): string {
  return `invalid regular expression${pattern.length <= 80 ? ` '${excerpt(pattern)}'` : ''}: ${error}`;
}

// ------------------------------------------------------------------ grep

type Grep = { readonly ok: true; run(lines: string[]): string[] } | { ok: false; error: string };

const GREP_FLAGS = 'viEFGwxc';

/**
 * grep's own words: options may be grouped (`-vi`) and come before or after
 * the pattern; `-e RE` (or `-eRE`) may be given several times, and then every
 * other word is an error (grep would take it for a file); `--` ends options.
 */
export function parseGrep(args: readonly string[]): Grep {
  const patterns: string[] = [];
  const loose: string[] = [];
  const flags = new Set<string>();
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (options && a === '--') {
      options = false;
      continue;
    }
    if (!options || !a.startsWith('-') || a === '-') {
      loose.push(a);
      continue;
    }
    if (a.startsWith('--'))
      return {
        ok: false,
        error: `grep: unknown option '${excerpt(a)}'; known: -e, -${GREP_FLAGS}`,
      };
    for (let k = 1; k < a.length; k++) {
      const f = a[k]!;
      if (f === 'e') {
        const rest = a.slice(k + 1);
        const pattern = rest !== '' ? rest : args[++i];
        if (pattern === undefined) return { ok: false, error: "grep: '-e' needs a pattern" };
        patterns.push(pattern);
        break;
      }
      if (!GREP_FLAGS.includes(f))
        return {
          ok: false,
          error: `grep: unknown option '-${excerpt(f)}' in '${excerpt(a)}'; known: -e, -${GREP_FLAGS}`,
        };
      flags.add(f);
    }
  }
  if (patterns.length === 0) {
    const first = loose.shift();
    if (first === undefined) return { ok: false, error: 'grep: a pattern is needed' };
    patterns.push(first);
  }
  if (loose.length > 0)
    return {
      ok: false,
      error: `grep: unexpected word '${excerpt(loose[0]!)}' (grep reads the output, not files; quote a pattern with spaces)`,
    };
  const fixed = flags.has('F');
  const compiled = compileRegex(patterns, {
    syntax: fixed ? 'fixed' : flags.has('E') ? 'extended' : 'basic',
    ignoreCase: flags.has('i'),
    ...(flags.has('x')
      ? { whole: 'line' as const }
      : flags.has('w')
        ? { whole: 'word' as const }
        : {}),
  });
  if (!compiled.ok)
    return { ok: false, error: `grep: ${invalidPattern(patterns.join(' '), compiled.error)}` };
  const regex: Regex = compiled.regex;
  const keep = !flags.has('v');
  const count = flags.has('c');
  return {
    ok: true,
    run(lines) {
      const kept = lines.filter((l) => regex.test(l) === keep);
      return count ? [String(kept.length)] : kept;
    },
  };
}

// ------------------------------------------------------------------ strip-private

/** Words whose next word is a secret or names a person or a place. */
const HIDDEN_AFTER: ReadonlyMap<string, string> = new Map([
  ['password', 'xxxxxx'],
  ['plaintext-password', 'xxxxxx'],
  ['encrypted-password', 'xxxxxx'],
  ['pre-shared-secret', 'xxxxxx'],
  ['secret', 'xxxxxx'],
  ['md5-key', 'xxxxxx'],
  ['private-key', 'xxxxxx'],
  ['key', 'xxxxxx'],
  ['community', 'xxxxxx'],
  ['public-keys', 'xxxx@xxx.xxx'],
  ['host-name', 'xxxxxx'],
  ['domain-name', 'xxxxxx'],
  ['domain-search', 'xxxxxx'],
  ['user', 'xxxxxx'],
  ['username', 'xxxxxx'],
  ['user-id', 'xxxxxx'],
  ['full-name', 'xxxxxx'],
  ['location', 'xxxxxx'],
  ['system-as', 'XXXXXX'],
  ['remote-as', 'XXXXXX'],
  ['local-as', 'XXXXXX'],
]);

/**
 * `| strip-private`, after VyOS's strip-private.py in its default (strict)
 * mode: secrets, user and host names, AS numbers and the location are
 * replaced; IPv4 addresses keep their last two octets (`xxx.xxx.2.1`), IPv6
 * addresses their groups after the second (`xxxx:xxxx:...`), MAC addresses
 * their last octet. One pass over the line's words, no regular expression.
 */
export function stripPrivate(line: string): string {
  let out = '';
  let previous = '';
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ' || line[i] === '\t') {
      out += line[i++];
      continue;
    }
    const start = i;
    const quote = line[i] === "'" || line[i] === '"' ? line[i] : undefined;
    if (quote) {
      i++;
      while (i < line.length && line[i] !== quote) i++;
      i = Math.min(i + 1, line.length);
    } else while (i < line.length && line[i] !== ' ' && line[i] !== '\t') i++;
    const word = line.slice(start, i);
    const hidden = HIDDEN_AFTER.get(previous);
    out +=
      hidden !== undefined ? (quote ? `${quote}${hidden}${quote}` : hidden) : stripAddresses(word);
    previous = quote ? '' : word;
  }
  return out;
}

const isAddressChar = (c: string): boolean => /^[0-9A-Fa-f:.]$/.test(c);

/** Each run of address characters in a word that is an address or a MAC, censored. */
function stripAddresses(word: string): string {
  let out = '';
  let i = 0;
  while (i < word.length) {
    if (!isAddressChar(word[i]!)) {
      out += word[i++];
      continue;
    }
    const start = i;
    while (i < word.length && isAddressChar(word[i]!)) i++;
    out += censor(word.slice(start, i));
  }
  return out;
}

function censor(run: string): string {
  if (isIPv4(run)) return `xxx.xxx.${run.split('.').slice(2).join('.')}`;
  if (/^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/.test(run)) return `XX:XX:XX:XX:XX:${run.slice(15)}`;
  if (isIPv6(run) && run !== '::') {
    const groups = run.split(':');
    return groups[0] && groups[1] ? `xxxx:xxxx:${groups.slice(2).join(':')}` : run;
  }
  return run;
}
