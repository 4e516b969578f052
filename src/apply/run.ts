/** Running system tools: execa with argument arrays only, never a shell. */
import { execa } from 'execa';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function run(
  command: string,
  args: readonly string[],
  input?: string,
): Promise<RunResult> {
  const result = await execa(command, args, {
    reject: false,
    stripFinalNewline: false,
    ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
  });
  return {
    code: result.exitCode ?? 1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly result: RunResult,
  ) {
    super(`${command} ${args.join(' ')}: ${result.stderr.trim() || `exit status ${result.code}`}`);
  }
}

export async function runChecked(
  command: string,
  args: readonly string[],
  input?: string,
): Promise<string> {
  const result = await run(command, args, input);
  if (result.code !== 0) throw new CommandError(command, args, result);
  return result.stdout;
}

/** What a streamed run ended with: its exit status and every line it printed. */
export interface LinesResult {
  readonly code: number;
  readonly lines: readonly string[];
}

/**
 * Run a tool and hand on each line it prints (stdout and stderr) as it comes.
 * When `signal` aborts, the tool gets SIGINT (ping then prints its summary),
 * and SIGKILL if it is still running two seconds later.
 */
export async function runLines(
  command: string,
  args: readonly string[],
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<LinesResult> {
  const child = execa(command, args, {
    reject: false,
    stdin: 'ignore',
    buffer: false,
    stripFinalNewline: false,
  });
  const lines: string[] = [];
  const take = (stream: NodeJS.ReadableStream | null): Promise<void> =>
    new Promise((resolve) => {
      if (!stream) return resolve();
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop() ?? '';
        for (const p of parts) {
          lines.push(p);
          onLine(p);
        }
      });
      stream.on('end', () => {
        if (rest) {
          lines.push(rest);
          onLine(rest);
        }
        resolve();
      });
    });
  let killer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    child.kill('SIGINT');
    killer = setTimeout(() => child.kill('SIGKILL'), 2000);
  };
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  try {
    const [result] = await Promise.all([child, take(child.stdout), take(child.stderr)]);
    return { code: result.exitCode ?? (result.signal ? 130 : 1), lines };
  } finally {
    signal.removeEventListener('abort', stop);
    if (killer) clearTimeout(killer);
  }
}
