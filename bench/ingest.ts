/**
 * Ingest benchmark (issue 6): events/s through `POST /telemetry/v1/events`, NDJSON batches of 1,000, 202 after
 * commit, 8 concurrent clients, against a server (its own process) that only parses the JSON and discards it.
 *
 *   node --import tsx bench/ingest.ts [--quick] [--users N] [--only pglite|postgres]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase } from "../src/db/scratch.js";
import { buildWorld, simulate, worldDirectory } from "../src/simulate/index.js";
import { cpuMsOf, startPilotlog, startProcess, stop } from "./spawn.js";

const quick = process.argv.includes("--quick");
const usersFlag = process.argv.indexOf("--users");
const users = usersFlag > 0 ? Number(process.argv[usersFlag + 1]) : quick ? 500 : 20_000;
const TODAY = "2026-11-20";
const CLIENTS = 8;

/** Sends every batch with CLIENTS concurrent clients; returns events per second. */
async function send(url: string, token: string, batches: string[], perBatch: number[]): Promise<number> {
  let next = 0;
  let events = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < batches.length) {
        const i = next++;
        const res = await fetch(`${url}/telemetry/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" },
          body: batches[i]!,
        });
        if (res.status !== 202) throw new Error(`answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
        events += perBatch[i]!;
      }
    }),
  );
  return events / ((performance.now() - started) / 1000);
}

const world = buildWorld({ users, seed: "bench-ingest", today: TODAY });
const batches: string[] = [];
const perBatch: number[] = [];
for (const { events } of simulate(world)) {
  for (let i = 0; i < events.length; i += 1000) {
    const slice = events.slice(i, i + 1000);
    batches.push(slice.map((e) => JSON.stringify(e)).join("\n"));
    perBatch.push(slice.length);
  }
}
const total = perBatch.reduce((a, b) => a + b, 0);

const parseOnly = await startProcess(
  [
    "-e",
    `require("http").createServer((q,s)=>{const c=[];q.on("data",d=>c.push(d));q.on("end",()=>{let n=0;for(const l of Buffer.concat(c).toString().split("\\n"))if(l)JSON.parse(l),n++;s.writeHead(202,{"content-type":"application/json"});s.end(JSON.stringify({accepted:n}))})}).listen(0,"127.0.0.1",function(){console.log("bare http://127.0.0.1:"+this.address().port)})`,
  ],
  process.env,
  /bare (http:\/\/\S+)/,
);
const baseline = await send(parseOnly.url, "x", batches, perBatch);
await stop(parseOnly.child);

// --only pglite|postgres: one engine (a rerun of one figure).
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
const engines = (process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"]).filter(
  (e) => !only || e === only,
);
for (const engine of engines) {
  const dir = mkdtempSync(join(tmpdir(), "pilotlog-bench-ingest-"));
  const scratch =
    engine === "postgres" ? await createScratchDatabase(process.env.DATABASE_URL!, "pilotlog_bench") : null;
  const env = { ...process.env, DATABASE_URL: scratch?.url ?? "" };
  const server = await startPilotlog(dir, env, `${TODAY}T12:00:00Z`);
  const file = join(dir, "world.json");
  writeFileSync(file, JSON.stringify(worldDirectory(world)));
  const apply = spawn(process.execPath, ["bin/pilotlog.js", "apply", file, "--data", dir], {
    env,
    stdio: "ignore",
  });
  await new Promise((r) => apply.once("exit", r));
  // The server's CPU (user + system) per 1,000 events: steadier than a rate on the shared machine.
  const cpuBefore = await cpuMsOf(server.child.pid!);
  const rate = await send(server.url, world.tokens.relay, batches, perBatch);
  const cpuPerK = (((await cpuMsOf(server.child.pid!)) - cpuBefore) * 1000) / total;
  console.log(
    `[ingest ${engine}] ${total} events in batches of 1,000, ${CLIENTS} clients: ${Math.round(rate)} events/s vs ` +
      `parse-only ${Math.round(baseline)} events/s: ratio ${(rate / baseline).toFixed(2)} (target ${engine === "postgres" ? "≥ 50,000" : "≥ 20,000"} events/s); server CPU ${cpuPerK.toFixed(1)} ms per 1,000`,
  );
  await stop(server.child);
  await scratch?.drop();
  rmSync(dir, { recursive: true, force: true });
}
