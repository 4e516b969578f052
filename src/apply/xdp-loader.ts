/**
 * The XDP loader (bpf/build/fos-xdp) as a long-lived process per target
 * namespace, spoken to in its `serve` protocol: a request is a line of
 * tab-separated words (a loader command), its change lines, then a line
 * "."; the answer is one JSON line. One process per namespace because a
 * process costs 20-40 ms to start here under load, against well under 1 ms
 * for a request to a running one (docs/benchmarks.md, "XDP").
 *
 * The process enters the namespace once (setns), so it is replaced when the
 * namespace it entered is no longer the one of that name. It is unref'd
 * while idle: it never keeps a FOS1 process alive, and it exits when FOS1
 * does (its stdin closes).
 */
import { execa, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Target } from './target.js';

/** The checkout (this file runs from src/apply or dist/src/apply). */
function checkoutRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dir !== dirname(dir)) dir = dirname(dir);
  return dir;
}

export const BPF_BUILD = join(checkoutRoot(), 'bpf', 'build');
export const XDP_LOADER = join(BPF_BUILD, 'fos-xdp');
/** The XDP program object that the loader loads. */
export const XDP_OBJECT = join(BPF_BUILD, 'fos_xdp.bpf.o');

/** An answer of the loader: `ok` and the command's members, or a failure. */
export interface LoaderAnswer {
  readonly ok: boolean;
  readonly code?: string;
  readonly error?: string;
  readonly verifier?: string;
  readonly [member: string]: unknown;
}

/** How long one request may take before the loader is killed (a 16M-element load fits). */
const REQUEST_TIMEOUT_MS = 120_000;

interface Pending {
  readonly resolve: (answer: LoaderAnswer) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const SERVE_OPTIONS = {
  stdin: 'pipe',
  stdout: 'pipe',
  stderr: 'pipe',
  buffer: false,
  reject: false,
} as const;

class LoaderProcess {
  private readonly child: ResultPromise<typeof SERVE_OPTIONS>;
  private readonly pending: Pending[] = [];
  private stderr = '';
  dead = false;

  constructor(
    target: Target,
    readonly namespaceInode: number | undefined,
  ) {
    const args = target.netns === undefined ? ['serve'] : ['--netns', target.netns, 'serve'];
    this.child = execa(XDP_LOADER, args, SERVE_OPTIONS);
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + String(d)).slice(-4096);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.answer(line));
    void this.child.then((result) => this.died(result.exitCode, result.signal, result.failed));
    this.idle();
  }

  request(words: readonly string[], lines: readonly string[]): Promise<LoaderAnswer> {
    if (this.dead) return Promise.reject(new Error('the XDP loader is not running'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        this.died(undefined, 'timeout', true);
      }, REQUEST_TIMEOUT_MS);
      this.pending.push({ resolve, reject, timer });
      this.busy();
      const body = lines.length ? `${lines.join('\n')}\n` : '';
      this.child.stdin.write(`${words.join('\t')}\n${body}.\n`);
    });
  }

  private answer(line: string): void {
    const next = this.pending.shift();
    if (!next) return;
    clearTimeout(next.timer);
    if (this.pending.length === 0) this.idle();
    try {
      next.resolve(JSON.parse(line) as LoaderAnswer);
    } catch {
      next.reject(new Error(`the XDP loader answered something that is not JSON: ${line}`));
    }
  }

  private died(code: number | undefined, signal: string | undefined, failed: boolean): void {
    if (this.dead) return;
    this.dead = true;
    const why = `the XDP loader stopped (${signal ?? `exit status ${code}`})${
      failed && this.stderr ? `: ${this.stderr.trim()}` : ''
    }`;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(new Error(why));
    }
  }

  /** Nothing pending: the process and its pipes keep nothing alive. */
  private idle(): void {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr])
      (s as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr])
      (s as unknown as { ref?: () => void }).ref?.();
  }

  stop(): void {
    this.dead = true;
    this.child.stdin.end();
  }
}

const processes = new Map<string, LoaderProcess>();

/** The namespace's identity now: a namespace made again under the same name is another one. */
async function namespaceInode(target: Target): Promise<number | undefined> {
  if (target.netns === undefined) return undefined;
  try {
    return (await stat(`/run/netns/${target.netns}`)).ino;
  } catch {
    return undefined;
  }
}

/** Sends one request to the target's loader process, starting (or replacing) it as needed. */
export async function askLoader(
  target: Target,
  words: readonly string[],
  lines: readonly string[] = [],
): Promise<LoaderAnswer> {
  if (!existsSync(XDP_LOADER))
    throw new Error(`the XDP loader is not built (${XDP_LOADER}): run setup.sh or make -C bpf`);
  const key = target.netns ?? '';
  const inode = await namespaceInode(target);
  let loader = processes.get(key);
  if (loader && (loader.dead || loader.namespaceInode !== inode)) {
    loader.stop();
    loader = undefined;
  }
  if (!loader) {
    loader = new LoaderProcess(target, inode);
    processes.set(key, loader);
  }
  return loader.request(words, lines);
}

/** Ends the loader process of a target (the next request starts another). */
export function stopLoader(target: Target): void {
  const key = target.netns ?? '';
  processes.get(key)?.stop();
  processes.delete(key);
}
