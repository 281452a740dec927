import type { Queryable } from "../db/db.js";
import { DayReports, type TeamInfo } from "./day-reports.js";
import type { VersionFact } from "./record.js";

/**
 * What the reports of a day need besides the facts: logins of the day's users, each organization's enterprise,
 * and the day's version rows (few: one per user, editor and kind at most).
 */
export async function loadReportInputs(
  tx: Queryable,
  day: string,
  hasFacts: boolean,
  seated: (scope: string) => number,
): Promise<DayReports> {
  if (!hasFacts)
    return new DayReports(
      day,
      () => undefined,
      () => null,
      () => [],
    );
  const users = await tx.query<{ id: number; login: string }>(
    `SELECT id, login FROM users WHERE id IN
       (SELECT user_id FROM facts WHERE day = $1 UNION SELECT user_id FROM imported_facts WHERE day = $1)`,
    [day],
  );
  const orgs = await tx.query<{ id: number; enterprise_id: number | null }>(
    "SELECT id, enterprise_id FROM organizations",
  );
  const versions = await tx.query<VersionFact & { user_id: number }>(
    `SELECT user_id, kind, key, value,
       to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
     FROM fact_versions WHERE day = $1`,
    [day],
  );
  const teams = await tx.query<{
    id: number;
    slug: string;
    org_id: number | null;
    enterprise_id: number | null;
  }>("SELECT id, slug, org_id, enterprise_id FROM teams");
  const teamInfo = new Map<number, TeamInfo>(
    teams.map((t) => [t.id, { slug: t.slug, orgId: t.org_id, enterpriseId: t.enterprise_id }]),
  );
  const logins = new Map(users.map((u) => [u.id, u.login]));
  const entOf = new Map(orgs.map((o) => [o.id, o.enterprise_id]));
  const byUser = new Map<number, VersionFact[]>();
  for (const v of versions) {
    const list = byUser.get(v.user_id);
    const row = { kind: v.kind, key: v.key, value: v.value, at: v.at };
    if (list) list.push(row);
    else byUser.set(v.user_id, [row]);
  }
  return new DayReports(
    day,
    (u) => logins.get(u),
    (o) => entOf.get(o) ?? null,
    (u) => byUser.get(u) ?? [],
    { info: (t) => teamInfo.get(t), seated },
  );
}
