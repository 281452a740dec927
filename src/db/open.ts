import { join, resolve } from "node:path";
import type { Db } from "./db.js";
import { DataLock } from "./lock.js";
import { migrate } from "./migrate.js";
import { PgliteDb } from "./pglite.js";
import { PostgresDb } from "./postgres.js";
import { createPrivately, restrictTree } from "./private-files.js";

export interface OpenedDb {
  db: Db;
  /** Held for the PGlite data folder; null on PostgreSQL. */
  lock: DataLock | null;
  /** Human-readable: where the data lives (never includes a password). */
  where: string;
  close(): Promise<void>;
}

/** The PGlite data folder exists but is not a database PGlite can open. */
export class DataFolderError extends Error {}

/** Hides the password of a connection URL for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/**
 * Opens the database a command works on, migrating the schema: PostgreSQL when `databaseUrl` is set, else the
 * embedded PGlite in `dataDir` (taking its lock first, so a second process gets a clear error).
 */
export async function openDatabase(opts: {
  databaseUrl: string | null;
  dataDir: string;
  command: string;
}): Promise<OpenedDb> {
  if (opts.databaseUrl) {
    const db = await PostgresDb.open(opts.databaseUrl);
    await migrate(db);
    return { db, lock: null, where: redactUrl(opts.databaseUrl), close: () => db.close() };
  }
  const dir = resolve(opts.dataDir);
  createPrivately();
  const lock = new DataLock(dir, opts.command);
  try {
    const pgdata = join(dir, "pgdata");
    const db = await PgliteDb.open(pgdata).catch((err: unknown) => {
      throw new DataFolderError(
        `The embedded database in ${pgdata} cannot be opened (${(err as Error).message}). ` +
          "It is not a complete database: most likely a first start was interrupted, or the folder was copied while " +
          `in use. Move it away (mv ${pgdata} ${pgdata}.broken) and start again to create an empty one, or restore ` +
          "the folder from a backup. Nothing was changed.",
      );
    });
    await migrate(db);
    restrictTree(dir);
    return {
      db,
      lock,
      where: dir,
      close: async () => {
        await db.close();
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}
