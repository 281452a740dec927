import { existsSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataLock } from "../db/lock.js";
import { migrate } from "../db/migrate.js";
import { PgliteDb } from "../db/pglite.js";
import { emptySummary, isEmptyStore, notEmptyError, type StoreSummary, storeSummary } from "./backup.js";

/**
 * Restores a PGlite dump (`PgliteDb.dump`) into the data folder `dataDir`, which no process may hold (the lock is
 * taken for the whole restore). The dump is loaded into a new folder beside the old one and migrated; only then
 * is it swapped in, so a failure leaves the old database as it was. A non-empty old database is kept as
 * `pgdata.replaced-<time>` (with `force`), an empty one removed.
 */
export async function restorePglite(
  dataDir: string,
  dump: Buffer,
  file: string,
  opts: { force: boolean; now?: Date },
): Promise<{ before: StoreSummary; after: StoreSummary; keptOld: string | null }> {
  const dir = resolve(dataDir);
  const lock = new DataLock(dir, "restore");
  try {
    const pgdata = join(dir, "pgdata");
    let before: StoreSummary | null = null;
    if (existsSync(pgdata)) {
      const old = await PgliteDb.open(pgdata);
      try {
        before = await storeSummary(old);
      } finally {
        await old.close();
      }
      if (!isEmptyStore(before) && !opts.force)
        throw notEmptyError(`The embedded database in ${dir}`, before, file);
    }
    const incoming = join(dir, "pgdata.restoring");
    rmSync(incoming, { recursive: true, force: true });
    let after: StoreSummary;
    try {
      const db = await PgliteDb.open(incoming, dump);
      try {
        await migrate(db);
        after = await storeSummary(db);
      } finally {
        await db.close();
      }
    } catch (err) {
      rmSync(incoming, { recursive: true, force: true });
      throw err;
    }
    let keptOld: string | null = null;
    if (before && !isEmptyStore(before)) {
      keptOld = `${pgdata}.replaced-${(opts.now ?? new Date()).toISOString().replace(/[:.]/g, "-")}`;
      renameSync(pgdata, keptOld);
    } else {
      rmSync(pgdata, { recursive: true, force: true });
    }
    renameSync(incoming, pgdata);
    return { before: before ?? emptySummary(), after, keptOld };
  } finally {
    lock.release();
  }
}
