/**
 * Soak (issue 5): a bounded mixed load on loopback for at least five minutes against `pilotlog serve` (its own
 * process): reads on all four metrics routes, continuous ingestion, and a `pilotlog process` run every minute.
 * Passes when there is no unexpected error and memory stays flat; prints RSS at start and end and latencies.
 *
 *   npm run soak [-- --minutes 5] [-- --users 2000]        (DATABASE_URL set: on PostgreSQL)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { createScratchDatabase } from "../src/db/scratch.js";
import { buildWorld, simulate, worldDirectory, worldRoutes } from "../src/simulate/index.js";
import { memoryOf, startPilotlog, stop } from "./spawn.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const minutes = arg("--minutes", 5);
const users = arg("--users", 2000);
const TODAY = "2026-11-20";
const NOW = `${TODAY}T12:00:00Z`;
/** RSS may grow this much from the end of warm-up to the end before memory counts as not flat. */
const FLAT_TOLERANCE = 1.25;

const dir = mkdtempSync(join(tmpdir(), "pilotlog-soak-"));
const scratch = process.env.DATABASE_URL
  ? await createScratchDatabase(process.env.DATABASE_URL, "pilotlog_soak")
  : null;
const env = { ...process.env, DATABASE_URL: scratch?.url ?? "" };
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ["bin/pilotlog.js", ...args, "--data", dir, "--now", NOW], {
    env,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`pilotlog ${args[0]} failed: ${r.stderr}`);
  return r.stdout;
};

const world = buildWorld({ users, seed: "soak", today: TODAY });
const server = await startPilotlog(dir, env, NOW, ["--rate-limit", "0"]);
const relay = { authorization: `Bearer ${world.tokens.relay}`, "content-type": "application/x-ndjson" };
const failures: string[] = [];
try {
  writeFileSync(join(dir, "world.json"), JSON.stringify(worldDirectory(world)));
  cli("apply", join(dir, "world.json"));
  let seeded = 0;
  for (const { events } of simulate(world)) {
    for (let i = 0; i < events.length; i += 1000) {
      const res = await fetch(`${server.url}/telemetry/v1/events`, {
        method: "POST",
        headers: relay,
        body: events
          .slice(i, i + 1000)
          .map((e) => JSON.stringify(e))
          .join("\n"),
      });
      if (res.status !== 202) throw new Error(`seeding answered ${res.status}`);
      seeded += Math.min(1000, events.length - i);
    }
  }
  cli("process");
  console.log(
    `[soak] ${users} users, ${seeded} events seeded and processed; ${minutes} min of mixed load starts`,
  );

  const pid = server.child.pid!;
  const start = await memoryOf(pid);
  const samples: number[] = [start.rss];
  const deadline = Date.now() + minutes * 60_000;

  // Ingestion: today's events (accepted, processed once the day closes), one batch after another.
  let ingested = 0;
  const ingestion = (async () => {
    for (let n = 0; Date.now() < deadline; n++) {
      const body = Array.from({ length: 500 }, (_, i) =>
        JSON.stringify({
          id: `soak-${n}-${i}`,
          type: "completion.suggested",
          user: world.users[(n * 500 + i) % world.users.length]!.login,
          timestamp: `${TODAY}T11:00:00Z`,
          editor: "vscode",
          language: "go",
          lines: 2,
        }),
      ).join("\n");
      const res = await fetch(`${server.url}/telemetry/v1/events`, { method: "POST", headers: relay, body });
      if (res.status !== 202) failures.push(`ingest ${res.status}: ${await res.text()}`);
      else ingested += 500;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  // A process run every minute (late days marked dirty by the directory are reprocessed).
  let runs = 0;
  const processing = (async () => {
    while (Date.now() + 60_000 < deadline) {
      await new Promise((r) => setTimeout(r, 60_000));
      try {
        cli("process");
        runs++;
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  })();
  const sampler = setInterval(() => void memoryOf(pid).then((m) => samples.push(m.rss)), 10_000);

  const auth = { authorization: `Bearer ${world.tokens.enterprise_owner}` };
  // Organizations with the metrics policy off answer 422 by design (tested elsewhere): read the others.
  const disabled = world.orgs.filter((o) => o.policy === "disabled").map((o) => `/orgs/${o.login}/`);
  const routes = worldRoutes(world).filter((r) => !disabled.some((d) => r.startsWith(d)));
  const reads = await autocannon({
    url: server.url,
    connections: 8,
    duration: minutes * 60,
    requests: routes.map((path, i) => ({
      method: "GET" as const,
      path: i % 3 === 0 ? `${path}?per_page=7&page=2` : path,
      headers: i % 2 === 0 ? { ...auth, "accept-encoding": "gzip" } : auth,
    })),
  });
  await Promise.all([ingestion, processing]);
  clearInterval(sampler);
  const end = await memoryOf(pid);
  if (reads.non2xx > 0 || reads.errors > 0)
    failures.push(`reads: ${reads.non2xx} non-2xx, ${reads.errors} errors`);
  // Flat: compare the end with the first minute's peak (caches and JIT warm up during it).
  const warm = Math.max(...samples.slice(0, 7));
  const flat = end.rss <= warm * FLAT_TOLERANCE;
  if (!flat)
    failures.push(`memory grew from ${warm.toFixed(0)} MB after warm-up to ${end.rss.toFixed(0)} MB`);
  console.log(
    `[soak ${scratch ? "postgres" : "pglite"}] ${minutes} min: ${reads.requests.total} reads on ${routes.length} routes of all four kinds ` +
      `(p50 ${reads.latency.p50} ms, p99 ${reads.latency.p99} ms, max ${reads.latency.max} ms), ${ingested} events ingested, ` +
      `${runs} process runs; RSS ${start.rss.toFixed(0)} MB at start, ${warm.toFixed(0)} MB after warm-up, ` +
      `${end.rss.toFixed(0)} MB at end (peak ${end.peak.toFixed(0)} MB): ${flat ? "flat" : "NOT flat"}; ` +
      `${failures.length} unexpected errors`,
  );
} finally {
  await stop(server.child);
  await scratch?.drop();
  rmSync(dir, { recursive: true, force: true });
}
for (const f of failures.slice(0, 20)) console.error(`  ${f}`);
process.exit(failures.length > 0 ? 1 : 0);
