/**
 * Crash safety of the commands (issue 5, RELIABILITY.md): `pilotlog process` and `pilotlog apply` killed with
 * SIGKILL at several moments; the next run completes, and the result equals a clean run's.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open.js";
import { storeEvents } from "../../src/ingest/store.js";
import { validateEvent } from "../../src/ingest/validate.js";
import { processDay } from "../../src/rollup/process.js";
import { buildWorld, simulate, worldDirectory, worldRoutes } from "../../src/simulate/index.js";
import { Rng } from "../../src/simulate/random.js";
import { dayRange } from "../../src/util/time.js";
import { BIN, cli, serve, stop, type Target, targets } from "../helpers/process.js";

const TODAY = "2026-11-20";
const NOW = `${TODAY}T12:00:00Z`;
/** After which day's progress line each `process` run is killed: every run is killed mid-way, whatever the speed. */
const KILL_AFTER_DAYS = [1, 2, 3, 5, 8];
/** After the `apply` has opened the database, at these moments: the first is always before it can finish. */
const APPLY_DELAYS_MS = [0, 100, 300, 600, 1000];

/**
 * Starts a CLI command and kills it with SIGKILL once `ready` resolves (or lets it finish first). `ready` is given
 * the command's stdout so far, so a kill can follow the command's own progress rather than the clock.
 */
function killWhen(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: (child: ChildProcess, stdout: () => string) => Promise<void>,
): Promise<string> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  child.stdout!.on("data", (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<string>((resolve) =>
    child.once("exit", (code, signal) => resolve(signal ?? `exit ${code}`)),
  );
  void ready(child, () => out).then(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return exited;
}

/** Resolves when `check` holds, polling every 10 ms, or when the child has exited. */
async function until(child: ChildProcess, check: () => boolean | Promise<boolean>): Promise<void> {
  while (child.exitCode === null && child.signalCode === null && !(await check()))
    await new Promise((r) => setTimeout(r, 10));
}

/** Whether `child` has the database open: the PGlite folder's lock names it, or a transaction is open on PostgreSQL. */
async function databaseOpen(
  ctx: { env: NodeJS.ProcessEnv; args: string[] },
  child: ChildProcess,
): Promise<boolean> {
  if (!ctx.env.DATABASE_URL) {
    try {
      return (
        (JSON.parse(readFileSync(join(ctx.args[1]!, "pilotlog.lock"), "utf8")) as { pid: number }).pid ===
        child.pid
      );
    } catch {
      return false; // not there yet, or a killed run's stale lock being replaced
    }
  }
  const client = new pg.Client({ connectionString: ctx.env.DATABASE_URL });
  await client.connect();
  try {
    const r = await client.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL",
    );
    return (r.rows[0] as { n: number }).n > 0;
  } finally {
    await client.end();
  }
}

/** Every metrics answer of the world, keyed by route, read from a server over the data. */
async function answers(args: string[], env: NodeJS.ProcessEnv, routes: { path: string; token: string }[]) {
  const server = await serve(args, env, NOW);
  try {
    const out: Record<string, string> = {};
    for (const r of routes) {
      const res = await fetch(`${server.url}${r.path}`, { headers: { authorization: `Bearer ${r.token}` } });
      out[r.path] = `${res.status} ${await res.text()}`;
    }
    return out;
  } finally {
    await stop(server.child);
  }
}

for (const target of targets) {
  describe(`crashes of process and apply on ${target.name}`, () => {
    const world = buildWorld({ users: 1500, seed: "crash-commands", today: TODAY });
    const routes = worldRoutes(world).map((path) => ({ path, token: world.tokens.enterprise_owner }));
    let ctx: Awaited<ReturnType<Target["create"]>>;
    let file: string;
    let dir: string;

    beforeAll(async () => {
      ctx = await target.create();
      dir = mkdtempSync(join(tmpdir(), "pilotlog-crash-cmd-"));
      file = join(dir, "world.json");
      writeFileSync(file, JSON.stringify(worldDirectory(world)));
    });
    afterAll(async () => {
      await ctx?.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it("apply killed at several moments: the next apply completes and leaves what a clean apply leaves", async () => {
      const outcomes = [];
      for (const ms of APPLY_DELAYS_MS)
        outcomes.push(
          await killWhen(["apply", file, ...ctx.args, "--now", NOW], ctx.env, async (child) => {
            await until(child, () => databaseOpen(ctx, child));
            await new Promise((r) => setTimeout(r, ms));
          }),
        );
      console.log(
        `[crash apply ${target.name}] kill -9 ${APPLY_DELAYS_MS.join(", ")} ms after the database was open: ${outcomes.join(", ")}`,
      );
      expect(outcomes[0]).toBe("SIGKILL");
      await cli(["apply", file, ...ctx.args, "--now", NOW], ctx.env);
      // The store now matches the file exactly: applying it once more changes nothing.
      const again = await cli(["apply", file, ...ctx.args, "--now", NOW], ctx.env);
      expect(again.stdout).toMatch(/nothing changed/);
    }, 120_000);

    it("process killed at several moments: the next run completes and equals a clean run", async () => {
      const opened = await openDatabase({
        databaseUrl: ctx.env.DATABASE_URL || null,
        dataDir: ctx.args[1] ?? "",
        command: "test",
      });
      try {
        const now = new Date(NOW);
        for (const { events } of simulate(world)) {
          const owned = events.map((e) => {
            const v = validateEvent(e, { now, earliestDay: world.first });
            if (!v.ok) throw new Error(v.message);
            return { event: v.event, login: e.user as string };
          });
          await opened.db.transaction((tx) => storeEvents(tx, owned, TODAY));
        }
      } finally {
        await opened.close();
      }
      const outcomes = [];
      const rng = new Rng(`crash-process-${target.name}`);
      for (const days of KILL_AFTER_DAYS)
        outcomes.push(
          await killWhen(["process", ...ctx.args, "--now", NOW], ctx.env, async (child, stdout) => {
            // Watched on every chunk of output, not by polling: a quiet machine processes a small day in a few
            // milliseconds, and a poll could see the line only once the run has finished.
            await new Promise<void>((resolve) => {
              const seen = () => (stdout().match(/\[\d+\/\d+\]/g) ?? []).length >= days;
              if (seen()) return resolve();
              child.stdout!.on("data", () => {
                if (seen()) resolve();
              });
              child.once("exit", () => resolve());
            });
            // Somewhere in the next day's transaction, or between two.
            await new Promise((r) => setTimeout(r, rng.int(0, 3)));
          }),
        );
      console.log(
        `[crash process ${target.name}] kill -9 after ${KILL_AFTER_DAYS.join(", ")} processed days: ${outcomes.join(", ")}`,
      );
      // 28 days to do, and each run is killed after at most 8 of them: every run was killed mid-way.
      expect(outcomes).toEqual(KILL_AFTER_DAYS.map(() => "SIGKILL"));
      await cli(["process", ...ctx.args, "--now", NOW], ctx.env);
      const recovered = await answers(ctx.args, ctx.env, routes);
      // A clean run over the same facts: every day of the window processed again from scratch.
      const db = await openDatabase({
        databaseUrl: ctx.env.DATABASE_URL || null,
        dataDir: ctx.args[1] ?? "",
        command: "test",
      });
      try {
        for (const d of dayRange(world.first, world.last)) await processDay(db.db, d, new Date(NOW));
      } finally {
        await db.close();
      }
      const clean = await answers(ctx.args, ctx.env, routes);
      expect(Object.keys(recovered).length).toBe(routes.length);
      for (const r of routes) expect(recovered[r.path]).toBe(clean[r.path]);
      expect(Object.values(clean).filter((a) => a.startsWith("200 [{")).length).toBeGreaterThan(3);
    }, 240_000);
  });
}
