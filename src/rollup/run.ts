import type { Db } from "../db/db.js";
import { addDays, isDay, utcDay } from "../util/time.js";
import { type DayResult, dueDays, processDay } from "./process.js";
import { windowOf } from "./window.js";

export class ProcessRequestError extends Error {}

/**
 * `pilotlog process`: the given closed day of the window, or every closed day of the window that was never
 * processed or has changed since. `onDay` reports progress.
 */
export async function runProcessing(
  db: Db,
  now: Date,
  opts: { windowDays: number; day?: string; onDay?: (r: DayResult, i: number, total: number) => void },
): Promise<DayResult[]> {
  const today = utcDay(now);
  const { first, last } = windowOf(today, opts.windowDays);
  let days: string[];
  if (opts.day !== undefined) {
    if (!isDay(opts.day))
      throw new ProcessRequestError(`--day must be a date written YYYY-MM-DD, got "${opts.day}"`);
    if (opts.day >= today) {
      throw new ProcessRequestError(
        `${opts.day} is not over yet (today is ${today}): only days up to ${addDays(today, -1)} can be processed`,
      );
    }
    if (opts.day < first) {
      throw new ProcessRequestError(
        `${opts.day} is before the ${opts.windowDays}-day window (${first} … ${last}); raise --window-days to keep more history`,
      );
    }
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
    const r = await processDay(db, day, now);
    results.push(r);
    opts.onDay?.(r, i, days.length);
  }
  return results;
}
