import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { backends } from "../../test/helpers/db.js";
import type { Db, Queryable } from "../db/db.js";
import { ADVANCE_DIRECTORY } from "../db/generation.js";
import { PostgresDb } from "../db/postgres.js";
import { AnswerCache } from "./answer-cache.js";

/** The real database, counting the generation queries that reach it. */
function counting(db: Db): { q: Queryable; count(): number } {
  let n = 0;
  return {
    q: {
      query: (sql: string, params?: unknown[]) => {
        n++;
        return db.query(sql, params);
      },
    } as Queryable,
    count: () => n,
  };
}

for (const backend of backends) {
  describe(`AnswerCache.generation on ${backend.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    let url: string | null;
    beforeAll(async () => {
      ({ db, drop, url } = await backend.create());
    });
    afterAll(() => drop?.());

    it("shares one query among requests that arrive while it runs, and never one that started before them", async () => {
      const cache = new AnswerCache();
      const c = counting(db);
      const first = cache.generation(c.q);
      // Requests arriving while the first query runs share the next one: two queries for 21 requests.
      const late = Array.from({ length: 20 }, () => cache.generation(c.q));
      const [before] = await Promise.all([first, ...late]);
      expect(c.count()).toBe(2);
      // A request that arrives after a commit sees it, even while an older query is still in flight.
      const inFlight = cache.generation(c.q);
      await db.query("SELECT nextval('directory_generation')");
      const after = await cache.generation(c.q);
      await inFlight;
      expect(after).not.toBe(before);
      expect(c.count()).toBe(4);
    });

    it.runIf(backend.name === "pglite")(
      "on PGlite, reads the generation again only after another statement ran",
      async () => {
        const cache = new AnswerCache();
        const g1 = await cache.generation(db);
        const stamp = db.writeStamp!();
        expect(await cache.generation(db)).toBe(g1);
        expect(db.writeStamp!()).toBe(stamp); // answered from memory: no statement ran
        await db.query("SELECT nextval('directory_generation')");
        const g2 = await cache.generation(db);
        expect(g2).not.toBe(g1);
        expect(db.writeStamp!()).toBe(stamp + 1);
      },
    );

    it.runIf(backend.name === "postgres")(
      "on PostgreSQL, skips the read while nothing changed, hears other processes' changes, and survives losing its listener",
      async () => {
        const cache = new AnswerCache();
        await vi.waitFor(() => expect(Number.isNaN(db.writeStamp!())).toBe(false));
        const g1 = await cache.generation(db);
        const reads = cache.generationReads;
        expect(await cache.generation(db)).toBe(g1);
        expect(cache.generationReads).toBe(reads);
        const other = await PostgresDb.open(url!); // another process: a CLI `apply` or `process`
        try {
          await other.transaction((tx) => tx.query(ADVANCE_DIRECTORY));
          await vi.waitFor(async () => expect(await cache.generation(db)).not.toBe(g1));
          const g2 = await cache.generation(db);
          // The listening connection dies: every request reads again until it is back, and nothing is missed.
          await other.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()",
          );
          await vi.waitFor(() => expect(Number.isNaN(db.writeStamp!())).toBe(true));
          await other.transaction((tx) => tx.query(ADVANCE_DIRECTORY));
          expect(await cache.generation(db)).not.toBe(g2);
          await vi.waitFor(() => expect(Number.isNaN(db.writeStamp!())).toBe(false), { timeout: 5000 });
        } finally {
          await other.close();
        }
      },
    );

    it("recovers from a failed query: the next request queries again", async () => {
      const cache = new AnswerCache();
      const failing = { query: () => Promise.reject(new Error("connection lost")) } as unknown as Queryable;
      await expect(cache.generation(failing)).rejects.toThrow("connection lost");
      expect(await cache.generation(db)).toMatch(/^\d+\/\d+\/\d+$/);
    });
  });
}
