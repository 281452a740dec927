/**
 * A throwaway PostgreSQL primary and a streaming replica of it, made with the installed server's own tools
 * (initdb, pg_basebackup -R, pg_ctl) as the `postgres` OS user, in temporary folders on free ports of their own.
 * The shared server on 5432 is never touched.
 */
import { execFile } from "node:child_process";
import { appendFileSync, chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);
export const PG_BIN = "/usr/lib/postgresql/15/bin";

/** Why a primary and replica cannot be made here, or null when they can. */
export function clusterUnavailable(): string | null {
  for (const tool of ["initdb", "pg_ctl", "pg_basebackup"]) {
    if (!existsSync(join(PG_BIN, tool))) return `${join(PG_BIN, tool)} is not installed`;
  }
  if (!existsSync("/usr/sbin/runuser") && !existsSync("/sbin/runuser")) return "runuser is not installed";
  if (process.getuid?.() !== 0) return "making a cluster as the postgres user needs root";
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

const asPostgres = (tool: string, args: string[]) =>
  run("runuser", ["-u", "postgres", "--", join(PG_BIN, tool), ...args], { cwd: "/tmp" });

export interface Cluster {
  primaryUrl: string;
  replicaUrl: string;
  /** Runs SQL on the replica's server (e.g. pg_wal_replay_pause()). */
  onReplica(sql: string): Promise<unknown[]>;
  /** Stops the replica at once (as a crash would). */
  stopReplica(): Promise<void>;
  /** Waits until the replica has replayed everything the primary has written so far. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

async function sql(url: string, text: string): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

/** Makes, starts and returns a primary with database `db` and a streaming replica of it. */
export async function startCluster(db: string): Promise<Cluster> {
  const root = mkdtempSync(join(tmpdir(), "pilotlog-cluster-"));
  const primary = join(root, "primary");
  const replica = join(root, "replica");
  const [pPort, rPort] = [await freePort(), await freePort()];
  const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
  const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
  chownSync(root, uid, gid);
  await asPostgres("initdb", ["-D", primary, "-A", "trust", "-U", "postgres", "--no-sync"]);
  appendFileSync(
    join(primary, "postgresql.conf"),
    `\nport = ${pPort}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${root}'\nfsync = off\n`,
  );
  await asPostgres("pg_ctl", ["-D", primary, "-l", join(root, "primary.log"), "-w", "start"]);
  const started: string[] = [primary];
  try {
    await asPostgres("pg_basebackup", [
      "-h",
      "127.0.0.1",
      "-p",
      String(pPort),
      "-U",
      "postgres",
      "-D",
      replica,
      "-R",
      "-X",
      "stream",
    ]);
    appendFileSync(join(replica, "postgresql.conf"), `\nport = ${rPort}\n`);
    await asPostgres("pg_ctl", ["-D", replica, "-l", join(root, "replica.log"), "-w", "start"]);
    started.push(replica);
    const base = (port: number) => `postgres://postgres@127.0.0.1:${port}`;
    await sql(`${base(pPort)}/postgres`, `CREATE DATABASE ${db}`);
    const cluster: Cluster = {
      primaryUrl: `${base(pPort)}/${db}`,
      replicaUrl: `${base(rPort)}/${db}`,
      onReplica: (text) => sql(`${base(rPort)}/postgres`, text),
      async caughtUp() {
        const [p] = (await sql(`${base(pPort)}/postgres`, "SELECT pg_current_wal_lsn()::text AS lsn")) as {
          lsn: string;
        }[];
        for (let i = 0; i < 300; i++) {
          const [r] = (await sql(
            `${base(rPort)}/postgres`,
            `SELECT pg_last_wal_replay_lsn() >= '${p!.lsn}'::pg_lsn AS ok`,
          )) as { ok: boolean }[];
          if (r?.ok) return;
          await new Promise((res) => setTimeout(res, 50));
        }
        throw new Error("the replica did not catch up within 15 s");
      },
      async stopReplica() {
        await asPostgres("pg_ctl", ["-D", replica, "-m", "immediate", "-w", "stop"]);
      },
      async stop() {
        for (const dir of started.reverse())
          await asPostgres("pg_ctl", ["-D", dir, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
        rmSync(root, { recursive: true, force: true });
      },
    };
    // The database exists on the replica once it has replayed its creation.
    await cluster.caughtUp();
    return cluster;
  } catch (err) {
    for (const dir of started.reverse())
      await asPostgres("pg_ctl", ["-D", dir, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}
