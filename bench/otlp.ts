/**
 * OTLP benchmark (issue 15): data points and log records per second through `POST /v1/metrics` and `/v1/logs`
 * (protobuf, 8 concurrent clients, each answer after commit), beside a decode-only server (its own process)
 * that decodes the same requests with the same decoder and keeps nothing.
 *
 *   [DATABASE_URL=…] node --import tsx bench/otlp.ts [--quick] [--postgres-only]
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase } from "../src/db/scratch.js";
import { logBatches, metricBatches } from "./otlp-batches.js";
import { cpuMsOf, startPilotlog, startProcess, stop } from "./spawn.js";

const quick = process.argv.includes("--quick");
const TODAY = "2026-11-20";
const START_MS = Date.parse(`${TODAY}T09:00:00Z`);
const CLIENTS = 8;
const TOKEN = "pl_bench_otlp_relay";

const metrics = metricBatches({
  users: quick ? 250 : 2_000,
  rounds: quick ? 4 : 6,
  usersPerRequest: 25,
  startMs: START_MS,
});
const logs = logBatches({
  users: quick ? 250 : 2_000,
  records: quick ? 40_000 : 200_000,
  perRequest: 1_000,
  startMs: START_MS,
});

/** Sends every body with CLIENTS concurrent clients, in order within each export round; returns items per second. */
async function send(url: string, path: string, bodies: Buffer[], items: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(`${url}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-protobuf" },
          body: new Uint8Array(body),
        });
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  return items / ((performance.now() - started) / 1000);
}

const bare = await startProcess(
  ["--import", "tsx", "bench/otlp-decode-server.ts"],
  process.env,
  /bare (http:\/\/\S+)/,
);
const baseMetrics = await send(bare.url, "/v1/metrics", metrics.bodies, metrics.points);
const baseLogs = await send(bare.url, "/v1/logs", logs.bodies, logs.records);
await stop(bare.child);

const engines = process.argv.includes("--postgres-only")
  ? ["postgres"]
  : process.env.DATABASE_URL
    ? ["pglite", "postgres"]
    : ["pglite"];
for (const engine of engines) {
  const dir = mkdtempSync(join(tmpdir(), "pilotlog-bench-otlp-"));
  const scratch =
    engine === "postgres" ? await createScratchDatabase(process.env.DATABASE_URL!, "pilotlog_bench") : null;
  const env = { ...process.env, DATABASE_URL: scratch?.url ?? "" };
  const server = await startPilotlog(dir, env, `${TODAY}T12:00:00Z`);
  const file = join(dir, "tokens.json");
  writeFileSync(file, JSON.stringify({ tokens: [{ token: TOKEN, kind: "ingest" }] }));
  const apply = spawn(process.execPath, ["bin/pilotlog.js", "apply", file, "--data", dir], {
    env,
    stdio: "ignore",
  });
  await new Promise((r) => apply.once("exit", r));
  // The server's CPU (user + system) per 1,000 items: steadier than a rate on the shared machine.
  const pid = server.child.pid!;
  const cpu0 = await cpuMsOf(pid);
  const m = await send(server.url, "/v1/metrics", metrics.bodies, metrics.points);
  const cpu1 = await cpuMsOf(pid);
  const l = await send(server.url, "/v1/logs", logs.bodies, logs.records);
  const cpu2 = await cpuMsOf(pid);
  const perK = (ms: number, n: number) => `server CPU ${((ms * 1000) / n).toFixed(1)} ms per 1,000`;
  const target = engine === "postgres" ? "≥ 50,000" : "≥ 20,000";
  console.log(
    `[otlp ${engine}] metrics: ${metrics.points} data points (${metrics.bodies.length} requests of 25 developers, cumulative), ${CLIENTS} clients: ` +
      `${Math.round(m)} points/s vs decode-only ${Math.round(baseMetrics)}: ratio ${(m / baseMetrics).toFixed(2)} (target ${target}/s); ${perK(cpu1 - cpu0, metrics.points)}`,
  );
  console.log(
    `[otlp ${engine}] logs: ${logs.records} log records (requests of 1,000), ${CLIENTS} clients: ` +
      `${Math.round(l)} records/s vs decode-only ${Math.round(baseLogs)}: ratio ${(l / baseLogs).toFixed(2)} (target ${target}/s); ${perK(cpu2 - cpu1, logs.records)}`,
  );
  await stop(server.child);
  await scratch?.drop();
  rmSync(dir, { recursive: true, force: true });
}
