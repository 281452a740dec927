import type { Db, Queryable } from "../db/db.js";
import { ADVANCE_DIRECTORY } from "../db/generation.js";
import type { FactRow } from "../rollup/facts.js";

/**
 * Writes imported records, in batches, each batch in one transaction (a failure leaves what was stored before it as
 * it was). A re-import of a (scope, user, day) replaces its record and the facts rebuilt from it.
 */

/** Where an upstream organization or enterprise id goes here. */
export interface ScopeTarget {
  kind: "org" | "ent";
  /** The local organization login or enterprise slug, when it may be created. */
  name: string | null;
}

/** One record ready to store: the local scope is resolved by the batch. */
export interface PendingRecord {
  kind: "org" | "ent";
  upstreamId: string;
  /** The upstream enterprise of an organization record, when it names one. */
  upstreamEnterprise: string | null;
  login: string;
  day: string;
  body: string;
  facts: Omit<FactRow, "userId">[];
  split: boolean;
}

export interface PendingTeamRow {
  kind: "org" | "ent";
  upstreamId: string;
  login: string;
  day: string;
  slug: string;
}

/** Thrown for a scope the files name but this server cannot place: the message says how to fix it. */
export class UnknownScopeError extends Error {
  /** Its entry of the error catalogue (src/api/errors.ts), should it reach a route. */
  readonly catalogueKind = "validation_failed";
}

/** Resolves upstream scope ids to local ones, creating the organization or enterprise the flags name. */
export class ScopeMap {
  private readonly cache = new Map<string, number>();
  orgsCreated = 0;
  enterprisesCreated = 0;

  constructor(private readonly names: { org: string | null; enterprise: string | null }) {}

  /** The local id for an upstream scope, or an UnknownScopeError. */
  async resolve(tx: Queryable, kind: "org" | "ent", upstream: string): Promise<number> {
    const key = `${kind}:${upstream}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const [mapped] = await tx.query<{ local_id: number }>(
      "SELECT local_id FROM import_scopes WHERE kind = $1 AND upstream_id = $2",
      [kind, upstream],
    );
    let id = mapped?.local_id;
    if (id === undefined) {
      const name = kind === "org" ? this.names.org : this.names.enterprise;
      if (!name)
        throw new UnknownScopeError(
          kind === "org"
            ? `organization_id ${upstream} is not known here: pass --org LOGIN to say which organization the file is for`
            : `enterprise_id ${upstream} is not known here: pass --enterprise SLUG to say which enterprise the file is for`,
        );
      id = kind === "org" ? await this.ensureOrg(tx, name) : await this.ensureEnterprise(tx, name);
      await tx.query(
        `INSERT INTO import_scopes (kind, upstream_id, local_id) VALUES ($1, $2, $3)
         ON CONFLICT (kind, upstream_id) DO UPDATE SET local_id = excluded.local_id`,
        [kind, upstream, id],
      );
    }
    this.cache.set(key, id);
    return id;
  }

  private async ensureOrg(tx: Queryable, login: string): Promise<number> {
    const made = await tx.query<{ id: number }>(
      `INSERT INTO organizations (login, login_lower, name, policy) VALUES ($1, lower($1), $1, 'enabled')
       ON CONFLICT (login_lower) DO NOTHING RETURNING id`,
      [login],
    );
    if (made[0]) {
      this.orgsCreated++;
      return made[0].id;
    }
    const [row] = await tx.query<{ id: number }>(
      "SELECT id FROM organizations WHERE login_lower = lower($1)",
      [login],
    );
    return row!.id;
  }

  private async ensureEnterprise(tx: Queryable, slug: string): Promise<number> {
    const made = await tx.query<{ id: number }>(
      `INSERT INTO enterprises (slug, name, policy) VALUES (lower($1), $1, 'enabled')
       ON CONFLICT (slug) DO NOTHING RETURNING id`,
      [slug],
    );
    if (made[0]) {
      this.enterprisesCreated++;
      return made[0].id;
    }
    const [row] = await tx.query<{ id: number }>("SELECT id FROM enterprises WHERE slug = lower($1)", [slug]);
    return row!.id;
  }

  /** Links a local organization to the enterprise its records name, when both are placed and it has none. */
  async linkEnterprise(tx: Queryable, orgId: number, upstreamEnterprise: string): Promise<void> {
    const key = `link:${orgId}`;
    if (this.cache.has(key)) return;
    this.cache.set(key, 1);
    const [ent] = await tx.query<{ local_id: number }>(
      "SELECT local_id FROM import_scopes WHERE kind = 'ent' AND upstream_id = $1",
      [upstreamEnterprise],
    );
    if (ent)
      await tx.query("UPDATE organizations SET enterprise_id = $2 WHERE id = $1 AND enterprise_id IS NULL", [
        orgId,
        ent.local_id,
      ]);
  }
}

/** Users by login (created when new), cached for the run. */
export class UserMap {
  private readonly ids = new Map<string, number>();
  created = 0;

  async resolve(tx: Queryable, logins: readonly string[]): Promise<Map<string, number>> {
    const missing = [...new Set(logins.filter((l) => !this.ids.has(l.toLowerCase())))];
    if (missing.length > 0) {
      const made = await tx.query<{ id: number }>(
        `INSERT INTO users (login, login_lower) SELECT l, lower(l) FROM unnest($1::text[]) AS l
         ON CONFLICT (login_lower) DO NOTHING RETURNING id`,
        [missing],
      );
      this.created += made.length;
      const rows = await tx.query<{ id: number; login_lower: string }>(
        "SELECT id, login_lower FROM users WHERE login_lower = ANY($1::text[])",
        [missing.map((l) => l.toLowerCase())],
      );
      for (const r of rows) this.ids.set(r.login_lower, r.id);
    }
    const out = new Map<string, number>();
    for (const l of logins) out.set(l, this.ids.get(l.toLowerCase())!);
    return out;
  }

  /** Forgets what a rolled-back batch created. */
  reset(): void {
    this.ids.clear();
  }
}

interface GrantRange {
  kind: string;
  id: number;
  user: number;
  role: string;
  since: string;
  until: string;
}

/** Adds or widens imported grants, leaving out what the directory already grants for those days. */
async function widenGrants(tx: Queryable, ranges: Map<string, GrantRange>): Promise<void> {
  const list = [...ranges.values()];
  for (let i = 0; i < list.length; i += 5000) {
    const s = list.slice(i, i + 5000);
    await tx.query(
      `INSERT INTO grants (scope_kind, scope_id, user_id, role, since, until, imported)
       SELECT k, i, u, r, a, b, true FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::date[], $6::date[])
         AS x(k, i, u, r, a, b)
       WHERE NOT EXISTS (SELECT 1 FROM grants g WHERE g.user_id = x.u AND g.scope_kind = x.k AND g.scope_id = x.i
         AND g.role = x.r AND (g.since IS NULL OR g.since <= x.a) AND (g.until IS NULL OR g.until >= x.b))
       ON CONFLICT (scope_kind, scope_id, user_id, role) WHERE imported
       DO UPDATE SET since = least(grants.since, excluded.since), until = greatest(grants.until, excluded.until)`,
      [
        s.map((g) => g.kind),
        s.map((g) => g.id),
        s.map((g) => g.user),
        s.map((g) => g.role),
        s.map((g) => g.since),
        s.map((g) => g.until),
      ],
    );
  }
}

function addRange(
  ranges: Map<string, GrantRange>,
  g: Omit<GrantRange, "since" | "until">,
  day: string,
): void {
  const key = `${g.kind}|${g.id}|${g.user}|${g.role}`;
  const r = ranges.get(key);
  if (!r) ranges.set(key, { ...g, since: day, until: day });
  else {
    if (day < r.since) r.since = day;
    if (day > r.until) r.until = day;
  }
}

async function markDays(tx: Queryable, days: Iterable<string>): Promise<void> {
  await tx.query(
    `INSERT INTO dirty_days (day, reason) SELECT d, 'import' FROM unnest($1::date[]) AS d
     ON CONFLICT (day) DO NOTHING`,
    [[...new Set(days)]],
  );
}

/** What a stored batch did. */
export interface BatchResult {
  records: number;
  /** Records whose scope could not be placed, with the reason. */
  unplaced: { index: number; reason: string }[];
  days: Set<string>;
}

/** Stores a batch of user-day records in one transaction. */
export async function storeRecords(
  db: Db,
  batch: readonly PendingRecord[],
  scopes: ScopeMap,
  users: UserMap,
): Promise<BatchResult> {
  try {
    return await db.transaction(async (tx) => {
      const result: BatchResult = { records: 0, unplaced: [], days: new Set() };
      const ids = await users.resolve(
        tx,
        batch.map((r) => r.login),
      );
      const rec = {
        scope: [] as string[],
        day: [] as string[],
        login: [] as string[],
        user: [] as number[],
        body: [] as string[],
      };
      const placed: { r: PendingRecord; scope: string; user: number }[] = [];
      const ranges = new Map<string, GrantRange>();
      for (let i = 0; i < batch.length; i++) {
        const r = batch[i]!;
        let local: number;
        try {
          local = await scopes.resolve(tx, r.kind, r.upstreamId);
        } catch (err) {
          if (!(err instanceof UnknownScopeError)) throw err;
          result.unplaced.push({ index: i, reason: err.message });
          continue;
        }
        if (r.kind === "org" && r.upstreamEnterprise)
          await scopes.linkEnterprise(tx, local, r.upstreamEnterprise);
        const scope = `${r.kind}:${local}`;
        const user = ids.get(r.login)!;
        rec.scope.push(scope);
        rec.day.push(r.day);
        rec.login.push(r.login);
        rec.user.push(user);
        rec.body.push(r.body);
        placed.push({ r, scope, user });
        addRange(ranges, { kind: r.kind, id: local, user, role: "member" }, r.day);
        addRange(ranges, { kind: r.kind, id: local, user, role: "seat" }, r.day);
        result.days.add(r.day);
      }
      if (placed.length === 0) return result;
      await tx.query(
        `INSERT INTO imported_records (scope, day, login, user_id, body)
         SELECT s, d, l, u, b FROM unnest($1::text[], $2::date[], $3::text[], $4::int[], $5::text[]) AS x(s, d, l, u, b)
         ON CONFLICT (scope, day, login) DO UPDATE SET user_id = excluded.user_id, body = excluded.body`,
        [rec.scope, rec.day, rec.login, rec.user, rec.body],
      );
      // A re-imported record replaces the facts it gave; a user-day whose facts came from another scope keeps them.
      await tx.query(
        `DELETE FROM imported_facts f USING unnest($1::date[], $2::int[], $3::text[]) AS x(d, u, s)
         WHERE f.day = x.d AND f.user_id = x.u AND f.scope = x.s`,
        [rec.day, rec.user, rec.scope],
      );
      const taken = await tx.query<{ day: string; user_id: number }>(
        `SELECT DISTINCT f.day, f.user_id FROM imported_facts f
         JOIN unnest($1::date[], $2::int[]) AS x(d, u) ON f.day = x.d AND f.user_id = x.u`,
        [rec.day, rec.user],
      );
      const done = new Set(taken.map((t) => `${t.day}|${t.user_id}`));
      const f = {
        day: [] as string[],
        user: [] as number[],
        scope: [] as string[],
        feature: [] as string[],
        editor: [] as string[],
        model: [] as string[],
        dim: [] as string[],
        n1: [] as number[],
        n2: [] as number[],
        n3: [] as number[],
        n4: [] as number[],
        split: [] as boolean[],
      };
      for (const { r, scope, user } of placed) {
        const key = `${r.day}|${user}`;
        if (done.has(key)) continue;
        done.add(key);
        for (const x of r.facts) {
          f.day.push(r.day);
          f.user.push(user);
          f.scope.push(scope);
          f.feature.push(x.feature);
          f.editor.push(x.editor);
          f.model.push(x.model);
          f.dim.push(x.dim);
          f.n1.push(x.n1);
          f.n2.push(x.n2);
          f.n3.push(x.n3);
          f.n4.push(x.n4);
          f.split.push(r.split);
        }
      }
      if (f.day.length > 0)
        await tx.query(
          `INSERT INTO imported_facts (day, user_id, scope, feature, editor, model, dim, n1, n2, n3, n4, split)
           SELECT * FROM unnest($1::date[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::boolean[])`,
          [f.day, f.user, f.scope, f.feature, f.editor, f.model, f.dim, f.n1, f.n2, f.n3, f.n4, f.split],
        );
      await widenGrants(tx, ranges);
      await markDays(tx, result.days);
      await tx.query(ADVANCE_DIRECTORY);
      result.records = placed.length;
      return result;
    });
  } catch (err) {
    users.reset();
    throw err;
  }
}

/** What a stored batch of user-teams rows did. */
export interface TeamBatchResult {
  rows: number;
  teamsCreated: number;
  unplaced: { index: number; reason: string }[];
  days: Set<string>;
}

/**
 * Stores user-teams rows: each places the user in that team for that day (an imported member range), creating the
 * team under the organization (organization files) or the enterprise (enterprise files) when it is new.
 */
export async function storeTeamRows(
  db: Db,
  batch: readonly PendingTeamRow[],
  scopes: ScopeMap,
  users: UserMap,
): Promise<TeamBatchResult> {
  try {
    return await db.transaction(async (tx) => {
      const out: TeamBatchResult = { rows: 0, teamsCreated: 0, unplaced: [], days: new Set() };
      const ids = await users.resolve(
        tx,
        batch.map((r) => r.login),
      );
      const teamIds = new Map<string, number>();
      const ranges = new Map<string, GrantRange>();
      for (let i = 0; i < batch.length; i++) {
        const r = batch[i]!;
        let local: number;
        try {
          local = await scopes.resolve(tx, r.kind, r.upstreamId);
        } catch (err) {
          if (!(err instanceof UnknownScopeError)) throw err;
          out.unplaced.push({ index: i, reason: err.message });
          continue;
        }
        const slug = r.slug.toLowerCase();
        const tkey = `${r.kind}:${local}:${slug}`;
        let team = teamIds.get(tkey);
        if (team === undefined) {
          const col = r.kind === "org" ? "org_id" : "enterprise_id";
          const [found] = await tx.query<{ id: number }>(
            `SELECT id FROM teams WHERE ${col} = $1 AND slug = $2`,
            [local, slug],
          );
          if (found) team = found.id;
          else {
            const [made] = await tx.query<{ id: number }>(
              `INSERT INTO teams (${col}, slug, name) VALUES ($1, $2, $3) RETURNING id`,
              [local, slug, r.slug],
            );
            team = made!.id;
            out.teamsCreated++;
          }
          teamIds.set(tkey, team);
        }
        addRange(
          ranges,
          { kind: r.kind === "org" ? "team" : "eteam", id: team, user: ids.get(r.login)!, role: "member" },
          r.day,
        );
        out.days.add(r.day);
        out.rows++;
      }
      await widenGrants(tx, ranges);
      await markDays(tx, out.days);
      await tx.query(ADVANCE_DIRECTORY);
      return out;
    });
  } catch (err) {
    users.reset();
    throw err;
  }
}
