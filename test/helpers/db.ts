import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Db } from "../../src/db/db.js";
import { migrate } from "../../src/db/migrate.js";
import { PgliteDb } from "../../src/db/pglite.js";
import { PostgresDb } from "../../src/db/postgres.js";

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
    const name = `pilotlog_test_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(baseUrl);
    u.pathname = `/${name}`;
    const db = await PostgresDb.open(u.toString());
    await migrate(db);
    return {
      db,
      url: u.toString(),
      async drop() {
        await db.close();
        const a = new pg.Client({ connectionString: baseUrl });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  },
});

/** PGlite always; PostgreSQL too whenever DATABASE_URL is set (CI always sets it). */
export const backends: Backend[] = process.env.DATABASE_URL
  ? [pglite, postgres(process.env.DATABASE_URL)]
  : [pglite];
