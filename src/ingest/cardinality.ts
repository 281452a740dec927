import type { Db, Queryable } from "../db/db.js";
import type { TelemetryEvent } from "./event.js";

/**
 * The dimensions limited per user and day (telemetry-events.md v1.1: "at most 100 distinct values each"), each with
 * the field of the validated event that holds it (`agent_id` arrives as `agentId`). A new event type's field is
 * limited by adding its pair here.
 */
export const LIMITED_DIMENSIONS: readonly (readonly [dimension: string, field: string])[] = [
  ["editor", "editor"],
  ["language", "language"],
  ["model", "model"],
  ["repository", "repository"],
  ["agent_id", "agentId"],
];

/** Distinct values per user, day and dimension. */
export const MAX_VALUES_PER_USER_DAY = 100;

// Advisory lock keys of (user, day) pairs: above every other key pilotlog uses, below 2^53.
const PAIR_LOCK_BASE = 2 ** 52;

/** One event to check: where it is in the request, and whose it is. */
export interface LimitedEvent {
  index: number;
  userId: number;
  login: string;
  event: TelemetryEvent;
}

/** One distinct value of a batch for a user, day and dimension. */
interface Candidate {
  userId: number;
  day: string;
  dim: string;
  value: string;
}

/** A (user, day) pair of a batch and its distinct values by dimension. */
interface PairValues {
  userId: number;
  day: string;
  dims: Map<string, Set<string>>;
}

/** Per (user, day, dimension) that gets a value not stored yet: how many values are stored, and the new ones. */
function newValues(
  tx: Queryable,
  list: readonly Candidate[],
): Promise<{ user_id: number; day: string; dimension: string; stored: number; fresh: string[] }[]> {
  return tx.query(
    `SELECT c.user_id, c.day::text AS day, c.dimension, array_agg(c.value) AS fresh,
            (SELECT count(*) FROM user_day_values v
             WHERE v.day = c.day AND v.user_id = c.user_id AND v.dimension = c.dimension)::int AS stored
     FROM unnest($1::int[], $2::date[], $3::text[], $4::text[]) AS c(user_id, day, dimension, value)
     WHERE NOT EXISTS (SELECT 1 FROM user_day_values v
                       WHERE v.day = c.day AND v.user_id = c.user_id AND v.dimension = c.dimension AND v.value = c.value)
     GROUP BY c.user_id, c.day, c.dimension`,
    [list.map((c) => c.userId), list.map((c) => c.day), list.map((c) => c.dim), list.map((c) => c.value)],
  );
}

/** The values an event adds to each limited dimension (absent or empty fields add none). */
function valuesOf(event: TelemetryEvent): [string, string][] {
  const fields = event as unknown as Record<string, unknown>;
  const out: [string, string][] = [];
  for (const [dim, field] of LIMITED_DIMENSIONS) {
    const v = fields[field];
    if (typeof v === "string" && v !== "") out.push([dim, v]);
  }
  return out;
}

/**
 * Splits `events` (already deduplicated) into those within the per-user, per-day limits and those past them, in
 * request order: an event whose value of some dimension would be its user's 101st distinct one that day is
 * refused, with a message naming the dimension, the value and the limit. Values already stored for the user and
 * day count. Runs in the caller's transaction and holds a lock per (user, day) until it ends, so concurrent
 * requests for the same user and day cannot both pass the limit on PostgreSQL.
 */
export async function enforceCardinality<E extends LimitedEvent>(
  tx: Queryable,
  events: readonly E[],
  engine: Db["engine"] = "postgres",
): Promise<{ within: E[]; refused: { event: E; message: string }[] }> {
  const withValues = events.map((e) => ({ e, values: valuesOf(e.event) })).filter((x) => x.values.length > 0);
  if (withValues.length === 0) return { within: [...events], refused: [] };

  // The batch's values, each once, by (user, day) pair then dimension: keys are built once per event, not once
  // per value. What comes back is, per (user, day, dimension) that got a value not stored yet, how many values
  // are stored and which of the batch's are new. That is all the judgement below needs (a value is stored unless
  // it is listed new), and a batch repeating known values reads nothing.
  const byPair = new Map<string, PairValues>();
  for (const { e, values } of withValues) {
    const pk = pairKey(e.userId, e.event.day);
    let pair = byPair.get(pk);
    if (!pair) {
      pair = { userId: e.userId, day: e.event.day, dims: new Map() };
      byPair.set(pk, pair);
    }
    for (const [dim, value] of values) {
      const set = pair.dims.get(dim);
      if (set) set.add(value);
      else pair.dims.set(dim, new Set([value]));
    }
  }
  let groups = await newValues(tx, candidatesOf(byPair.values()));
  // PGlite runs one transaction at a time: only PostgreSQL needs the locks, and only for the (user, day) pairs
  // that bring a value not stored yet. A pair whose values are all stored adds none, so it cannot pass the limit
  // whatever a concurrent request does (values are only removed with the day or the user). Once the pairs are
  // locked their groups are read again: a request that held a lock before may have committed values since.
  if (engine === "postgres" && groups.length > 0) {
    const locked = new Set(groups.map((g) => pairKey(g.user_id, g.day)));
    const pairs = [...locked]
      .map((pk) => byPair.get(pk)!)
      .sort((a, b) => a.userId - b.userId || (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    // In a stable order, so two requests locking overlapping pairs cannot deadlock.
    await tx.query("SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k", [
      pairs.map((p) => PAIR_LOCK_BASE + p.userId * 65_536 + ((Date.parse(p.day) / 86_400_000) % 65_536)),
    ]);
    groups = await newValues(tx, candidatesOf(pairs));
  }
  if (groups.length === 0) return { within: [...events], refused: [] };
  // Per (user, day) pair, then dimension: the values known so far to be new, and how many distinct values there are.
  const sets = new Map<string, Map<string, { fresh: Set<string>; size: number }>>();
  for (const g of groups) {
    const pk = pairKey(g.user_id, g.day);
    let dims = sets.get(pk);
    if (!dims) {
      dims = new Map();
      sets.set(pk, dims);
    }
    dims.set(g.dimension, { fresh: new Set(g.fresh), size: g.stored });
  }

  const refusedSet = new Set<E>();
  const refused: { event: E; message: string }[] = [];
  const added: (Candidate & { key: string })[] = [];
  for (const { e, values } of [...withValues].sort((a, b) => a.e.index - b.e.index)) {
    const dims = sets.get(pairKey(e.userId, e.event.day));
    if (!dims) continue; // every value of its pair is stored
    const over = values.find(([dim, v]) => {
      const s = dims.get(dim);
      return s?.fresh.has(v) === true && s.size >= MAX_VALUES_PER_USER_DAY;
    });
    if (over) {
      const [dim, v] = over;
      refusedSet.add(e);
      refused.push({
        event: e,
        message: `limit of ${MAX_VALUES_PER_USER_DAY} distinct "${dim}" values per user and day reached: "${e.login}" already sent ${MAX_VALUES_PER_USER_DAY} on ${e.event.day}, so the new value ${JSON.stringify(v.slice(0, 64))} is refused; reuse one of them or send it another day`,
      });
      continue;
    }
    for (const [dim, v] of values) {
      const s = dims.get(dim);
      if (s === undefined || !s.fresh.delete(v)) continue;
      s.size++;
      const day = e.event.day;
      added.push({
        userId: e.userId,
        day,
        dim,
        value: v,
        key: `${day}\u0000${e.userId}\u0000${dim}\u0000${v}`,
      });
    }
  }
  if (added.length > 0) {
    // Key order, as every other multi-row write of ingestion.
    added.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    await tx.query(
      `INSERT INTO user_day_values (day, user_id, dimension, value)
       SELECT * FROM unnest($1::date[], $2::int[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
      [
        added.map((a) => a.day),
        added.map((a) => a.userId),
        added.map((a) => a.dim),
        added.map((a) => a.value),
      ],
    );
  }
  return { within: events.filter((e) => !refusedSet.has(e)), refused };
}

/** The key of a (user, day) pair in the maps above. */
function pairKey(userId: number, day: string): string {
  return `${userId}|${day}`;
}

/** The distinct values of some pairs, one candidate each. */
function candidatesOf(pairs: Iterable<PairValues>): Candidate[] {
  const out: Candidate[] = [];
  for (const { userId, day, dims } of pairs)
    for (const [dim, values] of dims) for (const value of values) out.push({ userId, day, dim, value });
  return out;
}
