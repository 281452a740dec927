import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import type { Queryable } from "../db/db.js";
import { ADVANCE_DIRECTORY } from "../db/generation.js";
import { migrate } from "../db/migrate.js";
import { redactUrl } from "../db/open.js";
import { PostgresDb } from "../db/postgres.js";

const run = promisify(execFile);

/** A backup or restore that cannot go ahead; the message says why and what to do. */
export class BackupError extends Error {}

/** What a backup file holds, told by its first bytes. */
export type BackupKind = "postgres" | "pglite";

/** pg_dump's custom format starts with "PGDMP"; PGlite's dump is a gzipped tarball. */
export function backupKind(head: Buffer): BackupKind | null {
  if (head.subarray(0, 5).toString("latin1") === "PGDMP") return "postgres";
  if (head[0] === 0x1f && head[1] === 0x8b) return "pglite";
  return null;
}

/** Tables whose rows make a store "not empty", with the words used to report them. */
const COUNTED = [
  ["enterprises", "enterprise"],
  ["organizations", "organization"],
  ["teams", "team"],
  ["users", "user"],
  ["tokens", "token"],
  ["event_ids", "event"],
  ["facts", "fact"],
  ["day_documents", "day document"],
] as const;
const SUMMARY_SQL = `SELECT ${COUNTED.map(([t]) => `(SELECT count(*) FROM ${t})::int8 AS ${t}`).join(", ")}`;

export type StoreSummary = Record<(typeof COUNTED)[number][0], number>;

/** A store with no rows. */
export const emptySummary = (): StoreSummary =>
  Object.fromEntries(COUNTED.map(([t]) => [t, 0])) as StoreSummary;

/** Rows of each table that matters; all zero for a database pilotlog never migrated. */
export async function storeSummary(db: Queryable): Promise<StoreSummary> {
  try {
    const [row] = await db.query<StoreSummary>(SUMMARY_SQL);
    return row!;
  } catch (err) {
    // 42P01: a table is missing, so pilotlog never set this database up: nothing in it to lose.
    if ((err as { code?: string }).code === "42P01") return emptySummary();
    throw err;
  }
}

export const isEmptyStore = (s: StoreSummary): boolean => Object.values(s).every((n) => Number(n) === 0);

/** "1 enterprise, 3 organizations, …" (tables without rows left out), or "nothing". */
export function describeStore(s: StoreSummary): string {
  const parts = COUNTED.filter(([t]) => Number(s[t]) > 0).map(
    ([t, word]) => `${Number(s[t]).toLocaleString("en-US")} ${word}${Number(s[t]) === 1 ? "" : "s"}`,
  );
  return parts.length > 0 ? parts.join(", ") : "nothing";
}

/** The refusal to replace a store that holds data. */
export function notEmptyError(where: string, s: StoreSummary, file: string): BackupError {
  return new BackupError(
    `${where} is not empty (it holds ${describeStore(s)}); restoring ${file} would replace all of it. ` +
      "Restore into an empty store, or pass --force to replace this one.",
  );
}

/**
 * A PostgreSQL client program (`pg_dump`, `pg_restore`): on PATH, else the newest of /usr/lib/postgresql/N/bin
 * (Debian's server packages do not put them on PATH for every version).
 */
export function pgTool(name: "pg_dump" | "pg_restore"): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(base, v, "bin", name))) return join(base, v, "bin", name);
  return null;
}

function requireTool(name: "pg_dump" | "pg_restore"): string {
  const tool = pgTool(name);
  if (!tool) {
    throw new BackupError(
      `${name} was not found (on PATH or in /usr/lib/postgresql/*/bin). Install PostgreSQL's client programs ` +
        "(Debian: apt-get install postgresql-client), of the server's major version or newer.",
    );
  }
  return tool;
}

/** The URL without its password, and the password for PGPASSWORD: never on a command line others can read. */
function splitPassword(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = "";
  return { url: u.toString(), env: password ? { ...process.env, PGPASSWORD: password } : process.env };
}

async function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv, url: string): Promise<void> {
  try {
    await run(tool, args, { env, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const reason = (e.stderr ?? e.message).trim().replaceAll(url, redactUrl(url));
    throw new BackupError(`${tool} failed: ${reason}`);
  }
}

/** Dumps the database of `url` into `file` in pg_dump's custom format. */
export async function dumpPostgres(url: string, file: string): Promise<{ tool: string }> {
  const tool = requireTool("pg_dump");
  const { url: bare, env } = splitPassword(url);
  await runTool(tool, ["--format=custom", "--no-owner", `--file=${file}`, `--dbname=${bare}`], env, bare);
  return { tool };
}

/**
 * Restores a pg_dump custom-format `file` into the database of `url` in one transaction (a failure changes
 * nothing), then brings its schema up to this build's migrations and moves the directory generation past any
 * value the database had before, so servers running on it drop every cached answer (they hear the change on the
 * generation channel).
 */
export async function restorePostgres(
  url: string,
  file: string,
  opts: { force: boolean },
): Promise<{ tool: string; before: StoreSummary; after: StoreSummary }> {
  const tool = requireTool("pg_restore");
  const db = await PostgresDb.open(url, { max: 1 });
  try {
    const before = await storeSummary(db);
    if (!isEmptyStore(before) && !opts.force)
      throw notEmptyError(`The database ${redactUrl(url)}`, before, file);
    const [gen] = await db
      .query<{ g: number }>("SELECT last_value AS g FROM directory_generation")
      .catch(() => [{ g: 0 }]);
    const { url: bare, env } = splitPassword(url);
    await runTool(
      tool,
      [
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        `--dbname=${bare}`,
        file,
      ],
      env,
      bare,
    );
    await migrate(db);
    await db.transaction(async (tx) => {
      await tx.query(
        "SELECT setval('directory_generation', greatest($1::int8, (SELECT last_value FROM directory_generation)) + 1)",
        [gen?.g ?? 0],
      );
      await tx.query(ADVANCE_DIRECTORY);
    });
    return { tool, before, after: await storeSummary(db) };
  } finally {
    await db.close();
  }
}
