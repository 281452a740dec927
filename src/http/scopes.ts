import type { Queryable } from "../db/db.js";
import type { EnterprisePolicy, OrgPolicy } from "../directory/model.js";
import { PATH_NAME_RE } from "../schemas/route.js";
import { ApiError } from "./errors.js";

export interface ResolvedScope {
  /** The stored-document key: `ent:ID`, `eteam:ID`, `org:ID`, `team:ID`. */
  key: string;
  enterpriseId: number | null;
  enterprisePolicy: EnterprisePolicy | null;
  orgId: number | null;
  orgPolicy: OrgPolicy | null;
}

/**
 * Names in paths (logins, slugs, ids) are letters, digits and `._-`; anything else cannot exist, so it is a 404
 * before it reaches a query (a NUL byte, say, would be refused by PostgreSQL with an error).
 */
export function pathName(value: string | undefined): string {
  if (value === undefined || !PATH_NAME_RE.test(value)) throw new ApiError("not_found");
  return value;
}

/** The enterprise named by slug (case-insensitive) or numeric id; 404 when there is none. */
export async function findEnterprise(db: Queryable, ref: string) {
  pathName(ref);
  const byId = /^\d+$/.test(ref) && Number(ref) < 2 ** 31;
  const [row] = byId
    ? await db.query<{ id: number; policy: EnterprisePolicy }>(
        "SELECT id, policy FROM enterprises WHERE slug = $1 OR id = $2 ORDER BY slug = $1 DESC LIMIT 1",
        [ref.toLowerCase(), Number(ref)],
      )
    : await db.query<{ id: number; policy: EnterprisePolicy }>(
        "SELECT id, policy FROM enterprises WHERE slug = $1",
        [ref.toLowerCase()],
      );
  if (!row) throw new ApiError("not_found");
  return row;
}

/** The organization named case-insensitively, with its enterprise's policy; 404 when there is none. */
export async function findOrg(db: Queryable, login: string) {
  pathName(login);
  const [row] = await db.query<{
    id: number;
    policy: OrgPolicy;
    enterprise_id: number | null;
    ent_policy: EnterprisePolicy | null;
  }>(
    `SELECT o.id, o.policy, o.enterprise_id, e.policy AS ent_policy
     FROM organizations o LEFT JOIN enterprises e ON e.id = o.enterprise_id WHERE o.login_lower = lower($1)`,
    [login],
  );
  if (!row) throw new ApiError("not_found");
  return row;
}

async function findTeam(
  db: Queryable,
  parent: "org_id" | "enterprise_id",
  parentId: number,
  slug: string,
): Promise<number> {
  pathName(slug);
  const [row] = await db.query<{ id: number }>(
    `SELECT id FROM teams WHERE ${parent} = $1 AND slug = lower($2)`,
    [parentId, slug],
  );
  if (!row) throw new ApiError("not_found");
  return row.id;
}

/** Resolves the path of one of the four metrics routes, or throws 404 `Not Found`. */
export async function resolveScope(
  db: Queryable,
  route: "enterprise" | "enterprise_team" | "org" | "team",
  params: { enterprise?: string; org?: string; team_slug?: string },
): Promise<ResolvedScope> {
  if (route === "enterprise" || route === "enterprise_team") {
    const ent = await findEnterprise(db, params.enterprise ?? "");
    const key =
      route === "enterprise"
        ? `ent:${ent.id}`
        : `eteam:${await findTeam(db, "enterprise_id", ent.id, params.team_slug ?? "")}`;
    return { key, enterpriseId: ent.id, enterprisePolicy: ent.policy, orgId: null, orgPolicy: null };
  }
  const org = await findOrg(db, params.org ?? "");
  const key =
    route === "org"
      ? `org:${org.id}`
      : `team:${await findTeam(db, "org_id", org.id, params.team_slug ?? "")}`;
  return {
    key,
    enterpriseId: org.enterprise_id,
    enterprisePolicy: org.ent_policy,
    orgId: org.id,
    orgPolicy: org.policy,
  };
}

/** The metrics policy check of metrics-semantics.md: false when the route must answer 422. */
export function policyAllows(
  route: "enterprise" | "enterprise_team" | "org" | "team",
  s: ResolvedScope,
): boolean {
  if (s.enterprisePolicy === "disabled") return false;
  if (route === "enterprise" || route === "enterprise_team") return true;
  if (s.enterprisePolicy === "enabled") return true;
  return s.orgPolicy !== "disabled";
}
