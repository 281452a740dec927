import type { FastifyReply } from "fastify";
import type { Clock } from "../util/clock.js";
import { ApiError, DOCS } from "./errors.js";

export interface RateState {
  limit: number;
  remaining: number;
  used: number;
  /** Epoch seconds when the window resets. */
  reset: number;
}

/**
 * GitHub's primary rate limit, per token: `limit` requests per hour in a window that starts with the token's
 * first request. In memory: a restart forgives everyone, which errs on the side of serving.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();

  constructor(
    readonly limit: number,
    private readonly clock: Clock,
    private readonly windowMs = 3_600_000,
  ) {}

  private window(key: string): { start: number; used: number } {
    const now = this.clock.now().getTime();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 100_000) this.prune(now);
      w = { start: now, used: 0 };
      this.windows.set(key, w);
    }
    return w;
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }

  private state(w: { start: number; used: number }): RateState {
    return {
      limit: this.limit,
      used: w.used,
      remaining: Math.max(0, this.limit - w.used),
      reset: Math.ceil((w.start + this.windowMs) / 1000),
    };
  }

  /** Counts one request; `ok` is false when the token had no request left (then nothing is counted). */
  take(key: string): { ok: boolean; state: RateState } {
    const w = this.window(key);
    if (w.used >= this.limit) return { ok: false, state: this.state(w) };
    w.used++;
    return { ok: true, state: this.state(w) };
  }

  /** Gives back a request that turned out not to count (a 304). */
  refund(key: string): RateState {
    const w = this.window(key);
    if (w.used > 0) w.used--;
    return this.state(w);
  }

  /** Seconds until the window of `key` resets. */
  retryAfter(state: RateState): number {
    return Math.max(1, state.reset - Math.floor(this.clock.now().getTime() / 1000));
  }
}

/** The `x-ratelimit-*` headers GitHub sends. */
export function rateHeaders(s: RateState): Record<string, string> {
  return {
    "x-ratelimit-limit": String(s.limit),
    "x-ratelimit-remaining": String(s.remaining),
    "x-ratelimit-reset": String(s.reset),
    "x-ratelimit-used": String(s.used),
    "x-ratelimit-resource": "core",
  };
}

/** Counts the request against the token's budget and sets the headers; 403 once the budget is spent. */
export function countRequest(limiter: RateLimiter, key: string, reply: FastifyReply): RateLimiter {
  const { ok, state } = limiter.take(key);
  reply.headers(rateHeaders(state));
  if (!ok) {
    throw new ApiError("rate_limited", undefined, {
      documentationUrl: DOCS.rateLimits,
      headers: { "retry-after": String(limiter.retryAfter(state)) },
    });
  }
  return limiter;
}
