/**
 * What the SSH server bounds: login attempts (a growing delay per address and
 * per user, never a lockout), unauthenticated connections, and sessions per
 * user and in all. The numbers are in docs/guide.md, "Limits".
 */
import { isIPv4 } from 'node:net';

export interface SshLimits {
  /** Failures (per address, and per user) answered without a delay. */
  readonly freeFailures: number;
  /** The delay after the free failures; it doubles with each further one, up to the maximum. */
  readonly delayBaseMs: number;
  readonly delayMaxMs: number;
  /** How long a failure counts. */
  readonly failureWindowMs: number;
  /** Addresses and users whose failures are remembered (each; the least recent are forgotten first). */
  readonly trackedKeys: number;
  /** Failed attempts on one connection before it is closed. */
  readonly attemptsPerConnection: number;
  /** Connections not yet logged in: in all, and from one address. */
  readonly unauthenticated: number;
  readonly unauthenticatedPerAddress: number;
  /** A connection that has not logged in by then is closed. */
  readonly authTimeoutMs: number;
  /** Sessions (a shell or a command on a channel): in all, and per user. */
  readonly sessions: number;
  readonly sessionsPerUser: number;
}

export const DEFAULT_SSH_LIMITS: SshLimits = {
  freeFailures: 3,
  delayBaseMs: 1000,
  delayMaxMs: 30_000,
  failureWindowMs: 15 * 60_000,
  trackedKeys: 10_000,
  attemptsPerConnection: 6,
  unauthenticated: 64,
  unauthenticatedPerAddress: 16,
  authTimeoutMs: 60_000,
  sessions: 64,
  sessionsPerUser: 16,
};

/** Limits with some replaced (FOS_TEST_SSH_LIMITS, a JSON object, for tests). */
export function limitsWith(overrides: string | undefined): SshLimits {
  if (!overrides) return DEFAULT_SSH_LIMITS;
  const parsed = JSON.parse(overrides) as Record<string, unknown>;
  const limits: Record<string, number> = { ...DEFAULT_SSH_LIMITS };
  for (const [key, value] of Object.entries(parsed)) {
    if (!(key in limits) || typeof value !== 'number' || !(value >= 0))
      throw new Error(`FOS_TEST_SSH_LIMITS: '${key}' is not a limit or not a number`);
    limits[key] = value;
  }
  return limits as unknown as SshLimits;
}

/**
 * The key an address is counted under: IPv4 as it is (also when mapped into
 * IPv6), IPv6 by its /64, which is what one party usually holds.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Failure times per key, for a window, in a map of bounded size that forgets the least recent key first. */
class FailureLog {
  private readonly times = new Map<string, number[]>();

  constructor(
    private readonly limits: SshLimits,
    /** More failures than this change nothing (the delay is at its maximum). */
    private readonly keep: number,
  ) {}

  count(key: string, now: number): number {
    const recent = (this.times.get(key) ?? []).filter((t) => now - t < this.limits.failureWindowMs);
    if (recent.length === 0) this.times.delete(key);
    else this.times.set(key, recent);
    return recent.length;
  }

  add(key: string, now: number): void {
    const times = this.times.get(key) ?? [];
    this.times.delete(key);
    times.push(now);
    this.times.set(key, times.slice(-this.keep));
    while (this.times.size > this.limits.trackedKeys)
      this.times.delete(this.times.keys().next().value!);
  }

  clear(key: string): void {
    this.times.delete(key);
  }

  get size(): number {
    return this.times.size;
  }
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Login attempts, each checked when its answer arrives. Attempts from one
 * address take turns, and each first waits the delay that the failures of its
 * address and of its user have earned: answers sent together do not beat the
 * count, and a user under attack from elsewhere still logs in, only later.
 */
export class LoginThrottle {
  private readonly byAddress: FailureLog;
  private readonly byUser: FailureLog;
  /** The attempt each address is busy with: the next one waits for it. */
  private readonly turns = new Map<string, Promise<unknown>>();

  constructor(
    private readonly limits: SshLimits,
    private readonly now: () => number = Date.now,
  ) {
    const keep =
      limits.freeFailures +
      Math.ceil(Math.log2(Math.max(1, limits.delayMaxMs / Math.max(1, limits.delayBaseMs)))) +
      1;
    this.byAddress = new FailureLog(limits, keep);
    this.byUser = new FailureLog(limits, keep);
  }

  /** How long an attempt from this address for this user waits now. */
  delay(address: string, user: string): number {
    const now = this.now();
    const failures = Math.max(
      this.byAddress.count(addressKey(address), now),
      this.byUser.count(user, now),
    );
    if (failures < this.limits.freeFailures) return 0;
    const doubled = this.limits.delayBaseMs * 2 ** (failures - this.limits.freeFailures);
    return Math.min(this.limits.delayMaxMs, doubled);
  }

  /**
   * One answer: wait for the address's turn and the delay, then `check` it.
   * `stillWanted` is asked after the wait (the client may have gone). A false
   * result is counted as a failure; a success clears the address's failures.
   */
  attempt(
    address: string,
    user: string,
    check: () => boolean | Promise<boolean>,
    stillWanted: () => boolean = () => true,
  ): Promise<boolean> {
    const key = addressKey(address);
    const previous = this.turns.get(key) ?? Promise.resolve();
    const turn = previous.then(async () => {
      const wait = this.delay(address, user);
      if (wait > 0) await sleep(wait);
      if (!stillWanted()) return false;
      const ok = await check();
      const now = this.now();
      if (ok) this.byAddress.clear(key);
      else {
        this.byAddress.add(key, now);
        this.byUser.add(user, now);
      }
      return ok;
    });
    const settled = turn.catch(() => false);
    this.turns.set(key, settled);
    void settled.then(() => {
      if (this.turns.get(key) === settled) this.turns.delete(key);
    });
    return turn;
  }

  /** Keys remembered (for the bound on memory). */
  get tracked(): { addresses: number; users: number } {
    return { addresses: this.byAddress.size, users: this.byUser.size };
  }
}

/** A count per key with a limit per key and one in all; a slot taken is given back once. */
export class Slots {
  private readonly held = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly perKey: number,
    private readonly inAll: number,
  ) {}

  /** A slot for `key`, or which limit is reached. */
  take(key: string): { release: () => void } | { full: 'key' | 'all' } {
    if (this.total >= this.inAll) return { full: 'all' };
    const mine = this.held.get(key) ?? 0;
    if (mine >= this.perKey) return { full: 'key' };
    this.held.set(key, mine + 1);
    this.total++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.held.get(key) ?? 1) - 1;
        if (left > 0) this.held.set(key, left);
        else this.held.delete(key);
      },
    };
  }

  count(key?: string): number {
    return key === undefined ? this.total : (this.held.get(key) ?? 0);
  }
}
