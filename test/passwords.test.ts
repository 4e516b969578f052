/**
 * SHA-512 crypt: the published test vectors, a bound on rounds (refused at
 * verify, never computed at login), and hashing off the main thread so a
 * login or a commit never stalls the other sessions.
 */
import { describe, expect, it } from 'vitest';
import { loadSetForm } from '../src/config/index.js';
import { hashPassword, verifyPassword } from '../src/commit/passwords.js';
import { sha512crypt } from '../src/commit/sha512crypt.js';
import { MAX_PASSWORD_ROUNDS, schema } from '../src/schema/index.js';
import { verify } from '../src/verify/index.js';
import { ADMIN_LOGIN } from './helpers/fixtures.js';

/** A valid-looking hash with these rounds (the digest is of nothing in particular). */
const withRounds = (rounds: number): string => `$6$rounds=${rounds}$saltsalt$${'a'.repeat(86)}`;

/** How long the event loop went without a turn while `work` ran. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await work();
    const now = performance.now();
    return Math.max(longest, now - last);
  } finally {
    clearInterval(timer);
  }
}

describe('SHA-512 crypt', () => {
  // Ulrich Drepper's specification, "Test vectors".
  it('matches the published test vectors', () => {
    expect(sha512crypt('Hello world!', 'saltstring')).toBe(
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
    expect(sha512crypt('Hello world!', 'saltstringsaltstring', 10000)).toBe(
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    );
    expect(
      sha512crypt('we have a short salt string but not a short password', 'short', 77777),
    ).toBe(
      '$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0',
    );
  });

  it('hashes and verifies off the main thread', async () => {
    const hash = await hashPassword('secret');
    expect(hash).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(await verifyPassword('secret', hash)).toBe(true);
    expect(await verifyPassword('Secret', hash)).toBe(false);
    expect(await verifyPassword('secret', '!')).toBe(false);
  });

  it('a hash of many rounds does not stall the event loop', async () => {
    const hash = sha512crypt('x', 'saltsalt', 200_000);
    const stall = await longestStall(async () => {
      const answers = await Promise.all([
        verifyPassword('x', hash),
        verifyPassword('y', hash),
        verifyPassword('x', hash),
      ]);
      expect(answers).toEqual([true, false, true]);
    });
    // Computed on the main thread, 200k rounds take about 0.5 s each.
    expect(stall).toBeLessThan(150);
  });

  it(`a stored hash above ${MAX_PASSWORD_ROUNDS.toLocaleString('en')} rounds is never computed`, async () => {
    const started = performance.now();
    expect(await verifyPassword('x', withRounds(3_000_000))).toBe(false);
    expect(await verifyPassword('x', withRounds(999_999_999))).toBe(false);
    expect(await verifyPassword('x', `$6$rounds=${'9'.repeat(40)}$salt$${'a'.repeat(86)}`)).toBe(
      false,
    );
    // 3,000,000 rounds took 5.9 s.
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('encrypted-password rounds at verify', () => {
  const user = (hash: string) =>
    loadSetForm(
      `${ADMIN_LOGIN}\nset system login user ops authentication encrypted-password '${hash}'\n`,
      schema,
    ).tree;

  it('refuses more rounds than the limit, naming the path', () => {
    expect(verify(user(withRounds(3_000_000)), schema)).toEqual([
      {
        path: ['system', 'login', 'user', 'ops', 'authentication', 'encrypted-password'],
        message: `the hash asks for 3000000 rounds; at most ${MAX_PASSWORD_ROUNDS} are accepted (glibc's default is 5000)`,
      },
    ]);
  });

  it('accepts the default, the limit, and what passlib and Ansible produce (656,000)', () => {
    for (const hash of [
      `$6$saltsalt$${'a'.repeat(86)}`,
      withRounds(5000),
      withRounds(656_000),
      withRounds(MAX_PASSWORD_ROUNDS),
      '!',
    ])
      expect(verify(user(hash), schema), hash).toEqual([]);
  });
});
