import { selectColumns } from "../db/columns.js";
import { CopyBinaryWriter } from "../db/copy-binary.js";
import type { Db, Queryable } from "../db/db.js";
import { ADVANCE_DIRECTORY } from "../db/generation.js";
import type { FactRow } from "../rollup/facts.js";
import { commaList, jsonTexts, TEXT_COLUMN_SQL, textArray, textColumn } from "./params.js";

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
  /** Its entry of the error catalogue (src/http/errors.ts), should it reach a route. */
  readonly catalogueKind = "validation_failed";
}

/** Resolves upstream scope ids to local ones, creating the organization or enterprise the flags name. */
export class ScopeMap {
  private readonly cache = new Map<string, number>();
  orgsCreated = 0;
  enterprisesCreated = 0;

  constructor(
    private readonly names: {
      org: string | null;
      enterprise: string | null;
      enterpriseTeamsComplete?: boolean;
    },
  ) {}

  /** Whether the enterprise's teams are all in the directory already (see ScopeNames): no new enterprise team. */
  get enterpriseTeamsComplete(): boolean {
    return this.names.enterpriseTeamsComplete === true;
  }

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

/** Users by login (created when new), cached for the run (up to `MAX_CACHED_USERS`, then started afresh). */
export class UserMap {
  private readonly ids = new Map<string, number>();
  created = 0;

  /**
   * Each login's user id; the ids this call created are added to `made` (a user made in the caller's transaction has
   * nothing stored under its id yet, which spares it the lookups of what is already there).
   */
  async resolve(tx: Queryable, logins: readonly string[], made?: Set<number>): Promise<Map<string, number>> {
    const missing = [...new Set(logins.filter((l) => !this.ids.has(l.toLowerCase())))];
    if (missing.length > 0) {
      if (this.ids.size + missing.length > MAX_CACHED_USERS) this.ids.clear();
      // One statement: the users it creates come from the INSERT, those already there from the SELECT (which does
      // not see the INSERT's rows).
      // A data-modifying WITH must be the statement itself, so the columns are gathered here (see selectColumns).
      const [row] = await tx.query<{ columns: string }>(
        `WITH l AS (SELECT l, lower(l) AS ll FROM unnest($1::text::text[]) AS l),
              made AS (INSERT INTO users (login, login_lower) SELECT l, ll FROM l
                ON CONFLICT (login_lower) DO NOTHING RETURNING id, login_lower),
              r AS (SELECT id, login_lower, true AS made FROM made
                UNION ALL SELECT u.id, u.login_lower, false FROM users u JOIN l ON u.login_lower = l.ll)
         SELECT json_build_object('id', coalesce(json_agg(r.id), '[]'),
           'login_lower', coalesce(json_agg(r.login_lower), '[]'), 'made', coalesce(json_agg(r.made), '[]'))::text
           AS columns FROM r`,
        [textArray(missing)],
      );
      const rows = JSON.parse(row!.columns) as { id: number[]; login_lower: string[]; made: boolean[] };
      rows.id.forEach((id, i) => {
        this.ids.set(rows.login_lower[i]!, id);
        if (rows.made[i]) {
          this.created++;
          made?.add(id);
        }
      });
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

/** Logins whose ids a run keeps at most: a run of any size stays in bounded memory. */
const MAX_CACHED_USERS = 200_000;

interface GrantRange {
  kind: string;
  id: number;
  user: number;
  role: string;
  since: string;
  until: string;
}

/**
 * Adds or widens imported grants, leaving out what the directory already grants for those days. The probe is one
 * lateral lookup per row by user (`IS TRUE` keeps the scope out of the index choice): as an anti-join the planner
 * read every grant of the table, or of a 100,000-user organization for each row, a second per batch.
 */
async function widenGrants(tx: Queryable, ranges: Map<string, GrantRange> | GrantRange[]): Promise<void> {
  const list = Array.isArray(ranges) ? ranges : [...ranges.values()];
  for (let i = 0; i < list.length; i += 5000) {
    const s = list.slice(i, i + 5000);
    await tx.query(
      `INSERT INTO grants (scope_kind, scope_id, user_id, role, since, until, imported)
       SELECT k, i, u, r, a, b, true FROM unnest(string_to_array($1, ','), string_to_array($2, ',')::int[],
         string_to_array($3, ',')::int[], string_to_array($4, ','), string_to_array($5, ',')::date[],
         string_to_array($6, ',')::date[]) AS x(k, i, u, r, a, b)
       LEFT JOIN LATERAL (SELECT 1 AS hit FROM grants g WHERE g.user_id = x.u
         AND (g.scope_kind = x.k AND g.scope_id = x.i AND g.role = x.r) IS TRUE
         AND (g.since IS NULL OR g.since <= x.a) AND (g.until IS NULL OR g.until >= x.b) LIMIT 1) c ON true
       WHERE c.hit IS NULL
       ON CONFLICT (scope_kind, scope_id, user_id, role) WHERE imported
       DO UPDATE SET since = least(grants.since, excluded.since), until = greatest(grants.until, excluded.until)`,
      [
        commaList(s.map((g) => g.kind)),
        commaList(s.map((g) => g.id)),
        commaList(s.map((g) => g.user)),
        commaList(s.map((g) => g.role)),
        commaList(s.map((g) => g.since)),
        commaList(s.map((g) => g.until)),
      ],
    );
  }
}

/** Adds `day` to the range of `g` in `ranges`; returns that range. */
function addRange(
  ranges: Map<string, GrantRange>,
  g: Omit<GrantRange, "since" | "until">,
  day: string,
): GrantRange {
  const key = `${g.kind}|${g.id}|${g.user}|${g.role}`;
  let r = ranges.get(key);
  if (r) {
    widen(r, day);
    return r;
  }
  r = { ...g, since: day, until: day };
  ranges.set(key, r);
  return r;
}

function widen(r: GrantRange, day: string): void {
  if (day < r.since) r.since = day;
  if (day > r.until) r.until = day;
}

/** Each member range followed by the same range as a seat. */
function withSeats(members: Map<string, GrantRange>): GrantRange[] {
  const out: GrantRange[] = [];
  for (const g of members.values()) out.push(g, { ...g, role: "seat" });
  return out;
}

async function markDays(tx: Queryable, days: Iterable<string>): Promise<void> {
  await tx.query(
    `INSERT INTO dirty_days (day, reason) SELECT d, 'import' FROM unnest(string_to_array($1, ',')::date[]) AS d
     ON CONFLICT (day) DO NOTHING`,
    [commaList([...new Set(days)])],
  );
}

/** What a stored batch did. */
export interface BatchResult {
  records: number;
  /** Records whose scope could not be placed, with the reason. */
  unplaced: { index: number; reason: string }[];
  days: Set<string>;
}

/** Resolves each distinct upstream scope of a batch once: its local id, or why it cannot be placed. */
async function resolveScopes(
  tx: Queryable,
  batch: readonly { kind: "org" | "ent"; upstreamId: string }[],
  scopes: ScopeMap,
): Promise<Map<string, number | string>> {
  const out = new Map<string, number | string>();
  let last: { kind: string; upstreamId: string } | null = null;
  for (const r of batch) {
    // A file's records are mostly of one scope: no key made for each record of a run of the same one.
    if (last && r.kind === last.kind && r.upstreamId === last.upstreamId) continue;
    last = r;
    const key = `${r.kind}:${r.upstreamId}`;
    if (out.has(key)) continue;
    try {
      out.set(key, await scopes.resolve(tx, r.kind, r.upstreamId));
    } catch (err) {
      if (!(err instanceof UnknownScopeError)) throw err;
      out.set(key, err.message);
    }
  }
  return out;
}

interface RecordColumns {
  scope: string[];
  day: string[];
  login: string[];
  user: number[];
  body: string[];
}

const COPY_RECORDS =
  "COPY imported_records (scope, day, login, user_id, body) FROM STDIN WITH (FORMAT binary)";

/** The records as COPY's input (binary format, src/db/copy-binary.ts). */
function recordsCopyData(rec: RecordColumns, writer: CopyBinaryWriter | undefined): Buffer {
  let w = writer?.reset();
  if (!w) {
    let bytes = 0;
    for (const b of rec.body) bytes += b.length + 64;
    w = new CopyBinaryWriter(bytes);
  }
  for (let i = 0; i < rec.scope.length; i++)
    w.row(5).text(rec.scope[i]!).date(rec.day[i]!).text(rec.login[i]!).int4(rec.user[i]!).text(rec.body[i]!);
  return w.finish();
}

interface FactColumns {
  day: string[];
  user: number[];
  scope: string[];
  feature: string[];
  editor: string[];
  model: string[];
  dim: string[];
  n1: number[];
  n2: number[];
  n3: number[];
  n4: number[];
  split: string[];
}

const COPY_FACTS =
  "COPY imported_facts (day, user_id, scope, feature, editor, model, dim, n1, n2, n3, n4, split) FROM STDIN WITH (FORMAT binary)";

/**
 * The facts of the records `kept` (indexes into `placed` and `rec`) as COPY's input (binary format), written straight
 * from the records: twelve column arrays in between were a tenth of the importing process's work.
 */
function factsCopyData(
  placed: readonly PendingRecord[],
  rec: RecordColumns,
  kept: readonly number[],
  writer: CopyBinaryWriter | undefined,
): Buffer {
  const w = writer?.reset() ?? new CopyBinaryWriter(kept.length * 512);
  for (const i of kept) {
    const r = placed[i]!;
    const user = rec.user[i]!;
    const scope = rec.scope[i]!;
    for (const x of r.facts)
      w.row(12)
        .date(r.day)
        .int4(user)
        .text(scope)
        .text(x.feature)
        .text(x.editor)
        .text(x.model)
        .text(x.dim)
        .int8(x.n1)
        .int8(x.n2)
        .int8(x.n3)
        .int8(x.n4)
        .bool(r.split);
  }
  return w.finish();
}

/** The same facts as columns, for the INSERT of PGlite (which has no COPY from a client). */
function factColumns(
  placed: readonly PendingRecord[],
  rec: RecordColumns,
  kept: readonly number[],
): FactColumns {
  const f: FactColumns = {
    day: [],
    user: [],
    scope: [],
    feature: [],
    editor: [],
    model: [],
    dim: [],
    n1: [],
    n2: [],
    n3: [],
    n4: [],
    split: [],
  };
  for (const i of kept) {
    const r = placed[i]!;
    for (const x of r.facts) {
      f.day.push(r.day);
      f.user.push(rec.user[i]!);
      f.scope.push(rec.scope[i]!);
      f.feature.push(x.feature);
      f.editor.push(x.editor);
      f.model.push(x.model);
      f.dim.push(x.dim);
      f.n1.push(x.n1);
      f.n2.push(x.n2);
      f.n3.push(x.n3);
      f.n4.push(x.n4);
      f.split.push(r.split ? "t" : "f");
    }
  }
  return f;
}

/** How a run's batches are written (PostgreSQL only: PGlite takes the `INSERT`s and commits as it always does). */
export interface StoreMode {
  /**
   * Records go in by `COPY` (no plan, no arrays, no speculative insertion: a third of a batch's server time) until
   * one turns out to be stored already, as on a re-import: that batch runs again by `ON CONFLICT`, which replaces
   * it, and so does the rest of the run. Cheaper than asking first: the probe cost an index lookup per record.
   */
  copy: boolean;
  /**
   * Commit without waiting for the WAL to reach the disk (`synchronous_commit = off` for the batch's transaction):
   * the flush was a tenth of an import's time. A crash may lose the last batches committed so, never part of one;
   * `finishImport` makes them all durable before the run says it is done.
   */
  lazyCommit: boolean;
  /** The COPY inputs' buffers, kept from batch to batch (one batch of a run is stored at a time). */
  writers?: { records: CopyBinaryWriter; facts: CopyBinaryWriter };
}

/**
 * Stores a batch of user-day records in one transaction, in a fixed number of statements whatever its size: users,
 * records, the facts already there for its user-days, their replacement, grants, days.
 */
export async function storeRecords(
  db: Db,
  batch: readonly PendingRecord[],
  scopes: ScopeMap,
  users: UserMap,
  mode: StoreMode = { copy: true, lazyCommit: false },
): Promise<BatchResult> {
  if (mode.copy && db.engine === "postgres") {
    try {
      return await storeRecordsOnce(db, batch, scopes, users, true, mode);
    } catch (err) {
      users.reset();
      // 23505, a unique violation: a record of the batch is stored already (a re-import, or another import storing
      // it meanwhile). The batch again by `ON CONFLICT`, and the rest of the run too.
      if ((err as { code?: string }).code !== "23505") throw err;
      mode.copy = false;
    }
  }
  try {
    return await storeRecordsOnce(db, batch, scopes, users, false, mode);
  } catch (err) {
    users.reset();
    throw err;
  }
}

/**
 * Makes every batch committed with `lazyCommit` durable: a commit that waits for the WAL flush (its transaction
 * given an id, so it has a commit record to flush) flushes all the WAL written before it.
 */
export async function finishImport(db: Db): Promise<void> {
  if (db.engine !== "postgres") return;
  await db.transaction(async (tx) => {
    await tx.query("SELECT txid_current()");
  });
}

/** storeRecords's transaction; `copy`: the records go in by COPY (PostgreSQL). */
function storeRecordsOnce(
  db: Db,
  batch: readonly PendingRecord[],
  scopes: ScopeMap,
  users: UserMap,
  copy: boolean,
  { lazyCommit, writers }: StoreMode,
): Promise<BatchResult> {
  return db.transaction(async (tx) => {
    // No JIT: the grants' lateral probe is estimated past `jit_above_cost`, and compiling it took 12 ms of a 15 ms
    // statement, every batch (a tenth of a 100,000-user import's server time). Nothing here runs long enough to gain.
    if (db.engine === "postgres")
      await tx.exec(
        lazyCommit ? "SET LOCAL jit = off; SET LOCAL synchronous_commit = off" : "SET LOCAL jit = off",
      );
    const result: BatchResult = { records: 0, unplaced: [], days: new Set() };
    const made = new Set<number>();
    const ids = await users.resolve(
      tx,
      batch.map((r) => r.login),
      made,
    );
    const local = await resolveScopes(tx, batch, scopes);
    const rec: RecordColumns = {
      scope: [] as string[],
      day: [] as string[],
      login: [] as string[],
      user: [] as number[],
      body: [] as string[],
    };
    const placed: PendingRecord[] = [];
    const seen = new Map<string, number>();
    // A record makes its user a member with a seat on its day: one range serves both roles.
    const ranges = new Map<string, GrantRange>();
    let lastScope: PendingRecord | null = null;
    let id: number | string = "";
    let scopeKey = "";
    // A file's records come user by user: the member range of the last user is widened without a key made.
    let lastRange: { user: number; scope: string; range: GrantRange } | null = null;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      if (!lastScope || r.kind !== lastScope.kind || r.upstreamId !== lastScope.upstreamId) {
        id = local.get(`${r.kind}:${r.upstreamId}`)!;
        scopeKey = `${r.kind}:${id}`;
        lastScope = r;
      }
      if (typeof id === "string") {
        result.unplaced.push({ index: i, reason: id });
        continue;
      }
      if (r.kind === "org" && r.upstreamEnterprise) await scopes.linkEnterprise(tx, id, r.upstreamEnterprise);
      const user = ids.get(r.login)!;
      // The same record twice in a batch (a file that lists it twice): the later replaces the earlier, as a re-import
      // would; one statement cannot write a key twice (COPY fails on it, `ON CONFLICT DO UPDATE` too).
      const key = `${scopeKey}|${r.day}|${r.login}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        rec.user[earlier] = user;
        rec.body[earlier] = r.body;
        placed[earlier] = r;
        continue;
      }
      seen.set(key, placed.length);
      rec.scope.push(scopeKey);
      rec.day.push(r.day);
      rec.login.push(r.login);
      rec.user.push(user);
      rec.body.push(r.body);
      placed.push(r);
      if (lastRange && lastRange.user === user && lastRange.scope === scopeKey) widen(lastRange.range, r.day);
      else
        lastRange = {
          user,
          scope: scopeKey,
          range: addRange(ranges, { kind: r.kind, id, user, role: "member" }, r.day),
        };
      result.days.add(r.day);
    }
    if (placed.length === 0) return result;
    const scopeText = commaList(rec.scope);
    const dayText = commaList(rec.day);
    const userText = commaList(rec.user);
    const copyIn = copy ? tx.copyIn : undefined;
    // The facts already there for these user-days (none on a first import, which then deletes nothing). A user-day
    // takes its facts from the first scope's record imported: a re-imported record replaces the facts it gave; a
    // user-day whose facts came from a scope this batch does not re-import keeps them. Users this transaction
    // created have none: only the others are looked up (on a first import, a batch's first user at most, who began
    // in the batch before; the lookups of all were a tenth of the server's work).
    const known = rec.user.flatMap((u, i) => (made.has(u) ? [] : [i]));
    const there =
      known.length === 0
        ? { day: [] as string[], user_id: [] as number[], scope: [] as string[] }
        : await selectColumns<{ day: string; user_id: number; scope: string }>(
            tx,
            // A lateral probe per user-day, so the index is used whatever the planner believes of the table's size
            // (PGlite has no autovacuum to gather statistics: a join chose to read the whole table, every batch).
            `SELECT x.d AS day, x.u AS user_id, f.scope
               FROM (SELECT DISTINCT d, u FROM unnest(string_to_array($1, ',')::date[],
                 string_to_array($2, ',')::int[]) AS x(d, u)) x
               CROSS JOIN LATERAL (SELECT DISTINCT scope FROM imported_facts f WHERE f.day = x.d AND f.user_id = x.u) f`,
            known.length === rec.user.length
              ? [dayText, userText]
              : [commaList(known.map((i) => rec.day[i]!)), commaList(known.map((i) => rec.user[i]!))],
            ["day", "user_id", "scope"],
          );
    if (copyIn) await copyIn(COPY_RECORDS, recordsCopyData(rec, writers?.records));
    else {
      // Only this statement needs them, so COPY's path does not pay for them (a search of every body, each batch).
      const logins = textColumn(rec.login);
      // Bodies from a file are JSON text (never a raw U+001F); one sent to the admin route by hand may not be.
      const bodiesPlain = rec.body.every((b) => !b.includes("\u001f"));
      await tx.query(
        `INSERT INTO imported_records (scope, day, login, user_id, body)
           SELECT s, d, l, u, b FROM unnest(string_to_array($1, ','), string_to_array($2, ',')::date[],
             ${logins.plain ? TEXT_COLUMN_SQL[3].plain : TEXT_COLUMN_SQL[3].array}, string_to_array($4, ',')::int[],
             ${bodiesPlain ? "string_to_array($5, chr(31))" : "$5::text::text[]"}) AS x(s, d, l, u, b)
           ON CONFLICT (scope, day, login) DO UPDATE SET user_id = excluded.user_id, body = excluded.body`,
        [scopeText, dayText, logins.param, userText, bodiesPlain ? jsonTexts(rec.body) : textArray(rec.body)],
      );
    }
    const done = new Set<string>();
    if (there.day.length > 0) {
      const reimported = new Set(rec.day.map((d, i) => `${d}|${rec.user[i]}|${rec.scope[i]}`));
      let replaced = false;
      there.day.forEach((d, i) => {
        const key = `${d}|${there.user_id[i]}`;
        if (reimported.has(`${key}|${there.scope[i]}`)) replaced = true;
        else done.add(key);
      });
      if (replaced)
        await tx.query(
          `DELETE FROM imported_facts f USING unnest(string_to_array($1, ',')::date[],
               string_to_array($2, ',')::int[], string_to_array($3, ',')) AS x(d, u, s)
             WHERE f.day = x.d AND f.user_id = x.u AND f.scope = x.s`,
          [dayText, userText, scopeText],
        );
    }
    // The records whose facts go in: the first record of each user-day not kept from another scope.
    const kept: number[] = [];
    placed.forEach((r, i) => {
      const key = `${r.day}|${rec.user[i]}`;
      if (done.has(key)) return;
      done.add(key);
      if (r.facts.length > 0) kept.push(i);
    });
    if (kept.length > 0 && tx.copyIn)
      await tx.copyIn(COPY_FACTS, factsCopyData(placed, rec, kept, writers?.facts));
    else if (kept.length > 0) {
      const f = factColumns(placed, rec, kept);
      const texts = [f.feature, f.editor, f.model, f.dim].map((v) => textColumn(v)) as [
        ReturnType<typeof textColumn>,
        ReturnType<typeof textColumn>,
        ReturnType<typeof textColumn>,
        ReturnType<typeof textColumn>,
      ];
      await tx.query(
        `INSERT INTO imported_facts (day, user_id, scope, feature, editor, model, dim, n1, n2, n3, n4, split)
           SELECT * FROM unnest(string_to_array($1, ',')::date[], string_to_array($2, ',')::int[],
             string_to_array($3, ','),
             ${texts[0].plain ? TEXT_COLUMN_SQL[4].plain : TEXT_COLUMN_SQL[4].array},
             ${texts[1].plain ? TEXT_COLUMN_SQL[5].plain : TEXT_COLUMN_SQL[5].array},
             ${texts[2].plain ? TEXT_COLUMN_SQL[6].plain : TEXT_COLUMN_SQL[6].array},
             ${texts[3].plain ? TEXT_COLUMN_SQL[7].plain : TEXT_COLUMN_SQL[7].array},
             string_to_array($8, ',')::bigint[], string_to_array($9, ',')::bigint[],
             string_to_array($10, ',')::bigint[], string_to_array($11, ',')::bigint[],
             string_to_array($12, ',')::boolean[])`,
        [
          commaList(f.day),
          commaList(f.user),
          commaList(f.scope),
          ...texts.map((t) => t.param),
          commaList(f.n1),
          commaList(f.n2),
          commaList(f.n3),
          commaList(f.n4),
          commaList(f.split),
        ],
      );
    }
    await widenGrants(tx, withSeats(ranges));
    await markDays(tx, result.days);
    await tx.query(ADVANCE_DIRECTORY);
    result.records = placed.length;
    return result;
  });
}

/** What a stored batch of user-teams rows did. */
export interface TeamBatchResult {
  rows: number;
  teamsCreated: number;
  /**
   * Rows of an enterprise file whose slug is a team of one of the enterprise's organizations: not stored under the
   * enterprise (the organization's own file places its members), so no enterprise team is made of them.
   */
  orgTeamRows: number;
  unplaced: { index: number; reason: string }[];
  days: Set<string>;
}

/**
 * Whether an enterprise's slug is one of its organizations' teams, as the directory here knows them: a team of an
 * organization of the enterprise, or of an organization not linked to any enterprise yet that one of the rows' users
 * is a member or seat of on the row's day (an import of the enterprise's files before the organizations' links).
 */
async function isOrgTeamOf(
  tx: Queryable,
  enterprise: number,
  slug: string,
  rows: readonly { user: number; day: string }[],
): Promise<boolean> {
  const [hit] = await tx.query<{ hit: number }>(
    `SELECT 1 AS hit FROM teams t JOIN organizations o ON o.id = t.org_id
     WHERE t.slug = $2 AND (o.enterprise_id = $1 OR (o.enterprise_id IS NULL AND EXISTS (
       SELECT 1 FROM unnest(string_to_array($3, ',')::int[], string_to_array($4, ',')::date[]) AS x(u, d)
       JOIN grants g ON g.user_id = x.u
       WHERE g.scope_kind = 'org' AND g.scope_id = o.id AND g.role IN ('member', 'seat')
         AND (g.since IS NULL OR g.since <= x.d) AND (g.until IS NULL OR g.until >= x.d))))
     LIMIT 1`,
    [enterprise, slug, commaList(rows.map((r) => r.user)), commaList(rows.map((r) => r.day))],
  );
  return hit !== undefined;
}

/**
 * Stores user-teams rows: each places the user in that team for that day (an imported member range), creating the
 * team under the organization (organization files) or the enterprise (enterprise files) when it is new.
 *
 * An enterprise's file lists its organizations' teams too (spec/usage-metrics-reports.md, the user-team row). Under an
 * enterprise a slug goes, in this order: to the enterprise team of that slug when there is one; nowhere when it is a
 * team of one of the enterprise's organizations (`isOrgTeamOf`: counted in `orgTeamRows`, the organization's file
 * places the user); else to a new enterprise team, unless the directory holds all the enterprise's teams already
 * (`ScopeMap.enterpriseTeamsComplete`, as sync says), when the slug can only be an organization's team.
 */
export async function storeTeamRows(
  db: Db,
  batch: readonly PendingTeamRow[],
  scopes: ScopeMap,
  users: UserMap,
): Promise<TeamBatchResult> {
  try {
    return await db.transaction(async (tx) => {
      const out: TeamBatchResult = {
        rows: 0,
        teamsCreated: 0,
        orgTeamRows: 0,
        unplaced: [],
        days: new Set(),
      };
      const ids = await users.resolve(
        tx,
        batch.map((r) => r.login),
      );
      const placeOf = await resolveScopes(tx, batch, scopes);
      // Each enterprise slug's (user, day) pairs of the batch, for the organization-team probe.
      const entRows = new Map<string, { user: number; day: string }[]>();
      for (const r of batch) {
        const local = placeOf.get(`${r.kind}:${r.upstreamId}`)!;
        if (r.kind !== "ent" || typeof local === "string") continue;
        const key = `ent:${local}:${r.slug.toLowerCase()}`;
        const list = entRows.get(key) ?? [];
        entRows.set(key, list);
        list.push({ user: ids.get(r.login)!, day: r.day });
      }
      // null: an organization's team, not stored under the enterprise.
      const teamIds = new Map<string, number | null>();
      const ranges = new Map<string, GrantRange>();
      for (let i = 0; i < batch.length; i++) {
        const r = batch[i]!;
        const local = placeOf.get(`${r.kind}:${r.upstreamId}`)!;
        if (typeof local === "string") {
          out.unplaced.push({ index: i, reason: local });
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
          else if (
            r.kind === "ent" &&
            (scopes.enterpriseTeamsComplete || (await isOrgTeamOf(tx, local, slug, entRows.get(tkey)!)))
          )
            team = null;
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
        if (team === null) {
          out.orgTeamRows++;
          continue;
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
