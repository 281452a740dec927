import { createHash } from "node:crypto";
import type { Db, Queryable } from "../db/db.js";
import { TELEMETRY_OFF_ON_DAY, telemetryOffOn } from "../directory/telemetry.js";
import { sortedByLower } from "../util/order.js";
import { arraysAsLiterals } from "./array-literal.js";
import { enforceCardinality } from "./cardinality.js";
import { claimIds } from "./claim-ids.js";
import type { TelemetryEvent } from "./event.js";
import { addCounts, type Fact, factKeyString, foldFacts } from "./fold.js";
import { md5Hex } from "./md5.js";
import { storeVersions } from "./versions.js";

/** An event ready to store: validated, and attributed to a login. */
export interface OwnedEvent {
  event: TelemetryEvent;
  login: string;
  /** Its position in the request (named in a rejection); absent: its position in the batch. */
  index?: number;
  /**
   * Set only by the OTLP receiver for an event made from items it has already deduplicated itself (log records and
   * spans by `otlp_items`, points by their series state), whose id is made anew from those items (merged pieces):
   * no retry can bring that id again without its items, so it needs no `event_ids` row.
   */
  guarded?: true;
}

export interface StoreResult {
  accepted: number;
  duplicates: number;
  dropped: number;
  /** Events refused past the per-user, per-day cardinality limits (cardinality.ts); nothing of them is kept. */
  rejected: { index: number; id: string; message: string }[];
}

/**
 * 128 bits of md5 are plenty to tell event ids apart, and a uuid column keeps the dedupe index compact. An id with a
 * lone surrogate (JSON allows `"\ud800"`) has no UTF-8 form, and encoding it would turn every such surrogate into
 * U+FFFD, so different ids would collide: those are hashed from their UTF-16 code units, behind a prefix no UTF-8
 * text starts with. Well-formed ids keep the hash they always had.
 */
export function idHash(id: string): string {
  const h = id.isWellFormed()
    ? md5Hex(id)
    : createHash("md5")
        .update(Buffer.from([0xff]))
        .update(id, "utf16le")
        .digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Stores a batch in the caller's transaction: drops events of users with telemetry off on the event's day (nothing
 * of them is kept), skips ids already received, folds the rest into the day's facts, and marks closed days (< today) that
 * received late events as dirty so they are reprocessed. Rows are written in key order so concurrent batches
 * on PostgreSQL lock them in the same order and cannot deadlock. `engine` "pglite" (one transaction at a time)
 * skips the locks only concurrent transactions need.
 */
export async function storeEvents(
  outer: Queryable,
  events: readonly OwnedEvent[],
  today: string,
  engine: Db["engine"] = "postgres",
): Promise<StoreResult> {
  if (events.length === 0) return { accepted: 0, duplicates: 0, dropped: 0, rejected: [] };
  const tx = arraysAsLiterals(outer);
  const { byLogin, off } = await usersOf(tx, events);

  let dropped = 0;
  let duplicates = 0;
  const kept: {
    event: TelemetryEvent;
    userId: number;
    login: string;
    hash: string;
    index: number;
    guarded: boolean;
  }[] = [];
  const seen = new Set<string>();
  for (const [i, e] of events.entries()) {
    const user = byLogin.get(e.login.toLowerCase())!;
    if (off.size > 0 && off.has(`${user.id}|${e.event.day}`)) {
      dropped++;
      continue;
    }
    const hash = idHash(e.event.id);
    if (seen.has(hash)) {
      duplicates++;
      continue;
    }
    seen.add(hash);
    kept.push({
      event: e.event,
      userId: user.id,
      login: e.login,
      hash,
      index: e.index ?? i,
      guarded: e.guarded === true,
    });
  }
  if (kept.length === 0) return { accepted: 0, duplicates, dropped, rejected: [] };

  const tracked = kept.filter((k) => !k.guarded);
  let fresh = kept;
  if (tracked.length > 0) {
    const taken = await claimIds(
      tx,
      "event_ids",
      tracked.map((k) => k.hash),
      tracked.map((k) => k.event.day),
    );
    if (taken.size > 0) fresh = kept.filter((k) => k.guarded || !taken.has(k.hash));
  }
  duplicates += kept.length - fresh.length;
  const { within: accepted, refused } = await enforceCardinality(tx, fresh, engine);
  // A refused event was never received: its id stays free for a corrected retry.
  const refusedIds = refused.filter((r) => !r.event.guarded).map((r) => r.event.hash);
  if (refusedIds.length > 0) {
    await tx.query("DELETE FROM event_ids WHERE id_hash = ANY($1::uuid[])", [refusedIds.sort()]);
  }
  const rejected = refused.map((r) => ({ index: r.event.index, id: r.event.event.id, message: r.message }));

  const facts = new Map<string, { day: string; userId: number } & Fact>();
  const lateDays = new Set<string>();
  for (const { event, userId } of accepted) {
    for (const f of foldFacts(event)) {
      const key = `${event.day}|${userId}|${factKeyString(f)}`;
      const prev = facts.get(key);
      if (prev) Object.assign(prev, addCounts(prev, f));
      else facts.set(key, Object.assign(f, { day: event.day, userId }));
    }
    if (event.day < today) lateDays.add(event.day);
  }
  const rows = [...facts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  if (rows.length > 0) {
    await tx.query(
      `INSERT INTO facts (day, user_id, feature, editor, model, dim, n1, n2, n3, n4)
       SELECT * FROM unnest($1::date[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
       ON CONFLICT (day, user_id, feature, editor, model, dim) DO UPDATE SET
         n1 = facts.n1 + excluded.n1, n2 = facts.n2 + excluded.n2,
         n3 = facts.n3 + excluded.n3, n4 = facts.n4 + excluded.n4`,
      [
        rows.map((r) => r.day),
        rows.map((r) => r.userId),
        rows.map((r) => r.feature),
        rows.map((r) => r.editor),
        rows.map((r) => r.model),
        rows.map((r) => r.dim),
        rows.map((r) => r.n1),
        rows.map((r) => r.n2),
        rows.map((r) => r.n3),
        rows.map((r) => r.n4),
      ],
    );
  }
  await recordActivity(tx, accepted);
  await storeVersions(tx, accepted);
  if (lateDays.size > 0) {
    await tx.query(
      `INSERT INTO dirty_days (day, reason) SELECT d, 'late events' FROM unnest($1::date[]) AS d
       ON CONFLICT (day) DO NOTHING`,
      [[...lateDays].sort()],
    );
  }
  return { accepted: accepted.length, duplicates, dropped, rejected };
}

/**
 * The users of a batch, inserted when new, and its (user, day) pairs with telemetry off (as `"userId|day"` keys),
 * in one statement. Only the logins not found are offered to the insert: a conflicting insert costs more than
 * the read, and most batches bring no new user. A user another transaction inserted after this statement's snapshot (it waited on the
 * conflict) is missing from it: then the users are read again, as separate statements see them.
 */
async function usersOf(
  tx: Queryable,
  events: readonly OwnedEvent[],
): Promise<{ byLogin: Map<string, { id: number }>; off: Set<string> }> {
  const byLower = new Map<string, string>();
  const pairs = new Map<string, { lower: string; day: string }>();
  for (const e of events) {
    const lower = e.login.toLowerCase();
    if (!byLower.has(lower)) byLower.set(lower, e.login);
    pairs.set(`${lower}|${e.event.day}`, { lower, day: e.event.day });
  }
  const logins = [...byLower.keys()];
  const pairList = [...pairs.values()];
  // Activity may arrive before the directory names the user: keep it, so it counts once they are placed. Sorted:
  // two batches inserting the same new logins in different orders would each wait for the other (40P01).
  // Each event is judged by the setting of its own day: a late event keeps the setting its day had.
  const rows = await tx.query<{ id: number; login_lower: string; off_day: string | null }>(
    `WITH found AS (SELECT id, login_lower, telemetry FROM users WHERE login_lower = ANY($2::text[])),
     ins AS (
       INSERT INTO users (login, login_lower) SELECT l, lower(l) FROM unnest($1::text[]) AS l
       WHERE lower(l) NOT IN (SELECT login_lower FROM found)
       ON CONFLICT (login_lower) DO NOTHING RETURNING id, login_lower, telemetry),
     u AS (SELECT id, login_lower, telemetry FROM found UNION ALL SELECT id, login_lower, telemetry FROM ins)
     SELECT u.id, u.login_lower, NULL::text AS off_day FROM u
     UNION ALL
     SELECT u.id, u.login_lower, d.day::text FROM unnest($3::text[], $4::date[]) AS d(login_lower, day)
       JOIN u ON u.login_lower = d.login_lower
     WHERE ${TELEMETRY_OFF_ON_DAY}`,
    [sortedByLower([...byLower.values()]), logins, pairList.map((p) => p.lower), pairList.map((p) => p.day)],
  );
  const byLogin = new Map<string, { id: number }>();
  const off = new Set<string>();
  for (const r of rows) {
    if (r.off_day === null) byLogin.set(r.login_lower, { id: r.id });
    else off.add(`${r.id}|${r.off_day}`);
  }
  if (logins.every((l) => byLogin.has(l))) return { byLogin, off };
  const users = await tx.query<{ id: number; login_lower: string }>(
    "SELECT id, login_lower FROM users WHERE login_lower = ANY($1::text[])",
    [logins],
  );
  const again = new Map(users.map((u) => [u.login_lower, { id: u.id }]));
  const userPairs = new Map<string, { userId: number; day: string }>();
  for (const p of pairList) {
    const userId = again.get(p.lower)!.id;
    userPairs.set(`${userId}|${p.day}`, { userId, day: p.day });
  }
  return { byLogin: again, off: await telemetryOffOn(tx, [...userPairs.values()]) };
}

/** Keeps each user's latest activity and latest editor, for the seat endpoints' last_activity_* fields. */
async function recordActivity(
  tx: Queryable,
  accepted: readonly { event: TelemetryEvent; userId: number }[],
): Promise<void> {
  const latest = new Map<number, { at: string; editor: string | null; editorAt: string | null }>();
  for (const { event, userId } of accepted) {
    const editor = "editor" in event ? event.editor : null;
    const cur = latest.get(userId) ?? { at: event.at, editor: null, editorAt: null };
    if (event.at > cur.at) cur.at = event.at;
    if (editor && (!cur.editorAt || event.at > cur.editorAt)) {
      cur.editor = editor;
      cur.editorAt = event.at;
    }
    latest.set(userId, cur);
  }
  const ids = [...latest.keys()].sort((a, b) => a - b);
  if (ids.length === 0) return;
  await tx.query(
    `INSERT INTO user_activity (user_id, last_at, editor, editor_at)
     SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::text[], $4::timestamptz[])
     ON CONFLICT (user_id) DO UPDATE SET
       last_at = greatest(user_activity.last_at, excluded.last_at),
       editor = CASE WHEN excluded.editor_at IS NOT NULL AND (user_activity.editor_at IS NULL OR excluded.editor_at > user_activity.editor_at)
                THEN excluded.editor ELSE user_activity.editor END,
       editor_at = greatest(user_activity.editor_at, excluded.editor_at)`,
    [
      ids,
      ids.map((i) => latest.get(i)!.at),
      ids.map((i) => latest.get(i)!.editor),
      ids.map((i) => latest.get(i)!.editorAt),
    ],
  );
}
