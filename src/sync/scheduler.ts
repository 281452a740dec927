import type { Clock } from "../util/clock.js";
import type { SyncSummary } from "./run.js";

/** One line per run for the server's log: what was fetched, never the token (the run never sees it here). */
export function syncLine(s: SyncSummary): string {
  const parts = s.scopes.map(
    (x) =>
      `${x.scope} ${x.members} members, ${x.teams} teams, ${x.seats} seats, ${x.days} days, ${x.records} records${x.error ? ` (stopped: ${x.error})` : ""}`,
  );
  return `sync from ${s.api}: ${parts.join("; ")}; ${s.daysChanged.length} days to process${s.waits > 0 ? `; waited ${s.waits}× for rate limits` : ""}`;
}

/**
 * `serve --sync-every`: runs a sync when the period has passed since the last run began, by the injected clock
 * (a clock moved back starts a new period), checked every `tickMs` like the processing scheduler. One run at a
 * time; a failed run is logged and tried again at the next period.
 */
export class SyncScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SyncSummary | null> | null = null;
  private lastRun = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly opts: {
      everyMs: number;
      tickMs?: number;
      run: () => Promise<SyncSummary>;
      onDone: (s: SyncSummary) => void | Promise<void>;
      onFailure: (err: unknown) => void;
    },
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

  /** One check: runs a sync when one is due; returns its summary (null: none was due or it failed). */
  tick(): Promise<SyncSummary | null> {
    if (this.running) return this.running;
    const now = this.clock.now().getTime();
    const since = now - this.lastRun;
    if (since < this.opts.everyMs && since >= 0) return Promise.resolve(null);
    this.lastRun = now;
    this.running = this.opts
      .run()
      .then(async (s) => {
        await this.opts.onDone(s);
        return s;
      })
      .catch((err: unknown) => {
        this.opts.onFailure(err);
        return null;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }
}
