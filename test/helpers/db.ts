import type { Db } from "../../src/db/db.js";
import { migrate } from "../../src/db/migrate.js";
import { PgliteDb } from "../../src/db/pglite.js";
import { PostgresDb } from "../../src/db/postgres.js";
import { createScratchDatabase } from "../../src/db/scratch.js";

export interface Backend {
  name: "pglite" | "postgres";
  /** A fresh, migrated database of its own; `drop` removes it. */
  create(): Promise<{ db: Db; url: string | null; drop(): Promise<void> }>;
}

const pglite: Backend = {
  name: "pglite",
  async create() {
    const db = await PgliteDb.open();
    await migrate(db);
    return { db, url: null, drop: () => db.close() };
  },
};

/** One database per suite on the server of DATABASE_URL, created fresh and dropped afterwards. */
const postgres = (baseUrl: string): Backend => ({
  name: "postgres",
  async create() {
    const scratch = await createScratchDatabase(baseUrl, "pilotlog_test");
    const db = await PostgresDb.open(scratch.url);
    await migrate(db);
    return {
      db,
      url: scratch.url,
      async drop() {
        await db.close();
        await scratch.drop();
      },
    };
  },
});

/** PGlite always; PostgreSQL too whenever DATABASE_URL is set (CI always sets it). */
export const backends: Backend[] = process.env.DATABASE_URL
  ? [pglite, postgres(process.env.DATABASE_URL)]
  : [pglite];
