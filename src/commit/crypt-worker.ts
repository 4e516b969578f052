/** A worker thread of crypt-pool.ts: computes one SHA-512 crypt per message. */
import { parentPort } from 'node:worker_threads';
import { sha512crypt } from './sha512crypt.js';
import type { CryptJob } from './crypt-pool.js';

parentPort!.on('message', ({ id, job }: { id: number; job: CryptJob }) => {
  try {
    parentPort!.postMessage({ id, hash: sha512crypt(job.password, job.salt, job.rounds) });
  } catch (e) {
    parentPort!.postMessage({ id, error: (e as Error).message });
  }
});
