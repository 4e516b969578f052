/**
 * The in-process owner of pending confirmations, for a process that stays up
 * (`fos serve`, an interactive `fos shell`): every second it reverts an
 * expired `commit confirmed`, and it tells its listeners (the open sessions)
 * when running changed, whoever changed it — this process, a watcher or
 * another process.
 */
import type { Router } from './router.js';

export class ConfirmTimer {
  private readonly listeners = new Set<() => void>();
  private readonly timer: NodeJS.Timeout;
  private seenId: number;
  private ticking = false;

  constructor(
    private readonly router: Router,
    every = 1000,
  ) {
    this.seenId = router.store.latestId();
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
  }

  /** Called whenever running changes; returns the way to stop listening. */
  onRunningChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.router.revertIfExpired();
      const id = this.router.store.latestId();
      if (id !== this.seenId) {
        this.seenId = id;
        for (const listener of this.listeners) listener();
      }
    } catch {
      // The store is closing or a revert failed (its outcome is audited); the next tick tries again.
    } finally {
      this.ticking = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.listeners.clear();
  }
}
