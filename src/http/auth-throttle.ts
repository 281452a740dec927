import type { Clock } from "../util/clock.js";
import { Lru } from "./lru.js";

/**
 * GitHub's answer to credential guessing: after repeated bad credentials from one client address, its requests
 * with bad credentials get a temporary 403 ("Maximum number of login attempts exceeded") until the lockout ends.
 * A valid token from that address is still served (unlike GitHub): a relay behind the same NAT as an attacker must
 * not be refused and drop data. In memory, per process.
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

  /**
   * Called for a request from `client` whose credentials failed: the seconds of lockout left when `client` is
   * locked out (answer GitHub's 403), else 0 (answer the 401) after counting the failure. The failure that reaches
   * `maxFailures` still gets its 401; the next bad one gets the 403.
   */
  refuse(client: string): number {
    const now = this.clock.now().getTime();
    let c = this.clients.get(client);
    if (c && c.lockedUntil > now) return Math.ceil((c.lockedUntil - now) / 1000);
    if (!c || now - c.since >= this.windowMs) c = { failures: 0, since: now, lockedUntil: 0 };
    c.failures++;
    if (c.failures >= this.maxFailures) {
      c.lockedUntil = now + this.lockoutMs;
      c.failures = 0;
      c.since = now;
    }
    this.clients.set(client, c);
    return 0;
  }
}
