import type { Queryable } from "../db/db.js";
import { windowOf } from "../rollup/process.js";
import type { Clock } from "../util/clock.js";
import { utcDay } from "../util/time.js";

/**
 * Closed days of the window still waiting: never processed (yesterday included) and changed since they were
 * processed (dirty). The gauge `pilotlog_days_pending` of /metrics.
 */
export async function pendingDays(
  db: Queryable,
  clock: Clock,
  windowDays: number,
): Promise<{ unprocessed: number; dirty: number }> {
  const { first, last } = windowOf(utcDay(clock.now()), windowDays);
  const [row] = await db.query<{ processed: number; dirty: number }>(
    `SELECT (SELECT count(*) FROM processed_days WHERE day BETWEEN $1 AND $2)::int8 AS processed,
            (SELECT count(*) FROM dirty_days WHERE day BETWEEN $1 AND $2)::int8 AS dirty`,
    [first, last],
  );
  return { unprocessed: windowDays - Number(row!.processed), dirty: Number(row!.dirty) };
}
