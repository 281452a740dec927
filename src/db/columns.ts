import type { Queryable } from "./db.js";

/** The rows of a query as one array per column. */
export type Columns<T> = { [K in keyof T]: T[K][] };

/**
 * Runs `sql` (a SELECT, or an INSERT … RETURNING) and returns its rows as one array per column, read as a single
 * JSON text. For large reads: PGlite decodes every field of every row in JavaScript, and both drivers parse
 * array literals character by character (100,000 rows of three columns: 1–2 s as rows on PGlite, 0.2–0.4 s as
 * one JSON text parsed by JSON.parse). Every aggregate of one query sees the rows in the same order, so index i
 * of each array is one row. Values arrive as JSON has them: numbers, booleans, text (dates as `YYYY-MM-DD`).
 */
export async function selectColumns<T extends Record<string, unknown>>(
  db: Queryable,
  sql: string,
  params: readonly unknown[],
  names: readonly (keyof T & string)[],
): Promise<Columns<T>> {
  // `sql` and `names` are the caller's constant text (a statement and its column names); values go in `params`.
  const text = `WITH r AS (${sql}) SELECT json_build_object(${names.map((n) => `'${n}', coalesce(json_agg(r.${n}), '[]')`).join(", ")})::text AS columns FROM r`;
  const [row] = await db.query<{ columns: string }>(text, params);
  return JSON.parse(row!.columns) as Columns<T>;
}
