import type { Queryable } from "./db.js";

/**
 * The tables processing rewrites and the routes read by index order (28-day files by keyset, documents by
 * scope and day).
 */
const SERVED_TABLES = "user_day_records, user_team_days, report_days, day_documents";

/**
 * Refreshes the planner's statistics of the tables processing writes. PGlite runs no autovacuum, so without this
 * its planner never learns that a table grew: a 28-day file's keyset page of 1,000 records was planned as a bitmap
 * scan of the whole remaining file and a sort (120 ms a page at 6,000 users) instead of the (scope, login, day)
 * index in order (2 ms). PostgreSQL's autovacuum would get there within a minute or so; until then its plans are
 * as bad, so both engines run it. Sampled (at most 30,000 rows a table), it costs far less than the processing
 * it follows. Run after a processing run, outside any day's transaction.
 */
export async function refreshStatistics(db: Queryable): Promise<void> {
  await db.query(`ANALYZE ${SERVED_TABLES}`);
}
