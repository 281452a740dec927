import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresDb } from "./postgres.js";
import { createScratchDatabase } from "./scratch.js";

/**
 * On the real PostgreSQL: two transactions that lock the same two rows in opposite orders deadlock for real; the
 * one PostgreSQL picks as the victim is rolled back and run again, so both complete, each exactly once.
 */
describe.runIf(process.env.DATABASE_URL)("transactions that lose a deadlock on PostgreSQL", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: PostgresDb;
  beforeAll(async () => {
    scratch = await createScratchDatabase(process.env.DATABASE_URL!, "pilotlog_retry");
    db = await PostgresDb.open(scratch.url);
    await db.exec("CREATE TABLE t (k int PRIMARY KEY, n int NOT NULL); INSERT INTO t VALUES (1, 0), (2, 0)");
  });
  afterAll(async () => {
    await db?.close();
    await scratch?.drop();
  });

  it("are run again and commit, without surfacing 40P01", async () => {
    let runs = 0;
    let bothHoldOne: () => void = () => undefined;
    let held = 0;
    const ready = new Promise<void>((r) => {
      bothHoldOne = r;
    });
    const cross = (first: number, second: number) =>
      db.transaction(async (tx) => {
        runs++;
        await tx.query("UPDATE t SET n = n + 1 WHERE k = $1", [first]);
        // The first run of each waits until the other holds its first row: a certain deadlock.
        if (++held === 2) bothHoldOne();
        if (held <= 2) await ready;
        await tx.query("UPDATE t SET n = n + 1 WHERE k = $1", [second]);
      });
    await Promise.all([cross(1, 2), cross(2, 1)]);
    expect(runs).toBe(3);
    expect(await db.query("SELECT k, n FROM t ORDER BY k")).toEqual([
      { k: 1, n: 2 },
      { k: 2, n: 2 },
    ]);
  });
});
