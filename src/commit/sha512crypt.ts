/**
 * SHA-512 crypt (`$6$salt$hash`, Ulrich Drepper's specification), the hash
 * VyOS and Linux store passwords in. This is the computation alone; it runs
 * on the worker threads of crypt-pool.ts (passwords.ts has the API), never
 * on the event loop every session shares. It imports nothing else, so a
 * worker starts quickly.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DEFAULT_ROUNDS = 5000;

function sha512(parts: readonly Buffer[]): Buffer {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The digest of one buffer repeated `times` times. */
function sha512Repeated(part: Buffer, times: number): Buffer {
  const h = createHash('sha512');
  for (let i = 0; i < times; i++) h.update(part);
  return h.digest();
}

/** `length` bytes of a digest repeated as often as needed. */
function repeatTo(digest: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += 64) digest.copy(out, i, 0, Math.min(64, length - i));
  return out;
}

function encode64(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++) {
    out += ALPHABET[w & 0x3f];
    w >>= 6;
  }
  return out;
}

const ORDER = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
] as const;

export function sha512crypt(password: string, salt: string, rounds?: number): string {
  const p = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 16), 'utf8');
  const r = rounds === undefined ? DEFAULT_ROUNDS : Math.min(999_999_999, Math.max(1000, rounds));
  const b = sha512([p, s, p]);
  const aParts: Buffer[] = [p, s, repeatTo(b, p.length)];
  for (let n = p.length; n > 0; n >>= 1) aParts.push(n & 1 ? b : p);
  let a = sha512(aParts);
  const dp = repeatTo(sha512Repeated(p, p.length), p.length);
  const ds = repeatTo(sha512Repeated(s, 16 + a[0]!), s.length);
  for (let i = 0; i < r; i++) {
    const parts: Buffer[] = [i & 1 ? dp : a];
    if (i % 3) parts.push(ds);
    if (i % 7) parts.push(dp);
    parts.push(i & 1 ? a : dp);
    a = sha512(parts);
  }
  let hash = '';
  for (const [x, y, z] of ORDER) hash += encode64(a[x]!, a[y]!, a[z]!, 4);
  hash += encode64(0, 0, a[63]!, 2);
  const roundsPart = rounds === undefined ? '' : `rounds=${r}$`;
  return `$6$${roundsPart}${s.toString('utf8')}$${hash}`;
}

/** A random 16-character salt. */
export function randomSalt(): string {
  return Array.from(randomBytes(16), (x) => ALPHABET[x & 0x3f]).join('');
}
