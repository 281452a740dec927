/**
 * Crash safety of the commands (issue 5, RELIABILITY.md): `pilotlog process` and `pilotlog apply` killed with
 * SIGKILL at several moments; the next run completes, and the result equals a clean run's.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open.js";
import { storeEvents } from "../../src/ingest/store.js";
import { validateEvent } from "../../src/ingest/validate.js";
import { processDay } from "../../src/rollup/process.js";
import { buildWorld, simulate, worldDirectory, worldRoutes } from "../../src/simulate/index.js";
import { dayRange } from "../../src/util/time.js";
import { BIN, cli, serve, stop, type Target, targets } from "../helpers/process.js";

const TODAY = "2026-11-20";
const NOW = `${TODAY}T12:00:00Z`;
const DELAYS_MS = [150, 400, 800, 1200, 2000];

/** Starts a CLI command and kills it with SIGKILL after `ms` (or lets it finish first). */
function killAfter(args: string[], env: NodeJS.ProcessEnv, ms: number): Promise<string> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: "ignore" });
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  return new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? `exit ${code}`);
    }),
  );
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
      for (const ms of DELAYS_MS)
        outcomes.push(await killAfter(["apply", file, ...ctx.args, "--now", NOW], ctx.env, ms));
      console.log(
        `[crash apply ${target.name}] kill -9 after ${DELAYS_MS.join(", ")} ms: ${outcomes.join(", ")}`,
      );
      expect(outcomes.filter((o) => o === "SIGKILL").length).toBeGreaterThan(0);
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
      for (const ms of DELAYS_MS)
        outcomes.push(await killAfter(["process", ...ctx.args, "--now", NOW], ctx.env, ms));
      console.log(
        `[crash process ${target.name}] kill -9 after ${DELAYS_MS.join(", ")} ms: ${outcomes.join(", ")}`,
      );
      expect(outcomes.filter((o) => o === "SIGKILL").length).toBeGreaterThan(0);
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
