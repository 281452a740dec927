import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { Db, Queryable } from "../db/db.js";
import { isDatabaseUnavailable } from "../db/unavailable.js";
import { hashToken } from "../directory/tokens.js";
import { UtcDays } from "../util/time.js";
import { authenticate, type Principal, tokenFromHeader } from "./auth.js";
import { ApiError } from "./errors.js";
import { Lru } from "./lru.js";
import { type ResolvedScope, resolveScope } from "./scopes.js";

const gzipAsync = promisify(gzip);
const noop = () => undefined;
const GENERATION_SQL = `SELECT (SELECT coalesce(max(generation), 0) FROM processed_days)::text || '/' ||
  (SELECT count(*) FROM processed_days)::text || '/' ||
  (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM directory_generation)::text AS g`;

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
  private readonly entries: Lru<{ generation: string; rows: StoredDay[] }>;
  private readonly pages: Lru<{ generation: string; answer: Answer }>;
  private readonly principals: Lru<{ generation: string; principal: Principal }>;
  private readonly scopes: Lru<{ generation: string; scope: ResolvedScope }>;
  private readonly compressed = new WeakMap<Answer, Promise<Buffer>>();
  /** Today's text per cache, not per process: principals are cached per day. */
  private readonly utcDays = new UtcDays();
  /** The generation query running, and the one requests arriving meanwhile will share. */
  private current: Promise<string> | null = null;
  private following: Promise<string> | null = null;
  /** The last generation read, with its stamp (NaN where the engine gives none): see `Db.stampedRead`. */
  private stamped: { generation: string; stamp: number } | null = null;
  /** Generation reads sent to the database (diagnostics and tests). */
  generationReads = 0;
  /** Lookups answered from memory and lookups that read the database, per cache (read by /metrics). */
  readonly stats = {
    hits: { answer: 0, principal: 0, scope: 0 },
    misses: { answer: 0, principal: 0, scope: 0 },
  };

  /**
   * @param maxEntries entries kept per kind (answers, day rows, principals, scopes)
   * @param maxBytes bytes of day rows and of answers kept, each (a 28-day organization answer is ≈ 0.5 MB)
   */
  constructor(maxEntries = 1000, maxBytes = 16 * 1024 * 1024) {
    this.entries = new Lru(maxEntries, maxBytes, (e) => e.rows.reduce((n, r) => n + r.body.length + 80, 0));
    this.pages = new Lru(maxEntries, maxBytes, (p) => p.answer.body.length * 1.3);
    this.principals = new Lru(maxEntries, Number.POSITIVE_INFINITY);
    this.scopes = new Lru(maxEntries, Number.POSITIVE_INFINITY);
  }

  /**
   * The answer's bytes gzipped (level 6), made once per cached answer and off the event loop: JSON metrics
   * compress about 20×, which is what lets many clients read 28 days at once without saturating the link.
   */
  gzip(answer: Answer): Promise<Buffer> {
    let z = this.compressed.get(answer);
    if (!z) {
      z = gzipAsync(answer.body, { level: 6 });
      this.compressed.set(answer, z);
    }
    return z;
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
    const key = `${hashToken(secret)}|${this.utcDays.of(now)}`;
    const hit = this.principals.get(key);
    if (hit && hit.generation === generation) {
      if (hit.principal.expiresAt !== undefined && hit.principal.expiresAt <= now.getTime()) {
        throw new ApiError("bad_credentials");
      }
      this.stats.hits.principal++;
      return hit.principal;
    }
    this.stats.misses.principal++;
    const principal = await authenticate(db, header, now);
    return this.principals.set(key, { generation, principal }).principal;
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
    if (hit && hit.generation === generation) {
      this.stats.hits.scope++;
      return hit.scope;
    }
    this.stats.misses.scope++;
    const scope = await resolveScope(db, route, params);
    return this.scopes.set(key, { generation, scope }).scope;
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
    if (hit && hit.generation === generation) {
      this.stats.hits.answer++;
      return hit.answer;
    }
    this.stats.misses.answer++;
    const slice = rows.slice((page - 1) * perPage, page * perPage);
    const answer: Answer = {
      body: Buffer.from(`[${slice.map((p) => p.body).join(",")}]`),
      etag: `W/"${createHash("sha256")
        .update(slice.map((p) => p.hash).join(","))
        .digest("hex")}"`,
      pages: Math.max(1, Math.ceil(rows.length / perPage)),
    };
    return this.pages.set(key, { generation, answer }).answer;
  }

  /**
   * The current generation of everything served: processed days (a sequence every `processDay` advances, and
   * their count) and the directory (advanced by `apply` and token changes). Read it first, then what it guards,
   * so what is cached is never older than its tag.
   *
   * Concurrent requests share one query, but never one that started before they arrived (it could predate a
   * commit they must see): a request arriving while a query runs waits for the next one, which all such requests
   * share. Under load this turns one query per request into one per round trip. (A fresh sequence's
   * `last_value` is already 1, so its first `nextval` is told apart by `is_called`.)
   */
  generation(db: Queryable | Db): Promise<string> {
    return this.currentGeneration(db).catch((err: unknown) => {
      // The database went away: what was already served stays served (from memory) until it is back.
      if (this.stamped !== null && isDatabaseUnavailable(err)) return this.stamped.generation;
      throw err;
    });
  }

  private currentGeneration(db: Queryable | Db): Promise<string> {
    // Nothing changed since the last read (PGlite: no other statement ran; PostgreSQL: none of ours, none announced).
    if (this.stamped && "writeStamp" in db && db.writeStamp?.() === this.stamped.stamp)
      return Promise.resolve(this.stamped.generation);
    if (!this.current) return this.start(db);
    this.following ??= this.current.then(noop, noop).then(() => {
      this.following = null;
      return this.start(db);
    });
    return this.following;
  }

  private start(db: Queryable | Db): Promise<string> {
    this.generationReads++;
    const read =
      "stampedRead" in db && db.stampedRead
        ? db.stampedRead<{ g: string }>(GENERATION_SQL)
        : db.query<{ g: string }>(GENERATION_SQL).then((rows) => ({ rows, stamp: Number.NaN }));
    const p = read.then(({ rows, stamp }) => {
      this.stamped = { generation: rows[0]!.g, stamp };
      return rows[0]!.g;
    });
    this.current = p;
    p.then(noop, noop).then(() => {
      if (this.current === p) this.current = null;
    });
    return p;
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
    if (hit && hit.generation === generation) return hit.rows;
    const rows = await db.query<StoredDay>(
      "SELECT body, hash FROM day_documents WHERE scope = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
      [scope, first, last],
    );
    return this.entries.set(key, { generation, rows }).rows;
  }
}
