/**
 * What a start of `fos` was given: the global flags, and a script on stdin.
 * Light on purpose: the client of the local socket (src/daemon/client.ts)
 * reads these before it knows whether it needs the rest of FOS1.
 */
import { readSync } from 'node:fs';
import { targetFromFlag, type Target } from './apply/target.js';
import { MAX_SCRIPT_BYTES } from './cli/limits.js';

export interface Globals {
  target: Target;
  state: string;
  user: string;
}

/** Parse the global flags; the rest is the command. */
export function globalsOf(argv: string[]): { globals: Globals; rest: string[] } | string {
  let netns: string | undefined = process.env['FOS_NETNS'];
  let state = process.env['FOS_STATE'] ?? '/var/lib/fos';
  let user = process.env['FOS_USER'] ?? process.env['USER'] ?? 'root';
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string | undefined => argv[++i];
    if (a === '--netns') netns = value();
    else if (a === '--state') state = value() ?? state;
    else if (a === '--user') user = value() ?? user;
    else {
      rest.push(...argv.slice(i));
      break;
    }
  }
  if (netns === '') return 'fos: --netns needs a namespace name';
  return { globals: { target: targetFromFlag(netns), state, user }, rest };
}

/** A script from a file descriptor, read no further than MAX_SCRIPT_BYTES (undefined when longer). */
export function readScript(fd: number): string | undefined {
  return readScriptBytes(fd)?.toString('utf8');
}

/** readScript's bytes, not decoded yet (what the daemon decodes as readScript would). */
export function readScriptBytes(fd: number): Buffer | undefined {
  const chunks: Buffer[] = [];
  let size = 0;
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    size += n;
    if (size > MAX_SCRIPT_BYTES) return undefined;
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}
