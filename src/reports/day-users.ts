import type { Queryable } from "../db/db.js";
import type { VersionFact } from "./record.js";

/** The logins and version rows of some of a day's users. */
export interface DayUsers {
  logins: ReadonlyMap<number, string>;
  versions: ReadonlyMap<number, readonly VersionFact[]>;
}

export const NO_USERS: DayUsers = { logins: new Map(), versions: new Map() };

/**
 * The logins and the day's version rows (one per user, editor and kind at most) of the users of one fetch of the
 * day's facts: `ids` ascending. Read a fetch at a time, so that what the reports hold of the users is bounded by a
 * fetch, not by the day (100,000 users' versions and logins were ≈ 35 MB live, and V8 let the heap grow to 3×
 * what was live).
 */
export async function loadDayUsers(tx: Queryable, day: string, ids: readonly number[]): Promise<DayUsers> {
  if (ids.length === 0) return NO_USERS;
  const users = await tx.query<{ id: number; login: string }>(
    "SELECT id, login FROM users WHERE id = ANY(string_to_array($1, ',')::int[])",
    [ids.join(",")],
  );
  const versions = await tx.query<VersionFact & { user_id: number }>(
    `SELECT user_id, kind, key, value,
       to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
     FROM fact_versions WHERE day = $1 AND user_id BETWEEN $2 AND $3`,
    [day, ids[0], ids[ids.length - 1]],
  );
  const byUser = new Map<number, VersionFact[]>();
  for (const v of versions) {
    const list = byUser.get(v.user_id);
    const row = { kind: v.kind, key: v.key, value: v.value, at: v.at };
    if (list) list.push(row);
    else byUser.set(v.user_id, [row]);
  }
  return { logins: new Map(users.map((u) => [u.id, u.login])), versions: byUser };
}
