/** Running system tools: execa with argument arrays only, never a shell. */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants, open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * A tool started ahead of time that reads its whole input from a file (a
 * `vtysh -C -f FILE`, whose start-up costs more than its work): the file is a
 * FIFO in a directory of this process's own (0700), so the tool starts now and
 * blocks on it; `finish` writes the input, closes it and returns how the tool
 * ended. Until then it does not keep Node running; it is killed when Node
 * exits, and after `lifetimeSeconds` whatever happens (under `timeout`).
 * (Node's stdin "pipe" is a socket, which a tool cannot open by name.)
 */
export interface WaitingRun {
  /** Whether it may still be given its input (started, or starting, and not ended). */
  readonly ready: () => boolean;
  readonly finish: (input: string) => Promise<RunResult>;
  /** Stop it unused. */
  readonly dismiss: () => void;
}

let waitDir: string | undefined;
let waitCount = 0;

/** A directory of this process's own (0700, under the temporary directory), removed when it exits. */
export function privateDir(): string {
  if (waitDir === undefined) {
    removeDeadDirs();
    const dir = mkdtempSync(join(tmpdir(), `fos-wait-${process.pid}-`));
    waitDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return waitDir;
}

/**
 * The private directories of processes that are gone: a process killed by a
 * signal does not run its exit handler (vitest ends its workers so).
 */
function removeDeadDirs(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^fos-wait-(\d+)-[A-Za-z0-9]{6}$/.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid) continue;
    try {
      process.kill(Number(pid), 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH')
        rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const WAIT_OPEN_MS = 10_000;

export function startWaiting(
  command: string,
  argsFor: (file: string) => readonly string[],
  /** How long it may wait: a Node killed outright (SIGKILL) does not leave it behind for longer. */
  lifetimeSeconds = 600,
): WaitingRun {
  const fifo = join(privateDir(), `input-${++waitCount}`);
  let given = false;
  let ended = false;
  let dismissed = false;
  type Child = ReturnType<typeof execa>;
  let child: Child | undefined;
  // (The child is wrapped: a promise itself, it would otherwise be waited for.)
  const started: Promise<{ failed: RunResult } | { child: Child }> = run('mkfifo', [
    '-m',
    '0600',
    fifo,
  ]).then((made) => {
    if (made.code !== 0) {
      ended = true;
      return { failed: made };
    }
    if (dismissed) {
      rmSync(fifo, { force: true });
      ended = true;
      return { failed: { code: 1, stdout: '', stderr: 'dismissed' } };
    }
    const c = execa('timeout', ['-s', 'KILL', String(lifetimeSeconds), command, ...argsFor(fifo)], {
      reject: false,
      stripFinalNewline: false,
      stdin: 'ignore',
    });
    child = c;
    if (!given) for (const h of handles(c)) h?.unref?.();
    void c.finally(() => {
      ended = true;
      rmSync(fifo, { force: true });
    });
    return { child: c };
  });
  type Handle = { ref?: () => void; unref?: () => void } | null | undefined;
  function handles(c: Child): Handle[] {
    return [c, c.stdout, c.stderr] as Handle[];
  }
  const resultOf = async (c: Child): Promise<RunResult> => {
    const r = await c;
    return {
      code: r.exitCode ?? (r.signal ? 128 : 1),
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
    };
  };
  return {
    ready: () => !given && !ended,
    async finish(input) {
      given = true;
      const s = await started;
      if ('failed' in s) return s.failed;
      const c = s.child;
      for (const h of handles(c)) h?.ref?.();
      // The tool opens the FIFO once it has started: until then, opening it to write fails.
      const since = Date.now();
      let probe: FileHandle | undefined;
      while (!probe) {
        try {
          probe = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENXIO' || ended) return resultOf(c);
          if (Date.now() - since > WAIT_OPEN_MS) {
            c.kill('SIGKILL');
            return resultOf(c);
          }
          await pause(1);
        }
      }
      try {
        // A blocking descriptor for the writing (the probe keeps the tool from seeing an end first).
        const writer = await open(fifo, constants.O_WRONLY);
        try {
          await probe.close();
          probe = undefined;
          await writer.writeFile(input);
        } finally {
          await writer.close();
        }
      } catch {
        // The tool ended while it was written to (EPIPE): its result says why.
      } finally {
        await probe?.close();
      }
      return resultOf(c);
    },
    dismiss() {
      if (given) return;
      given = true;
      dismissed = true;
      child?.kill('SIGTERM');
    },
  };
}

/** Run a tool that reads its input from a file: the file (0600, in this process's own directory) goes with the run. */
export async function runWithFile(
  command: string,
  argsFor: (file: string) => readonly string[],
  input: string,
): Promise<RunResult> {
  const file = join(privateDir(), `input-${++waitCount}`);
  writeFileSync(file, input, { mode: 0o600 });
  try {
    return await run(command, argsFor(file));
  } finally {
    rmSync(file, { force: true });
  }
}
