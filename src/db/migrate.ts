import { readdir, readFile } from "node:fs/promises";
import type { Db } from "./db.js";

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
// Any constant: it serialises concurrent starts against one PostgreSQL server.
const MIGRATION_LOCK = 7_112_026;

/**
 * Brings the schema up to date: runs, in name order, every `migrations/NNN_name.sql` not yet recorded in
 * `schema_migrations`, each in its own transaction. Returns the names it ran. `dir` is for tests.
 */
export async function migrate(db: Db, dir: URL = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
  await db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
  );
  const ran: string[] = [];
  for (const file of files) {
    const sql = await readFile(new URL(file, dir), "utf8");
    const applied = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      const done = await tx.query("SELECT 1 FROM schema_migrations WHERE name = $1", [file]);
      if (done.length > 0) return false;
      // The file runs whole (the server parses it): splitting on `;` broke on `$$` function bodies.
      await tx.exec(sql);
      await tx.query("INSERT INTO schema_migrations (name) VALUES ($1)", [file]);
      return true;
    });
    if (applied) ran.push(file);
  }
  return ran;
}
