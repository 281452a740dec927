import type { Db, Queryable } from "../db/db.js";

/**
 * What `sync` keeps in the database (table `sync_days`, migration 009): which upstream scope's day was synced when,
 * and what it reads of the local directory to merge the upstream one with it (directory.ts).
 */

/** One synced day of one upstream scope. */
export interface SyncedDay {
  scope: string;
  day: string;
  records: number;
  teamRows: number;
}

/** A grant of the local store, as the directory file writes it (dates inclusive, null = unbounded). */
export interface StoredGrant {
  /** 'org:LOGIN' | 'ent:SLUG' | 'team:ORG/SLUG' | 'eteam:ENT/SLUG' (lowercase). */
  scope: string;
  role: string;
  login: string;
  since: string | null;
  until: string | null;
  imported: boolean;
}

/** The local state of the scopes a run syncs. */
export interface LocalState {
  /** Days already synced, by scope key. */
  days: SyncedDay[];
  grants: StoredGrant[];
  /** Team names by 'team:ORG/SLUG' | 'eteam:ENT/SLUG'. */
  teams: { scope: string; name: string }[];
  /** Stored policies and names by scope key (absent: not in the store yet). */
  scopes: { scope: string; name: string; policy: string; enterprise: string | null }[];
}

/** Reads the sync state of `scopes` ('org:LOGIN' | 'ent:SLUG') for the upstream `api`. */
export async function readLocalState(
  db: Queryable,
  api: string,
  scopes: readonly string[],
): Promise<LocalState> {
  const orgs = scopes.filter((s) => s.startsWith("org:")).map((s) => s.slice(4).toLowerCase());
  const ents = scopes.filter((s) => s.startsWith("ent:")).map((s) => s.slice(4).toLowerCase());
  const days = await db.query<{ scope: string; day: string; records: number; team_rows: number }>(
    "SELECT scope, day::text AS day, records, team_rows FROM sync_days WHERE api = $1 AND scope = ANY($2::text[]) ORDER BY scope, day",
    [api, [...scopes]],
  );
  const grants = await db.query<{
    scope: string;
    role: string;
    login: string;
    since: string | null;
    until: string | null;
    imported: boolean;
  }>(
    `SELECT CASE g.scope_kind
              WHEN 'org' THEN 'org:' || o.login_lower
              WHEN 'ent' THEN 'ent:' || e.slug
              WHEN 'team' THEN 'team:' || tor.login_lower || '/' || t.slug
              ELSE 'eteam:' || te.slug || '/' || t.slug END AS scope,
            g.role, u.login, g.since::text AS since, g.until::text AS until, g.imported
     FROM grants g JOIN users u ON u.id = g.user_id
     LEFT JOIN organizations o ON g.scope_kind = 'org' AND o.id = g.scope_id
     LEFT JOIN enterprises e ON g.scope_kind = 'ent' AND e.id = g.scope_id
     LEFT JOIN teams t ON g.scope_kind IN ('team', 'eteam') AND t.id = g.scope_id
     LEFT JOIN organizations tor ON tor.id = t.org_id
     LEFT JOIN enterprises te ON te.id = t.enterprise_id
     WHERE (g.scope_kind = 'org' AND o.login_lower = ANY($1::text[]))
        OR (g.scope_kind = 'ent' AND e.slug = ANY($2::text[]))
        OR (g.scope_kind = 'team' AND tor.login_lower = ANY($1::text[]))
        OR (g.scope_kind = 'eteam' AND te.slug = ANY($2::text[]))
     ORDER BY 1, g.role, u.login_lower`,
    [orgs, ents],
  );
  const teams = await db.query<{ scope: string; name: string }>(
    `SELECT CASE WHEN t.org_id IS NOT NULL THEN 'team:' || o.login_lower || '/' || t.slug
                 ELSE 'eteam:' || e.slug || '/' || t.slug END AS scope, t.name
     FROM teams t LEFT JOIN organizations o ON o.id = t.org_id LEFT JOIN enterprises e ON e.id = t.enterprise_id
     WHERE o.login_lower = ANY($1::text[]) OR e.slug = ANY($2::text[]) ORDER BY 1`,
    [orgs, ents],
  );
  const scopeRows = await db.query<{
    scope: string;
    name: string;
    policy: string;
    enterprise: string | null;
  }>(
    `SELECT 'org:' || o.login_lower AS scope, o.name, o.policy, e.slug AS enterprise
     FROM organizations o LEFT JOIN enterprises e ON e.id = o.enterprise_id WHERE o.login_lower = ANY($1::text[])
     UNION ALL
     SELECT 'ent:' || slug, name, policy, NULL FROM enterprises WHERE slug = ANY($2::text[])`,
    [orgs, ents],
  );
  return {
    days: days.map((d) => ({ scope: d.scope, day: d.day, records: d.records, teamRows: d.team_rows })),
    grants,
    teams,
    scopes: scopeRows,
  };
}

/** Records that a scope's day was synced (its files imported) at `at`. */
export async function markSynced(db: Db, api: string, rows: readonly SyncedDay[], at: Date): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO sync_days (api, scope, day, synced_at, records, team_rows)
     SELECT $1, s, d, $2, r, t FROM unnest($3::text[], $4::date[], $5::int[], $6::int[]) AS x(s, d, r, t)
     ON CONFLICT (api, scope, day) DO UPDATE
       SET synced_at = excluded.synced_at, records = excluded.records, team_rows = excluded.team_rows`,
    [
      api,
      at.toISOString(),
      rows.map((r) => r.scope),
      rows.map((r) => r.day),
      rows.map((r) => r.records),
      rows.map((r) => r.teamRows),
    ],
  );
}
