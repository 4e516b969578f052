/**
 * The daemon's watch over what backends keep running (`fos serve`): every
 * second it asks the Router to put back what was lost since the last commit,
 * such as a routing daemon killed or crashed, which comes back with its
 * configuration. One round at a time.
 */
import type { Router } from './router.js';

export class HealTimer {
  private readonly timer: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly router: Router,
    private readonly told: (line: string) => void,
    every = 1000,
  ) {
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      for (const line of await this.router.heal()) this.told(line);
    } catch {
      // The store is closing, or a backend could not heal (audited); the next tick tries again.
    } finally {
      this.ticking = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
