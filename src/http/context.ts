import type { Db, Queryable } from "../db/db.js";
import type { ReplicaRouter } from "../db/replica.js";
import type { ServiceMetrics } from "../ops/metrics.js";
import type { Clock } from "../util/clock.js";
import type { AnswerCache } from "./answer-cache.js";
import type { AuthThrottle } from "./auth-throttle.js";
import type { RateLimiter } from "./rate-limit.js";

/** What the HTTP layer needs from the rest of pilotlog. */
export interface AppContext {
  db: Db;
  clock: Clock;
  windowDays: number;
  /** The stored days served recently, checked against the processing generation on every request. */
  answers: AnswerCache;
  /** Secret of the local admin routes the CLI uses while this server holds a PGlite folder. */
  adminToken?: string;
  /** Temporary 403 for a client address after repeated bad credentials; absent: none (tests). */
  authThrottle?: AuthThrottle;
  /** Per-token request budget of the GitHub routes; absent: no limit. */
  rateLimiter?: RateLimiter;
  /** Where lag-tolerant reads go when `DATABASE_REPLICA_URL` is set (see `lagTolerantReader`). */
  replica?: ReplicaRouter;
  /** Prometheus metrics of this server (/metrics); created by the app when absent. */
  metrics?: ServiceMetrics;
  /** When set, /metrics answers only requests that show it as a bearer token (`--metrics-token`). */
  metricsToken?: string;
  /** Usage-metrics report settings (`--report-link-ttl`, `--report-file-records`, `--retention-days`); absent: defaults. */
  reports?: { linkTtlMs: number; fileRecords: number; retentionDays: number };
  /** Sandbox controls (`--sandbox`): move the clock, reset (and re-seed) the store. */
  sandbox?: {
    setNow(now: Date): void;
    reseed?: () => Promise<unknown>;
  };
}

/**
 * The database for a read that may come from a streaming replica (day documents, companion lists): the replica
 * once it has caught up with the primary's `generation`, else the primary (`ctx.db`).
 */
export async function lagTolerantReader(ctx: AppContext, generation?: string): Promise<Queryable> {
  if (!ctx.replica) return ctx.db;
  return ctx.replica.reader(generation ?? (await ctx.answers.generation(ctx.db)));
}
