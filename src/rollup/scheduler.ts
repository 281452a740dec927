import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/db.js";
import { refreshStatistics } from "../db/statistics.js";
import { forgetIngestState } from "../ingest/forget.js";
import type { Clock } from "../util/clock.js";
import { utcDay } from "../util/time.js";
import { type DayResult, dueDays, processDayIfDue } from "./process.js";
import { windowOf } from "./window.js";

export interface SchedulerOptions {
  windowDays: number;
  processAtMinutes: number;
  reprocessEveryMs: number;
  tickMs?: number;
  /** Told of each day processed and of each failed run (the server's metrics). */
  onDay?: (r: DayResult) => void;
  onFailure?: (err: unknown) => void;
  /** Days of usage-metrics reports kept (`--retention-days`). */
  retentionDays?: number;
}

/**
 * Processes closed days inside `pilotlog serve`: yesterday once the daily time (UTC) has passed, days missed
 * while the server was down, and days marked dirty (late events, directory changes) every `reprocessEveryMs`
 * and at the daily run. One run at a time.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<DayResult[]> | null = null;
  /** Clock time (ms) of the last run that included dirty days. */
  private lastDirtyRun = Number.NEGATIVE_INFINITY;
  private lastDailyDay = "";

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly opts: SchedulerOptions,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs ?? 30_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One check; returns what it processed. Safe to call at any time (tests call it directly). */
  tick(): Promise<DayResult[]> {
    if (this.running) return this.running;
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<DayResult[]> {
    const now = this.clock.now();
    const today = utcDay(now);
    const minutes = now.getUTCHours() * 60 + now.getUTCMinutes();
    const dailyDue = minutes >= this.opts.processAtMinutes;
    const nowMs = now.getTime();
    // The injected clock, not Date.now(): a sandbox or a test moves time, and a clock moved back starts a new period.
    const sinceDirtyRun = nowMs - this.lastDirtyRun;
    const dirtyDue =
      (dailyDue && this.lastDailyDay !== today) ||
      (this.opts.reprocessEveryMs > 0 && (sinceDirtyRun >= this.opts.reprocessEveryMs || sinceDirtyRun < 0));
    const results: DayResult[] = [];
    try {
      const days = await dueDays(this.db, {
        today,
        windowDays: this.opts.windowDays,
        includeYesterday: dailyDue,
        includeDirty: dirtyDue,
      });
      for (const day of days) {
        // Other servers on the same PostgreSQL may be processing the same days: each is done by one of them.
        const r = await processDayIfDue(this.db, day, this.clock.now(), {
          ...(this.opts.retentionDays ? { retentionDays: this.opts.retentionDays } : {}),
        });
        if (!r) continue;
        results.push(r);
        this.opts.onDay?.(r);
        this.log.debug(
          { day, documents: r.documents, activeUsers: r.activeUsers, ms: r.ms },
          "processed day",
        );
      }
      if (results.length > 0) {
        await refreshStatistics(this.db);
        this.log.info(
          {
            days: results.length,
            first: days[0],
            last: days.at(-1),
            documents: results.reduce((n, r) => n + r.documents, 0),
          },
          "processed closed days",
        );
      }
      if (dailyDue && this.lastDailyDay !== today)
        await forgetIngestState(this.db, windowOf(today, this.opts.windowDays).first);
      if (dirtyDue) this.lastDirtyRun = nowMs;
      if (dailyDue) this.lastDailyDay = today;
    } catch (err) {
      this.log.error({ err }, "processing failed; will retry at the next check");
      this.opts.onFailure?.(err);
    }
    return results;
  }
}
