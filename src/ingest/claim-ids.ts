import type { Queryable } from "../db/db.js";

/** The tables that remember what ingestion has taken, each keyed by a uuid with its day (forgotten past the window). */
export type IdTable = "event_ids" | "otlp_items";

/**
 * Records `ids` with their `days` in `table`, in the caller's transaction, and returns those that were there
 * already: usually none, so a batch's worth of fresh ids is never sent back to be parsed for nothing. The rows go
 * in in id order, so concurrent batches lock them in the same order and cannot deadlock; PostgreSQL sorts the
 * uuids (in C, by bytes) for less than a JavaScript sort of their text costs.
 */
export async function claimIds(
  tx: Queryable,
  table: IdTable,
  ids: readonly string[],
  days: readonly string[],
): Promise<Set<string>> {
  const taken = await tx.query<{ id_hash: string }>(
    `WITH ins AS (
       INSERT INTO ${table} (id_hash, day) SELECT * FROM unnest($1::uuid[], $2::date[]) ORDER BY 1
       ON CONFLICT (id_hash) DO NOTHING RETURNING id_hash)
     SELECT x.h::text AS id_hash FROM unnest($1::uuid[]) AS x(h)
     WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.id_hash = x.h)`,
    [ids, days],
  );
  return new Set(taken.map((r) => r.id_hash));
}
