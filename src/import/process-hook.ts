import type { Queryable } from "../db/db.js";

/**
 * How imported records feed processing (spec/usage-reports-import.md). processDay reads the facts rebuilt from
 * imported records (`imported_facts`) beside the telemetry facts, so the legacy documents, thresholds and teams
 * come out of the one computation; then each user-day record it computed for an imported (scope, user, day) is
 * replaced by the imported record's own bytes, so the users-* files re-serve GitHub's records exactly (unknown
 * keys and features included).
 */

/** The facts of a day, telemetry and imported, for processDay's cursor (ordered by user). */
export const DAY_FACTS_SQL = `SELECT user_id AS "userId", feature, editor, model, dim, n1, n2, n3, n4 FROM (
    SELECT user_id, feature, editor, model, dim, n1, n2, n3, n4 FROM facts WHERE day = $1
    UNION ALL
    SELECT user_id, feature, editor, model, dim, n1, n2, n3, n4 FROM imported_facts WHERE day = $1
  ) f ORDER BY user_id`;

/** Whether a day has any fact, telemetry or imported. */
export const DAY_HAS_FACTS_SQL =
  "SELECT 1 FROM facts WHERE day = $1 UNION ALL SELECT 1 FROM imported_facts WHERE day = $1 LIMIT 1";

/** Puts the imported records' bytes in place of the records processing computed for the same scope, day and user. */
export async function overlayImportedRecords(tx: Queryable, day: string): Promise<void> {
  await tx.query(
    `UPDATE user_day_records r SET body = i.body FROM imported_records i
     WHERE r.day = $1 AND i.day = $1 AND r.scope = i.scope AND r.user_id = i.user_id`,
    [day],
  );
}
