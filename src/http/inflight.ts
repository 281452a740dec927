/**
 * Counts requests whose handlers are still running, so shutdown can close the database only once none is
 * left: a handler keeps running (and querying) even after its client has gone away.
 */
export class InFlight {
  private count = 0;
  /** Set when shutdown begins: new requests get 503 and every answer closes its connection. */
  closing = false;
  private waiters: (() => void)[] = [];

  start(): void {
    this.count++;
  }

  end(): void {
    if (this.count > 0) this.count--;
    if (this.count === 0) for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves true once no handler runs, or false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
