import type { Queryable } from "../db/db.js";
import { Lru } from "../http/lru.js";
import type { FileIdentity } from "./links.js";

type Base = Omit<FileIdentity, "after" | "upTo">;

/** How many rows a report holds: from report_days, one row per scope and day, so it is cheap at any size. */
export async function reportRows(db: Queryable, f: Base): Promise<number> {
  const column: "team_rows" | "records" = f.kind === "user-teams-1-day" ? "team_rows" : "records";
  const [row] = await db.query<{ n: number | null }>(
    `SELECT sum(${column})::int AS n FROM report_days WHERE scope = $1 AND day BETWEEN $2 AND $3`,
    [f.scope, f.first, f.last],
  );
  return row?.n ?? 0;
}

/**
 * The file keys of a report in file order with their row counts: logins (users files) or slug TAB login
 * (user-teams files). Only read for a report larger than one file.
 */
async function units(db: Queryable, f: Base): Promise<{ k: string; n: number }[]> {
  if (f.kind === "user-teams-1-day")
    return db.query(
      `SELECT t.slug || E'\\t' || m.login AS k, count(*)::int AS n
       FROM user_team_days t, unnest(t.logins) AS m(login)
       WHERE t.scope = $1 AND t.day = $2 GROUP BY t.slug, m.login ORDER BY t.slug, m.login COLLATE "C"`,
      [f.scope, f.first],
    );
  return db.query(
    `SELECT login AS k, count(*)::int AS n FROM user_day_records
     WHERE scope = $1 AND day BETWEEN $2 AND $3 GROUP BY login ORDER BY login`,
    [f.scope, f.first, f.last],
  );
}

/**
 * Splits a report into files of at most `max` rows, cutting between users (a user's days stay in one file, so a
 * file may exceed `max` only when one user alone has more rows than it).
 */
export function cut(
  keys: readonly { k: string; n: number }[],
  max: number,
): { after: string; upTo: string }[] {
  const files: { after: string; upTo: string }[] = [];
  let after = "";
  let count = 0;
  let prev = "";
  for (const { k, n } of keys) {
    if (count > 0 && count + n > max) {
      files.push({ after, upTo: prev });
      after = prev;
      count = 0;
    }
    count += n;
    prev = k;
  }
  files.push({ after, upTo: "" });
  return files;
}

/** Report plans per generation: computing the cuts of a 100,000-user report reads every login once. */
export class PlanCache {
  private readonly plans = new Lru<{ generation: string; files: FileIdentity[]; rows: number }>(
    2000,
    64 << 20,
    (v) => v.files.reduce((s, f) => s + f.after.length + f.upTo.length + 64, 64),
  );

  /** The files of a report (one unless it has more than `max` rows) and its row count. */
  async plan(
    db: Queryable,
    generation: string,
    f: Base,
    max: number,
  ): Promise<{ files: FileIdentity[]; rows: number }> {
    const key = `${f.kind}|${f.scope}|${f.first}|${f.last}|${max}`;
    const hit = this.plans.get(key);
    if (hit && hit.generation === generation) return hit;
    const rows = f.kind === "scope-1-day" || f.kind === "scope-28-day" ? 1 : await reportRows(db, f);
    const files =
      rows <= max
        ? [{ ...f, after: "", upTo: "" }]
        : cut(await units(db, f), max).map((c) => ({ ...f, ...c }));
    return this.plans.set(key, { generation, files, rows });
  }
}
