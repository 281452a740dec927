import type { Queryable } from "../db/db.js";

/**
 * Forgets what ingestion keeps per event day once no event of that day can be accepted any more (days before the
 * window: `validateEvent` refuses them, so their ids can never be retried): the received event ids (dedupe) and
 * the per-user, per-day values of the cardinality limits. Without this both grow by every event ever received
 * (3 million ids a day for 100,000 active users). Facts stay: the documents and reports are built from them.
 * Run once a day by the scheduler and by `pilotlog process`, outside any day's transaction.
 */
export async function forgetIngestState(
  db: Queryable,
  earliestDay: string,
): Promise<{ eventIds: number; values: number }> {
  const ids = await db.query<{ n: string }>(
    "WITH d AS (DELETE FROM event_ids WHERE day < $1::date RETURNING 1) SELECT count(*) AS n FROM d",
    [earliestDay],
  );
  const values = await db.query<{ n: string }>(
    "WITH d AS (DELETE FROM user_day_values WHERE day < $1::date RETURNING 1) SELECT count(*) AS n FROM d",
    [earliestDay],
  );
  return { eventIds: Number(ids[0]!.n), values: Number(values[0]!.n) };
}
