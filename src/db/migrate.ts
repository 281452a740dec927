import { readdir, readFile } from "node:fs/promises";
import type { Db } from "./db.js";

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
// Any constant: it serialises concurrent starts against one PostgreSQL server.
const MIGRATION_LOCK = 7_112_026;

/**
 * Brings the schema up to date: runs, in name order, every `migrations/NNN_name.sql` not yet recorded in
 * `schema_migrations`, each in its own transaction. Returns the names it ran.
 */
export async function migrate(db: Db): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
  await db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
  );
  const ran: string[] = [];
  for (const file of files) {
    const sql = await readFile(new URL(file, MIGRATIONS_DIR), "utf8");
    const applied = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      const done = await tx.query("SELECT 1 FROM schema_migrations WHERE name = $1", [file]);
      if (done.length > 0) return false;
      for (const statement of splitStatements(sql)) await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (name) VALUES ($1)", [file]);
      return true;
    });
    if (applied) ran.push(file);
  }
  return ran;
}

/** Splits a migration file on `;` at line ends; migrations hold no function bodies with inner semicolons. */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter((s) => s.length > 0);
}
