import type { Queryable } from "../db/db.js";
import { md5Hex } from "../ingest/md5.js";
import { sortedByLower } from "../util/order.js";
import type { UsageAdd } from "./match.js";
import type { UsageRow } from "./usage-shapes.js";

export type { UsageRow };

const COLUMNS = {
  input: "input_tokens",
  output: "output_tokens",
  cache: "cache_tokens",
  other: "other_tokens",
  cost: "cost_usd",
  lines_added: "lines_added",
  lines_deleted: "lines_deleted",
} as const;
type Column = (typeof COLUMNS)[keyof typeof COLUMNS];

function uuidOf(s: string): string {
  const h = md5Hex(s);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Adds tokens, cost and lines to the usage table in the caller's transaction. Users with telemetry off are
 * skipped (as the native pipeline drops their events); additions from a log record or span carry a dedupe key,
 * and one seen before (a retried request) adds nothing. Returns the additions kept.
 */
export async function addUsage(
  tx: Queryable,
  adds: readonly { login: string; day: string; add: UsageAdd; dedupe: string | null }[],
  _today: string,
): Promise<number> {
  if (adds.length === 0) return 0;
  const logins = [...new Map(adds.map((a) => [a.login.toLowerCase(), a.login])).values()];
  // One round trip: the users already there from the table, the others inserted (a conflicting insert costs
  // more than the read) and taken from RETURNING, so each user comes back once.
  const users = await tx.query<{ id: number; login_lower: string; telemetry: boolean }>(
    `WITH found AS (SELECT id, login_lower, telemetry FROM users WHERE login_lower = ANY($2::text[])),
     ins AS (
       INSERT INTO users (login, login_lower) SELECT l, lower(l) FROM unnest($1::text[]) AS l
       WHERE lower(l) NOT IN (SELECT login_lower FROM found)
       ON CONFLICT (login_lower) DO NOTHING RETURNING id, login_lower, telemetry)
     SELECT id, login_lower, telemetry FROM found UNION ALL SELECT id, login_lower, telemetry FROM ins`,
    [sortedByLower(logins), logins.map((l) => l.toLowerCase())],
  );
  const byLogin = new Map(users.map((u) => [u.login_lower, u]));
  let candidates = adds.filter((a) => byLogin.get(a.login.toLowerCase())?.telemetry);
  const keyed = candidates.filter((a) => a.dedupe !== null);
  if (keyed.length > 0) {
    const ids = [...new Map(keyed.map((a) => [uuidOf(a.dedupe!), a.day])).entries()].sort(([a], [b]) =>
      a < b ? -1 : 1,
    );
    const fresh = await tx.query<{ id_hash: string }>(
      `INSERT INTO otlp_items (id_hash, day) SELECT * FROM unnest($1::uuid[], $2::date[])
       ON CONFLICT (id_hash) DO NOTHING RETURNING id_hash::text`,
      [ids.map(([i]) => i), ids.map(([, d]) => d)],
    );
    const freshSet = new Set(fresh.map((r) => r.id_hash));
    candidates = candidates.filter((a) => a.dedupe === null || freshSet.has(uuidOf(a.dedupe)));
  }
  const rows = new Map<
    string,
    { day: string; userId: number; tool: string; model: string } & Record<Column, number>
  >();
  for (const a of candidates) {
    const userId = byLogin.get(a.login.toLowerCase())!.id;
    const key = `${a.day}\u0000${userId}\u0000${a.add.tool}\u0000${a.add.model}`;
    let r = rows.get(key);
    if (!r) {
      r = {
        day: a.day,
        userId,
        tool: a.add.tool,
        model: a.add.model,
        input_tokens: 0,
        output_tokens: 0,
        cache_tokens: 0,
        other_tokens: 0,
        cost_usd: 0,
        lines_added: 0,
        lines_deleted: 0,
      };
      rows.set(key, r);
    }
    r[COLUMNS[a.add.column]] += a.add.amount;
  }
  const list = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  if (list.length === 0) return 0;
  const int = (c: Column) => list.map((r) => Math.round(r[c]));
  await tx.query(
    `INSERT INTO otlp_usage (day, user_id, tool, model, input_tokens, output_tokens, cache_tokens, other_tokens,
                             cost_usd, lines_added, lines_deleted)
     SELECT * FROM unnest($1::date[], $2::int[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[],
                          $8::bigint[], $9::float8[], $10::bigint[], $11::bigint[])
     ON CONFLICT (day, user_id, tool, model) DO UPDATE SET
       input_tokens = otlp_usage.input_tokens + excluded.input_tokens,
       output_tokens = otlp_usage.output_tokens + excluded.output_tokens,
       cache_tokens = otlp_usage.cache_tokens + excluded.cache_tokens,
       other_tokens = otlp_usage.other_tokens + excluded.other_tokens,
       cost_usd = otlp_usage.cost_usd + excluded.cost_usd,
       lines_added = otlp_usage.lines_added + excluded.lines_added,
       lines_deleted = otlp_usage.lines_deleted + excluded.lines_deleted`,
    [
      list.map((r) => r.day),
      list.map((r) => r.userId),
      list.map((r) => r.tool),
      list.map((r) => r.model),
      int("input_tokens"),
      int("output_tokens"),
      int("cache_tokens"),
      int("other_tokens"),
      list.map((r) => r.cost_usd),
      int("lines_added"),
      int("lines_deleted"),
    ],
  );
  return candidates.length;
}

/** Usage rows of the days since..until, of these users (null: everyone), ordered by day, user, tool, model. */
export async function readUsage(
  db: Queryable,
  q: { since: string; until: string; userIds: number[] | null },
): Promise<UsageRow[]> {
  const rows = await db.query<Record<string, string | number>>(
    `SELECT to_char(g.day, 'YYYY-MM-DD') AS day, u.login AS user, g.tool, g.model, g.input_tokens::float8 AS input_tokens,
            g.output_tokens::float8 AS output_tokens, g.cache_tokens::float8 AS cache_tokens,
            g.other_tokens::float8 AS other_tokens, g.cost_usd, g.lines_added::float8 AS lines_added,
            g.lines_deleted::float8 AS lines_deleted
     FROM otlp_usage g JOIN users u ON u.id = g.user_id
     WHERE g.day BETWEEN $1::date AND $2::date AND ($3::int[] IS NULL OR g.user_id = ANY($3::int[]))
     ORDER BY g.day, u.login_lower, g.tool, g.model`,
    [q.since, q.until, q.userIds],
  );
  return rows.map((r) => ({
    day: String(r.day),
    user: String(r.user),
    tool: String(r.tool),
    model: String(r.model),
    input_tokens: Number(r.input_tokens),
    output_tokens: Number(r.output_tokens),
    cache_tokens: Number(r.cache_tokens),
    other_tokens: Number(r.other_tokens),
    cost_usd: Number(r.cost_usd),
    lines_added: Number(r.lines_added),
    lines_deleted: Number(r.lines_deleted),
  }));
}
