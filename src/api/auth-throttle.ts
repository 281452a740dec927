import type { Clock } from "../util/clock.js";
import { Lru } from "./lru.js";

/**
 * GitHub's answer to credential guessing: after repeated bad credentials from one client address, every
 * authenticated request from it gets a temporary 403 ("Maximum number of login attempts exceeded"), whatever
 * the token, until the lockout ends. In memory, per process.
 */
export class AuthThrottle {
  private readonly clients = new Lru<{ failures: number; since: number; lockedUntil: number }>(
    100_000,
    Number.POSITIVE_INFINITY,
  );

  /**
   * @param maxFailures bad credentials allowed within `windowMs` before the lockout
   * @param lockoutMs how long the lockout lasts
   */
  constructor(
    private readonly clock: Clock,
    readonly maxFailures = 20,
    private readonly windowMs = 5 * 60_000,
    readonly lockoutMs = 5 * 60_000,
  ) {}

  /** Seconds until `client` may try again, or 0 when it is not locked out. */
  lockedFor(client: string): number {
    const c = this.clients.get(client);
    const now = this.clock.now().getTime();
    return c && c.lockedUntil > now ? Math.ceil((c.lockedUntil - now) / 1000) : 0;
  }

  /** Records one request with bad credentials from `client`. */
  failed(client: string): void {
    const now = this.clock.now().getTime();
    let c = this.clients.get(client);
    if (!c || now - c.since >= this.windowMs) c = { failures: 0, since: now, lockedUntil: 0 };
    c.failures++;
    if (c.failures >= this.maxFailures) {
      c.lockedUntil = now + this.lockoutMs;
      c.failures = 0;
      c.since = now;
    }
    this.clients.set(client, c);
  }
}
