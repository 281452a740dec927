/**
 * Serve benchmark (issue 6): requests/s and p50/p99 latency of `GET /orgs/{org}/copilot/metrics` (28 days of the
 * largest organization, 32 connections, authenticated, no If-None-Match), against a bare node:http server answering
 * the same bytes with no logic: pilotlog's own answer, its headers included (GitHub's ~15 headers are ~1 KB the
 * client parses on every answer), recorded once. A second baseline sends only the body and its content headers, as
 * this bench did before 2026-12-03, so both ratios can be compared. Client (autocannon, here) and servers run as
 * separate processes.
 *
 *   node --import tsx bench/serve.ts [--quick] [--users N] [--modes identity,gzip]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { processDay } from "../src/rollup/process.js";
import { cpuMsOf, startPilotlog, startProcess, stop } from "./spawn.js";
import { DAY, OWNER_TOKEN, open, seed, TODAY } from "./world.js";

const quick = process.argv.includes("--quick");
const usersArg = process.argv.indexOf("--users");
const users = usersArg >= 0 ? Number(process.argv[usersArg + 1]) : quick ? 3_000 : 100_000;
const duration = quick ? 3 : 15;
const modesArg = process.argv.indexOf("--modes");
const onlyModes = modesArg >= 0 ? process.argv[modesArg + 1]!.split(",") : ["identity", "gzip"];
const PATH = "/orgs/bench-a/copilot/metrics";

async function load(
  url: string,
  headers: Record<string, string>,
  pid: number,
): Promise<{ rps: number; p50: number; p99: number; errors: number; cpuUs: number }> {
  const run = (seconds: number) =>
    autocannon({
      url: `${url}${PATH}`,
      connections: 32,
      duration: seconds,
      headers: { authorization: `Bearer ${OWNER_TOKEN}`, ...headers },
    });
  await run(2); // warm-up
  const cpuBefore = await cpuMsOf(pid);
  const r = await run(duration);
  const cpuUs = (((await cpuMsOf(pid)) - cpuBefore) * 1000) / r.requests.total;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.non2xx + r.errors,
    cpuUs,
  };
}

/** Headers node:http writes itself, or that differ per connection: never replayed. */
const HOP_HEADERS = new Set(["date", "connection", "keep-alive", "transfer-encoding", "content-length"]);

/** One answer of `url` as sent: the body's raw bytes (not decompressed) and the headers worth replaying. */
function recorded(
  url: string,
  headers: Record<string, string>,
): Promise<{ bytes: Buffer; headers: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (b: Buffer) => parts.push(b));
      res.on("end", () => {
        if (res.statusCode !== 200) return reject(new Error(`answered ${res.statusCode}`));
        const kept: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers))
          if (!HOP_HEADERS.has(k) && v !== undefined) kept[k] = Array.isArray(v) ? v.join(", ") : v;
        resolve({ bytes: Buffer.concat(parts), headers: kept });
      });
    })
      .on("error", reject)
      .end();
  });
}

/** A bare node:http server, its own process, answering `file`'s bytes with `headers` and no logic. */
function bareServer(file: string, headers: Record<string, string>) {
  return startProcess(
    [
      "-e",
      `const b=require("fs").readFileSync(${JSON.stringify(file)});const h=${JSON.stringify(headers)};require("http").createServer((q,s)=>{s.writeHead(200,h);s.end(b)}).listen(0,"127.0.0.1",function(){console.log("bare http://127.0.0.1:"+this.address().port)})`,
    ],
    process.env,
    /bare (http:\/\/\S+)/,
  );
}

const engines = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
for (const engine of engines) {
  const dir = mkdtempSync(join(tmpdir(), "pilotlog-bench-serve-"));
  const { db, url: dbUrl, close } = await open(engine, join(dir, "pgdata"));
  await seed(db, users);
  await processDay(db, DAY, new Date(`${TODAY}T00:10:00Z`));
  // The other 27 days of the window: the same organization document, re-dated (serving cost does not depend on it).
  await db.query(
    `INSERT INTO day_documents (scope, day, body, hash)
     SELECT d.scope, g::date, replace(d.body, '"date":"${DAY}"', '"date":"' || g::date || '"'), md5(d.body || g::text)
     FROM day_documents d, generate_series($1::date, $2::date, interval '1 day') g
     WHERE d.day = $3 AND d.scope LIKE 'org:%' AND g::date <> $3`,
    ["2026-10-23", "2026-11-19", DAY],
  );
  // Mark them processed, or the server's catch-up would reprocess (and empty) them from facts.
  await db.query(
    `INSERT INTO processed_days (day, processed_at, active_users, documents)
     SELECT g::date, now(), 0, 1 FROM generate_series($1::date, $2::date, interval '1 day') g ON CONFLICT (day) DO NOTHING`,
    ["2026-10-23", "2026-11-19"],
  );
  await db.query("DELETE FROM dirty_days"); // the directory's arrival marked every day; they are done
  if (engine === "pglite") await db.close();
  const env = { ...process.env, DATABASE_URL: engine === "postgres" ? dbUrl! : "" };
  const server = await startPilotlog(dir, env, `${TODAY}T12:00:00Z`, ["--rate-limit", "0"]);
  const auth = { authorization: `Bearer ${OWNER_TOKEN}` };
  // Identity (as curl sends by default), then gzip (as octokit's fetch asks): the baselines send the same bytes.
  const modes = [
    { name: "identity", request: {} as Record<string, string> },
    { name: "gzip", request: { "accept-encoding": "gzip" } },
  ];
  for (const mode of modes.filter((m) => onlyModes.includes(m.name))) {
    const answer = await recorded(`${server.url}${PATH}`, { ...auth, ...mode.request });
    const file = join(dir, `body.${mode.name}`);
    writeFileSync(file, answer.bytes);
    const content: Record<string, string> = { "content-type": answer.headers["content-type"]! };
    if (answer.headers["content-encoding"]) content["content-encoding"] = answer.headers["content-encoding"];
    const base: Record<string, Awaited<ReturnType<typeof load>>> = {};
    for (const [name, headers] of [
      ["same headers", answer.headers],
      ["content headers only", content],
    ] as const) {
      const bare = await bareServer(file, headers);
      base[name] = await load(bare.url, mode.request, bare.child.pid!);
      await stop(bare.child);
    }
    const ours = await load(server.url, mode.request, server.child.pid!);
    const same = base["same headers"]!;
    const minimal = base["content headers only"]!;
    console.log(
      `[serve ${engine} ${mode.name}] ${users} users, ${(answer.bytes.length / 1024).toFixed(0)} KiB per answer (28 days): pilotlog ${ours.rps.toFixed(0)} req/s ` +
        `(p50 ${ours.p50} ms, p99 ${ours.p99} ms, ${ours.errors} errors) vs bare node:http sending the same answer ${same.rps.toFixed(0)} req/s ` +
        `(p50 ${same.p50} ms, p99 ${same.p99} ms): ratio ${(ours.rps / same.rps).toFixed(2)} (target ≥ 0.8, p99 ≤ 10 ms); ` +
        `bare with content headers only ${minimal.rps.toFixed(0)} req/s: ratio ${(ours.rps / minimal.rps).toFixed(2)}; ` +
        `server CPU per request ${ours.cpuUs.toFixed(0)} µs vs bare ${same.cpuUs.toFixed(0)} / ${minimal.cpuUs.toFixed(0)} µs`,
    );
  }
  await stop(server.child);
  if (engine === "postgres") await close();
  rmSync(dir, { recursive: true, force: true });
}
