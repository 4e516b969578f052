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
