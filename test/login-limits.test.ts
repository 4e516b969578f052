/** The login throttle and the session slots of the SSH server, on their own. */
import { describe, expect, it } from 'vitest';
import {
  addressKey,
  DEFAULT_SSH_LIMITS,
  limitsWith,
  LoginThrottle,
  Slots,
  type SshLimits,
} from '../src/ssh/limits.js';

const fast: SshLimits = { ...DEFAULT_SSH_LIMITS, delayBaseMs: 40, delayMaxMs: 160 };
const fail = (): boolean => false;

describe('login throttle', () => {
  it('after the free failures each attempt waits, doubling up to the maximum', async () => {
    const throttle = new LoginThrottle(fast);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      waits.push(throttle.delay('192.0.2.1', 'fos'));
      await throttle.attempt('192.0.2.1', 'fos', fail);
    }
    expect(waits).toEqual([0, 0, 0, 40, 80, 160, 160]);
    // Another address for another user is not slowed.
    expect(throttle.delay('192.0.2.2', 'ops')).toBe(0);
  });

  it('counts per user too: failures for one user from many addresses slow that user anywhere', async () => {
    const throttle = new LoginThrottle(fast);
    for (let i = 0; i < 4; i++) await throttle.attempt(`198.51.100.${i}`, 'fos', fail);
    expect(throttle.delay('203.0.113.9', 'fos')).toBe(80);
    expect(throttle.delay('203.0.113.9', 'ops')).toBe(0);
  });

  it('answers sent together from one address are checked in turn, each after its delay', async () => {
    const throttle = new LoginThrottle(fast);
    const started = Date.now();
    const checkedAt: number[] = [];
    const attempts = Array.from({ length: 8 }, (_, i) =>
      throttle.attempt('192.0.2.7', `user${i}`, () => {
        checkedAt.push(Date.now() - started);
        return i === 7;
      }),
    );
    const results = await Promise.all(attempts);
    expect(results).toEqual([false, false, false, false, false, false, false, true]);
    // The right answer, sent with seven wrong ones, is checked only after their delays.
    expect(checkedAt[7]!).toBeGreaterThanOrEqual(40 + 80 + 160 + 160 + 160 - 20);
    for (let i = 1; i < checkedAt.length; i++)
      expect(checkedAt[i]!).toBeGreaterThanOrEqual(checkedAt[i - 1]!);
  });

  it('a success clears its address but not its user, and failures end with the window', async () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle({ ...fast, delayBaseMs: 0 }, () => now);
    for (let i = 0; i < 5; i++) await throttle.attempt('192.0.2.1', 'fos', fail);
    await throttle.attempt('192.0.2.1', 'fos', () => true);
    expect(throttle.tracked).toEqual({ addresses: 0, users: 1 });
    now += fast.failureWindowMs;
    expect(throttle.delay('192.0.2.1', 'fos')).toBe(0);
  });

  it('an attempt whose client left is not checked', async () => {
    const throttle = new LoginThrottle(fast);
    let checked = false;
    const ok = await throttle.attempt(
      '192.0.2.1',
      'fos',
      () => (checked = true),
      () => false,
    );
    expect({ ok, checked }).toEqual({ ok: false, checked: false });
  });

  it('remembers a bounded number of addresses and users', async () => {
    const throttle = new LoginThrottle({ ...fast, trackedKeys: 100 });
    for (let i = 0; i < 1000; i++)
      await throttle.attempt(`10.0.${i >> 8}.${i & 255}`, `u${i}`, fail);
    expect(throttle.tracked).toEqual({ addresses: 100, users: 100 });
  });

  it('counts IPv6 addresses by their /64, and IPv4 also when mapped', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
  });
});

describe('session slots', () => {
  it('refuses past the limit per user and in all, and takes back a slot once', () => {
    const slots = new Slots(2, 3);
    const a1 = slots.take('a');
    const a2 = slots.take('a');
    expect(slots.take('a')).toEqual({ full: 'key' });
    const b1 = slots.take('b');
    expect(slots.take('c')).toEqual({ full: 'all' });
    if (!('release' in a1) || !('release' in a2) || !('release' in b1)) throw new Error('refused');
    a1.release();
    a1.release();
    expect(slots.count()).toBe(2);
    expect(slots.count('a')).toBe(1);
    expect('release' in slots.take('c')).toBe(true);
  });
});

describe('limits for tests', () => {
  it('replace named limits and refuse unknown names', () => {
    expect(limitsWith('{"sessions":2}').sessions).toBe(2);
    expect(limitsWith(undefined)).toBe(DEFAULT_SSH_LIMITS);
    expect(() => limitsWith('{"session":2}')).toThrow("'session' is not a limit");
  });
});
