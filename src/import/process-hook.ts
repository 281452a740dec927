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

/**
 * Puts the imported records' bytes in place of the records processing computed for the same scope, day and user, and
 * adds those it computed none for (a record of features this version does not count), so the files hold every
 * imported record. `recordsOf` is the scope's record count of the day, raised for each record added.
 */
export async function overlayImportedRecords(
  tx: Queryable,
  day: string,
  recordsOf: (scope: string) => { records: number } | undefined,
): Promise<void> {
  // Matched by user id: the computed record is keyed by the directory's spelling of the login, the imported one by
  // the file's.
  const replaced = await tx.query<{ scope: string }>(
    `DELETE FROM user_day_records r USING imported_records i
     WHERE r.day = $1 AND i.day = $1 AND r.scope = i.scope AND r.user_id = i.user_id RETURNING r.scope`,
    [day],
  );
  const added = await tx.query<{ scope: string }>(
    `INSERT INTO user_day_records (scope, day, login, user_id, body)
     SELECT scope, day, login, user_id, body FROM imported_records WHERE day = $1
     ON CONFLICT (scope, day, login) DO UPDATE SET user_id = excluded.user_id, body = excluded.body
     RETURNING scope`,
    [day],
  );
  for (const r of added) {
    const s = recordsOf(r.scope);
    if (s) s.records++;
  }
  for (const r of replaced) {
    const s = recordsOf(r.scope);
    if (s) s.records--;
  }
}

/**
 * Drops imported records and their facts of days before `firstKept` (`--retention-days`, as the reports are pruned),
 * so the import tables do not grow forever. `import_scopes` is not by day (one row per upstream scope) and stays.
 */
export async function pruneImported(tx: Queryable, firstKept: string): Promise<void> {
  await tx.query("DELETE FROM imported_records WHERE day < $1", [firstKept]);
  await tx.query("DELETE FROM imported_facts WHERE day < $1", [firstKept]);
}
