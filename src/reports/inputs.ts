import type { Queryable } from "../db/db.js";
import { DayReports, type TeamInfo } from "./day-reports.js";

/**
 * What the reports of a day need besides the facts and the users: each organization's enterprise and the teams
 * (a row per team, whatever the day's size). The users' logins and version rows are read a part at a time
 * (`loadDayUsers`, day-users.ts).
 */
export async function loadReportInputs(
  tx: Queryable,
  hasFacts: boolean,
  day: string,
  seated: (scope: string) => number,
): Promise<DayReports> {
  if (!hasFacts) return new DayReports(day, () => null);
  const orgs = await tx.query<{ id: number; enterprise_id: number | null }>(
    "SELECT id, enterprise_id FROM organizations",
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
  const entOf = new Map(orgs.map((o) => [o.id, o.enterprise_id]));
  return new DayReports(day, (o) => entOf.get(o) ?? null, { info: (t) => teamInfo.get(t), seated });
}
