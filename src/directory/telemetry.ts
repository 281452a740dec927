import type { Queryable } from "../db/db.js";

/**
 * SQL for "user `u` had telemetry on at the end of day `d.day`", over `users u` and a row `d` with a `day`
 * column. The latest change on or before the day wins. A user's first change also stores the setting it replaced,
 * from `-infinity` (BASELINE_DAY), so every earlier day keeps it even when the setting flips twice in one day;
 * stores written before that keep the old reading (before the first change, the opposite of it). A user never
 * changed has the current setting for all days.
 */
export const TELEMETRY_ON_DAY = `coalesce(
  (SELECT t.enabled FROM user_telemetry t WHERE t.user_id = u.id AND t.from_day <= d.day ORDER BY t.from_day DESC LIMIT 1),
  (SELECT NOT t.enabled FROM user_telemetry t WHERE t.user_id = u.id ORDER BY t.from_day LIMIT 1),
  u.telemetry)`;

/**
 * SQL for "user `u` had telemetry off at the end of day `d.day`" (the negation of TELEMETRY_ON_DAY). A user never
 * changed is off only when the current setting is: one probe of `user_telemetry` settles that instead of the two
 * of the full reading, which ingestion would pay for every (user, day) pair of every batch.
 */
export const TELEMETRY_OFF_ON_DAY = `((NOT u.telemetry OR EXISTS (SELECT 1 FROM user_telemetry t WHERE t.user_id = u.id))
  AND NOT ${TELEMETRY_ON_DAY})`;

/** The `from_day` of the row that keeps a user's setting from before their first change. */
export const BASELINE_DAY = "-infinity";

/**
 * The (user, day) pairs among `pairs` whose user had telemetry off on that day, as `"userId|day"` keys: ingestion
 * drops those events, whatever the setting is today (README: earlier days keep the setting they had).
 */
export async function telemetryOffOn(
  db: Queryable,
  pairs: readonly { userId: number; day: string }[],
): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const rows = await db.query<{ user_id: number; day: string }>(
    `SELECT u.id AS user_id, d.day::text AS day
     FROM unnest($1::int[], $2::date[]) AS d(user_id, day) JOIN users u ON u.id = d.user_id
     WHERE ${TELEMETRY_OFF_ON_DAY}`,
    [pairs.map((p) => p.userId), pairs.map((p) => p.day)],
  );
  return new Set(rows.map((r) => `${r.user_id}|${r.day}`));
}

/**
 * Records that `userId` has `enabled` from `today` on. The first change of a user also keeps the setting it
 * replaces (`previous`) for every earlier day.
 */
export async function recordTelemetryChange(
  tx: Queryable,
  userId: number,
  previous: boolean,
  enabled: boolean,
  today: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO user_telemetry (user_id, from_day, enabled)
     SELECT $1, $3::date, $2 WHERE NOT EXISTS (SELECT 1 FROM user_telemetry WHERE user_id = $1)`,
    [userId, previous, BASELINE_DAY],
  );
  await tx.query(
    `INSERT INTO user_telemetry (user_id, from_day, enabled) VALUES ($1, $2, $3)
     ON CONFLICT (user_id, from_day) DO UPDATE SET enabled = excluded.enabled`,
    [userId, today, enabled],
  );
}
