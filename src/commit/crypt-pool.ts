/**
 * A small pool of worker threads for SHA-512 crypt, created on first use.
 * A hash of many rounds takes long enough to stall every session if it ran
 * on the event loop (3,000,000 rounds: 5.9 s). Workers hold the process open
 * only while they have work, so a batch still exits when it is done.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface CryptJob {
  readonly password: string;
  readonly salt: string;
  readonly rounds?: number;
}

interface Pending {
  readonly resolve: (hash: string) => void;
  readonly reject: (e: Error) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

const SIZE = Math.max(1, Math.min(2, availableParallelism()));
const workers: PoolWorker[] = [];
let nextId = 0;

/** Built, the worker is JavaScript; run from source (tests), it is TypeScript and tsx loads it. */
function spawn(): PoolWorker {
  const worker = import.meta.url.endsWith('.ts')
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(new URL('./crypt-worker.ts', import.meta.url).href)}, __filename))`,
        { eval: true },
      )
    : new Worker(new URL('./crypt-worker.js', import.meta.url));
  const entry: PoolWorker = { worker, pending: new Map() };
  worker.unref();
  worker.on('message', (m: { id: number; hash?: string; error?: string }) => {
    const job = entry.pending.get(m.id);
    if (!job) return;
    entry.pending.delete(m.id);
    if (entry.pending.size === 0) worker.unref();
    if (m.hash !== undefined) job.resolve(m.hash);
    else job.reject(new Error(m.error ?? 'crypt worker failed'));
  });
  const fail = (e: Error): void => {
    workers.splice(workers.indexOf(entry), 1);
    for (const job of entry.pending.values()) job.reject(e);
    entry.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => {
    if (workers.includes(entry)) fail(new Error(`crypt worker exited with code ${code}`));
  });
  workers.push(entry);
  return entry;
}

/** The worker with the fewest jobs, or a new one while the pool is not full. */
function pick(): PoolWorker {
  const idle = workers.find((w) => w.pending.size === 0);
  if (idle) return idle;
  if (workers.length < SIZE) return spawn();
  return workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
}

/** `sha512crypt(password, salt, rounds)` on a worker thread. */
export function runCrypt(job: CryptJob): Promise<string> {
  const entry = pick();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    entry.pending.set(id, { resolve, reject });
    entry.worker.ref();
    entry.worker.postMessage({ id, job });
  });
}
