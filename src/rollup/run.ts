import type { Db } from "../db/db.js";
import { refreshStatistics } from "../db/statistics.js";
import { forgetIngestState } from "../ingest/forget.js";
import { addDays, isDay, utcDay } from "../util/time.js";
import { type DayResult, dueDays, processDay } from "./process.js";
import { windowOf } from "./window.js";

/** A day that cannot be processed; the message says which days can. */
export class ProcessRequestError extends Error {
  /** Its entry of the error catalogue (src/http/errors.ts). */
  readonly catalogueKind = "process_request_invalid";
}

/** The `--day` of `pilotlog process` must be written YYYY-MM-DD: checked before anything is opened. */
export function checkDayFormat(day: string): void {
  if (!isDay(day))
    throw new ProcessRequestError(
      `--day must be a real date written YYYY-MM-DD (a closed UTC day, such as 2026-11-19), got "${day}"`,
    );
}

/** Throws ProcessRequestError unless `day` is a closed day of the window as of `now`. */
export function checkDay(day: string, now: Date, windowDays: number): void {
  checkDayFormat(day);
  const today = utcDay(now);
  const { first, last } = windowOf(today, windowDays);
  if (day >= today) {
    throw new ProcessRequestError(
      `${day} is not over yet (today is ${today}): only days up to ${addDays(today, -1)} can be processed`,
    );
  }
  if (day < first) {
    throw new ProcessRequestError(
      `${day} is before the ${windowDays}-day window (${first} … ${last}); raise --window-days to keep more history`,
    );
  }
}

/**
 * `pilotlog process`: the given closed day of the window, or every closed day of the window that was never
 * processed or has changed since. `onDay` reports progress.
 */
export async function runProcessing(
  db: Db,
  now: Date,
  opts: {
    windowDays: number;
    day?: string;
    onDay?: (r: DayResult, i: number, total: number) => void;
    /** Days of usage-metrics reports kept (`--retention-days`). */
    retentionDays?: number;
  },
): Promise<DayResult[]> {
  const today = utcDay(now);
  let days: string[];
  if (opts.day !== undefined) {
    checkDay(opts.day, now, opts.windowDays);
    days = [opts.day];
  } else {
    days = await dueDays(db, {
      today,
      windowDays: opts.windowDays,
      includeYesterday: true,
      includeDirty: true,
    });
  }
  const results: DayResult[] = [];
  for (const [i, day] of days.entries()) {
    const r = await processDay(db, day, now, opts.retentionDays ? { retentionDays: opts.retentionDays } : {});
    results.push(r);
    opts.onDay?.(r, i, days.length);
  }
  await forgetIngestState(db, windowOf(today, opts.windowDays).first);
  if (results.length > 0) await refreshStatistics(db);
  return results;
}
