import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { readLock } from "../db/lock.js";
import { openDatabase, redactUrl } from "../db/open.js";
import type { PgliteDb } from "../db/pglite.js";
import { PostgresDb } from "../db/postgres.js";
import {
  BackupError,
  backupKind,
  describeStore,
  dumpPostgres,
  restorePostgres,
  type StoreSummary,
  storeSummary,
} from "../ops/backup.js";
import { restorePglite } from "../ops/backup-pglite.js";
import { commonOptions, configFrom, fail, runningServer, UserError } from "./shared.js";

const size = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} kB`;

function firstBytes(file: string): Buffer {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(8);
    readSync(fd, head, 0, 8, 0);
    return head;
  } finally {
    closeSync(fd);
  }
}

/** The dump of the embedded database: from the server holding the folder, else from the folder itself. */
async function dumpPglite(
  config: ReturnType<typeof configFrom>,
): Promise<{ dump: Buffer; summary: StoreSummary; via: string }> {
  const server = await runningServer(config);
  if (server) {
    const res = await fetch(new URL("/_pilotlog/admin/backup", server.url), {
      method: "POST",
      headers: { "x-pilotlog-admin": server.adminToken },
    });
    if (res.status !== 200) throw new UserError(`the running server at ${server.url} answered ${res.status}`);
    return {
      dump: Buffer.from(await res.arrayBuffer()),
      summary: JSON.parse(res.headers.get("x-pilotlog-store") ?? "{}") as StoreSummary,
      via: `through the running server at ${server.url}`,
    };
  }
  const opened = await openDatabase({ databaseUrl: null, dataDir: config.dataDir, command: "backup" });
  try {
    const db = opened.db as PgliteDb;
    return {
      dump: await db.dump(),
      summary: await storeSummary(db),
      via: "from the folder (no server holds it)",
    };
  } finally {
    await opened.close();
  }
}

export function backupCommand(program: Command): void {
  commonOptions(program.command("backup <file>"))
    .option("--force", "overwrite FILE if it exists")
    .description(
      "write a backup of the whole store to FILE: pg_dump's custom format with DATABASE_URL, else PGlite's data-directory dump (works while a server runs)",
    )
    .action(async (file: string, flags: Record<string, string | boolean>) => {
      try {
        const config = configFrom(flags as Record<string, string>);
        const target = resolve(file);
        if (existsSync(target) && !flags.force)
          throw new UserError(
            `${target} already exists; choose another file name, or pass --force to overwrite it.`,
          );
        const partial = `${target}.partial`;
        const started = Date.now();
        let what: string;
        let summary: StoreSummary;
        if (config.databaseUrl) {
          process.stdout.write(`Dumping the PostgreSQL database ${redactUrl(config.databaseUrl)} …\n`);
          const db = await PostgresDb.open(config.databaseUrl, { max: 1 });
          try {
            summary = await storeSummary(db);
          } finally {
            await db.close();
          }
          const { tool } = await dumpPostgres(config.databaseUrl, partial);
          what = `PostgreSQL custom format (${tool})`;
        } else {
          process.stdout.write(`Dumping the embedded database in ${resolve(config.dataDir)} …\n`);
          const d = await dumpPglite(config);
          writeFileSync(partial, d.dump, { mode: 0o600 });
          summary = d.summary;
          what = `PGlite data directory, gzipped tar, taken ${d.via}`;
        }
        // Only a complete dump gets the name: an interrupted backup never looks like a good one.
        renameSync(partial, target);
        process.stdout.write(
          `Wrote ${target} (${size(statSync(target).size)}, ${what}) in ${Date.now() - started} ms.\n` +
            `  It holds ${describeStore(summary)}.\n` +
            `  Restore it with: npx pilotlog restore ${file}${config.databaseUrl ? " (with DATABASE_URL set)" : " --data DIR"}\n`,
        );
      } catch (err) {
        rmSync(`${resolve(file)}.partial`, { force: true });
        report(err);
      }
    });
}

export function restoreCommand(program: Command): void {
  commonOptions(program.command("restore <file>"))
    .option("--force", "replace a store that is not empty")
    .description(
      "replace the store with the backup in FILE (refuses a non-empty store without --force); on PGlite, stop the server first",
    )
    .action(async (file: string, flags: Record<string, string | boolean>) => {
      try {
        const config = configFrom(flags as Record<string, string>);
        const source = resolve(file);
        if (!existsSync(source)) throw new UserError(`${source} does not exist.`);
        const kind = backupKind(firstBytes(source));
        if (kind === null) {
          throw new UserError(
            `${source} is not a pilotlog backup (neither pg_dump's custom format nor a PGlite dump); make one with \`pilotlog backup FILE\`.`,
          );
        }
        const force = flags.force === true;
        const started = Date.now();
        if (config.databaseUrl) {
          if (kind !== "postgres") {
            throw new UserError(
              `${source} is a backup of the embedded database (PGlite): restore it without DATABASE_URL, with --data DIR.`,
            );
          }
          const where = redactUrl(config.databaseUrl);
          process.stdout.write(`Restoring ${source} into ${where} (one transaction) …\n`);
          const r = await restorePostgres(config.databaseUrl, source, { force });
          process.stdout.write(
            `Restored in ${Date.now() - started} ms with ${r.tool}: the database now holds ${describeStore(r.after)}` +
              `${describeStore(r.before) === "nothing" ? "" : ` (it held ${describeStore(r.before)})`}.\n` +
              "  Servers running on it see the restored data on their next request.\n",
          );
          return;
        }
        if (kind !== "pglite") {
          throw new UserError(
            `${source} is a PostgreSQL dump (pg_dump custom format): restore it with DATABASE_URL set to the target database.`,
          );
        }
        const dir = resolve(config.dataDir);
        const holder = readLock(dir);
        if (holder) {
          const who = holder.info
            ? `pid ${holder.info.pid} (pilotlog ${holder.info.command}${holder.info.url ? ` at ${holder.info.url}` : ""})`
            : "another process";
          throw new UserError(
            `${who} holds ${dir}: ` +
              "stop it first (a running server cannot have its whole database replaced underneath it), then run restore again.",
          );
        }
        process.stdout.write(`Restoring ${source} into the embedded database in ${dir} …\n`);
        const r = await restorePglite(dir, readFileSync(source), source, { force });
        process.stdout.write(
          `Restored in ${Date.now() - started} ms: the store now holds ${describeStore(r.after)}.\n` +
            (r.keptOld
              ? `  The database it replaced (${describeStore(r.before)}) is kept in ${r.keptOld}; delete it once you are satisfied.\n`
              : ""),
        );
      } catch (err) {
        report(err);
      }
    });
}

function report(err: unknown): void {
  if (err instanceof BackupError) {
    process.stderr.write(`pilotlog: ${err.message}\n`);
    process.exitCode = 1;
    return;
  }
  fail(err);
}
