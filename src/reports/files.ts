import { Readable } from "node:stream";
import { createGzip, constants as zlib } from "node:zlib";
import type { FastifyInstance } from "fastify";
import type { Queryable } from "../db/db.js";
import type { AppContext } from "../http/context.js";
import { acceptsGzip } from "../http/encoding.js";
import { ApiError, DOCS } from "../http/errors.js";
import { addDays, dayRange } from "../util/time.js";
import { aggregateBody, sumsJson, ZERO_COUNTS } from "./aggregate.js";
import { fileVersion, lookupStored, RecentFiles, readStored, storeWhileSending } from "./gzip-cache.js";
import { FILES_PATH, type FileIdentity, linkSecret, verifyLink } from "./links.js";
import { compareCodePoints } from "./order.js";
import { newTotals } from "./record.js";

/**
 * Rows per keyset page (a quarter of a megabyte of records or so): each page's result crosses PGlite's WASM memory,
 * which never shrinks, and 1,000 rows a page took a PGlite server to 295 MB during a 28-day download of 90,000
 * records (250: 262 MB, and no slower once the pages are planned on the index: see db/statistics.ts).
 */
const ROWS_PER_PAGE = 250;
const ZERO_SUMS = sumsJson(newTotals());

/**
 * GET of a signed download link: no Authorization (clients send none), the signature and expiry checked (403
 * otherwise), the file streamed page by page from the database, gzipped when the client accepts it.
 */
export function registerReportFiles(app: FastifyInstance, ctx: AppContext): void {
  const recent = new RecentFiles();
  app.get(`${FILES_PATH}/:name`, { config: { docs: DOCS.usageMetrics } }, async (req, reply) => {
    const secret = await linkSecret(ctx.db);
    const name = (req.params as { name: string }).name;
    const f = verifyLink(secret, name, req.query as Record<string, unknown>, ctx.clock.now().getTime());
    if (!f) throw new ApiError("report_link_invalid", undefined, { documentationUrl: DOCS.usageMetrics });
    const ndjson = f.kind === "users-1-day" || f.kind === "users-28-day" || f.kind === "user-teams-1-day";
    reply.type(ndjson ? "application/x-ndjson" : "application/json; charset=utf-8");
    reply.header("cache-control", "private, max-age=3600");
    reply.header("vary", "Accept-Encoding");
    if (!acceptsGzip(req.headers["accept-encoding"])) return reply.send(bytesOf(fileChunks(ctx.db, f)));
    reply.header("content-encoding", "gzip");
    // Aggregates are one small object each, and processing a day recounts the aggregates of the 27 days after it:
    // compressed per request, never stored.
    if (!ndjson) return reply.send(gzipped(ctx.db, f));
    // A file sent lately, for the same processed data, is sent from memory; one compressed before, as stored
    // (gzip-cache.ts).
    const hit = recent.get(name, await fileVersion(ctx.db, f));
    if (hit) return reply.send(hit);
    const { version, parts, head } = await lookupStored(ctx.db, name, f);
    // Read whole by the lookup: sent as one buffer.
    if (parts !== null && parts <= head.length) {
      const whole = Buffer.concat(head);
      recent.set(name, version, whole);
      return reply.send(whole);
    }
    const chunks =
      parts !== null
        ? readStored(ctx.db, name, version, parts, head)
        : storeWhileSending(ctx.db, gzipped(ctx.db, f), name, version, { first: f.first, last: f.last });
    return reply.send(bytesOf(recent.keepWhileSending(chunks, name, version)));
  });
}

/** A byte stream of `chunks`, for reply.send. */
function bytesOf(chunks: AsyncIterable<Buffer>): Readable {
  return Readable.from(chunks, { objectMode: false });
}

/** The file gzipped at level 6 with no timestamp in the header: the same bytes in give the same bytes out. */
function gzipped(db: Queryable, f: FileIdentity): Readable {
  return bytesOf(fileChunks(db, f)).pipe(createGzip({ level: zlib.Z_DEFAULT_COMPRESSION }));
}

/** The file's bytes, a page at a time. */
export async function* fileChunks(db: Queryable, f: FileIdentity): AsyncGenerator<Buffer> {
  switch (f.kind) {
    case "users-1-day":
    case "users-28-day":
      yield* userRecords(db, f);
      return;
    case "user-teams-1-day":
      yield* teamRows(db, f);
      return;
    case "scope-1-day":
      yield Buffer.from(await aggregateOf(db, f.scope, f.first));
      return;
    case "scope-28-day":
      yield* wrapper(db, f);
      return;
  }
}

/**
 * User-day records in (login, day) order, read by keyset pages so that no transaction (and, on PGlite, the only
 * connection) is held while a slow client downloads.
 */
async function* userRecords(db: Queryable, f: FileIdentity): AsyncGenerator<Buffer> {
  const splice =
    f.kind === "users-28-day" ? `"report_start_day":"${f.first}","report_end_day":"${f.last}",` : null;
  let login = "";
  let day = "0001-01-01";
  for (;;) {
    const rows = await db.query<{ login: string; day: string; body: string }>(
      `SELECT login, day, body FROM user_day_records
       WHERE scope = $1 AND day BETWEEN $2 AND $3 AND ($4 = '' OR login > $4) AND ($5 = '' OR login <= $5)
         AND (login, day) > ($6, $7::date)
       ORDER BY login, day LIMIT ${ROWS_PER_PAGE}`,
      [f.scope, f.first, f.last, f.after, f.upTo, login, day],
    );
    if (rows.length === 0) return;
    const parts: string[] = [];
    for (const r of rows) parts.push(splice ? withWindow(r.body, splice) : r.body, "\n");
    yield Buffer.from(parts.join(""));
    const lastRow = rows[rows.length - 1]!;
    login = lastRow.login;
    day = lastRow.day;
    if (rows.length < ROWS_PER_PAGE) return;
  }
}

/** A record with `report_start_day`/`report_end_day`: after its day when it starts with one, else first. */
export function withWindow(body: string, splice: string): string {
  return body.startsWith('{"day":"') && body[18] === '"'
    ? `${body.slice(0, 20)}${splice}${body.slice(20)}`
    : `{${splice}${body.slice(1)}`;
}

interface TeamDayRow {
  slug: string;
  team_id: number;
  logins: string[];
  user_ids: number[];
}

/** Teams read per query of a user-teams file: a few megabytes of members at most. */
const TEAMS_PER_PAGE = 200;

/**
 * User-teams rows in (slug, login, team id) order, built from each team's stored members (user_team_days): teams
 * read a page of slugs at a time, by keyset, with no transaction held. Teams of one slug (an organization's and an
 * enterprise's in an enterprise scope) are merged.
 */
async function* teamRows(db: Queryable, f: FileIdentity): AsyncGenerator<Buffer> {
  const [aSlug = "", aLogin = ""] = f.after === "" ? [] : f.after.split("\t");
  const [bSlug = "", bLogin = ""] = f.upTo === "" ? [] : f.upTo.split("\t");
  const [kind, id] = f.scope.split(":") as [string, string];
  const tail = `"day":${JSON.stringify(f.first)},${kind === "org" ? `"organization_id":${JSON.stringify(id)}` : `"enterprise_id":${JSON.stringify(id)}`},"team_id":`;
  let lastSlug: string | null = null;
  for (;;) {
    const teams: TeamDayRow[] = await db.query<TeamDayRow>(
      `SELECT slug, team_id, logins, user_ids FROM user_team_days
       WHERE scope = $1 AND day = $2 AND slug IN (
         SELECT DISTINCT slug FROM user_team_days
         WHERE scope = $1 AND day = $2 AND ($3::text IS NULL OR slug > $3) AND ($4 = '' OR slug >= $4)
           AND ($5 = '' OR slug <= $5)
         ORDER BY slug LIMIT ${TEAMS_PER_PAGE})
       ORDER BY slug, team_id`,
      [f.scope, f.first, lastSlug, aSlug, bSlug],
    );
    if (teams.length === 0) return;
    const parts: string[] = [];
    for (let i = 0; i < teams.length; ) {
      const slug = teams[i]!.slug;
      let j = i;
      while (j < teams.length && teams[j]!.slug === slug) j++;
      const members: { login: string; userId: number; teamId: number }[] = [];
      for (let k = i; k < j; k++) {
        const t = teams[k]!;
        for (let m = 0; m < t.logins.length; m++)
          members.push({ login: t.logins[m]!, userId: t.user_ids[m]!, teamId: t.team_id });
      }
      // One team: already in login order; several: merged (login, then team id).
      if (j - i > 1) members.sort((a, b) => compareCodePoints(a.login, b.login) || a.teamId - b.teamId);
      const slugJson = JSON.stringify(slug);
      for (const m of members) {
        if (aSlug !== "" && slug === aSlug && compareCodePoints(m.login, aLogin) <= 0) continue;
        if (bSlug !== "" && slug === bSlug && compareCodePoints(m.login, bLogin) > 0) continue;
        // The text JSON.stringify gives for {user_id, user_login, day, organization_id | enterprise_id, team_id,
        // slug}.
        parts.push(
          `{"user_id":${m.userId},"user_login":${JSON.stringify(m.login)},${tail}${m.teamId},"slug":${slugJson}}\n`,
        );
      }
      i = j;
    }
    if (parts.length > 0) yield Buffer.from(parts.join(""));
    lastSlug = teams[teams.length - 1]!.slug;
  }
}

/** A day's aggregate record; a scope without a stored row that day has one with zero counts. */
async function aggregateOf(db: Queryable, scope: string, day: string): Promise<string> {
  const [row] = await db.query<{ body: string }>(
    "SELECT body FROM report_days WHERE scope = $1 AND day = $2",
    [scope, day],
  );
  return row?.body || aggregateBody(day, scope, ZERO_COUNTS, ZERO_SUMS);
}

/**
 * The 28-day wrapper. `created_at` is the end of the window's last day (not the request's time), so the file is
 * the same bytes for the same data.
 */
async function* wrapper(db: Queryable, f: FileIdentity): AsyncGenerator<Buffer> {
  const [kind, id] = f.scope.split(":") as [string, string];
  const rows = await db.query<{ day: string; body: string }>(
    "SELECT day, body FROM report_days WHERE scope = $1 AND day BETWEEN $2 AND $3",
    [f.scope, f.first, f.last],
  );
  const byDay = new Map(rows.map((r) => [r.day, r.body]));
  const head = {
    report_start_day: f.first,
    report_end_day: f.last,
    [kind === "ent" ? "enterprise_id" : "organization_id"]: id,
    created_at: `${addDays(f.last, 1)}T00:00:00.000Z`,
  };
  const totals = dayRange(f.first, f.last).map(
    (d) => byDay.get(d) || aggregateBody(d, f.scope, ZERO_COUNTS, ZERO_SUMS),
  );
  yield Buffer.from(`${JSON.stringify(head).slice(0, -1)},"day_totals":[${totals.join(",")}]}`);
}
