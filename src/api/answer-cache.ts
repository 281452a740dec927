import { createHash } from "node:crypto";
import type { Queryable } from "../db/db.js";
import { hashToken } from "../directory/tokens.js";
import { utcDay } from "../util/time.js";
import { authenticate, type Principal, tokenFromHeader } from "./auth.js";
import { ApiError } from "./errors.js";
import { type ResolvedScope, resolveScope } from "./scopes.js";

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
 * Answers kept in memory between requests, tagged with the generation they were read at (see `generation`): a
 * request reads the generation once, and anything cached under another generation is read again, so a day
 * processed or a directory applied by this server or any other process is never served stale. Least recently
 * used entries go first.
 */
export class AnswerCache {
  private readonly entries = new Map<string, { generation: string; rows: StoredDay[] }>();
  private readonly pages = new Map<string, { generation: string; answer: Answer }>();
  private readonly principals = new Map<string, { generation: string; principal: Principal }>();
  private readonly scopes = new Map<string, { generation: string; scope: ResolvedScope }>();

  /** Keeps at most maxEntries in `m`, dropping the least recently set. */
  private put<V>(m: Map<string, V>, key: string, value: V): V {
    m.delete(key);
    m.set(key, value);
    if (m.size > this.maxEntries) m.delete(m.keys().next().value!);
    return value;
  }

  /**
   * The caller's principal (roles as of today), as `authenticate` finds it, cached per generation and day. Unknown
   * tokens are never cached; an expired one is refused whatever the cache holds.
   */
  async principal(
    db: Queryable,
    generation: string,
    header: string | undefined,
    now: Date,
  ): Promise<Principal> {
    const secret = tokenFromHeader(header);
    if (secret === null) throw new ApiError("requires_authentication");
    if (secret === "") throw new ApiError("bad_credentials");
    const key = `${hashToken(secret)}|${utcDay(now)}`;
    const hit = this.principals.get(key);
    if (hit && hit.generation === generation) {
      if (hit.principal.expiresAt !== undefined && hit.principal.expiresAt <= now.getTime()) {
        throw new ApiError("bad_credentials");
      }
      return hit.principal;
    }
    const principal = await authenticate(db, header, now);
    return this.put(this.principals, key, { generation, principal }).principal;
  }

  /** A metrics route's scope (404 when it does not exist; not cached), cached per generation. */
  async scope(
    db: Queryable,
    generation: string,
    route: Parameters<typeof resolveScope>[1],
    params: { enterprise?: string; org?: string; team_slug?: string },
  ): Promise<ResolvedScope> {
    const key = [route, params.enterprise, params.org, params.team_slug]
      .map((x) => x?.toLowerCase() ?? "")
      .join("|");
    const hit = this.scopes.get(key);
    if (hit && hit.generation === generation) return hit.scope;
    const scope = await resolveScope(db, route, params);
    return this.put(this.scopes, key, { generation, scope }).scope;
  }

  /** Page `page` of `perPage` days of the range, assembled once per generation. */
  async answer(
    db: Queryable,
    generation: string,
    scope: string,
    first: string,
    last: string,
    page: number,
    perPage: number,
  ): Promise<Answer> {
    const rows = await this.days(db, generation, scope, first, last);
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

  /**
   * The current generation of everything served: processed days (a sequence every `processDay` advances, and
   * their count) and the directory (advanced by `apply` and token changes). One small query; read it first, then
   * what it guards, so what is cached is never older than its tag.
   */
  async generation(db: Queryable): Promise<string> {
    const [g] = await db.query<{ g: string }>(
      `SELECT (SELECT coalesce(max(generation), 0) FROM processed_days)::text || '/' ||
              (SELECT count(*) FROM processed_days)::text || '/' ||
              (SELECT last_value FROM directory_generation)::text AS g`,
    );
    return g!.g;
  }

  private async days(
    db: Queryable,
    generation: string,
    scope: string,
    first: string,
    last: string,
  ): Promise<StoredDay[]> {
    const key = `${scope}|${first}|${last}`;
    const hit = this.entries.get(key);
    if (hit && hit.generation === generation) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.rows;
    }
    const rows = await db.query<StoredDay>(
      "SELECT body, hash FROM day_documents WHERE scope = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
      [scope, first, last],
    );
    this.entries.delete(key);
    this.entries.set(key, { generation, rows });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return rows;
  }
}
