import type { Queryable } from "../db/db.js";
import { textArray } from "../db/text-array.js";
import { addDays } from "../util/time.js";
import { type ActiveCounts, aggregateBody, sumsJson } from "./aggregate.js";
import type { DayReports, RecordRow } from "./day-reports.js";
import { dropStaleFiles, pruneStoredFiles } from "./gzip-cache.js";
import { compareCodePoints } from "./order.js";
import { newTotals } from "./record.js";

/** Records per INSERT: about 2.4 kB each, so a statement stays around a megabyte. */
const RECORDS_PER_INSERT = 500;
/** Team members per INSERT of user_team_days (a login and an id each). */
const MEMBERS_PER_INSERT = 20_000;
const ZERO_SUMS = sumsJson(newTotals());

/** Removes a day's computed reports before they are computed again (in the caller's transaction). */
export async function clearReportDay(tx: Queryable, day: string): Promise<void> {
  await tx.query(
    `DELETE FROM user_day_records r USING report_days d
     WHERE d.day = $1 AND r.scope = d.scope AND r.day = $1`,
    [day],
  );
  await tx.query(
    `DELETE FROM user_team_days r USING report_days d
     WHERE d.day = $1 AND r.scope = d.scope AND r.day = $1`,
    [day],
  );
  await tx.query("DELETE FROM report_days WHERE day = $1", [day]);
  await dropStaleFiles(tx, day);
}

/**
 * The bodies of a slice as one text, a line each. A text[] parameter of JSON bodies cost 6× the rows' own insert
 * (every `"` escaped by the client and unescaped by the server's array parser; issue 14); split on the server
 * instead. JSON text has no raw line feed (JSON.stringify escapes it), so the lines are the bodies; were one to
 * hold a line feed, the arrays would no longer line up and the NOT NULL columns would refuse the statement.
 */
function joinBodies(rows: readonly { body: string }[]): string {
  let text = "";
  for (let i = 0; i < rows.length; i++) text += i === 0 ? rows[i]!.body : `\n${rows[i]!.body}`;
  return text;
}

/**
 * Stores serialized user-day records, each column as one text parameter (scopes such as `org:12` and ids hold no
 * comma).
 */
export async function insertRecords(tx: Queryable, day: string, rows: readonly RecordRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += RECORDS_PER_INSERT) {
    const slice = rows.slice(i, i + RECORDS_PER_INSERT);
    await tx.query(
      `INSERT INTO user_day_records (scope, day, login, user_id, body)
       SELECT s, $1::date, l, u, b
       FROM unnest(string_to_array($2, ','), $3::text::text[], string_to_array($4, ',')::int[],
                   string_to_array($5, E'\n')) AS x(s, l, u, b)
       ON CONFLICT (scope, day, login) DO UPDATE SET user_id = excluded.user_id, body = excluded.body`,
      [
        day,
        slice.map((r) => r.scope).join(","),
        textArray(slice.map((r) => r.login)),
        slice.map((r) => r.userId).join(","),
        joinBodies(slice),
      ],
    );
  }
}

/**
 * Stores the day's teams with their members, one row per scope and team, members in the file's order (login in
 * code-point order). Sent flattened, one member a line, and grouped by the server.
 */
export async function storeTeamDays(tx: Queryable, day: string, reports: DayReports): Promise<void> {
  let scopes: string[] = [];
  let teams: number[] = [];
  let slugs: string[] = [];
  let logins: string[] = [];
  let ids: number[] = [];
  const flush = async () => {
    if (logins.length === 0) return;
    await tx.query(
      `INSERT INTO user_team_days (scope, day, team_id, slug, logins, user_ids)
       SELECT s, $1::date, t, sl, array_agg(l ORDER BY o), array_agg(u ORDER BY o)
       FROM unnest(string_to_array($2, ','), string_to_array($3, ',')::int[], $4::text::text[], $5::text::text[],
                   string_to_array($6, ',')::int[]) WITH ORDINALITY AS x(s, t, sl, l, u, o)
       GROUP BY s, t, sl`,
      [day, scopes.join(","), teams.join(","), textArray(slugs), textArray(logins), ids.join(",")],
    );
    scopes = [];
    teams = [];
    slugs = [];
    logins = [];
    ids = [];
  };
  for (const t of reports.teamDays.values()) {
    const order = t.logins.map((_, i) => i).sort((a, b) => compareCodePoints(t.logins[a]!, t.logins[b]!));
    // A team is sent whole by one statement (its row is made by one GROUP BY).
    if (logins.length + order.length > MEMBERS_PER_INSERT) await flush();
    for (const i of order) {
      scopes.push(t.scope);
      teams.push(t.teamId);
      slugs.push(t.slug);
      logins.push(t.logins[i]!);
      ids.push(t.userIds[i]!);
    }
  }
  await flush();
}

/**
 * Stores each scope's day row (active sets, sums), then the aggregate records of this day and of the processed
 * days up to 27 later, whose 7- and 28-day counts include this day.
 */
export async function storeReportDay(tx: Queryable, day: string, reports: DayReports): Promise<void> {
  await storeTeamDays(tx, day, reports);
  const scopes = [...reports.scopes.keys()].sort();
  for (let i = 0; i < scopes.length; i += 100) {
    const slice = scopes.slice(i, i + 100);
    const s = slice.map((k) => reports.scopes.get(k)!);
    await tx.query(
      `INSERT INTO report_days (scope, day, records, team_rows, active, chat, agent, cli_users, sums, body)
       SELECT sc, $1::date, r, tr, string_to_array(a, ',')::int[], string_to_array(c, ',')::int[],
              string_to_array(g, ',')::int[], cl, su, ''
       FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::int[])
         AS x(sc, r, a, c, g, cl, su, tr)`,
      [
        day,
        slice,
        s.map((x) => x.records),
        s.map((x) => x.active.join(",")),
        s.map((x) => x.chat.join(",")),
        s.map((x) => x.agent.join(",")),
        s.map((x) => x.cliUsers),
        slice.map((k) => reports.sums(k)),
        s.map((x) => x.teamRows),
      ],
    );
  }
  const later = await tx.query<{ day: string }>(
    "SELECT day FROM processed_days WHERE day > $1 AND day <= $2 ORDER BY day",
    [day, addDays(day, 27)],
  );
  for (const d of [day, ...later.map((r) => r.day)]) await recount(tx, d, d !== day);
}

/**
 * Computes day X's distinct-user counts for every scope active in X−27…X and writes its aggregate records. A
 * scope quiet on X but active before gets a row with empty sets and zero sums (its 28-day count is not zero).
 */
async function recount(tx: Queryable, x: string, dropCarried: boolean): Promise<void> {
  if (dropCarried)
    await tx.query("DELETE FROM report_days WHERE day = $1 AND records = 0 AND cardinality(active) = 0", [x]);
  const rows = await tx.query<{
    scope: string;
    daily: number;
    cli: number;
    sums: string | null;
    weekly: number;
    monthly: number;
    chat: number;
    agent: number;
  }>(
    `SELECT s.scope, coalesce(cardinality(t.active), 0) AS daily, coalesce(t.cli_users, 0) AS cli, t.sums,
       (SELECT count(DISTINCT u) FROM report_days r, unnest(r.active) u
        WHERE r.scope = s.scope AND r.day BETWEEN $2 AND $1)::int AS weekly,
       (SELECT count(DISTINCT u) FROM report_days r, unnest(r.active) u
        WHERE r.scope = s.scope AND r.day BETWEEN $3 AND $1)::int AS monthly,
       (SELECT count(DISTINCT u) FROM report_days r, unnest(r.chat) u
        WHERE r.scope = s.scope AND r.day BETWEEN $3 AND $1)::int AS chat,
       (SELECT count(DISTINCT u) FROM report_days r, unnest(r.agent) u
        WHERE r.scope = s.scope AND r.day BETWEEN $3 AND $1)::int AS agent
     FROM (SELECT DISTINCT scope FROM report_days WHERE day BETWEEN $3 AND $1) s
     LEFT JOIN report_days t ON t.scope = s.scope AND t.day = $1
     ORDER BY s.scope`,
    [x, addDays(x, -6), addDays(x, -27)],
  );
  for (let i = 0; i < rows.length; i += 100) {
    const slice = rows.slice(i, i + 100);
    const bodies = slice.map((r) => {
      const c: ActiveCounts = {
        daily: r.daily,
        weekly: r.weekly,
        monthly: r.monthly,
        monthlyChat: r.chat,
        monthlyAgent: r.agent,
        dailyCli: r.cli,
      };
      return aggregateBody(x, r.scope, c, r.sums ?? ZERO_SUMS);
    });
    await tx.query(
      `INSERT INTO report_days (scope, day, records, active, chat, agent, cli_users, sums, body)
       SELECT sc, $1::date, 0, '{}', '{}', '{}', 0, $4, b FROM unnest($2::text[], $3::text[]) AS x(sc, b)
       ON CONFLICT (scope, day) DO UPDATE SET body = excluded.body`,
      [x, slice.map((r) => r.scope), bodies, ZERO_SUMS],
    );
  }
}

/** Drops reports of days before `firstKept` (the retention). */
export async function pruneReports(tx: Queryable, firstKept: string): Promise<void> {
  await tx.query(
    `DELETE FROM user_day_records r USING report_days d
     WHERE d.day < $1 AND r.scope = d.scope AND r.day = d.day`,
    [firstKept],
  );
  await tx.query(
    `DELETE FROM user_team_days r USING report_days d
     WHERE d.day < $1 AND r.scope = d.scope AND r.day = d.day`,
    [firstKept],
  );
  await tx.query("DELETE FROM report_days WHERE day < $1", [firstKept]);
  await pruneStoredFiles(tx, firstKept);
}
