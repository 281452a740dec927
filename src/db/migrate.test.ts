/**
 * Servers started at once against one PostgreSQL migrate once: the migrator's advisory lock covers the ledger's
 * creation and every migration (README "Running in production").
 */
import { describe, expect, it } from "vitest";
import { migrate, migrationFiles, schemaLag } from "./migrate.js";
import { PgliteDb } from "./pglite.js";
import { PostgresDb } from "./postgres.js";
import { createScratchDatabase } from "./scratch.js";

const base = process.env.DATABASE_URL;

describe("migrate", () => {
  it("reports what a database lacks, and nothing once migrated (PGlite)", async () => {
    const db = await PgliteDb.open();
    try {
      await db.exec("CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz)");
      expect(await schemaLag(db)).toEqual(await migrationFiles());
      await migrate(db);
      expect(await schemaLag(db)).toEqual([]);
      await db.query("INSERT INTO schema_migrations (name) VALUES ('999_from_a_newer_build.sql')");
      expect(await schemaLag(db)).toEqual(["+999_from_a_newer_build.sql"]);
    } finally {
      await db.close();
    }
  });

  it.skipIf(!base)(
    "runs each migration exactly once when eight processes migrate one fresh PostgreSQL database at once",
    async () => {
      const files = await migrationFiles();
      // Several rounds: the race between starters is short, so one round may not hit it.
      for (let round = 0; round < 3; round++) {
        const scratch = await createScratchDatabase(base!, "pilotlog_migrate");
        const dbs = await Promise.all(
          Array.from({ length: 8 }, () => PostgresDb.open(scratch.url, { max: 2 })),
        );
        try {
          const outcomes = await Promise.allSettled(dbs.map((db) => migrate(db)));
          const failures = outcomes.filter((o) => o.status === "rejected");
          expect(failures.map((f) => String((f as PromiseRejectedResult).reason))).toEqual([]);
          const ran = outcomes.flatMap((o) => (o.status === "fulfilled" ? o.value : []));
          expect(ran.sort()).toEqual(files);
          const rows = await dbs[0]!.query<{ n: number }>(
            "SELECT count(*)::int8 AS n FROM schema_migrations",
          );
          expect(rows[0]!.n).toBe(files.length);
        } finally {
          await Promise.all(dbs.map((db) => db.close()));
          await scratch.drop();
        }
      }
    },
    60_000,
  );
});
