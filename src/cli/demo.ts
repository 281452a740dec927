import { rename, writeFile } from "node:fs/promises";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import type { Db } from "../db/db.js";
import { applyDirectoryText } from "../directory/apply.js";
import { startServer } from "../http/server.js";
import { runProcessing } from "../rollup/run.js";
import { buildWorld, simulate, type World, worldDirectory, worldRoutes } from "../simulate/index.js";
import { OffsetClock } from "../util/clock.js";
import { utcDay } from "../util/time.js";
import { commonOptions, configFrom, fail, UserError } from "./shared.js";

const BATCH = 1000;

/** The demo's data folder unless --data or PILOTLOG_DATA says otherwise: never the one of `serve`. */
export const DEMO_DATA_DIR = ".pilotlog-demo";

function bar(label: string, unit: string): SingleBar {
  return new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate}/s | {eta_formatted} left`,
    hideCursor: true,
  });
}

/** Seeds the demo world: the directory through `apply`, the activity through the real ingestion route. */
async function seed(
  db: Db,
  url: string,
  w: World,
  now: Date,
  windowDays: number,
): Promise<{ events: number; days: number }> {
  await applyDirectoryText(db, JSON.stringify(worldDirectory(w)), "demo-world.json", {
    today: utcDay(now),
    now,
    windowDays,
  });
  // One day in memory at a time, so --users 100000 does not hold the whole window's events.
  const dayCount =
    w.first <= w.last ? Math.round((Date.parse(w.last) - Date.parse(w.first)) / 86_400_000) + 1 : 0;
  const progress = bar("ingesting ", "days");
  const started = performance.now();
  progress.start(dayCount, 0, { rate: 0 });
  let total = 0;
  let days = 0;
  for (const { events } of simulate(w)) {
    for (let i = 0; i < events.length; i += BATCH) {
      const batch = events.slice(i, i + BATCH);
      const res = await fetch(`${url}/telemetry/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${w.tokens.relay}`, "content-type": "application/x-ndjson" },
        body: batch.map((e) => JSON.stringify(e)).join("\n"),
      });
      if (res.status !== 202) throw new Error(`ingestion answered ${res.status}: ${await res.text()}`);
      total += batch.length;
      progress.update(days, { rate: `${Math.round(total / ((performance.now() - started) / 1000))} events` });
    }
    progress.update(++days);
  }
  progress.stop();
  process.stdout.write(
    `Ingested ${total} events through POST /telemetry/v1/events in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`,
  );
  return { events: total, days };
}

async function processAll(db: Db, now: Date, windowDays: number): Promise<number> {
  const progress = bar("processing", "days");
  let started = false;
  const results = await runProcessing(db, now, {
    windowDays,
    onDay: (r, i, total) => {
      if (!started) progress.start(total, 0, { rate: 0 });
      started = true;
      progress.update(i + 1, { rate: r.documents });
    },
  });
  if (started) progress.stop();
  const docs = results.reduce((n, r) => n + r.documents, 0);
  process.stdout.write(`Processed ${results.length} days into ${docs} day documents.\n`);
  return docs;
}

export function demoCommand(program: Command): void {
  commonOptions(program.command("demo"))
    .description("create a demo enterprise with 28 days of activity, process it, and serve it")
    .option("--users <n>", "developers in the demo world (up to 100000)", "300")
    .option("--seed <text>", "same seed, byte-identical answers", "pilotlog")
    .option("--port <port>", "port to listen on (env PORT, default 8080; 0 picks a free one)")
    .option("--host <host>", "address to listen on (default 127.0.0.1)")
    .option("--tokens-out <file>", "write the tokens and routes as JSON once the server is ready")
    .option("--sandbox", "enable POST /_pilotlog/clock and POST /_pilotlog/reset")
    .option("--log-level <level>", "server log level (default warn for the demo)", "warn")
    .action(async (flags: Record<string, string>) => {
      try {
        const users = Number(flags.users);
        if (!/^\d+$/.test(flags.users ?? "") || users < 1 || users > 100_000) {
          throw new UserError(`--users must be a whole number from 1 to 100000, got "${flags.users}"`);
        }
        // Its own folder by default, so the walkthrough's `npm start` (./.pilotlog) starts from an empty store.
        const config = configFrom({
          ...flags,
          ...(flags.data === undefined && !process.env.PILOTLOG_DATA ? { data: DEMO_DATA_DIR } : {}),
        });
        const clock = new OffsetClock(config.now ?? new Date());
        const today = utcDay(clock.now());
        const world = buildWorld({
          users,
          seed: flags.seed ?? "pilotlog",
          today,
          windowDays: config.windowDays,
        });
        let reseed: (() => Promise<unknown>) | undefined;
        const server = await startServer(config, clock, {
          startScheduler: false,
          command: "demo",
          ...(flags.sandbox
            ? { sandbox: { setNow: (now: Date) => clock.set(now), reseed: () => reseed!() } }
            : {}),
        });
        const db = server.opened.db;
        reseed = async () => {
          const w = buildWorld({
            users,
            seed: flags.seed ?? "pilotlog",
            today: utcDay(clock.now()),
            windowDays: config.windowDays,
          });
          await seed(db, server.url, w, clock.now(), config.windowDays);
          return { documents: await processAll(db, clock.now(), config.windowDays) };
        };
        process.stdout.write(
          `Demo world "${world.seed}": ${users} developers in ${world.orgs.length} organizations, ${world.teams.length} teams, ${world.enterpriseTeams.length} enterprise teams; days ${world.first} … ${world.last}.\n`,
        );
        await seed(db, server.url, world, clock.now(), config.windowDays);
        await processAll(db, clock.now(), config.windowDays);
        server.scheduler.start();
        const routes = worldRoutes(world);
        const org = `${server.url}/orgs/demo-core/copilot/metrics`;
        process.stdout.write(
          `\npilotlog demo is serving ${server.url} (data: ${server.opened.where})\n` +
            `Dashboard: ${server.url}/ (sign in with one of these tokens)\n\n` +
            "Tokens (Authorization: Bearer …):\n" +
            `  enterprise owner   ${world.tokens.enterprise_owner}\n` +
            `  billing manager    ${world.tokens.billing_manager}\n` +
            `  org owner          ${world.tokens.org_owner}   (demo-core)\n` +
            `  member, no rights  ${world.tokens.member}\n` +
            `  ingest relay       ${world.tokens.relay}\n\n` +
            "Try:\n" +
            `  curl -H "Authorization: Bearer ${world.tokens.org_owner}" ${org}\n` +
            `  curl -H "Authorization: Bearer ${world.tokens.enterprise_owner}" ${server.url}/enterprises/demo-ent/copilot/metrics\n` +
            `  curl -H "Authorization: Bearer ${world.tokens.org_owner}" "${server.url}/orgs/demo-core/team/backend/copilot/metrics?per_page=7"\n` +
            `  curl -H "Authorization: Bearer ${world.tokens.enterprise_owner}" ${server.url}/orgs/demo-legacy/copilot/metrics   # 422: policy off\n\n` +
            "With octokit:\n" +
            `  new Octokit({ baseUrl: "${server.url}", auth: "${world.tokens.org_owner}" }).rest.copilot.copilotMetricsForOrganization({ org: "demo-core" })\n\n` +
            `${routes.length} metrics routes in this world${flags.tokensOut ? `; tokens and routes written to ${flags.tokensOut}` : ""}. Stop with Ctrl-C.\n`,
        );
        if (flags.tokensOut) {
          // Written aside and renamed: a script waiting for the file never reads it half-written.
          const partial = `${flags.tokensOut}.partial`;
          await writeFile(
            partial,
            `${JSON.stringify({ url: server.url, ...world.tokens, routes }, null, 2)}\n`,
          );
          await rename(partial, flags.tokensOut);
        }
        const shutdown = () => void server.close().then(() => process.exit(0));
        process.once("SIGINT", shutdown);
        process.once("SIGTERM", shutdown);
      } catch (err) {
        fail(err);
      }
    });
}
