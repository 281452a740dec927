import { readdir, readFile } from "node:fs/promises";
import type { Db } from "./db.js";

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
// Any constant: it serialises concurrent starts against one PostgreSQL server.
const MIGRATION_LOCK = 7_112_026;
const CREATE_LEDGER =
  "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())";

/** The migration files this build knows, in the order they run. */
export async function migrationFiles(dir: URL = MIGRATIONS_DIR): Promise<string[]> {
  return (await readdir(dir)).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
}

/**
 * Brings the schema up to date: runs, in name order, every `migrations/NNN_name.sql` not yet recorded in
 * `schema_migrations`, each in its own transaction. Returns the names it ran. `dir` is for tests.
 *
 * Every transaction, the ledger's creation included, first takes one advisory lock, so servers starting at once
 * against one PostgreSQL run each migration once: the others wait, then find it recorded. (Two concurrent
 * `CREATE TABLE IF NOT EXISTS` outside the lock can both try to create the table, and one fails.)
 */
export async function migrate(db: Db, dir: URL = MIGRATIONS_DIR): Promise<string[]> {
  const files = await migrationFiles(dir);
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.query(CREATE_LEDGER);
  });
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

/**
 * Migrations this build knows that the database has not recorded (empty: the schema is current). A database
 * with migrations this build does not know is newer than the code: those count as not current too, named with
 * a leading `+`.
 */
export async function schemaLag(db: Db): Promise<string[]> {
  const files = await migrationFiles();
  const rows = await db.query<{ name: string }>("SELECT name FROM schema_migrations");
  const recorded = new Set(rows.map((r) => r.name));
  const known = new Set(files);
  return [
    ...files.filter((f) => !recorded.has(f)),
    ...[...recorded].filter((r) => !known.has(r)).map((r) => `+${r}`),
  ];
}
