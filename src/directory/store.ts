import type { Queryable } from "../db/db.js";
import { ADVANCE_DIRECTORY } from "../db/generation.js";
import { sortedByLower } from "../util/order.js";
import { addDays } from "../util/time.js";
import type { DirectoryIssue } from "./file.js";
import type { DirectoryFile, Grant, TeamSpec } from "./model.js";
import { recordTelemetryChange } from "./telemetry.js";
import { hashToken } from "./tokens.js";

/** What `apply` changed, for the CLI to report. */
export interface ApplyReport {
  enterprises: { created: number; updated: number };
  organizations: { created: number; updated: number };
  teams: { created: number; updated: number; removed: number };
  users: { created: number; telemetryChanged: number };
  grants: { added: number; removed: number };
  customModels: { created: number; updated: number };
  tokens: { created: number; updated: number };
  /** Closed days in the window whose documents the change alters; they are reprocessed. */
  dirtyDays: string[];
  changed: boolean;
  /** What the file holds that is valid but likely a mistake (see `apply --strict`). */
  warnings: DirectoryIssue[];
}

interface GrantRow {
  scope_kind: string;
  scope_id: number;
  user_id: number;
  role: string;
  since: string | null;
  until: string | null;
  team_id: number | null;
}

/** Logins and slugs already in the store, for validating references of a new file. */
export async function knownNames(
  db: Queryable,
): Promise<{ enterprises: Set<string>; organizations: Set<string> }> {
  const ents = await db.query<{ slug: string }>("SELECT slug FROM enterprises");
  const orgs = await db.query<{ login_lower: string }>("SELECT login_lower FROM organizations");
  return {
    enterprises: new Set(ents.map((r) => r.slug)),
    organizations: new Set(orgs.map((r) => r.login_lower)),
  };
}

function collectLogins(file: DirectoryFile): string[] {
  const logins = new Map<string, string>();
  const add = (l: string) => {
    if (!logins.has(l.toLowerCase())) logins.set(l.toLowerCase(), l);
  };
  const addGrants = (gs: Grant[]) => {
    for (const g of gs) add(g.login);
  };
  const addTeams = (ts: TeamSpec[]) => {
    for (const t of ts) addGrants(t.members);
  };
  for (const e of file.enterprises) {
    for (const gs of [e.owners, e.billingManagers, e.seats, e.members]) addGrants(gs);
    addTeams(e.teams);
  }
  for (const o of file.organizations) {
    for (const gs of [o.owners, o.members, o.seats]) addGrants(gs);
    addTeams(o.teams);
  }
  for (const u of file.users) add(u.login);
  for (const t of file.tokens) if (t.user) add(t.user);
  return [...logins.values()];
}

const grantKey = (g: GrantRow) =>
  `${g.scope_kind}|${g.scope_id}|${g.user_id}|${g.role}|${g.since}|${g.until}`;

/**
 * Applies a validated directory file in the caller's transaction. Every enterprise, organization, user, custom
 * model and token named in the file is set to what the file says (its member, owner, seat and team lists
 * replaced whole); what the file does not name is left as it is. Returns what changed and which closed days of
 * the window (`today - windowDays` … yesterday) must be reprocessed, and marks them dirty.
 */
export async function applyDirectory(
  tx: Queryable,
  file: DirectoryFile,
  opts: { today: string; windowDays: number; now?: Date },
): Promise<ApplyReport> {
  const report: ApplyReport = {
    enterprises: { created: 0, updated: 0 },
    organizations: { created: 0, updated: 0 },
    teams: { created: 0, updated: 0, removed: 0 },
    users: { created: 0, telemetryChanged: 0 },
    grants: { added: 0, removed: 0 },
    customModels: { created: 0, updated: 0 },
    tokens: { created: 0, updated: 0 },
    dirtyDays: [],
    changed: false,
    warnings: [],
  };
  // What the file creates is stamped by the server's clock (`--now`), never the database's wall clock: seats read
  // their created_at from it.
  const createdAt = (opts.now ?? new Date(`${opts.today}T00:00:00Z`)).toISOString();
  const windowStart = addDays(opts.today, -opts.windowDays);
  const yesterday = addDays(opts.today, -1);
  let allDaysDirty = false;
  const dirty = new Set<string>();

  // Users.
  const logins = collectLogins(file);
  const created = await tx.query<{ id: number }>(
    `INSERT INTO users (login, login_lower, created_at) SELECT l, lower(l), $2 FROM unnest($1::text[]) AS l
     ON CONFLICT (login_lower) DO NOTHING RETURNING id`,
    [sortedByLower(logins), createdAt],
  );
  report.users.created = created.length;
  const newIds = new Set(created.map((c) => c.id));
  const userRows = await tx.query<{ id: number; login_lower: string; telemetry: boolean }>(
    "SELECT id, login_lower, telemetry FROM users WHERE login_lower = ANY($1::text[])",
    [logins.map((l) => l.toLowerCase())],
  );
  const userId = new Map(userRows.map((r) => [r.login_lower, r.id]));
  const uid = (login: string) => userId.get(login.toLowerCase()) as number;
  for (const u of file.users) {
    const row = userRows.find((r) => r.login_lower === u.login.toLowerCase());
    if (row && row.telemetry !== u.telemetry) {
      await tx.query("UPDATE users SET telemetry = $2 WHERE id = $1", [row.id, u.telemetry]);
      // A user new in this file has had this setting all along; an existing one changes it from today on.
      if (newIds.has(row.id)) continue;
      await recordTelemetryChange(tx, row.id, row.telemetry, u.telemetry, opts.today);
      report.users.telemetryChanged++;
    }
  }
  // E-mails: each named user's list replaced whole; an address moves to the user the file now names.
  if (file.users.length > 0) {
    const named = file.users.map((u) => uid(u.login));
    await tx.query("DELETE FROM user_emails WHERE user_id = ANY($1::int[])", [named]);
    const pairs = file.users.flatMap((u) => u.emails.map((e) => [e, uid(u.login)] as const));
    if (pairs.length > 0) {
      await tx.query(
        `INSERT INTO user_emails (email_lower, user_id) SELECT * FROM unnest($1::text[], $2::int[])
         ON CONFLICT (email_lower) DO UPDATE SET user_id = excluded.user_id`,
        [pairs.map(([e]) => e), pairs.map(([, id]) => id)],
      );
    }
  }

  // Enterprises and organizations.
  const entId = new Map<string, number>();
  for (const e of file.enterprises) {
    const before = await tx.query<{ id: number; name: string; policy: string }>(
      "SELECT id, name, policy FROM enterprises WHERE slug = $1",
      [e.slug],
    );
    const [row] = await tx.query<{ id: number }>(
      `INSERT INTO enterprises (slug, name, policy, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (slug) DO UPDATE SET name = excluded.name, policy = excluded.policy RETURNING id`,
      [e.slug, e.name, e.policy, createdAt],
    );
    entId.set(e.slug, row!.id);
    if (!before[0]) report.enterprises.created++;
    else if (before[0].name !== e.name || before[0].policy !== e.policy) report.enterprises.updated++;
  }
  const entIdOf = async (slug: string): Promise<number> => {
    const known = entId.get(slug);
    if (known) return known;
    const [row] = await tx.query<{ id: number }>("SELECT id FROM enterprises WHERE slug = $1", [slug]);
    entId.set(slug, row!.id);
    return row!.id;
  };
  const orgId = new Map<string, number>();
  for (const o of file.organizations) {
    const eid = o.enterprise ? await entIdOf(o.enterprise) : null;
    const before = await tx.query<{
      id: number;
      login: string;
      name: string;
      policy: string;
      enterprise_id: number | null;
    }>("SELECT id, login, name, policy, enterprise_id FROM organizations WHERE login_lower = $1", [
      o.login.toLowerCase(),
    ]);
    const [row] = await tx.query<{ id: number }>(
      `INSERT INTO organizations (login, login_lower, name, enterprise_id, policy, created_at)
       VALUES ($1, lower($1), $2, $3, $4, $5)
       ON CONFLICT (login_lower) DO UPDATE SET login = excluded.login, name = excluded.name,
         enterprise_id = excluded.enterprise_id, policy = excluded.policy RETURNING id`,
      [o.login, o.name, eid, o.policy, createdAt],
    );
    orgId.set(o.login.toLowerCase(), row!.id);
    const b = before[0];
    if (!b) report.organizations.created++;
    else if (b.login !== o.login || b.name !== o.name || b.policy !== o.policy || b.enterprise_id !== eid) {
      report.organizations.updated++;
      if (b.enterprise_id !== eid) allDaysDirty = true; // the enterprise's members change on every day
    }
  }

  // Teams, then every grant of the scopes the file names, replaced whole.
  const scopes: { kind: string; id: number; grants: { role: string; list: Grant[] }[] }[] = [];
  const teamIds = new Map<string, number>(); // "org:ID:slug" → team id, for seats assigned through a team
  const syncTeams = async (
    parent: "org_id" | "enterprise_id",
    parentId: number,
    teams: TeamSpec[],
    kind: string,
  ) => {
    const existing = await tx.query<{ id: number; slug: string; name: string }>(
      `SELECT id, slug, name FROM teams WHERE ${parent} = $1`,
      [parentId],
    );
    // Maps and one INSERT for all new teams: a file with tens of thousands of teams must not cost a query and a
    // scan per team.
    const bySlug = new Map(existing.map((x) => [x.slug, x]));
    const fresh = teams.filter((t) => !bySlug.has(t.slug));
    const created =
      fresh.length === 0
        ? []
        : await tx.query<{ id: number; slug: string }>(
            `INSERT INTO teams (${parent}, slug, name, created_at)
             SELECT $1, s, n, $4 FROM unnest($2::text[], $3::text[]) AS x(s, n) RETURNING id, slug`,
            [parentId, fresh.map((t) => t.slug), fresh.map((t) => t.name), createdAt],
          );
    const createdId = new Map(created.map((r) => [r.slug, r.id]));
    for (const t of teams) {
      const old = bySlug.get(t.slug);
      let id: number;
      if (old) {
        id = old.id;
        if (old.name !== t.name) {
          await tx.query("UPDATE teams SET name = $1 WHERE id = $2", [t.name, old.id]);
          report.teams.updated++;
        }
      } else {
        id = createdId.get(t.slug)!;
        report.teams.created++;
      }
      scopes.push({ kind, id, grants: [{ role: "member", list: t.members }] });
      if (parent === "org_id") teamIds.set(`org:${parentId}:${t.slug}`, id);
    }
    const wanted = new Set(teams.map((t) => t.slug));
    for (const gone of existing.filter((x) => !wanted.has(x.slug))) {
      await tx.query("DELETE FROM grants WHERE scope_kind = $1 AND scope_id = $2", [kind, gone.id]);
      await tx.query("DELETE FROM day_documents WHERE scope = $1", [`${kind}:${gone.id}`]);
      await tx.query("DELETE FROM teams WHERE id = $1", [gone.id]);
      report.teams.removed++;
    }
  };
  for (const e of file.enterprises) {
    const id = entId.get(e.slug)!;
    scopes.push({
      kind: "ent",
      id,
      grants: [
        { role: "owner", list: e.owners },
        { role: "billing_manager", list: e.billingManagers },
        { role: "seat", list: e.seats },
        { role: "member", list: e.members },
      ],
    });
    await syncTeams("enterprise_id", id, e.teams, "eteam");
  }
  for (const o of file.organizations) {
    const id = orgId.get(o.login.toLowerCase())!;
    scopes.push({
      kind: "org",
      id,
      grants: [
        { role: "owner", list: o.owners },
        { role: "member", list: o.members },
        { role: "seat", list: o.seats },
      ],
    });
    await syncTeams("org_id", id, o.teams, "team");
  }
  const before = scopes.length
    ? await tx.query<GrantRow>(
        `SELECT scope_kind, scope_id, user_id, role, since::text, until::text, team_id FROM grants
         WHERE (scope_kind, scope_id) IN (SELECT * FROM unnest($1::text[], $2::int[]))`,
        [scopes.map((s) => s.kind), scopes.map((s) => s.id)],
      )
    : [];
  const after: GrantRow[] = [];
  for (const s of scopes) {
    for (const { role, list } of s.grants) {
      for (const g of list) {
        after.push({
          scope_kind: s.kind,
          scope_id: s.id,
          user_id: uid(g.login),
          role,
          since: g.since,
          until: g.until,
          // Seats given through a team name it; the team was synced above, so its id is known.
          team_id: g.assigningTeam ? (teamIds.get(`${s.kind}:${s.id}:${g.assigningTeam}`) ?? null) : null,
        });
      }
    }
  }
  const beforeKeys = countKeys(before);
  const afterKeys = countKeys(after);
  const removed = before.filter((g) => !take(afterKeys, grantKey(g)));
  const added = after.filter((g) => !take(beforeKeys, grantKey(g)));
  const changedRows = [...removed, ...added];
  report.grants = { added: added.length, removed: removed.length };
  if (changedRows.length > 0) {
    await tx.query(
      "DELETE FROM grants WHERE (scope_kind, scope_id) IN (SELECT * FROM unnest($1::text[], $2::int[]))",
      [scopes.map((s) => s.kind), scopes.map((s) => s.id)],
    );
    await tx.query(
      `INSERT INTO grants (scope_kind, scope_id, user_id, role, since, until, team_id)
       SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::date[], $6::date[], $7::int[])`,
      [
        after.map((g) => g.scope_kind),
        after.map((g) => g.scope_id),
        after.map((g) => g.user_id),
        after.map((g) => g.role),
        after.map((g) => g.since),
        after.map((g) => g.until),
        after.map((g) => g.team_id),
      ],
    );
  }
  for (const g of changedRows) {
    // Owner and billing-manager roles of an enterprise decide access only, never a document.
    if (g.scope_kind === "ent" && (g.role === "owner" || g.role === "billing_manager")) continue;
    const from = g.since && g.since > windowStart ? g.since : windowStart;
    const to = g.until && g.until < yesterday ? g.until : yesterday;
    for (let d = from; d <= to; d = addDays(d, 1)) dirty.add(d);
  }

  // Custom models: any change alters model entries on every day.
  for (const m of file.customModels) {
    const old = await tx.query<{ training_date: string | null; owner: string | null }>(
      "SELECT training_date, owner FROM custom_models WHERE name = $1",
      [m.name],
    );
    if (old[0] && old[0].training_date === m.trainingDate && old[0].owner === m.owner) continue;
    await tx.query(
      `INSERT INTO custom_models (name, training_date, owner) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET training_date = excluded.training_date, owner = excluded.owner`,
      [m.name, m.trainingDate, m.owner],
    );
    if (old[0]) report.customModels.updated++;
    else report.customModels.created++;
    allDaysDirty = true;
  }

  // Tokens: keyed by the hash of their secret.
  for (const t of file.tokens) {
    const hash = hashToken(t.token);
    const resourceOrg = t.resourceOwner ? (orgId.get(t.resourceOwner.toLowerCase()) ?? null) : null;
    const resolvedOrg =
      resourceOrg ??
      (t.resourceOwner
        ? ((
            await tx.query<{ id: number }>("SELECT id FROM organizations WHERE login_lower = lower($1)", [
              t.resourceOwner,
            ])
          )[0]?.id ?? null)
        : null);
    const values = [
      hash,
      t.kind,
      t.user ? uid(t.user) : null,
      t.scopes,
      resolvedOrg,
      JSON.stringify(t.permissions),
      t.expiresAt,
    ];
    const old = await tx.query<{ same: boolean }>(
      `SELECT (kind = $2 AND user_id IS NOT DISTINCT FROM $3 AND scopes = $4::text[]
        AND resource_org_id IS NOT DISTINCT FROM $5 AND permissions = $6::jsonb
        AND expires_at IS NOT DISTINCT FROM $7::timestamptz AND revoked_at IS NULL) AS same
       FROM tokens WHERE hash = $1`,
      values,
    );
    if (old[0]?.same) continue;
    await tx.query(
      `INSERT INTO tokens (hash, kind, user_id, scopes, resource_org_id, permissions, expires_at, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'file')
       ON CONFLICT (hash) DO UPDATE SET kind = excluded.kind, user_id = excluded.user_id, scopes = excluded.scopes,
         resource_org_id = excluded.resource_org_id, permissions = excluded.permissions,
         expires_at = excluded.expires_at, revoked_at = NULL`,
      values,
    );
    if (old[0]) report.tokens.updated++;
    else report.tokens.created++;
  }

  if (allDaysDirty) for (let d = windowStart; d <= yesterday; d = addDays(d, 1)) dirty.add(d);
  report.dirtyDays = [...dirty].sort();
  if (report.dirtyDays.length > 0) {
    await tx.query(
      `INSERT INTO dirty_days (day, reason) SELECT d, 'directory' FROM unnest($1::date[]) AS d
       ON CONFLICT (day) DO NOTHING`,
      [report.dirtyDays],
    );
  }
  report.changed =
    report.dirtyDays.length > 0 ||
    Object.values(report).some(
      (v) => typeof v === "object" && !Array.isArray(v) && Object.values(v).some((n) => n !== 0),
    );
  // Serving caches of principals and scopes key on this: any applied file makes them reload.
  if (report.changed) await tx.query(ADVANCE_DIRECTORY);
  return report;
}

function countKeys(rows: GrantRow[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(grantKey(r), (m.get(grantKey(r)) ?? 0) + 1);
  return m;
}

/** Consumes one occurrence of `key`; false when none is left. */
function take(m: Map<string, number>, key: string): boolean {
  const n = m.get(key) ?? 0;
  if (n === 0) return false;
  m.set(key, n - 1);
  return true;
}
