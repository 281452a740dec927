/**
 * Memory benchmark (issue 6): the resident memory of `pilotlog serve` (its own process) once it has processed the
 * 100,000-user world's day itself and served a mix of metrics reads for a minute. Target: ≤ 300 MB.
 *
 *   node --import tsx bench/memory.ts [--quick] [--users N] [--engines pglite,postgres]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { memoryOf, startPilotlog, stop } from "./spawn.js";
import { DAY, OWNER_TOKEN, open, seed, TODAY } from "./world.js";

const quick = process.argv.includes("--quick");
const usersArg = process.argv.indexOf("--users");
const users = usersArg >= 0 ? Number(process.argv[usersArg + 1]) : quick ? 3_000 : 100_000;
const seconds = quick ? 5 : 60;
const TARGET_MB = 300;

/** Waits until the server has processed the seeded day (its catch-up runs at start). */
async function processed(url: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    const res = await fetch(`${url}/orgs/bench-a/copilot/metrics?since=${DAY}&until=${DAY}`, {
      headers: { authorization: `Bearer ${OWNER_TOKEN}` },
    }).catch(() => null);
    if (res?.status === 200 && ((await res.json()) as unknown[]).length === 1)
      return (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The server's V8 heap (used and total) and external memory, in MB, from its own Prometheus metrics. */
async function heapOf(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const mb = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)`, "m").exec(text);
    return m ? (Number(m[1]) / 2 ** 20).toFixed(0) : "?";
  };
  return `V8 heap ${mb("pilotlog_nodejs_heap_size_used_bytes")} MB used of ${mb("pilotlog_nodejs_heap_size_total_bytes")}, external ${mb("pilotlog_nodejs_external_memory_bytes")} MB`;
}

const enginesArg = process.argv.indexOf("--engines");
const engines =
  enginesArg >= 0
    ? process.argv[enginesArg + 1]!.split(",")
    : process.env.DATABASE_URL
      ? ["pglite", "postgres"]
      : ["pglite"];
for (const engine of engines) {
  const dir = mkdtempSync(join(tmpdir(), "pilotlog-bench-memory-"));
  const { db, url: dbUrl, close } = await open(engine, join(dir, "pgdata"));
  const events = await seed(db, users);
  if (engine === "pglite") await db.close();
  const server = await startPilotlog(
    dir,
    { ...process.env, DATABASE_URL: engine === "postgres" ? dbUrl! : "" },
    `${TODAY}T12:00:00Z`,
    ["--rate-limit", "0"],
  );
  const pid = server.child.pid!;
  const processS = await processed(server.url);
  const afterProcessing = await memoryOf(pid);
  const heapAfterProcessing = await heapOf(server.url);
  const auth = { authorization: `Bearer ${OWNER_TOKEN}` };
  const r = await autocannon({
    url: server.url,
    connections: 16,
    duration: seconds,
    requests: [
      { method: "GET", path: "/orgs/bench-a/copilot/metrics", headers: auth },
      {
        method: "GET",
        path: "/orgs/bench-a/copilot/metrics",
        headers: { ...auth, "accept-encoding": "gzip" },
      },
      { method: "GET", path: "/orgs/bench-a/team/team-0/copilot/metrics", headers: auth },
      { method: "GET", path: `/orgs/bench-a/copilot/metrics?since=${DAY}&per_page=1`, headers: auth },
      { method: "GET", path: "/orgs/bench-a/team/team-3/copilot/metrics?per_page=7&page=2", headers: auth },
    ],
  });
  const end = await memoryOf(pid);
  const heapAtEnd = await heapOf(server.url);
  console.log(
    `[memory ${engine}] ${users} users, ${events} events: processed by the server in ${processS.toFixed(1)} s, RSS ` +
      `${afterProcessing.rss.toFixed(0)} MB (${heapAfterProcessing}); after ${seconds} s of mixed reads (${r.requests.total} requests, ` +
      `${r.non2xx + r.errors} errors) RSS ${end.rss.toFixed(0)} MB (${heapAtEnd}), peak ${end.peak.toFixed(0)} MB ` +
      `(target ≤ ${TARGET_MB} MB: ${end.rss <= TARGET_MB ? "met" : "MISSED"})`,
  );
  await stop(server.child);
  if (engine === "postgres") await close();
  rmSync(dir, { recursive: true, force: true });
}
