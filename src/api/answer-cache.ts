import { createHash } from "node:crypto";
import type { Queryable } from "../db/db.js";

export interface StoredDay {
  body: string;
  hash: string;
}

/** One page of an answer, ready to send: the bytes, their ETag, and how many pages the range has. */
export interface Answer {
  body: Buffer;
  etag: string;
  pages: number;
}

/**
 * The stored days of a scope and day range, kept in memory between requests. Every lookup first reads the
 * processing generation (one tiny query), so a day processed by this server or by any other process on the same
 * database is never served stale; only the large document text is saved. Least recently used entries go first.
 */
export class AnswerCache {
  private readonly entries = new Map<string, { generation: string; rows: StoredDay[] }>();
  private readonly pages = new Map<string, { generation: string; answer: Answer }>();

  /** Page `page` of `perPage` days of the range, assembled once per generation. */
  async answer(
    db: Queryable,
    scope: string,
    first: string,
    last: string,
    page: number,
    perPage: number,
  ): Promise<Answer> {
    const { rows, generation } = await this.days(db, scope, first, last);
    const key = `${scope}|${first}|${last}|${page}|${perPage}`;
    const hit = this.pages.get(key);
    if (hit && hit.generation === generation) return hit.answer;
    const slice = rows.slice((page - 1) * perPage, page * perPage);
    const answer: Answer = {
      body: Buffer.from(`[${slice.map((p) => p.body).join(",")}]`),
      etag: `W/"${createHash("sha256")
        .update(slice.map((p) => p.hash).join(","))
        .digest("hex")}"`,
      pages: Math.max(1, Math.ceil(rows.length / perPage)),
    };
    this.pages.delete(key);
    this.pages.set(key, { generation, answer });
    if (this.pages.size > this.maxEntries) this.pages.delete(this.pages.keys().next().value!);
    return answer;
  }

  constructor(private readonly maxEntries = 1000) {}

  async days(
    db: Queryable,
    scope: string,
    first: string,
    last: string,
  ): Promise<{ rows: StoredDay[]; generation: string }> {
    const [g] = await db.query<{ g: string }>(
      "SELECT coalesce(max(generation), 0)::text || '/' || count(*)::text AS g FROM processed_days",
    );
    const generation = g!.g;
    const key = `${scope}|${first}|${last}`;
    const hit = this.entries.get(key);
    if (hit && hit.generation === generation) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const rows = await db.query<StoredDay>(
      "SELECT body, hash FROM day_documents WHERE scope = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
      [scope, first, last],
    );
    this.entries.delete(key);
    this.entries.set(key, { generation, rows });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return { rows, generation };
  }
}
