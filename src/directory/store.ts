import { type Columns, selectColumns } from "../db/columns.js";
import type { Queryable } from "../db/db.js";
import { ADVANCE_DIRECTORY } from "../db/generation.js";
import { addDays } from "../util/time.js";
import { type AppliedState, hashDirectory, lockAppliedState, recordApplied } from "./applied.js";
import { touchedDays } from "./dirty.js";
import type { DirectoryFile, DirectoryIssue, Grant, TeamSpec } from "./model.js";
import { BASELINE_DAY } from "./telemetry.js";
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

/** Every login the file names (lowercase → as first written), with the telemetry its `users:` entry sets. */
function collectLogins(file: DirectoryFile): Map<string, { login: string; telemetry: boolean | null }> {
  const logins = new Map<string, { login: string; telemetry: boolean | null }>();
  const add = (l: string) => {
    const lower = l.toLowerCase();
    if (!logins.has(lower)) logins.set(lower, { login: l, telemetry: null });
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
  for (const u of file.users) {
    add(u.login);
    logins.get(u.login.toLowerCase())!.telemetry = u.telemetry;
  }
  for (const t of file.tokens) if (t.user) add(t.user);
  return logins;
}

/** A report of nothing changed. */
export const emptyReport = (): ApplyReport => ({
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
});

/**
 * Applies a validated directory file in the caller's transaction. Every enterprise, organization, user, custom
 * model and token named in the file is set to what the file says (its member, owner, seat and team lists
 * replaced whole); what the file does not name is left as it is. Returns what changed and which closed days of
 * the window (`today - windowDays` … yesterday) must be reprocessed, and marks them dirty.
 *
 * Set-based: a fixed number of statements whatever the file's size, each over arrays, and the file compared
 * with what is stored in maps, so an unchanged file writes nothing and time grows linearly with the file.
 */
export async function applyDirectory(
  tx: Queryable,
  file: DirectoryFile,
  opts: { today: string; windowDays: number; now?: Date },
): Promise<ApplyReport> {
  return applyDirectoryAfterLock(tx, file, opts, await lockAppliedState(tx));
}

/**
 * `applyDirectory` for a caller that has locked and read the apply state itself (before reading anything else of
 * the store, so that `state` covers all it read). Skips all comparing when the store is what applying this very
 * file left and nobody wrote since; otherwise compares, writes the difference, and records the file's hash.
 */
export async function applyDirectoryAfterLock(
  tx: Queryable,
  file: DirectoryFile,
  opts: { today: string; windowDays: number; now?: Date },
  state: AppliedState,
): Promise<ApplyReport> {
  const fileHash = hashDirectory(file);
  if (state.fresh && state.fileHash === fileHash) return emptyReport();
  const report = await compareAndWrite(tx, file, opts);
  await recordApplied(tx, state, fileHash);
  return report;
}

/** The whole comparison: what the file says against what the store holds, and the difference written. */
async function compareAndWrite(
  tx: Queryable,
  file: DirectoryFile,
  opts: { today: string; windowDays: number; now?: Date },
): Promise<ApplyReport> {
  const report = emptyReport();
  // What the file creates is stamped by the server's clock (`--now`), never the database's wall clock: seats read
  // their created_at from it.
  const createdAt = (opts.now ?? new Date(`${opts.today}T00:00:00Z`)).toISOString();
  const windowStart = addDays(opts.today, -opts.windowDays);
  const yesterday = addDays(opts.today, -1);

  const uid = await syncUsers(tx, file, opts.today, createdAt, report);
  await syncEmails(tx, file, uid);
  const entId = await syncEnterprises(tx, file, createdAt, report);
  const { orgId, enterpriseMoved } = await syncOrganizations(tx, file, entId, createdAt, report);
  const { scopes, teamIds } = await syncTeams(tx, file, entId, orgId, createdAt, report);
  const changedGrants = await syncGrants(tx, scopes, teamIds, uid, report);
  const modelsChanged = await syncCustomModels(tx, file, report);
  await syncTokens(tx, file, orgId, uid, report);

  // Owner and billing-manager roles of an enterprise decide access only, never a document.
  const counted = changedGrants.filter(
    (g) => !(g.kind === "ent" && (g.role === "owner" || g.role === "billing_manager")),
  );
  // An organization moved between enterprises changes the enterprises' members on every day; a custom model
  // change alters model entries on every day.
  const allDays = enterpriseMoved || modelsChanged;
  report.dirtyDays = allDays
    ? touchedDays([{ since: null, until: null }], windowStart, yesterday)
    : touchedDays(counted, windowStart, yesterday);
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

/** Creates the users the file names and sets the telemetry of those it lists; returns login → id. */
async function syncUsers(
  tx: Queryable,
  file: DirectoryFile,
  today: string,
  createdAt: string,
  report: ApplyReport,
): Promise<(login: string) => number> {
  const logins = collectLogins(file);
  const stored = await selectColumns<{ id: number; login_lower: string; telemetry: boolean }>(
    tx,
    "SELECT id, login_lower, telemetry FROM users WHERE login_lower = ANY($1::text[])",
    [[...logins.keys()]],
    ["id", "login_lower", "telemetry"],
  );
  const ids = new Map<string, number>();
  const flipIds: number[] = [];
  const flipTo: boolean[] = [];
  stored.id.forEach((id, i) => {
    const lower = stored.login_lower[i]!;
    ids.set(lower, id);
    const wanted = logins.get(lower)!.telemetry;
    if (wanted !== null && wanted !== stored.telemetry[i]) {
      flipIds.push(id);
      flipTo.push(wanted);
    }
  });
  // Sorted: two transactions inserting the same new logins in different orders would wait for each other (40P01).
  const missing = [...logins]
    .filter(([lower]) => !ids.has(lower))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => e);
  if (missing.length > 0) {
    // A user new in this file has had its telemetry setting all along: created with it, no history row.
    const created = await insertUsers(
      tx,
      missing.map((e) => e.login),
      missing.map((e) => e.telemetry ?? true),
      createdAt,
    );
    created.id.forEach((id, i) => {
      ids.set(created.login_lower[i]!, id);
    });
    report.users.created = created.id.length;
    if (created.id.length < missing.length) {
      // Created meanwhile by another transaction (PostgreSQL): stored now, so read like the others.
      const late = await tx.query<{ id: number; login_lower: string }>(
        "SELECT id, login_lower FROM users WHERE login_lower = ANY($1::text[])",
        [missing.map((e) => e.login.toLowerCase()).filter((l) => !ids.has(l))],
      );
      for (const r of late) ids.set(r.login_lower, r.id);
    }
  }
  if (flipIds.length > 0) {
    // An existing user changes the setting from today on.
    await tx.query(
      "UPDATE users SET telemetry = x.t FROM unnest($1::int[], $2::bool[]) AS x(id, t) WHERE users.id = x.id",
      [flipIds, flipTo],
    );
    // A user's first change also keeps the setting it replaces, from the beginning of time, so every earlier day
    // keeps it even when the setting flips twice in one day (telemetry.ts).
    await tx.query(
      `INSERT INTO user_telemetry (user_id, from_day, enabled)
       SELECT id, $3::date, NOT t FROM unnest($1::int[], $2::bool[]) AS x(id, t)
       WHERE NOT EXISTS (SELECT 1 FROM user_telemetry u WHERE u.user_id = x.id)`,
      [flipIds, flipTo, BASELINE_DAY],
    );
    await tx.query(
      `INSERT INTO user_telemetry (user_id, from_day, enabled)
       SELECT id, $3::date, t FROM unnest($1::int[], $2::bool[]) AS x(id, t)
       ON CONFLICT (user_id, from_day) DO UPDATE SET enabled = excluded.enabled`,
      [flipIds, flipTo, today],
    );
    report.users.telemetryChanged = flipIds.length;
  }
  return (login) => ids.get(login.toLowerCase()) as number;
}

const INSERT_USERS = `INSERT INTO users (login, login_lower, telemetry, created_at)
  SELECT l, lower(l), t, $3::timestamptz FROM unnest($1::text[], $2::bool[]) WITH ORDINALITY AS x(l, t, i) ORDER BY i
  RETURNING id, login_lower`;
const INSERT_USERS_TOLERANT = INSERT_USERS.replace(
  "RETURNING",
  "ON CONFLICT (login_lower) DO NOTHING RETURNING",
);

/**
 * Inserts users known to be missing (in file order: ids follow it) and returns the ids of those it created. A plain
 * INSERT first: `ON CONFLICT DO NOTHING` inserts each row speculatively and confirms it, twice the work (100,000
 * users: 4.4 s against 2.4 s on PGlite). Only when another transaction created one of the logins meanwhile (ingest
 * creates users for logins it meets) does it fail; then the savepoint undoes it and the tolerant form runs.
 */
async function insertUsers(
  tx: Queryable,
  logins: string[],
  telemetry: boolean[],
  createdAt: string,
): Promise<Columns<{ id: number; login_lower: string }>> {
  const insert = (tolerant: boolean) =>
    selectColumns<{ id: number; login_lower: string }>(
      tx,
      tolerant ? INSERT_USERS_TOLERANT : INSERT_USERS,
      [logins, telemetry, createdAt],
      ["id", "login_lower"],
    );
  await tx.query("SAVEPOINT insert_users");
  try {
    const created = await insert(false);
    await tx.query("RELEASE SAVEPOINT insert_users");
    return created;
  } catch (err) {
    if ((err as { code?: string }).code !== "23505") throw err;
    await tx.query("ROLLBACK TO SAVEPOINT insert_users");
    await tx.query("RELEASE SAVEPOINT insert_users");
    return insert(true);
  }
}

/** E-mails: each named user's list replaced whole; an address moves to the user the file now names. */
async function syncEmails(tx: Queryable, file: DirectoryFile, uid: (login: string) => number): Promise<void> {
  if (file.users.length === 0) return;
  const pairs = file.users.flatMap((u) => u.emails.map((e) => [e, uid(u.login)] as const));
  // Most stores hold no e-mails (they serve OpenTelemetry only): then there is nothing to replace, and sending
  // 100,000 user ids to delete nothing costs a quarter of a second.
  if (pairs.length === 0 && (await tx.query("SELECT 1 FROM user_emails LIMIT 1")).length === 0) return;
  const named = file.users.map((u) => uid(u.login));
  await tx.query("DELETE FROM user_emails WHERE user_id = ANY($1::int[])", [named]);
  if (pairs.length === 0) return;
  await tx.query(
    `INSERT INTO user_emails (email_lower, user_id) SELECT * FROM unnest($1::text[], $2::int[])
     ON CONFLICT (email_lower) DO UPDATE SET user_id = excluded.user_id`,
    [pairs.map(([e]) => e), pairs.map(([, id]) => id)],
  );
}

/** Creates or updates the enterprises the file lists; returns slug → id for them and those organizations name. */
async function syncEnterprises(
  tx: Queryable,
  file: DirectoryFile,
  createdAt: string,
  report: ApplyReport,
): Promise<Map<string, number>> {
  const slugs = new Set(file.enterprises.map((e) => e.slug));
  for (const o of file.organizations) if (o.enterprise) slugs.add(o.enterprise);
  if (slugs.size === 0) return new Map();
  const stored = await tx.query<{ id: number; slug: string; name: string; policy: string }>(
    "SELECT id, slug, name, policy FROM enterprises WHERE slug = ANY($1::text[])",
    [[...slugs]],
  );
  const bySlug = new Map(stored.map((r) => [r.slug, r]));
  const entId = new Map(stored.map((r) => [r.slug, r.id]));
  const fresh = file.enterprises.filter((e) => !bySlug.has(e.slug));
  const changed = file.enterprises.filter((e) => {
    const b = bySlug.get(e.slug);
    return b !== undefined && (b.name !== e.name || b.policy !== e.policy);
  });
  if (fresh.length > 0) {
    const rows = await tx.query<{ id: number; slug: string }>(
      `INSERT INTO enterprises (slug, name, policy, created_at)
       SELECT s, n, p, $4::timestamptz FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS x(s, n, p, i)
       ORDER BY i
       RETURNING id, slug`,
      [fresh.map((e) => e.slug), fresh.map((e) => e.name), fresh.map((e) => e.policy), createdAt],
    );
    for (const r of rows) entId.set(r.slug, r.id);
  }
  if (changed.length > 0) {
    await tx.query(
      `UPDATE enterprises SET name = x.n, policy = x.p FROM unnest($1::text[], $2::text[], $3::text[]) AS x(s, n, p)
       WHERE enterprises.slug = x.s`,
      [changed.map((e) => e.slug), changed.map((e) => e.name), changed.map((e) => e.policy)],
    );
  }
  report.enterprises = { created: fresh.length, updated: changed.length };
  return entId;
}

/** Creates or updates the organizations the file lists; returns lowercase login → id. */
async function syncOrganizations(
  tx: Queryable,
  file: DirectoryFile,
  entId: Map<string, number>,
  createdAt: string,
  report: ApplyReport,
): Promise<{ orgId: Map<string, number>; enterpriseMoved: boolean }> {
  const orgId = new Map<string, number>();
  if (file.organizations.length === 0) return { orgId, enterpriseMoved: false };
  const stored = await tx.query<{
    id: number;
    login: string;
    login_lower: string;
    name: string;
    policy: string;
    enterprise_id: number | null;
  }>(
    "SELECT id, login, login_lower, name, policy, enterprise_id FROM organizations WHERE login_lower = ANY($1::text[])",
    [file.organizations.map((o) => o.login.toLowerCase())],
  );
  const byLogin = new Map(stored.map((r) => [r.login_lower, r]));
  for (const r of stored) orgId.set(r.login_lower, r.id);
  const wanted = file.organizations.map((o) => ({
    ...o,
    lower: o.login.toLowerCase(),
    eid: o.enterprise ? (entId.get(o.enterprise) ?? null) : null,
  }));
  const fresh = wanted.filter((o) => !byLogin.has(o.lower));
  let enterpriseMoved = false;
  const changed = wanted.filter((o) => {
    const b = byLogin.get(o.lower);
    if (!b) return false;
    if (b.enterprise_id !== o.eid) enterpriseMoved = true;
    return b.login !== o.login || b.name !== o.name || b.policy !== o.policy || b.enterprise_id !== o.eid;
  });
  const columns = (os: typeof wanted) => [
    os.map((o) => o.login),
    os.map((o) => o.name),
    os.map((o) => o.eid),
    os.map((o) => o.policy),
  ];
  if (fresh.length > 0) {
    const rows = await tx.query<{ id: number; login_lower: string }>(
      `INSERT INTO organizations (login, login_lower, name, enterprise_id, policy, created_at)
       SELECT l, lower(l), n, e, p, $5::timestamptz FROM unnest($1::text[], $2::text[], $3::int[], $4::text[])
         WITH ORDINALITY AS x(l, n, e, p, i) ORDER BY i
       RETURNING id, login_lower`,
      [...columns(fresh), createdAt],
    );
    for (const r of rows) orgId.set(r.login_lower, r.id);
  }
  if (changed.length > 0) {
    await tx.query(
      `UPDATE organizations SET login = x.l, name = x.n, enterprise_id = x.e, policy = x.p
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) AS x(l, n, e, p)
       WHERE organizations.login_lower = lower(x.l)`,
      columns(changed),
    );
  }
  report.organizations = { created: fresh.length, updated: changed.length };
  return { orgId, enterpriseMoved };
}

/** A scope whose grants the file sets whole, with the lists of each role. */
interface ScopeGrants {
  kind: string;
  id: number;
  grants: { role: string; list: Grant[] }[];
}

/**
 * Creates, renames and removes the teams of the enterprises and organizations the file lists (their team lists
 * are whole); returns every scope whose grants the file sets, in file order, and "org:ID:slug" → team id.
 */
async function syncTeams(
  tx: Queryable,
  file: DirectoryFile,
  entId: Map<string, number>,
  orgId: Map<string, number>,
  createdAt: string,
  report: ApplyReport,
): Promise<{ scopes: ScopeGrants[]; teamIds: Map<string, number> }> {
  type Parent = { kind: "ent" | "org"; id: number; teams: TeamSpec[] };
  const parents: Parent[] = [
    ...file.enterprises.map((e) => ({ kind: "ent" as const, id: entId.get(e.slug)!, teams: e.teams })),
    ...file.organizations.map((o) => ({
      kind: "org" as const,
      id: orgId.get(o.login.toLowerCase())!,
      teams: o.teams,
    })),
  ];
  const entIds = parents.filter((p) => p.kind === "ent").map((p) => p.id);
  const orgIds = parents.filter((p) => p.kind === "org").map((p) => p.id);
  const stored = await selectColumns<{
    id: number;
    org_id: number | null;
    enterprise_id: number | null;
    slug: string;
    name: string;
  }>(
    tx,
    "SELECT id, org_id, enterprise_id, slug, name FROM teams WHERE org_id = ANY($1::int[]) OR enterprise_id = ANY($2::int[])",
    [orgIds, entIds],
    ["id", "org_id", "enterprise_id", "slug", "name"],
  );
  const parentKey = (kind: string, id: number, slug: string) => `${kind}:${id}:${slug}`;
  const keyOf = (org: number | null, ent: number | null, slug: string) =>
    org !== null ? parentKey("org", org, slug) : parentKey("ent", ent!, slug);
  const existing = new Map<string, { id: number; kind: "team" | "eteam"; name: string }>();
  stored.id.forEach((id, i) => {
    const org = stored.org_id[i] ?? null;
    existing.set(keyOf(org, stored.enterprise_id[i] ?? null, stored.slug[i]!), {
      id,
      kind: org !== null ? "team" : "eteam",
      name: stored.name[i]!,
    });
  });
  const fresh: { kind: string; id: number; slug: string; name: string }[] = [];
  const renamed: { id: number; name: string }[] = [];
  const wanted = new Set<string>();
  for (const p of parents) {
    for (const t of p.teams) {
      const key = parentKey(p.kind, p.id, t.slug);
      wanted.add(key);
      const old = existing.get(key);
      if (!old) fresh.push({ kind: p.kind, id: p.id, slug: t.slug, name: t.name });
      else if (old.name !== t.name) renamed.push({ id: old.id, name: t.name });
    }
  }
  const teamIds = new Map<string, number>();
  for (const [key, t] of existing) teamIds.set(key, t.id);
  if (fresh.length > 0) {
    // One statement for every new team, ids in file order.
    const rows = await selectColumns<{
      id: number;
      org_id: number | null;
      enterprise_id: number | null;
      slug: string;
    }>(
      tx,
      `INSERT INTO teams (org_id, enterprise_id, slug, name, created_at)
       SELECT o, e, s, n, $5::timestamptz FROM unnest($1::int[], $2::int[], $3::text[], $4::text[]) WITH ORDINALITY
         AS x(o, e, s, n, i) ORDER BY i
       RETURNING id, org_id, enterprise_id, slug`,
      [
        fresh.map((t) => (t.kind === "org" ? t.id : null)),
        fresh.map((t) => (t.kind === "ent" ? t.id : null)),
        fresh.map((t) => t.slug),
        fresh.map((t) => t.name),
        createdAt,
      ],
      ["id", "org_id", "enterprise_id", "slug"],
    );
    rows.id.forEach((id, i) => {
      teamIds.set(keyOf(rows.org_id[i] ?? null, rows.enterprise_id[i] ?? null, rows.slug[i]!), id);
    });
  }
  if (renamed.length > 0) {
    await tx.query(
      "UPDATE teams SET name = x.n FROM unnest($1::int[], $2::text[]) AS x(id, n) WHERE teams.id = x.id",
      [renamed.map((t) => t.id), renamed.map((t) => t.name)],
    );
  }
  const gone = [...existing].filter(([key]) => !wanted.has(key)).map(([, t]) => t);
  if (gone.length > 0) {
    await tx.query(
      "DELETE FROM grants WHERE (scope_kind, scope_id) IN (SELECT * FROM unnest($1::text[], $2::int[]))",
      [gone.map((t) => t.kind), gone.map((t) => t.id)],
    );
    await tx.query("DELETE FROM day_documents WHERE scope = ANY($1::text[])", [
      gone.map((t) => `${t.kind}:${t.id}`),
    ]);
    await tx.query("DELETE FROM teams WHERE id = ANY($1::int[])", [gone.map((t) => t.id)]);
  }
  report.teams = { created: fresh.length, updated: renamed.length, removed: gone.length };

  const scopes: ScopeGrants[] = [];
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
    for (const t of e.teams)
      scopes.push({
        kind: "eteam",
        id: teamIds.get(parentKey("ent", id, t.slug))!,
        grants: [{ role: "member", list: t.members }],
      });
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
    for (const t of o.teams)
      scopes.push({
        kind: "team",
        id: teamIds.get(parentKey("org", id, t.slug))!,
        grants: [{ role: "member", list: t.members }],
      });
  }
  return { scopes, teamIds };
}

/** Grants that share everything but the user: the file's lists, and what the store holds, come in such groups. */
interface GrantGroup {
  kind: string;
  scopeId: number;
  role: string;
  since: string | null;
  until: string | null;
  teamId: number | null;
  /** User ids, sorted; a user may appear more than once. */
  users: number[];
}

const groupKey = (g: Omit<GrantGroup, "users">) =>
  `${g.kind}|${g.scopeId}|${g.role}|${g.since}|${g.until}|${g.teamId}`;

/** The users of `want` not in `have` and of `have` not in `want`, both sorted, counting repeats. */
function sortedDifference(want: number[], have: number[]): { added: number[]; removed: number[] } {
  const added: number[] = [];
  const removed: number[] = [];
  let i = 0;
  let j = 0;
  while (i < want.length || j < have.length) {
    if (j >= have.length || (i < want.length && want[i]! < have[j]!)) added.push(want[i++]!);
    else if (i >= want.length || have[j]! < want[i]!) removed.push(have[j++]!);
    else {
      i++;
      j++;
    }
  }
  return { added, removed };
}

/**
 * Replaces the grants of every scope the file names with the file's, writing only the difference. Both sides are
 * compared in groups (scope, role, dates, assigning team → sorted user ids): a 100,000-user file is a few
 * thousand groups, read from the store as one row each. Returns the groups that changed, for dirty days.
 */
async function syncGrants(
  tx: Queryable,
  scopes: ScopeGrants[],
  teamIds: Map<string, number>,
  uid: (login: string) => number,
  report: ApplyReport,
): Promise<GrantGroup[]> {
  if (scopes.length === 0) return [];
  const wanted = new Map<string, GrantGroup>();
  const add = (group: Omit<GrantGroup, "users">, key: string, user: number) => {
    const known = wanted.get(key);
    if (known) known.users.push(user);
    else wanted.set(key, { ...group, users: [user] });
  };
  for (const s of scopes) {
    for (const { role, list } of s.grants) {
      // Most grants are plain logins: their group (and its key) is made once per list, not once per grant.
      const plain = { kind: s.kind, scopeId: s.id, role, since: null, until: null, teamId: null };
      const plainKey = groupKey(plain);
      for (const g of list) {
        if (g.since === null && g.until === null && g.assigningTeam === undefined) {
          add(plain, plainKey, uid(g.login));
          continue;
        }
        const group = {
          kind: s.kind,
          scopeId: s.id,
          role,
          since: g.since,
          until: g.until,
          // Seats given through a team name it; the team was synced above, so its id is known.
          teamId: g.assigningTeam ? (teamIds.get(`${s.kind}:${s.id}:${g.assigningTeam}`) ?? null) : null,
        };
        add(group, groupKey(group), uid(g.login));
      }
    }
  }
  const stored = await selectColumns<{
    scope_kind: string;
    scope_id: number;
    role: string;
    since: string | null;
    until: string | null;
    team_id: number | null;
    users: string;
  }>(
    tx,
    // Joined (not IN): the plan then reads the scope index in order and sorts only within each scope; user ids are
    // sorted here, not by array_agg(… ORDER BY), which cost PGlite twice the time.
    `SELECT scope_kind, scope_id, role, since::text AS since, until::text AS until, team_id,
       array_to_string(array_agg(user_id), ',') AS users
     FROM grants g JOIN unnest($1::text[], $2::int[]) AS x(k, i) ON g.scope_kind = x.k AND g.scope_id = x.i
     GROUP BY scope_kind, scope_id, role, since, until, team_id`,
    [scopes.map((s) => s.kind), scopes.map((s) => s.id)],
    ["scope_kind", "scope_id", "role", "since", "until", "team_id", "users"],
  );
  const have = new Map<string, GrantGroup>();
  stored.scope_kind.forEach((kind, i) => {
    const group = {
      kind,
      scopeId: stored.scope_id[i]!,
      role: stored.role[i]!,
      since: stored.since[i] ?? null,
      until: stored.until[i] ?? null,
      teamId: stored.team_id[i] ?? null,
    };
    have.set(groupKey(group), {
      ...group,
      users: stored.users[i]!.split(",").map(Number).sort(byNumber),
    });
  });
  const changed: GrantGroup[] = [];
  const inserts: GrantGroup[] = [];
  const deletes: GrantGroup[] = [];
  let added = 0;
  let removed = 0;
  for (const key of new Set([...wanted.keys(), ...have.keys()])) {
    const w = wanted.get(key);
    const h = have.get(key);
    const want = w ? w.users.sort(byNumber) : [];
    const diff = sortedDifference(want, h?.users ?? []);
    if (diff.added.length === 0 && diff.removed.length === 0) continue;
    const group = (w ?? h)!;
    changed.push(group);
    added += diff.added.length;
    removed += diff.removed.length;
    if (diff.removed.length > 0) {
      // Deleting by value takes every copy of a row: copies still wanted go back in with the additions.
      const gone = new Set(diff.removed);
      deletes.push({ ...group, users: [...gone] });
      inserts.push({ ...group, users: [...want.filter((u) => gone.has(u)), ...diff.added] });
    } else inserts.push({ ...group, users: diff.added });
  }
  report.grants = { added, removed };
  // One row per group, its users as one text: a few thousand parameters rather than 7 × 300,000.
  const groups = (gs: GrantGroup[]) => [
    gs.map((g) => g.kind),
    gs.map((g) => g.scopeId),
    gs.map((g) => g.role),
    gs.map((g) => g.since),
    gs.map((g) => g.until),
    gs.map((g) => g.teamId),
    gs.map((g) => g.users.join(",")),
  ];
  const ROWS = `unnest($1::text[], $2::int[], $3::text[], $4::date[], $5::date[], $6::int[], $7::text[])
    AS x(k, s, r, a, b, t, users), unnest(string_to_array(x.users, ',')::int[]) AS u(id)`;
  if (deletes.length > 0) {
    await tx.query(
      `DELETE FROM grants g USING ${ROWS}
       WHERE g.scope_kind = x.k AND g.scope_id = x.s AND g.user_id = u.id AND g.role = x.r
         AND g.since IS NOT DISTINCT FROM x.a AND g.until IS NOT DISTINCT FROM x.b AND g.team_id IS NOT DISTINCT FROM x.t`,
      groups(deletes),
    );
  }
  const nonEmpty = inserts.filter((g) => g.users.length > 0);
  if (nonEmpty.length > 0) {
    await tx.query(
      `INSERT INTO grants (scope_kind, scope_id, user_id, role, since, until, team_id)
       SELECT x.k, x.s, u.id, x.r, x.a, x.b, x.t FROM ${ROWS}`,
      groups(nonEmpty),
    );
  }
  return changed;
}

const byNumber = (a: number, b: number) => a - b;

/** Creates or updates the custom models the file lists; true when any changed. */
async function syncCustomModels(tx: Queryable, file: DirectoryFile, report: ApplyReport): Promise<boolean> {
  if (file.customModels.length === 0) return false;
  const stored = await tx.query<{ name: string; training_date: string | null; owner: string | null }>(
    "SELECT name, training_date, owner FROM custom_models WHERE name = ANY($1::text[])",
    [file.customModels.map((m) => m.name)],
  );
  const byName = new Map(stored.map((r) => [r.name, r]));
  const changed = file.customModels.filter((m) => {
    const old = byName.get(m.name);
    return !old || old.training_date !== m.trainingDate || old.owner !== m.owner;
  });
  if (changed.length === 0) return false;
  await tx.query(
    `INSERT INTO custom_models (name, training_date, owner)
     SELECT * FROM unnest($1::text[], $2::date[], $3::text[])
     ON CONFLICT (name) DO UPDATE SET training_date = excluded.training_date, owner = excluded.owner`,
    [changed.map((m) => m.name), changed.map((m) => m.trainingDate), changed.map((m) => m.owner)],
  );
  const updated = changed.filter((m) => byName.has(m.name)).length;
  report.customModels = { created: changed.length - updated, updated };
  return true;
}

/** Creates or updates the tokens the file lists, keyed by the hash of their secret. */
async function syncTokens(
  tx: Queryable,
  file: DirectoryFile,
  orgId: Map<string, number>,
  uid: (login: string) => number,
  report: ApplyReport,
): Promise<void> {
  if (file.tokens.length === 0) return;
  // Resource owners the file names but does not list are in the store (validation checked).
  const elsewhere = [
    ...new Set(
      file.tokens
        .map((t) => t.resourceOwner?.toLowerCase())
        .filter((l): l is string => l !== undefined && !orgId.has(l)),
    ),
  ];
  const orgs = new Map(orgId);
  if (elsewhere.length > 0) {
    const rows = await tx.query<{ id: number; login_lower: string }>(
      "SELECT id, login_lower FROM organizations WHERE login_lower = ANY($1::text[])",
      [elsewhere],
    );
    for (const r of rows) orgs.set(r.login_lower, r.id);
  }
  const wanted = file.tokens.map((t) => ({
    hash: hashToken(t.token),
    kind: t.kind,
    user_id: t.user ? uid(t.user) : null,
    scopes: t.scopes,
    resource_org_id: t.resourceOwner ? (orgs.get(t.resourceOwner.toLowerCase()) ?? null) : null,
    permissions: t.permissions,
    expires_at: t.expiresAt,
  }));
  // The comparison in SQL: the store's own jsonb, array and timestamp equality decide "the same".
  const rows = `jsonb_to_recordset($1::jsonb) AS x(hash text, kind text, user_id int, scopes text[],
    resource_org_id int, permissions jsonb, expires_at timestamptz)`;
  const compared = await tx.query<{ hash: string; stored: boolean; same: boolean }>(
    `SELECT x.hash, t.hash IS NOT NULL AS stored,
       coalesce(t.kind = x.kind AND t.user_id IS NOT DISTINCT FROM x.user_id AND t.scopes = x.scopes
         AND t.resource_org_id IS NOT DISTINCT FROM x.resource_org_id AND t.permissions = x.permissions
         AND t.expires_at IS NOT DISTINCT FROM x.expires_at AND t.revoked_at IS NULL, false) AS same
     FROM ${rows} LEFT JOIN tokens t ON t.hash = x.hash`,
    [JSON.stringify(wanted)],
  );
  const state = new Map(compared.map((r) => [r.hash, r]));
  const changed = wanted.filter((t) => !state.get(t.hash)!.same);
  if (changed.length === 0) return;
  await tx.query(
    `INSERT INTO tokens (hash, kind, user_id, scopes, resource_org_id, permissions, expires_at, source)
     SELECT hash, kind, user_id, scopes, resource_org_id, permissions, expires_at, 'file' FROM ${rows}
     ON CONFLICT (hash) DO UPDATE SET kind = excluded.kind, user_id = excluded.user_id, scopes = excluded.scopes,
       resource_org_id = excluded.resource_org_id, permissions = excluded.permissions,
       expires_at = excluded.expires_at, revoked_at = NULL`,
    [JSON.stringify(changed)],
  );
  const updated = changed.filter((t) => state.get(t.hash)!.stored).length;
  report.tokens = { created: changed.length - updated, updated };
}
